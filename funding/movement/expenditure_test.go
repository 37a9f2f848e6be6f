package movement_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
)

// TestExpenditureChecks: malformed expenditures are refused before the
// books are read, and nothing is written.
func TestExpenditureChecks(t *testing.T) {
	eachBooks(t, func(t *testing.T, b *books) {
		b.fund("HZ-A", "project:HZ-001", "", 1_000_00)
		b.fund("HZ-B", "project:HZ-001", "", 1_000_00)
		a, c := func(n money.Amount) movement.Part { return movement.Part{Fund: "HZ-A", Amount: n} },
			func(n money.Amount) movement.Part { return movement.Part{Fund: "HZ-B", Amount: n} }
		for _, tc := range []struct {
			name string
			edit func(in *movement.Expenditure)
			want error
		}{
			{"zero amount", func(in *movement.Expenditure) { in.Amount, in.Funding = 0, nil }, errs.ErrInvalidAmount},
			{"negative amount", func(in *movement.Expenditure) { in.Amount, in.Funding = -1, nil }, errs.ErrInvalidAmount},
			{"above the maximum", func(in *movement.Expenditure) { in.Amount, in.Funding = money.Max+1, nil }, errs.ErrInvalidAmount},
			{"the maximum: checked, then short", func(in *movement.Expenditure) { in.Amount, in.Funding = money.Max, nil }, ledger.ErrInsufficientFunds},
			{"no category", func(in *movement.Expenditure) { in.Category = "" }, errs.ErrInvalidRequest},
			{"staff costs", func(in *movement.Expenditure) { in.Category = "staff" }, errs.ErrInvalidRequest},
			{"no date", func(in *movement.Expenditure) { in.PaidOn = "" }, errs.ErrInvalidRequest},
			{"no purpose", func(in *movement.Expenditure) { in.Purpose = "" }, errs.ErrInvalidRequest},
			{"no payee name", func(in *movement.Expenditure) { in.Payee.Name = "" }, errs.ErrInvalidRequest},
			{"no payee credit code", func(in *movement.Expenditure) { in.Payee.CreditCode = "" }, errs.ErrInvalidCredit},
			{"bad check character", func(in *movement.Expenditure) {
				in.Payee.CreditCode = in.Payee.CreditCode[:17] + "0"
			}, errs.ErrInvalidCredit},
			{"lower-case credit code", func(in *movement.Expenditure) {
				in.Payee.CreditCode = strings.ToLower(in.Payee.CreditCode)
			}, errs.ErrInvalidCredit},
			{"no bank account", func(in *movement.Expenditure) { in.Payee.BankAccount = "" }, errs.ErrInvalidRequest},
			{"funding names no fund", func(in *movement.Expenditure) { in.Funding = []movement.Part{} }, errs.ErrInvalidRequest},
			{"funding short of the amount", func(in *movement.Expenditure) { in.Funding = []movement.Part{a(60_00), c(39_99)} }, errs.ErrInvalidRequest},
			{"funding above the amount", func(in *movement.Expenditure) { in.Funding = []movement.Part{a(60_00), c(40_01)} }, errs.ErrInvalidRequest},
			{"a fund twice", func(in *movement.Expenditure) { in.Funding = []movement.Part{a(50_00), a(50_00)} }, errs.ErrInvalidRequest},
			{"a zero part", func(in *movement.Expenditure) { in.Funding = []movement.Part{a(100_00), c(0)} }, errs.ErrInvalidAmount},
			{"a negative part", func(in *movement.Expenditure) { in.Funding = []movement.Part{a(110_00), c(-10_00)} }, errs.ErrInvalidAmount},
			{"an unknown fund", func(in *movement.Expenditure) {
				in.Funding = []movement.Part{{Fund: "HZ-X", Amount: 100_00}}
			}, errs.ErrNotFound},
			{"an unknown project", func(in *movement.Expenditure) { in.Project = "HZ-404" }, errs.ErrNotFound},
		} {
			in := pay("HZ-001", funding.Basic, 100_00, a(60_00), c(40_00))
			tc.edit(&in)
			if got, err := b.svc.Movements.Spend(b.fin, in); !errors.Is(err, tc.want) {
				t.Errorf("%s: Spend = %+v, %v; want %v", tc.name, got, err, tc.want)
			}
		}
		if n := b.count(); n != 2 {
			t.Errorf("%d transfers after refusals, want the 2 receipts", n)
		}
		got, err := b.svc.Movements.Spend(b.fin, pay("HZ-001", funding.Basic, 100_00, a(60_00), c(40_00)))
		if err != nil {
			t.Fatalf("the unedited expenditure: %v", err)
		}
		if parts := movement.PartsOf(got); len(parts) != 2 || got.Fund != "" || got.District != "HZ" || got.Project != "HZ-001" {
			t.Errorf("transfer = %+v, want two parts, no single fund, district HZ, project HZ-001", got)
		}
	})
}

