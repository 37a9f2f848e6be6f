package apptest_test

import (
	"testing"

	"renofund/internal/app/apptest"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestCommunity: the community is registered and readable, on both engines.
func TestCommunity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, ctx := apptest.New(t, db)
		apptest.Community(t, svc, ctx, "P1")
		p, err := svc.Registry.Project(ctx, "P1")
		if err != nil || p.District != "HZ" || p.Households != 10 || p.Budget.Basic != 100000_00 {
			t.Errorf("project: %+v, %v", p, err)
		}
	})
}
