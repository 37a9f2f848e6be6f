package demo

import (
	"errors"
	"fmt"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/creditcode"
	"renofund/internal/ledger"
	"renofund/internal/money"
)

// code makes a valid unified social credit code from a seed number.
func code(prefix string, n int) string {
	return creditcode.Complete(fmt.Sprintf("%s%011d", prefix, n)[:17])
}

// cityFunds registers the city's sources and receives their money.
func (b *builder) cityFunds() error {
	type src struct {
		f      funding.Fund
		amount money.Amount
		on     string
		payer  string
	}
	srcs := []src{
		{funding.Fund{Code: "CG-2026", Kind: "central_grant", Name: markerName, Holder: "city",
			DocumentNo: "财综〔2026〕15号", Direct: true, EligibleCategories: []string{funding.Basic}, ExpiresOn: "2027-06-30"},
			yuan(820_000_000), date(2, 20), "财政部"},
		{funding.Fund{Code: "CI-2026", Kind: "central_investment", Name: "2026年中央预算内投资（保障性安居工程配套基础设施）", Holder: "city",
			DocumentNo: "发改投资〔2026〕301号", EligibleCategories: []string{funding.Basic, funding.Improvement}},
			yuan(150_000_000), date(3, 5), "国家发展改革委"},
		{funding.Fund{Code: "PG-2026", Kind: "provincial_grant", Name: "2026年省级老旧小区改造补助资金", Holder: "city",
			DocumentNo: "苏财建〔2026〕42号", EligibleCategories: []string{funding.Basic, funding.Improvement}},
			yuan(300_000_000), date(3, 1), "江苏省财政厅"},
		{funding.Fund{Code: "CF-2026", Kind: "city_fiscal", Name: "2026年市级老旧小区改造资金", Holder: "city",
			DocumentNo: "连财建〔2026〕7号", EligibleCategories: funding.Categories},
			yuan(200_000_000), date(1, 15), "连云港市财政局"},
		{funding.Fund{Code: "SB-2026", Kind: "special_bond", Name: "2026年城镇老旧小区改造专项债券", Holder: "city",
			DocumentNo: "苏财债〔2026〕11号", EligibleCategories: []string{funding.Improvement, funding.Upgrade}, Repayable: true},
			yuan(500_000_000), date(4, 1), "江苏省财政厅（债券资金）"},
	}
	for _, s := range srcs {
		if err := b.fund(s.f); err != nil {
			return err
		}
		if err := b.post(b.svc.Movements.ReceiptTransfer(b.ctx, movement.Receipt{Fund: s.f.Code, Amount: s.amount, ReceivedOn: s.on,
			Payer: movement.Party{Name: s.payer}, Reference: "demo-" + s.f.Code})); err != nil {
			return err
		}
	}
	for i, d := range Districts {
		f := funding.Fund{Code: "DF-" + d.Code + "-2026", Kind: "district_fiscal", Name: d.Name + "2026年老旧小区改造配套资金",
			Holder: "district:" + d.Code, DocumentNo: fmt.Sprintf("%s财〔2026〕%d号", d.Code, 10+i), EligibleCategories: funding.Categories}
		if err := b.fund(f); err != nil {
			return err
		}
		if err := b.post(b.svc.Movements.ReceiptTransfer(b.ctx, movement.Receipt{Fund: f.Code, Amount: yuan(d.Weight * 1_000_000),
			ReceivedOn: date(2, 1+i), Payer: movement.Party{Name: d.Name + "财政局"}})); err != nil {
			return err
		}
	}
	return b.flush()
}

// pay pays, and has the reviewer approve what needs a second person.
func (b *builder) pay(in movement.Expenditure) error {
	_, req, err := b.svc.Movements.Pay(b.ctx, in)
	if err != nil || req == nil {
		return err
	}
	_, _, err = b.svc.Movements.Approve(b.reviewer, req.ID)
	return err
}

// spend pays contractors from every project in all three categories, with
// automatic attribution, stepping down when a category's funds run short.
func (b *builder) spend() error {
	if err := b.flush(); err != nil {
		return err
	}
	purposes := map[string][]string{
		funding.Basic:       {"雨污分流管网改造", "供水管网更新", "屋面防水修缮", "老旧电线改造", "燃气管道改造"},
		funding.Improvement: {"加装电梯", "停车位改造", "外墙保温", "充电设施建设", "适老化改造"},
		funding.Upgrade:     {"社区养老服务站", "托育设施", "智慧安防", "便民市场", "文体活动场所"},
	}
	for i, p := range b.made {
		for k, cat := range []string{funding.Basic, funding.Basic, funding.Improvement, funding.Improvement, funding.Upgrade} {
			amount := money.Amount(int64(p.Budget.For(cat)) * int64(20+b.rng.IntN(25)) / 100)
			amount -= amount % 100
			payee := contractors[(i+k)%len(contractors)]
			for try := 0; try < 4 && amount >= 100; try++ {
				err := b.pay(movement.Expenditure{
					Project: p.Code, Category: cat, Amount: amount, PaidOn: date(7+b.rng.IntN(4), 1+b.rng.IntN(28)), // after every receipt
					Purpose: purposes[cat][b.rng.IntN(5)],
					Payee:   movement.Party{Name: payee, CreditCode: contractorCode(i + k), BankAccount: contractorAccount(i + k)},
				})
				if err == nil {
					b.sum.Transfers++
					break
				}
				if !errors.Is(err, ledger.ErrInsufficientFunds) {
					return fmt.Errorf("spend at %s: %w", p.Code, err)
				}
				amount = (amount / 3) - (amount/3)%100
			}
		}
	}
	return nil
}
