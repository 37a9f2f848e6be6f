// Package apptest starts the services on a test database with one small
// community registered: the set-up that tests of the ledger's read
// packages and of the works cycle share.
package apptest

import (
	"context"
	"testing"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/money"
	"renofund/internal/store"
)

// New starts the services on db, closed when the test ends, and a context
// acting as a finance-bureau clerk.
func New(t testing.TB, db *store.DB) (*app.Services, context.Context) {
	t.Helper()
	svc := app.New(db, nil)
	t.Cleanup(svc.Close)
	return svc, access.With(context.Background(), access.Actor{TokenID: "t", Role: access.Finance, Name: "clerk"})
}

// Must returns a check that fails the test on an error.
func Must(t testing.TB) func(any, error) {
	return func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Community registers district HZ (海州区) and project code in it: ten
// households, built in 1990, a basic-works budget of ¥100,000.
func Community(t testing.TB, svc *app.Services, ctx context.Context, code string) {
	t.Helper()
	must := Must(t)
	must(svc.Registry.CreateDistrict(ctx, funding.District{Code: "HZ", Name: "海州区"}))
	must(svc.Registry.CreateProject(ctx, funding.Project{Code: code, Name: "小区", District: "HZ", Households: 10,
		FloorAreaM2: money.MustRate("1000"), Buildings: 1, BuiltYear: 1990,
		Budget: funding.Budget{Basic: money.MustParse("100000.00")}}))
}
