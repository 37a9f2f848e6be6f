package movement_test

import (
	"context"
	"testing"

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

// books is an empty set of books over districts HZ (projects HZ-001,
// HZ-002) and LY (project LY-001), kept by the finance bureau.
type books struct {
	t   *testing.T
	svc *app.Services
	fin context.Context
	// reviewer is a second finance person, who approves what fin prepares.
	reviewer context.Context
}

func openBooks(t *testing.T, db *store.DB) *books {
	t.Helper()
	svc := app.New(db, nil)
	t.Cleanup(svc.Close)
	b := &books{t: t, svc: svc, fin: access.With(context.Background(), access.Actor{Role: access.Finance, Name: "clerk"}),
		reviewer: access.With(context.Background(), access.Actor{Role: access.Finance, Name: "reviewer"})}
	for _, d := range []string{"HZ", "LY"} {
		b.ok(svc.Registry.CreateDistrict(b.fin, funding.District{Code: d, Name: "区 " + d}))
	}
	for _, p := range [][2]string{{"HZ-001", "HZ"}, {"HZ-002", "HZ"}, {"LY-001", "LY"}} {
		b.project(p[0], p[1])
	}
	return b
}

// ok fails the test on the error of a call made to set the books up.
func (b *books) ok(_ any, err error) {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
}

func (b *books) project(code, district string) {
	b.t.Helper()
	b.ok(b.svc.Registry.CreateProject(b.fin, funding.Project{Code: code, Name: "小区 " + code, District: district,
		Households: 200, FloorAreaM2: money.MustRate("15000"), Buildings: 5, BuiltYear: 1992}))
}

// district is the office of one district.
func (b *books) district(code string) context.Context {
	return access.With(context.Background(), access.Actor{Role: access.District, District: code, Name: "office"})
}

// fund registers a fund at holder paying for cats (all when none), expiring
// on expires ("" never), and receives amount into it on 2026-01-05.
func (b *books) fund(code, holder, expires string, amount money.Amount, cats ...string) {
	b.t.Helper()
	if cats == nil {
		cats = funding.Categories
	}
	b.ok(b.svc.Registry.CreateFund(b.fin, funding.Fund{Code: code, Kind: "donation", Name: "资金 " + code, Holder: holder,
		FiscalYear: 2026, EligibleCategories: cats, ExpiresOn: expires}))
	if amount > 0 {
		b.ok(b.svc.Movements.Receive(b.fin, movement.Receipt{Fund: code, Amount: amount, ReceivedOn: "2026-01-05",
			Payer: movement.Party{Name: "捐赠人"}}))
	}
}

// move allocates amount of fund from one holder to another.
func (b *books) move(fund, from, to string, amount money.Amount) *ledger.Transfer {
	b.t.Helper()
	t, err := b.svc.Movements.Allocate(b.fin, movement.Allocation{Fund: fund, From: from, To: to, Amount: amount,
		AllocatedOn: "2026-01-20"})
	b.ok(t, err)
	return t
}

// balance is what holder holds of fund.
func (b *books) balance(fund, holder string) money.Amount {
	b.t.Helper()
	a, err := b.svc.Ledger.Balance(b.fin, fund, holder)
	b.ok(a, err)
	return a
}

// count is how many transfers the books hold.
func (b *books) count() int {
	b.t.Helper()
	ts, err := b.svc.Ledger.All(b.fin, ledger.Filter{})
	b.ok(ts, err)
	return len(ts)
}

// payee is a contractor with a valid credit code and an account.
var payee = movement.Party{Name: "连云港市政工程有限公司", CreditCode: creditcode.Complete("91320700MA1X00042"),
	BankAccount: "32200001234567"}

// pay is a valid expenditure of the project on 2026-05-01, funded by parts
// (automatically when none).
func pay(project, category string, amount money.Amount, parts ...movement.Part) movement.Expenditure {
	return movement.Expenditure{Project: project, Category: category, Amount: amount, Payee: payee,
		PaidOn: "2026-05-01", Purpose: "雨污分流管网改造", Funding: parts}
}

// eachBooks runs test on new books on every engine.
func eachBooks(t *testing.T, test func(t *testing.T, b *books)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { test(t, openBooks(t, db)) })
}
