package ledger_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/ledger/proof"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// fixture is a fund CG held by the city and the ledger to post into it
// directly, with no domain rule in between.
func fixture(t *testing.T, db *store.DB) (*ledger.Ledger, context.Context) {
	t.Helper()
	svc := app.New(db, nil)
	t.Cleanup(svc.Close)
	ctx := access.With(context.Background(), access.Actor{TokenID: "t", Role: access.Finance, Name: "wang"})
	if _, err := svc.Registry.CreateFund(ctx, funding.Fund{Code: "CG", Kind: "central_grant", Name: "CG", Holder: "city",
		FiscalYear: 2026, DocumentNo: "财建〔2026〕1号", EligibleCategories: []string{"basic"}}); err != nil {
		t.Fatal(err)
	}
	return ledger.New(db), ctx
}

// receipt is money into CG at the city on date; a negative amount is
// money out of it (to the outside world), as a payment would be.
func receipt(amount money.Amount, on string) *ledger.Transfer {
	typ := ledger.TypeReceipt
	if amount < 0 {
		typ = ledger.TypeExpenditure
	}
	return &ledger.Transfer{Type: typ, Fund: "CG", To: "city", Amount: max(amount, -amount), BookedOn: on,
		RecordedBy: "finance:wang", Postings: []ledger.Posting{
			{Fund: "CG", Holder: ledger.External, Amount: -amount},
			{Fund: "CG", Holder: "city", Amount: amount},
		}}
}

func TestPreparerAndApproverAreKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l, ctx := fixture(t, db)
		plain := receipt(100_00, "2026-03-01")
		approved := receipt(50_00, "2026-03-02")
		approved.PreparedBy, approved.ApprovedBy = "finance:li", "finance:wang"
		if err := l.Post(ctx, plain, approved); err != nil {
			t.Fatal(err)
		}
		for _, want := range []*ledger.Transfer{plain, approved} {
			got, err := l.Get(ctx, want.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.PreparedBy != want.PreparedBy || got.ApprovedBy != want.ApprovedBy {
				t.Errorf("%s: prepared by %q approved by %q, want %q and %q", got.VoucherNo, got.PreparedBy, got.ApprovedBy,
					want.PreparedBy, want.ApprovedBy)
			}
			if got.Hash != ledger.TransferHash(got) {
				t.Errorf("%s: stored hash does not cover what was read back", got.VoucherNo)
			}
		}
		if plain.PreparedBy != "finance:wang" {
			t.Errorf("a transfer without a preparer is prepared by %q, want its recorder", plain.PreparedBy)
		}
		// The approver is part of the hash: changing it is tampering.
		if err := db.G.Exec("UPDATE transfers SET approved_by = 'finance:zhao' WHERE id = ?", approved.ID).Error; err != nil {
			t.Fatal(err)
		}
		rep, err := proof.New(db).Verify(ctx, proof.Full)
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK {
			t.Error("a changed approver verifies")
		}
	})
}

func TestBookingDates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l, ctx := fixture(t, db)
		bad := receipt(1_00, "2026-02-30")
		if err := l.Post(ctx, bad); !errors.Is(err, errs.ErrInvalidRequest) {
			t.Errorf("booked on 2026-02-30: %v, want invalid_request", err)
		}
		wrongYear := receipt(1_00, "2026-03-01")
		wrongYear.FiscalYear = 2025
		if err := l.Post(ctx, wrongYear); err == nil {
			t.Error("a transfer booked in 2026 posted in fiscal year 2025")
		}
		ok := receipt(1_00, "2026-03-01")
		if err := l.Post(ctx, ok); err != nil {
			t.Fatal(err)
		}
		if ok.FiscalYear != 2026 || ok.VoucherNo != "2026-00000001" {
			t.Errorf("fiscal year %d voucher %s, want 2026 and the first voucher", ok.FiscalYear, ok.VoucherNo)
		}
	})
}

// transfers counts the transfers on the books.
func transfers(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var n int64
	if err := db.G.Raw("SELECT COUNT(*) FROM transfers").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// refused posts ts, expects the refusal want, and that nothing was written.
func refused(t *testing.T, db *store.DB, l *ledger.Ledger, ctx context.Context, want error, ts ...*ledger.Transfer) error {
	t.Helper()
	before := transfers(t, db)
	err := l.Post(ctx, ts...)
	if !errors.Is(err, want) {
		t.Errorf("posted %s: %v, want %v", ts[0].BookedOn, err, want)
	}
	if n := transfers(t, db); n != before {
		t.Errorf("a refused post wrote %d transfers", n-before)
	}
	return err
}

func TestFutureAndAncientDates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l, ctx := fixture(t, db)
		today := field.Today()
		tomorrow := dayAfter(t, today)
		err := refused(t, db, l, ctx, ledger.ErrFutureDate, receipt(1_00, tomorrow))
		if c := errs.Classify(err); c.Code != "future_date" || c.Kind != errs.Rule {
			t.Errorf("future date classified %s (kind %d), want future_date, 422", c.Code, c.Kind)
		}
		refused(t, db, l, ctx, errs.ErrInvalidRequest, receipt(1_00, "1999-12-31"))
		if err := l.Post(ctx, receipt(1_00, today)); err != nil {
			t.Fatalf("booked today: %v", err)
		}
	})
}

