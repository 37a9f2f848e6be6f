package demo

import (
	"fmt"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/money"
	"renofund/internal/taxbook"
	"renofund/subsidy"
)

// subsidies gives every community a property manager, rates most of them
// for the second quarter, and pays the quarter's property-service subsidy
// (¥8.33 per household per month, by score band) from a city fund.
func (b *builder) subsidies() error {
	if err := b.flush(); err != nil {
		return err
	}
	if err := b.fund(funding.Fund{Code: "WY-2026", Kind: "city_fiscal", Name: "2026年物业服务以奖代补资金", Holder: "city",
		DocumentNo: "连财建〔2026〕40号", EligibleCategories: []string{funding.Improvement}}); err != nil {
		return err
	}
	if err := b.post(b.svc.Movements.ReceiptTransfer(b.ctx, movement.Receipt{Fund: "WY-2026", Amount: yuan(20_000_000),
		ReceivedOn: date(6, 20), Payer: movement.Party{Name: "连云港市财政局"}})); err != nil {
		return err
	}
	if err := b.flush(); err != nil {
		return err
	}
	sub := b.svc.Subsidy
	companies := []string{"连云港城投物业服务有限公司", "海州区安居物业管理有限公司", "江苏苍梧物业服务有限公司", "连云港港城物业有限公司"}
	for i, p := range b.made {
		if _, err := sub.SetPropertyManager(b.ctx, p.Code, subsidy.PropertyManager{Name: companies[i%len(companies)],
			CreditCode: code("913207", 3000+i%len(companies)), BankAccount: fmt.Sprintf("3220%012d", 3000+i%len(companies)),
			From: date(1, 1)}); err != nil {
			return fmt.Errorf("property manager of %s: %w", p.Code, err)
		}
		if i%9 == 4 {
			continue // not rated this quarter: the run skips it with a reason
		}
		score := subsidy.Score(5500 + b.rng.Int64N(4500)) // 55.00–99.99
		if _, err := sub.RecordRating(b.ctx, subsidy.Rating{Project: p.Code, Period: "2026-Q2", Score: &score,
			Components: map[string]subsidy.Score{"保洁": score, "安保": score}, Assessors: []string{"街道办", "社区居委会"},
			OwnerReps: 5}); err != nil {
			return fmt.Errorf("rating of %s: %w", p.Code, err)
		}
	}
	_, err := sub.CreateScheme(b.ctx, subsidy.Scheme{Code: "WY-Q", Name: "老旧小区物业服务质量以奖代补", Fund: "WY-2026",
		Basis: subsidy.PerHouseholdMonth, Rate: money.MustRate("8.33"), Period: subsidy.Quarter, ValidFrom: date(1, 1),
		Bands: []subsidy.Band{{MinScore: 9000, Ratio: money.MustRate("1")}, {MinScore: 8000, Ratio: money.MustRate("0.9")},
			{MinScore: 7000, Ratio: money.MustRate("0.8")}, {MinScore: 6000, Ratio: money.MustRate("0.5")}}})
	if err != nil {
		return err
	}
	run, err := sub.CreateRun(b.ctx, "WY-Q", "2026-Q2")
	if err != nil {
		return err
	}
	paid, err := sub.Approve(b.reviewer, run.ID) // a second finance person approves (four eyes)
	if err == nil {
		for _, l := range paid.Lines {
			if l.Amount > 0 {
				b.sum.Transfers++
			}
		}
	}
	return err
}

// taxRelief records community service providers' relief and utilities'
// renovated assets for a few communities in each district.
func (b *builder) taxRelief() error {
	book := b.svc.Tax
	services := []string{"elderly_care", "childcare", "housekeeping"}
	classes := []string{"building", "machinery", "electronics"}
	for i, p := range b.made {
		if i%20 != 0 {
			continue
		}
		_, err := book.ServiceRelief(b.ctx, taxbook.ReliefIn{Service: services[i%3], From: date(1, 1), To: date(6, 30),
			Revenue: yuan(200_000 + b.rng.Int64N(800_000)), VATRate: money.MustRate("0.06"), Project: p.Code,
			Provider: &taxbook.Party{Name: p.Name + "社区服务中心", CreditCode: code("523207", 4000+i)},
			Premises: &taxbook.Premises{PropertyTaxBase: yuan(500_000), PropertyTaxRate: money.MustRate("0.012"),
				LandM2: money.MustRate("300"), LandRate: money.MustRate("4")}})
		if err != nil {
			return fmt.Errorf("relief at %s: %w", p.Code, err)
		}
		_, err = book.UtilityAsset(b.ctx, taxbook.AssetIn{Project: p.Code, Description: "供水管网及计量设施更新",
			Utility:    &taxbook.Party{Name: "连云港市水务集团有限公司", CreditCode: code("913207", 5000)},
			AssetClass: classes[i%3], Nature: "capital", Cost: yuan(300_000 + b.rng.Int64N(700_000)), InServiceOn: date(5, 15)})
		if err != nil {
			return fmt.Errorf("utility asset at %s: %w", p.Code, err)
		}
	}
	return nil
}
