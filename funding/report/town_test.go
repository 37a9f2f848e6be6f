package report_test

import (
	"context"
	"testing"
	"time"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/creditcode"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// smallTown is the small city every report test reads, with each amount known
// (yuan, all in 2026):
//
//	CG    central_grant, city        1,000,000 in 01-10; 400,000 → district HZ 02-01, 300,000 of it → HZ-001
//	      02-10; 250,000 → LY-001 02-03. HZ-001 pays 120,000 basic 03-10; LY-001 pays 60,000
//	      improvement 03-15 (reversed) and 40,000 basic 04-06.
//	DIR   central_grant, direct, basic only, city: 300,000 in 03-02; 100,000 → HZ-002 03-05;
//	      50,000 → district LY 03-06 (routed), passed on to LY-001 04-02. HZ-002 pays 10,000
//	      for upgrade 03-20, forced; LY-001 pays 30,000 basic 04-05.
//	SB    special_bond, expires 06-30, city: 500,000 in 02-01; 200,000 → district LY 02-05, kept there.
//	HZ-DF district_fiscal at district HZ: 80,000 in 02-05, kept there.
//	HZ-RC resident_contribution at HZ-001: 5,000 in 02-15; pays 2,000 improvement 03-12.
//	HZ-MF maintenance_fund at HZ-002, vote held 05-01: 20,000 in 03-01; pays 8,000 basic 04-10.
type smallTown struct {
	svc    *app.Services
	forced *ledger.Transfer // the forced payment from DIR
	routed *ledger.Transfer // DIR to district LY
}

// asOf is the date the exceptions and the idle report are judged on.
var asOf = time.Date(2026, 5, 15, 0, 0, 0, 0, time.UTC)

func yuan(n int64) money.Amount { return money.Amount(n * 100) }

func receipt(fund string, n int64, on string) movement.BatchItem {
	return movement.BatchItem{Type: ledger.TypeReceipt, Fund: fund, Amount: yuan(n), ReceivedOn: on,
		Payer: &movement.Party{Name: "付款单位"}}
}

func allocation(fund, from, to string, n int64, on string) movement.BatchItem {
	return movement.BatchItem{Type: ledger.TypeAllocation, Fund: fund, From: from, To: to, Amount: yuan(n), AllocatedOn: on}
}

var contractor = movement.Party{Name: "江苏港城建设有限公司", CreditCode: creditcode.Complete("91320700MA1Y00007"),
	BankAccount: "32250198863600000123"}

func payment(project, category, fund string, n int64, on string) movement.BatchItem {
	return movement.BatchItem{Type: ledger.TypeExpenditure, Project: project, Category: category, Amount: yuan(n),
		Payee: &contractor, PaidOn: on, Purpose: "改造工程进度款", Funding: []movement.Part{{Fund: fund, Amount: yuan(n)}}}
}

func finance() context.Context {
	return access.With(context.Background(), access.Actor{Role: access.Finance, Name: "bureau"})
}

// office is a district's office; "" is the finance bureau.
func office(district string) context.Context {
	if district == "" {
		return finance()
	}
	return access.With(context.Background(), access.Actor{Role: access.District, District: district, Name: "office"})
}

func buildTown(t *testing.T, db *store.DB) *smallTown {
	t.Helper()
	svc := app.New(db, nil)
	t.Cleanup(svc.Close)
	ctx := finance()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"HZ", "LY"} {
		must(svc.Registry.CreateDistrict(ctx, funding.District{Code: d, Name: d}))
	}
	for _, p := range []struct {
		code, district string
		budget         funding.Budget
	}{
		{"HZ-001", "HZ", funding.Budget{Basic: yuan(3_000_000), Improvement: yuan(1_000_000), Upgrade: yuan(500_000)}},
		{"HZ-002", "HZ", funding.Budget{Basic: yuan(200_000), Upgrade: yuan(5_000)}},
		{"LY-001", "LY", funding.Budget{Basic: yuan(50_000), Improvement: yuan(100_000)}},
	} {
		must(svc.Registry.CreateProject(ctx, funding.Project{Code: p.code, Name: p.code, District: p.district,
			Households: 100, FloorAreaM2: money.MustRate("7000"), Buildings: 4, BuiltYear: 1990, Budget: p.budget}))
	}
	vote := &funding.Vote{TotalAreaM2: money.MustRate("7000"), TotalOwners: 100, ParticipatingAreaM2: money.MustRate("7000"),
		ParticipatingOwners: 100, YesAreaM2: money.MustRate("6000"), YesOwners: 90, HeldOn: "2026-05-01", Purpose: "use"}
	for _, f := range []funding.Fund{
		{Code: "CG", Kind: "central_grant", Holder: "city", EligibleCategories: funding.Categories},
		{Code: "DIR", Kind: "central_grant", Holder: "city", Direct: true, EligibleCategories: []string{funding.Basic}},
		{Code: "SB", Kind: "special_bond", Holder: "city", ExpiresOn: "2026-06-30", Repayable: true,
			EligibleCategories: []string{funding.Basic, funding.Improvement}},
		{Code: "HZ-DF", Kind: "district_fiscal", Holder: "district:HZ", EligibleCategories: funding.Categories},
		{Code: "HZ-RC", Kind: "resident_contribution", Holder: "project:HZ-001", EligibleCategories: funding.Categories},
		{Code: "HZ-MF", Kind: "maintenance_fund", Holder: "project:HZ-002", Vote: vote, EligibleCategories: []string{funding.Basic}},
	} {
		f.Name, f.FiscalYear = f.Code, 2026
		must(svc.Registry.CreateFund(ctx, f))
	}
	forced := payment("HZ-002", funding.Upgrade, "DIR", 10_000, "2026-03-20")
	forced.ForceReason = "屋面漏水抢修"
	_, ts, err := svc.Movements.Batch(ctx, []movement.BatchItem{
		receipt("CG", 1_000_000, "2026-01-10"),
		receipt("DIR", 300_000, "2026-03-02"),
		receipt("SB", 500_000, "2026-02-01"),
		receipt("HZ-DF", 80_000, "2026-02-05"),
		receipt("HZ-RC", 5_000, "2026-02-15"),
		receipt("HZ-MF", 20_000, "2026-03-01"),
		allocation("CG", "city", "district:HZ", 400_000, "2026-02-01"),
		allocation("CG", "district:HZ", "project:HZ-001", 300_000, "2026-02-10"),
		allocation("CG", "city", "project:LY-001", 250_000, "2026-02-03"),
		allocation("DIR", "city", "project:HZ-002", 100_000, "2026-03-05"),
		allocation("DIR", "city", "district:LY", 50_000, "2026-03-06"), // 10: routed
		allocation("DIR", "district:LY", "project:LY-001", 50_000, "2026-04-02"),
		allocation("SB", "city", "district:LY", 200_000, "2026-02-05"),
		payment("HZ-001", funding.Basic, "CG", 120_000, "2026-03-10"),
		payment("HZ-001", funding.Improvement, "HZ-RC", 2_000, "2026-03-12"),
		payment("LY-001", funding.Improvement, "CG", 60_000, "2026-03-15"), // 15: reversed
		payment("LY-001", funding.Basic, "DIR", 30_000, "2026-04-05"),
		payment("LY-001", funding.Basic, "CG", 40_000, "2026-04-06"),
		payment("HZ-002", funding.Basic, "HZ-MF", 8_000, "2026-04-10"),
	})
	if err != nil {
		t.Fatal(err)
	}
	must(svc.Movements.Reverse(ctx, ts[15].ID, "重复付款"))
	// The forced payment is filed by the bureau's clerk and approved by a
	// second person, as every forced payment is.
	_, req, err := svc.Movements.Pay(ctx, movement.Expenditure{Project: forced.Project, Category: forced.Category,
		Amount: forced.Amount, Payee: *forced.Payee, PaidOn: forced.PaidOn, Purpose: forced.Purpose, Funding: forced.Funding,
		ForceReason: forced.ForceReason})
	if err != nil || req == nil {
		t.Fatalf("forced payment filed: %v, %v", req, err)
	}
	reviewer := access.With(context.Background(), access.Actor{Role: access.Finance, Name: "reviewer"})
	_, paid, err := svc.Movements.Approve(reviewer, req.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &smallTown{svc: svc, forced: paid, routed: ts[10]}
}

// eachTown runs test on the town, built anew on every engine.
func eachTown(t *testing.T, test func(t *testing.T, town *smallTown)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { test(t, buildTown(t, db)) })
}