func TestBeforeArrival(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l, ctx := fixture(t, db)
		if err := l.Post(ctx, receipt(100_00, "2026-03-10")); err != nil {
			t.Fatal(err)
		}
		// Paid five days before the money came.
		err := refused(t, db, l, ctx, ledger.ErrBeforeArrival, receipt(-50_00, "2026-03-05"))
		if c := errs.Classify(err); c.Code != "before_arrival" || c.Kind != errs.Rule {
			t.Errorf("classified %s, want before_arrival", c.Code)
		}
		if err := l.Post(ctx, receipt(-50_00, "2026-03-10")); err != nil {
			t.Fatalf("paid on the day the money came: %v", err)
		}
		// Today's balance would allow it, the balance on its date does not:
		// 50.00 at the end of 15 March, 100.00 more only on the 20th.
		if err := l.Post(ctx, receipt(100_00, "2026-03-20")); err != nil {
			t.Fatal(err)
		}
		refused(t, db, l, ctx, ledger.ErrBeforeArrival, receipt(-100_00, "2026-03-15"))
		if err := l.Post(ctx, receipt(-50_00, "2026-03-15")); err != nil {
			t.Fatalf("paid what the holding held on its date: %v", err)
		}
		// In a post of several, the refused item is named; a credit earlier
		// in the same post counts from its own date.
		err = refused(t, db, l, ctx, ledger.ErrBeforeArrival,
			receipt(10_00, "2026-03-01"), receipt(-20_00, "2026-03-02"), receipt(5_00, "2026-03-03"))
		var item *ledger.ItemError
		if !errors.As(err, &item) || item.Index != 1 {
			t.Errorf("refusal %v does not name item 1", err)
		}
		if err := l.Post(ctx, receipt(10_00, "2026-03-01"), receipt(-10_00, "2026-03-02")); err != nil {
			t.Errorf("a batch paying what it brought the day before: %v", err)
		}
	})
}

func TestClosedMonths(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l, ctx := fixture(t, db)
		if err := l.Post(ctx, receipt(100_00, "2026-01-10")); err != nil {
			t.Fatal(err)
		}
		closeThrough := func(month string) {
			t.Helper()
			if err := db.Tx(ctx, func(ctx context.Context, _ *gorm.DB) error { return l.CloseThrough(ctx, month) }); err != nil {
				t.Fatal(err)
			}
		}
		closeThrough("2026-01")
		if through, err := l.ClosedThrough(ctx); err != nil || through != "2026-01" {
			t.Errorf("closed through %q (%v), want 2026-01", through, err)
		}
		err := refused(t, db, l, ctx, ledger.ErrPeriodClosed, receipt(1_00, "2026-01-31"))
		if c := errs.Classify(err); c.Code != "period_closed" || c.Kind != errs.Conflict {
			t.Errorf("classified %s, want period_closed (409)", c.Code)
		}
		// Closing a month closes every earlier one, in earlier years too.
		refused(t, db, l, ctx, ledger.ErrPeriodClosed, receipt(1_00, "2019-06-01"))
		// In a post of several, the item in the closed month is named.
		err = refused(t, db, l, ctx, ledger.ErrPeriodClosed, receipt(1_00, "2026-02-01"), receipt(1_00, "2026-01-15"))
		var item *ledger.ItemError
		if !errors.As(err, &item) || item.Index != 1 {
			t.Errorf("refusal %v does not name item 1", err)
		}
		if err := l.Post(ctx, receipt(1_00, "2026-02-01")); err != nil {
			t.Fatalf("booked into the open month after: %v", err)
		}
		closeThrough("2026-03")
		if err := db.Tx(ctx, func(ctx context.Context, _ *gorm.DB) error { return l.ReopenFrom(ctx, "2026-02") }); err != nil {
			t.Fatal(err)
		}
		if through, _ := l.ClosedThrough(ctx); through != "2026-01" {
			t.Errorf("after reopening February the books are closed through %q, want 2026-01", through)
		}
		if err := l.Post(ctx, receipt(1_00, "2026-03-02")); err != nil {
			t.Errorf("March reopens with February: %v", err)
		}
		refused(t, db, l, ctx, ledger.ErrPeriodClosed, receipt(1_00, "2026-01-20"))
	})
}

func dayAfter(t *testing.T, date string) string {
	t.Helper()
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		t.Fatal(err)
	}
	return d.AddDate(0, 0, 1).Format(time.DateOnly)
}
