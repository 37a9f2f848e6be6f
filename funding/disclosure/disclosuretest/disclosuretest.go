// Package disclosuretest fills one community's books with everything a
// disclosure page (公示) shows, and with personal data it must never show:
// the set-up the disclosure and public-page tests share.
package disclosuretest

import (
	"context"
	"fmt"
	"testing"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/funding/works"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/creditcode"
	"renofund/internal/money"
	"renofund/subsidy"
)

// Private is personal data put into the community's books that no page may
// show: a resident's name and bank account and the amount one household
// paid, a household's number, the contractor's and the property manager's
// bank accounts, the names of the people at the acceptance and of the
// rating's assessors.
var Private = []string{
	"王秀英", "6222021234567890123", "1,234.56", "1234.56", "3-2-101",
	"6228480000000000017", "3220000000001234", "3220000000009999",
	"李建国", "张伟", "陈监理",
}

// Public are facts the page must show: the contractor, the maintenance
// fund's payee and purpose, the property manager and the subsidy scheme.
var Public = []string{"连云港市政工程有限公司", "连云港防水工程有限公司", "屋面防水维修", "连云港城投物业服务有限公司",
	"物业服务以奖代补"}

// Figures the page shows, as formatted there.
const (
	ContractSum   = "100,000.00"
	ContractPaid  = "80,000.00"
	Settled       = "98,000.00"
	Government    = "600,000.00" // the central grant allocated to the project
	Residents     = "2,469.12"   // two residents' contributions together
	MaintenanceIn = "50,000.00"
	MaintenanceUp = "30,000.00" // paid out of the maintenance fund
	Score         = "91.5"
)

