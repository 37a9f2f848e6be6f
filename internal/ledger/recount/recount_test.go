package recount_test

import (
	"context"
	"testing"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/ledger"
	"renofund/internal/ledger/recount"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestCheckAndRebuild posts a late receipt and a payment of a project with
// a category, so that every kept table has rows, then empties each in turn:
// Check names the table (a kept table it did not recompute would go
// unverified), and Rebuild puts it right.
func TestCheckAndRebuild(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := app.New(db, nil)
		t.Cleanup(svc.Close)
		ctx := access.With(context.Background(), access.Actor{TokenID: "t", Role: access.Finance, Name: "wang"})
		if _, err := svc.Registry.CreateFund(ctx, funding.Fund{Code: "CG", Kind: "central_grant", Name: "CG", Holder: "city",
			FiscalYear: 2026, DocumentNo: "财建〔2026〕1号", EligibleCategories: []string{"basic"}}); err != nil {
			t.Fatal(err)
		}
		in := &ledger.Transfer{Type: ledger.TypeReceipt, Fund: "CG", To: "project:HZ-001", District: "HZ", Project: "HZ-001",
			Amount: 500_00, BookedOn: "2026-03-02", RecordedBy: "finance:wang", Postings: []ledger.Posting{
				{Fund: "CG", Holder: ledger.External, Amount: -500_00},
				{Fund: "CG", Holder: "project:HZ-001", Amount: 500_00, District: "HZ", Project: "HZ-001"},
			}}
		out := &ledger.Transfer{Type: ledger.TypeExpenditure, Fund: "CG", From: "project:HZ-001", District: "HZ",
			Project: "HZ-001", Category: "basic", Amount: 120_00, BookedOn: "2026-03-05", RecordedBy: "finance:wang",
			Postings: []ledger.Posting{
				{Fund: "CG", Holder: "project:HZ-001", Amount: -120_00},
				{Fund: "CG", Holder: ledger.External, Amount: 120_00},
			}}
		if err := ledger.New(db).Post(ctx, in, out); err != nil {
			t.Fatal(err)
		}
		if diff, err := recount.Check(db.G); err != nil || diff != "" {
			t.Fatalf("fresh books: %q, %v", diff, err)
		}
		for _, k := range ledger.KeptTables() {
			var n int64
			if err := db.G.Raw("SELECT COUNT(*) FROM " + k.Name).Scan(&n).Error; err != nil || n == 0 {
				t.Fatalf("%s holds %d rows (%v): the books should give it some", k.Name, n, err)
			}
			if err := db.G.Exec("DELETE FROM " + k.Name).Error; err != nil {
				t.Fatal(err)
			}
			diff, err := recount.Check(db.G)
			if err != nil || diff == "" || diff[:len(k.Name)] != k.Name {
				t.Errorf("%s emptied: Check says %q, %v", k.Name, diff, err)
			}
			if err := recount.Rebuild(db.G); err != nil {
				t.Fatal(err)
			}
			if diff, err := recount.Check(db.G); err != nil || diff != "" {
				t.Fatalf("%s rebuilt: %q, %v", k.Name, diff, err)
			}
		}
	})
}
