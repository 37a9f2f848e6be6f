package audit_test

import (
	"context"
	"fmt"
	"testing"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/creditcode"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
)

// fixture builds test data through the funding service, as the finance
// bureau.
type fixture struct {
	t   testing.TB
	db  *store.DB
	l   *ledger.Ledger
	svc *app.Services
	ctx context.Context
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	svc := app.New(db, nil)
	t.Cleanup(svc.Close)
	return &fixture{t: t, db: db, l: svc.Ledger, svc: svc,
		ctx: access.With(context.Background(), access.Actor{Role: access.Finance, Name: "t"})}
}

func (f *fixture) as(role access.Role, district string) context.Context {
	return access.With(context.Background(), access.Actor{Role: role, Name: "t", District: district})
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) district(code, name string) {
	_, err := f.svc.Registry.CreateDistrict(f.ctx, funding.District{Code: code, Name: name})
	f.must(err)
}

func (f *fixture) project(code, district string) {
	_, err := f.svc.Registry.CreateProject(f.ctx, funding.Project{Code: code, Name: "小区 " + code, District: district,
		Households: 320, FloorAreaM2: money.MustRate("21500.50"), Buildings: 8, BuiltYear: 1996,
		Budget: funding.Budget{Basic: yuan(3_000_000), Improvement: yuan(1_200_000), Upgrade: yuan(500_000)}})
	f.must(err)
}

func (f *fixture) fund(code, kind, holder, doc string) {
	_, err := f.svc.Registry.CreateFund(f.ctx, funding.Fund{Code: code, Kind: kind, Name: "资金 " + code, Holder: holder,
		FiscalYear: 2026, DocumentNo: doc, EligibleCategories: funding.Categories})
	f.must(err)
}

func (f *fixture) receive(fund string, amount money.Amount, on, payer, household string) *ledger.Transfer {
	f.t.Helper()
	t, err := f.svc.Movements.Receive(f.ctx, movement.Receipt{Fund: fund, Amount: amount, ReceivedOn: on,
		Payer: movement.Party{Name: payer}, Household: household})
	f.must(err)
	return t
}

func (f *fixture) allocate(fund, from, to string, amount money.Amount, on string) *ledger.Transfer {
	f.t.Helper()
	t, err := f.svc.Movements.Allocate(f.ctx, movement.Allocation{Fund: fund, From: from, To: to, Amount: amount, AllocatedOn: on})
	f.must(err)
	return t
}

// spend pays payee from the project with the given funding parts.
func (f *fixture) spend(project, on, payee, purpose string, parts ...movement.Part) *ledger.Transfer {
	f.t.Helper()
	var total money.Amount
	for _, p := range parts {
		total += p.Amount
	}
	t, err := f.svc.Movements.Spend(f.ctx, movement.Expenditure{Project: project, Category: funding.Basic, Amount: total,
		PaidOn: on, Purpose: purpose, Funding: parts, Payee: movement.Party{Name: payee,
			CreditCode: creditcode.Complete("91320700MA1X" + fmt.Sprintf("%05d", len(payee))), BankAccount: "32200001234"}})
	f.must(err)
	return t
}

func yuan(n int64) money.Amount { return money.Amount(n * 100) }

func part(fund string, a money.Amount) movement.Part { return movement.Part{Fund: fund, Amount: a} }

// city builds two districts with projects, three city-level sources, resident
// contributions at one project, allocations down both paths (via the
// district and straight to the project), payments funded from one and from
// three funds, a reversal, and text that a spreadsheet would run.
func (f *fixture) city() (threeSource *ledger.Transfer) {
	f.district("HZ", "海州区")
	f.district("LY", "连云区")
	f.project("HZ-001", "HZ")
	f.project("HZ-002", "HZ")
	f.project("LY-001", "LY")
	f.fund("CG-2026", "central_grant", "city", "财预〔2026〕12号")
	f.fund("PG-2026", "provincial_grant", "city", "苏财建〔2026〕7号")
	f.fund("SB-2026", "special_bond", "city", "苏财债〔2026〕3号")
	f.fund("RC-HZ-001", "resident_contribution", "project:HZ-001", "")
	f.receive("CG-2026", yuan(1_000_000), "2026-01-10", "财政部", "")
	f.receive("PG-2026", yuan(500_000), "2026-01-20", "江苏省财政厅", "")
	f.receive("SB-2026", yuan(800_000), "2026-02-01", "江苏省财政厅（债券）", "")
	for i, a := range []int64{1000, 2000, 2500} {
		f.receive("RC-HZ-001", yuan(a), "2026-02-15", fmt.Sprintf("业主%d", i+1), fmt.Sprintf("3-%d0%d", i+1, i+1))
	}
	f.allocate("CG-2026", "city", "district:HZ", yuan(400_000), "2026-02-01")
	f.allocate("CG-2026", "district:HZ", "project:HZ-001", yuan(300_000), "2026-02-10")
	f.allocate("PG-2026", "city", "project:HZ-001", yuan(200_000), "2026-02-12")
	f.allocate("CG-2026", "city", "district:LY", yuan(250_000), "2026-02-01")
	f.allocate("CG-2026", "district:LY", "project:LY-001", yuan(250_000), "2026-02-11")
	f.allocate("SB-2026", "city", "project:LY-001", yuan(300_000), "2026-02-11")
	threeSource = f.spend("HZ-001", "2026-03-05", "连云港市政工程有限公司", "雨污分流管网改造",
		part("CG-2026", yuan(100_000)), part("PG-2026", yuan(50_000)), part("RC-HZ-001", yuan(5_500)))
	f.spend("HZ-001", "2026-03-20", "=HYPERLINK(\"http://x\")", "+1 供水管网更新", part("CG-2026", yuan(20_000)))
	wrong := f.spend("LY-001", "2026-04-01", "@江苏港城消防工程有限公司", "-消防改造", part("SB-2026", yuan(70_000)))
	_, err := f.svc.Movements.Reverse(f.ctx, wrong.ID, "付款方账户错误")
	f.must(err)
	f.spend("LY-001", "2026-04-02", "江苏港城消防工程有限公司", "消防改造", part("SB-2026", yuan(70_000)), part("CG-2026", money.MustParse("1234.56")))
	return threeSource
}
