package ledger_test

import (
	"context"
	"errors"
	"testing"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/errs"
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
		rep, err := proof.New(db).Verify(ctx)
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
