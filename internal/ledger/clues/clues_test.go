package clues_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/ledger"
	"renofund/internal/ledger/clues"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// books posts, into a fund CG held by the city, receipts and payments
// booked in March 2026 and recorded now, two of the payments of the same
// amount.
func books(t *testing.T, db *store.DB) context.Context {
	t.Helper()
	svc := app.New(db, nil)
	t.Cleanup(svc.Close)
	ctx := access.With(context.Background(), access.Actor{TokenID: "t", Role: access.Finance, Name: "wang"})
	if _, err := svc.Registry.CreateFund(ctx, funding.Fund{Code: "CG", Kind: "central_grant", Name: "CG", Holder: "city",
		FiscalYear: 2026, DocumentNo: "财建〔2026〕1号", EligibleCategories: []string{"basic"}}); err != nil {
		t.Fatal(err)
	}
	move := func(amount money.Amount, on string) *ledger.Transfer {
		typ := ledger.TypeReceipt
		if amount < 0 {
			typ = ledger.TypeExpenditure
		}
		return &ledger.Transfer{Type: typ, Fund: "CG", To: "city", Amount: max(amount, -amount), BookedOn: on,
			RecordedBy: "finance:wang", PayeeName: "施工公司", Postings: []ledger.Posting{
				{Fund: "CG", Holder: ledger.External, Amount: -amount},
				{Fund: "CG", Holder: "city", Amount: amount},
			}}
	}
	if err := ledger.New(db).Post(ctx, move(1_000_00, "2026-03-01"), move(-200_00, "2026-03-05"),
		move(-200_00, "2026-03-09"), move(-50_00, "2026-03-10"), move(30_00, "2026-03-20")); err != nil {
		t.Fatal(err)
	}
	return ctx
}

func TestWhatTheRulesRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := books(t, db)
		// Late entries: from the kept late recordings (until on the hour)
		// and from the transfers themselves (until a moment earlier), the
		// same rows: every voucher was recorded after its booking date.
		until := time.Now().UTC().Truncate(time.Hour).Add(2 * time.Hour)
		kept, err := clues.RecordedAfter(ctx, db, "", store.FormatTime(until), false)
		if err != nil {
			t.Fatal(err)
		}
		scanned, err := clues.RecordedAfter(ctx, db, "", store.FormatTime(until.Add(-time.Microsecond)), false)
		if err != nil {
			t.Fatal(err)
		}
		count := 0
		for _, r := range kept {
			count += r.Count
		}
		if count != 5 || !reflect.DeepEqual(kept, scanned) {
			t.Errorf("recorded late: kept %+v, scanned %+v; want the 5 vouchers in both", kept, scanned)
		}
		if none, err := clues.RecordedAfter(ctx, db, "", "2026-03-01T00:00:00.000000Z", false); err != nil || len(none) != 0 {
			t.Errorf("recorded before 1 March: %+v, %v", none, err)
		}
		repeated, err := clues.RepeatedPayments(ctx, db, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(repeated) != 2 || repeated[0].BookedOn != "2026-03-05" || repeated[1].BookedOn != "2026-03-09" ||
			repeated[0].Amount != 200_00 || repeated[0].PayeeName != "施工公司" {
			t.Errorf("repeated payments %+v", repeated)
		}
		acts, err := clues.Activities(ctx, db, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(acts); len(acts) != 1 || acts[0].FirstIn != "2026-03-01" || acts[0].LastOut != "2026-03-10" ||
			acts[0].Balance != 580_00 {
			t.Errorf("activities %s", got)
		}
		entries, err := clues.Entries(ctx, db, ledger.HoldingFilter{Holder: "city"})
		if err != nil {
			t.Fatal(err)
		}
		var dates []string
		for _, e := range entries {
			dates = append(dates, e.BookedOn+" "+e.Amount.String())
		}
		if fmt.Sprint(dates) != "[2026-03-01 1000.00 2026-03-05 -200.00 2026-03-09 -200.00 2026-03-10 -50.00 2026-03-20 30.00]" {
			t.Errorf("entries in booking order: %v", dates)
		}
		spending, err := clues.Spending(ctx, db, []string{"CG"})
		if err != nil {
			t.Fatal(err)
		}
		if len(spending) != 1 || spending[0].Spent != 450_00 || spending[0].FirstPaid != "2026-03-05" {
			t.Errorf("spending %+v", spending)
		}
	})
}