// TestForcedPayment: only the finance bureau may pay from a fund outside its
// categories, and only with a reason, which the payment keeps; forcing
// widens the categories, not the dates. The same holds for a batch item.
func TestForcedPayment(t *testing.T) {
	eachBooks(t, func(t *testing.T, b *books) {
		b.fund("HZ-UP", "project:HZ-001", "", 10_000_00, funding.Upgrade)
		b.fund("HZ-OLD", "project:HZ-001", "2026-03-31", 5_000_00, funding.Basic)
		up := func(n money.Amount) movement.Part { return movement.Part{Fund: "HZ-UP", Amount: n} }
		const reason = "消防通道抢修，市政府常务会议纪要〔2026〕9号"
		for _, tc := range []struct {
			name   string
			ctx    context.Context
			in     movement.Expenditure
			reason string
			want   error
		}{
			{"finance, no reason", b.fin, pay("HZ-001", funding.Basic, 1_000_00, up(1_000_00)), "", funding.ErrCategoryNotEligible},
			{"district, no reason", b.district("HZ"), pay("HZ-001", funding.Basic, 1_000_00, up(1_000_00)), "", funding.ErrCategoryNotEligible},
			{"district, with a reason", b.district("HZ"), pay("HZ-001", funding.Basic, 1_000_00, up(1_000_00)), reason, errs.ErrForbidden},
			{"district, eligible, with a reason", b.district("HZ"), pay("HZ-001", funding.Upgrade, 1_000_00, up(1_000_00)), reason, errs.ErrForbidden},
			{"finance, expired fund", b.fin, pay("HZ-001", funding.Basic, 1_000_00,
				movement.Part{Fund: "HZ-OLD", Amount: 1_000_00}), reason, funding.ErrFundExpired},
			{"finance, with a reason", b.fin, pay("HZ-001", funding.Basic, 1_000_00, up(1_000_00)), reason, nil},
		} {
			tc.in.ForceReason = tc.reason
			got, err := b.svc.Movements.Spend(tc.ctx, tc.in)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Errorf("%s: Spend = %v, want %v", tc.name, err, tc.want)
				continue
			}
			if tc.want != nil {
				continue
			}
			stored, err := b.svc.Ledger.Get(b.fin, got.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.ForcedReason != reason || stored.Category != funding.Basic || stored.Amount != 1_000_00 {
				t.Errorf("stored %+v, want the basic payment with reason %q", stored, reason)
			}
		}
		if got, want := b.balance("HZ-UP", "project:HZ-001"), money.Amount(9_000_00); got != want {
			t.Errorf("HZ-UP holds %s, want %s", got, want)
		}

		item := movement.BatchItem{Type: ledger.TypeExpenditure, Project: "HZ-001", Category: funding.Improvement,
			Amount: 2_000_00, Payee: &payee, PaidOn: "2026-05-02", Purpose: "加装电梯", Funding: []movement.Part{up(2_000_00)},
			ForceReason: reason}
		_, ts, err := b.svc.Movements.Batch(b.fin, []movement.BatchItem{item})
		if err != nil {
			t.Fatalf("finance batch with a forced item: %v", err)
		}
		if got := ts[0].ForcedReason; got != reason {
			t.Errorf("batch item reason = %q, want %q", got, reason)
		}
		before := b.count()
		_, _, err = b.svc.Movements.Batch(b.district("HZ"), []movement.BatchItem{
			{Type: ledger.TypeReceipt, Fund: "HZ-UP", Amount: 1_00, ReceivedOn: "2026-05-02", Payer: &movement.Party{Name: "业主"}},
			item,
		})
		if !errors.Is(err, errs.ErrForbidden) || !strings.HasPrefix(err.Error(), "items[1]: ") {
			t.Errorf("district batch with a forced item: %v, want items[1]: forbidden", err)
		}
		if n := b.count(); n != before {
			t.Errorf("the refused batch wrote %d transfers", n-before)
		}

		// A forced payment names its funds: which fund pays outside its
		// purpose is never left to automatic attribution.
		auto := pay("HZ-001", funding.Basic, 1_00)
		auto.ForceReason = reason
		if _, err := b.svc.Movements.Spend(b.fin, auto); !errors.Is(err, errs.ErrInvalidRequest) {
			t.Errorf("a forced payment without funding: %v, want invalid_request", err)
		}
		// Only the finance bureau reverses what it forced (the reversal would
		// also clear the diversion it is reported as).
		forced := ts[0].ID
		if _, err := b.svc.Movements.Reverse(b.district("HZ"), forced, "录入错误"); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("the district reverses a forced payment: %v, want forbidden", err)
		}
		if _, err := b.svc.Movements.Reverse(b.fin, forced, "录入错误"); err != nil {
			t.Errorf("finance reverses its forced payment: %v", err)
		}
	})
}