// Register registers districts HZ (海州区) and LY (连云区) and a community
// in each, HZ-001 and LY-001: 120 households, 8,000 m², budgets of
// ¥1,000,000 for basic and ¥200,000 for improvement works (as
// internal/console/consoletest does).
func Register(t testing.TB, svc *app.Services) {
	t.Helper()
	ctx := access.With(context.Background(), access.System)
	for _, d := range []struct{ code, name string }{{"HZ", "海州区"}, {"LY", "连云区"}} {
		if _, err := svc.Registry.CreateDistrict(ctx, funding.District{Code: d.code, Name: d.name}); err != nil {
			t.Fatal(err)
		}
		_, err := svc.Registry.CreateProject(ctx, funding.Project{Code: d.code + "-001", Name: d.name + "新村", District: d.code,
			Households: 120, FloorAreaM2: money.MustRate("8000"), Buildings: 4, BuiltYear: 1995,
			Budget: funding.Budget{Basic: money.MustParse("1000000.00"), Improvement: money.MustParse("200000.00")}})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// creditCode is a valid unified social credit code made from a number.
func creditCode(n int) string { return creditcode.Complete(fmt.Sprintf("91320700%09d", n)) }

// Community fills project code (of district HZ, with a basic budget of at
// least ¥100,000 and an improvement budget of at least ¥30,000) with a
// central grant allocated to it, two residents' contributions, a
// maintenance fund used after an owners' vote, a works contract paid to its
// progress ceiling, accepted and settled, and a rated quarter's
// property-service subsidy paid, approved by a second finance person.
func Community(t testing.TB, svc *app.Services, code string) {
	t.Helper()
	fin := access.With(context.Background(), access.Actor{TokenID: "t1", Role: access.Finance, Name: "clerk"})
	reviewer := access.With(context.Background(), access.Actor{TokenID: "t2", Role: access.Finance, Name: "reviewer"})
	holder := funding.ProjectHolder(code)
	must := func(what string, _ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	reg, moves := svc.Registry, svc.Movements
	amount := money.MustParse
	// Government money: a central grant received by the city and allocated down.
	f, err := reg.CreateFund(fin, funding.Fund{Code: "CG-T", Kind: "central_grant", Name: "中央补助资金", Holder: "city",
		FiscalYear: 2026, DocumentNo: "财综〔2026〕1号", EligibleCategories: []string{funding.Basic}})
	must("central grant", f, err)
	tr, err := moves.Receive(fin, movement.Receipt{Fund: "CG-T", Amount: amount("1000000.00"), ReceivedOn: "2026-02-01",
		Payer: movement.Party{Name: "江苏省财政厅"}})
	must("grant received", tr, err)
	tr, err = moves.Allocate(fin, movement.Allocation{Fund: "CG-T", From: funding.City, To: holder, Amount: amount("600000.00"),
		AllocatedOn: "2026-02-05"})
	must("grant allocated", tr, err)
	// Residents' contributions, one receipt per household with the payer's name and account.
	f, err = reg.CreateFund(fin, funding.Fund{Code: "RC-T", Kind: "resident_contribution", Name: "居民出资", Holder: holder,
		FiscalYear: 2026, EligibleCategories: []string{funding.Improvement}})
	must("residents' fund", f, err)
	for _, r := range []struct{ name, account, household, amount string }{
		{"王秀英", "6222021234567890123", "3-2-101", "1234.56"}, {"赵丽", "6222020000000000456", "3-2-102", "1234.56"},
	} {
		tr, err = moves.Receive(fin, movement.Receipt{Fund: "RC-T", Amount: amount(r.amount), ReceivedOn: "2026-03-01",
			Payer: movement.Party{Name: r.name, BankAccount: r.account}, Household: r.household})
		must("contribution", tr, err)
	}
	// The maintenance fund, used after the owners' vote, for a roof repair.
	f, err = reg.CreateFund(fin, funding.Fund{Code: "MF-T", Kind: "maintenance_fund", Name: "住宅专项维修资金", Holder: holder,
		FiscalYear: 2026, EligibleCategories: []string{funding.Improvement}, Vote: &funding.Vote{
			TotalAreaM2: money.MustRate("8000"), TotalOwners: 120, ParticipatingAreaM2: money.MustRate("7000"),
			ParticipatingOwners: 100, YesAreaM2: money.MustRate("6000"), YesOwners: 90, HeldOn: "2026-02-20", Purpose: "use"}})
	must("maintenance fund", f, err)
	tr, err = moves.Receive(fin, movement.Receipt{Fund: "MF-T", Amount: amount("50000.00"), ReceivedOn: "2026-03-02",
		Payer: movement.Party{Name: "住房专项维修资金管理中心"}})
	must("maintenance fund received", tr, err)
	tr, err = moves.Spend(fin, movement.Expenditure{Project: code, Category: funding.Improvement, Amount: amount("30000.00"),
		Payee:  movement.Party{Name: "连云港防水工程有限公司", CreditCode: creditCode(3), BankAccount: "6228480000000000017"},
		PaidOn: "2026-04-02", Purpose: "屋面防水维修", Funding: []movement.Part{{Fund: "MF-T", Amount: amount("30000.00")}}})
	must("maintenance fund spent", tr, err)
	// A works contract: paid to its 80% ceiling, accepted with the owners'
	// representatives, settled with a 3% retention.
	payee, err := svc.Movements.Works.CreatePayee(fin, works.Payee{Name: "连云港市政工程有限公司", CreditCode: creditCode(1),
		BankAccount: "3220000000001234", SME: true})
	must("contractor", payee, err)
	c, err := svc.Movements.Works.CreateContract(fin, code, works.ContractIn{Payee: payee.ID, Category: funding.Basic,
		Sum: amount("100000.00"), SignedOn: "2026-03-01"})
	must("contract", c, err)
	tr, err = moves.Spend(fin, movement.Expenditure{Project: code, Contract: c.ID, Amount: amount("80000.00"), PaidOn: "2026-04-01",
		Purpose: "雨污分流 进度款"})
	must("progress payment", tr, err)
	a, err := svc.Movements.Works.RecordAcceptance(fin, c.ID, works.Acceptance{AcceptedOn: "2026-05-01", Result: works.Passed,
		OwnerReps: 1, Participants: []works.Participant{{Name: "李建国", Role: "业主代表"}, {Name: "陈监理", Role: "监理单位"}}})
	must("acceptance", a, err)
	st, err := svc.Movements.Works.Settle(fin, c.ID, works.SettlementIn{Amount: amount("98000.00"), ReviewRef: "连财审〔2026〕1号",
		SettledOn: "2026-05-10"})
	must("settlement", st, err)
	// The property manager, rated for the first quarter and paid by a run a second person approves.
	pm, err := svc.Subsidy.SetPropertyManager(fin, code, subsidy.PropertyManager{Name: "连云港城投物业服务有限公司",
		CreditCode: creditCode(2), BankAccount: "3220000000009999", From: "2026-01-01"})
	must("property manager", pm, err)
	score := subsidy.Score(9150)
	r, err := svc.Subsidy.RecordRating(fin, subsidy.Rating{Project: code, Period: "2026-Q1", Score: &score,
		Assessors: []string{"张伟"}, OwnerReps: 3})
	must("rating", r, err)
	f, err = reg.CreateFund(fin, funding.Fund{Code: "WY-T", Kind: "city_fiscal", Name: "物业补贴资金", Holder: "city",
		FiscalYear: 2026, EligibleCategories: []string{funding.Improvement}})
	must("subsidy fund", f, err)
	tr, err = moves.Receive(fin, movement.Receipt{Fund: "WY-T", Amount: amount("100000.00"), ReceivedOn: "2026-03-05",
		Payer: movement.Party{Name: "市财政局"}})
	must("subsidy fund received", tr, err)
	sc, err := svc.Subsidy.CreateScheme(fin, subsidy.Scheme{Code: "WY-Q-T", Name: "物业服务以奖代补", Fund: "WY-T",
		Basis: subsidy.PerHouseholdMonth, Rate: money.MustRate("8"), Period: subsidy.Quarter, ValidFrom: "2026-01-01",
		Bands: []subsidy.Band{{MinScore: 9000, Ratio: money.MustRate("1")}, {MinScore: 6000, Ratio: money.MustRate("0.5")}}})
	must("scheme", sc, err)
	run, err := svc.Subsidy.CreateRun(fin, "WY-Q-T", "2026-Q1")
	must("run", run, err)
	paid, err := svc.Subsidy.Approve(reviewer, run.ID)
	must("run approved", paid, err)
}
