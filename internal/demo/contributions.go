package demo

import (
	"fmt"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/money"
)

// contributions records the money communities raise themselves: one receipt
// per household for residents' contributions, provident-fund withdrawals for
// lifts, maintenance funds and public revenue after an owners' vote, and
// utilities', employers', donors' and investors' money.
func (b *builder) contributions() error {
	for i, p := range b.made {
		rc := "RC-" + p.Code
		if err := b.fund(funding.Fund{Code: rc, Kind: "resident_contribution", Name: p.Name + "居民出资", Holder: "project:" + p.Code,
			EligibleCategories: []string{funding.Improvement, funding.Upgrade}}); err != nil {
			return err
		}
		for h := int64(0); h < p.Households; h++ {
			household := fmt.Sprintf("%d-%d-%d%02d", 1+h/40, 1+(h/10)%4, 1+(h%10)/2, 1+h%2)
			amount := money.Amount(20000 + b.rng.Int64N(100000))
			if err := b.post(b.svc.Movements.ReceiptTransfer(b.ctx, movement.Receipt{Fund: rc, Amount: amount, ReceivedOn: date(4+int(h%3), 1+int(h%28)),
				Payer: movement.Party{Name: "业主" + household}, Household: household})); err != nil {
				return err
			}
		}
		extra := []struct {
			every        int
			prefix, kind string
			cats         []string
			lo, hi       int64
			payer        string
			vote         bool
		}{
			{7, "MF-", "maintenance_fund", []string{funding.Basic, funding.Improvement}, 200_000, 1_000_000, "连云港市住房专项维修资金管理中心", true},
			{5, "UT-", "utility_self_funding", []string{funding.Basic}, 100_000, 500_000, "国网江苏省电力有限公司连云港供电分公司", false},
			{20, "EC-", "employer_contribution", []string{funding.Basic, funding.Improvement}, 50_000, 300_000, "连云港港口集团有限公司", false},
			{40, "PR-", "public_revenue", []string{funding.Improvement}, 20_000, 80_000, p.Name + "业主大会", true},
			{80, "DN-", "donation", []string{funding.Upgrade}, 10_000, 100_000, "连云港市慈善总会", false},
			{80, "SC-", "social_capital", []string{funding.Upgrade}, 300_000, 800_000, "连云港城投物业服务有限公司", false},
		}
		for k, e := range extra {
			if (i+k)%e.every != 0 {
				continue
			}
			f := funding.Fund{Code: e.prefix + p.Code, Kind: e.kind, Name: p.Name + e.kind, Holder: "project:" + p.Code, EligibleCategories: e.cats}
			if e.vote {
				f.Vote = b.vote(p)
			}
			if err := b.fund(f); err != nil {
				return err
			}
			amount := yuan(e.lo + b.rng.Int64N(e.hi-e.lo))
			if err := b.post(b.svc.Movements.ReceiptTransfer(b.ctx, movement.Receipt{Fund: f.Code, Amount: amount, ReceivedOn: date(4, 10),
				Payer: movement.Party{Name: e.payer, CreditCode: code("913207", 2000+k)}})); err != nil {
				return err
			}
		}
		if i%13 == 0 { // lifts paid partly by provident-fund withdrawals
			pf := "PF-" + p.Code
			if err := b.fund(funding.Fund{Code: pf, Kind: "provident_fund", Name: p.Name + "加装电梯公积金提取", Holder: "project:" + p.Code,
				EligibleCategories: []string{funding.Improvement}}); err != nil {
				return err
			}
			for h := int64(0); h < p.Households/5; h++ {
				household := fmt.Sprintf("%d-%d-%d%02d", 1+h/8, 1, 2+h%6, 1+h%2)
				if err := b.post(b.svc.Movements.ReceiptTransfer(b.ctx, movement.Receipt{Fund: pf, Amount: yuan(3000 + b.rng.Int64N(9000)),
					ReceivedOn: date(5, 1+int(h%28)), Payer: movement.Party{Name: "业主" + household}, Household: household})); err != nil {
					return err
				}
			}
		}
	}
	return b.flush()
}

// vote is a passing owners' vote for the project.
func (b *builder) vote(p funding.Project) *funding.Vote {
	area := p.FloorAreaM2.Decimal().IntPart()
	return &funding.Vote{
		TotalAreaM2: p.FloorAreaM2, TotalOwners: p.Households,
		ParticipatingAreaM2: money.MustRate(fmt.Sprint(area * 85 / 100)), ParticipatingOwners: p.Households * 85 / 100,
		YesAreaM2: money.MustRate(fmt.Sprint(area * 70 / 100)), YesOwners: p.Households * 70 / 100,
		HeldOn: date(3, 18), Purpose: "use",
	}
}
