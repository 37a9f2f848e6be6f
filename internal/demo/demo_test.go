package demo_test

import (
	"context"
	"testing"

	"renofund/funding/report"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/demo"
	"renofund/internal/ledger/proof"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
	"renofund/internal/window"
)

// TestDemoCityAndReports loads the demo city twice (the second load adds
// nothing) and checks that the reports add up: per-district rows to the
// city totals, and the totals to the ledger, to the fen.
func TestDemoCityAndReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := app.New(db, nil)
		defer svc.Close()
		l := svc.Ledger
		ctx := context.Background()
		sum, err := demo.LoadScaled(ctx, svc, divisor)
		if err != nil {
			t.Fatalf("load: %v", err)
		}
		if !sum.Loaded || sum.Districts != 10 || sum.Projects != demo.Projects/divisor {
			t.Fatalf("summary %+v", sum)
		}
		// Every contract's document, the invoices its payments were made on
		// (bound, hashed into them) and the acceptance certificates.
		var attached, bound, digests int64
		db.G.Raw("SELECT COUNT(*) FROM attachments").Scan(&attached)
		db.G.Raw("SELECT COUNT(*) FROM attachment_bindings").Scan(&bound)
		db.G.Raw("SELECT COUNT(*) FROM transfers WHERE evidence_digest IS NOT NULL").Scan(&digests)
		if attached != int64(sum.Attachments) || attached < int64(2*sum.Contracts) || bound == 0 || digests == 0 || bound != digests {
			t.Errorf("documents: %d attached (summary %d, %d contracts), %d bound, %d payments with a digest",
				attached, sum.Attachments, sum.Contracts, bound, digests)
		}
		var transfers int64
		db.G.Raw("SELECT COUNT(*) FROM transfers").Scan(&transfers)
		again, err := demo.LoadScaled(ctx, svc, divisor)
		if err != nil || again.Loaded {
			t.Fatalf("second load: %+v %v", again, err)
		}
		var after int64
		db.G.Raw("SELECT COUNT(*) FROM transfers").Scan(&after)
		if after != transfers {
			t.Errorf("second load added %d transfers", after-transfers)
		}
		// Two finance people: the clerk prepares, the reviewer approves plan
		// executions and large payments; never the same person.
		var approved, self int64
		db.G.Raw("SELECT COUNT(*) FROM transfers WHERE approved_by = 'finance:demo-reviewer' AND prepared_by = 'finance:demo'").Scan(&approved)
		db.G.Raw("SELECT COUNT(*) FROM transfers WHERE approved_by = prepared_by").Scan(&self)
		if approved == 0 || self != 0 {
			t.Errorf("%d transfers approved by the reviewer, %d approved by their preparer", approved, self)
		}
		var hh, area int64
		db.G.Raw("SELECT SUM(households) FROM projects").Scan(&hh)
		db.G.Raw("SELECT SUM(CAST(floor_area_m2 AS BIGINT)) FROM projects").Scan(&area)
		if hh != demo.Households/divisor || area != demo.AreaM2/divisor {
			t.Errorf("households %d area %d, want %d %d", hh, area, demo.Households/divisor, demo.AreaM2/divisor)
		}

		fin := access.With(ctx, access.Actor{Role: access.Finance, Name: "t"})
		rep, err := svc.Reports.FundingReport(fin, window.Window{})
		if err != nil {
			t.Fatal(err)
		}
		var rows report.Flow
		perDistrict := map[string]money.Amount{}
		for _, l := range rep.Lines {
			rows.Received += l.Received
			rows.AllocatedIn += l.AllocatedIn
			rows.AllocatedOut += l.AllocatedOut
			rows.Spent += l.Spent
			rows.Available += l.Available
			perDistrict[l.District] += l.Available
			if l.Received+l.AllocatedIn-l.AllocatedOut-l.Spent != l.Available {
				t.Errorf("row %s/%s does not balance: %+v", l.District, l.Kind, l.Flow)
			}
		}
		if rows != rep.Totals {
			t.Errorf("rows sum to %+v, totals say %+v", rows, rep.Totals)
		}
		if rows.AllocatedIn != rows.AllocatedOut {
			t.Errorf("allocated in %s != out %s", rows.AllocatedIn, rows.AllocatedOut)
		}
		var receipts, spent, balances int64
		db.G.Raw("SELECT COALESCE(-SUM(p.amount), 0) FROM postings p JOIN transfers t ON t.id = p.transfer_id WHERE p.holder = 'external' AND t.base_type = 'receipt'").Scan(&receipts)
		db.G.Raw("SELECT COALESCE(SUM(p.amount), 0) FROM postings p JOIN transfers t ON t.id = p.transfer_id WHERE p.holder = 'external' AND t.base_type IN ('expenditure', 'subsidy_payment')").Scan(&spent)
		db.G.Raw("SELECT SUM(balance) FROM holdings").Scan(&balances)
		if int64(rep.Totals.Received) != receipts || int64(rep.Totals.Spent) != spent || int64(rep.Totals.Available) != balances {
			t.Errorf("totals %+v vs ledger received %d spent %d held %d", rep.Totals, receipts, spent, balances)
		}
		// A district sees exactly its own rows.
		hz := access.With(ctx, access.Actor{Role: access.District, District: "HZ", Name: "hz"})
		own, err := svc.Reports.FundingReport(hz, window.Window{})
		if err != nil {
			t.Fatal(err)
		}
		if own.Totals.Available != perDistrict["HZ"] {
			t.Errorf("HZ sees %s available, the city report says %s", own.Totals.Available, perDistrict["HZ"])
		}
		for _, l := range own.Lines {
			if l.District != "HZ" {
				t.Errorf("HZ sees a row of %s", l.District)
			}
		}
		r, err := proof.New(l.DB()).Verify(ctx, proof.Full)
		if err != nil || !r.OK {
			t.Errorf("verify: %+v %v", r, err)
		}
		checkBulletins(t, svc, sum.Bulletins)
		checkBank(t, svc, sum)
		checkPublished(t, svc, sum)
	})
}
