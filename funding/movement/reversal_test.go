package movement_test

import (
	"errors"
	"testing"

	"renofund/funding"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/subsidy"
)

// TestReversal: a reversal restores what the original moved, once; a
// reversal, a subsidy payment, or an allocation whose money has gone on
// cannot be reversed.
func TestReversal(t *testing.T) {
	eachBooks(t, func(t *testing.T, b *books) {
		b.fund("CG", "city", "", 1_000_00)
		spentBelow := b.move("CG", "city", "project:HZ-001", 300_00)
		untouched := b.move("CG", "city", "district:LY", 200_00)
		payment, err := b.svc.Movements.Spend(b.fin, pay("HZ-001", funding.Basic, 250_00))
		if err != nil {
			t.Fatal(err)
		}
		subsidyPayment := paySubsidy(t, b)

		first, err := b.svc.Movements.Reverse(b.fin, payment.ID, "收款账户错误")
		if err != nil {
			t.Fatalf("reversing a payment: %v", err)
		}
		if first.ReversalOf != payment.ID || first.Type != ledger.TypeReversal || first.BaseType != ledger.TypeExpenditure ||
			first.Amount != payment.Amount || first.Purpose != "收款账户错误" {
			t.Errorf("reversal = %+v, want a reversal of %s for %s", first, payment.ID, payment.Amount)
		}
		if got, want := b.balance("CG", "project:HZ-001"), money.Amount(300_00); got != want {
			t.Errorf("after the reversal the project holds %s, want %s", got, want)
		}
		// Spend it again, so reversing the allocation would take more than
		// the project holds. The reversal gave the money back today, so it
		// can be paid again from today on, not before.
		again := pay("HZ-001", funding.Basic, 100_00)
		if _, err := b.svc.Movements.Spend(b.fin, again); !errors.Is(err, ledger.ErrBeforeArrival) {
			t.Fatalf("paying again before the reversal: %v, want before_arrival", err)
		}
		again.PaidOn = field.Today()
		if _, err := b.svc.Movements.Spend(b.fin, again); err != nil {
			t.Fatal(err)
		}

		before := b.count()
		for _, tc := range []struct {
			name   string
			id     string
			reason string
			want   error
		}{
			{"a payment twice", payment.ID, "重复冲销", ledger.ErrAlreadyReversed},
			{"a reversal", first.ID, "冲销的冲销", errs.ErrConflict},
			{"a subsidy payment", subsidyPayment, "错付", errs.ErrConflict},
			{"an allocation spent below", spentBelow.ID, "多拨", ledger.ErrInsufficientFunds},
			{"no reason", untouched.ID, "", errs.ErrInvalidRequest},
			{"an unknown transfer", "0190f1e4-0000-7000-8000-000000000000", "错", errs.ErrNotFound},
		} {
			if _, err := b.svc.Movements.Reverse(b.fin, tc.id, tc.reason); !errors.Is(err, tc.want) {
				t.Errorf("reversing %s: %v, want %v", tc.name, err, tc.want)
			}
		}
		if n := b.count(); n != before {
			t.Errorf("refused reversals wrote %d transfers", n-before)
		}

		// An allocation's reversal belongs to the giving side.
		if _, err := b.svc.Movements.Reverse(b.district("LY"), untouched.ID, "拨错区"); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("LY reverses the city's allocation: %v, want forbidden", err)
		}
		if _, err := b.svc.Movements.Reverse(b.district("HZ"), untouched.ID, "拨错区"); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("HZ reverses LY's allocation: %v, want not found", err)
		}
		if _, err := b.svc.Movements.Reverse(b.fin, untouched.ID, "拨错区"); err != nil {
			t.Errorf("finance reverses its allocation: %v", err)
		}
		if got, want := b.balance("CG", "city"), money.Amount(700_00); got != want {
			t.Errorf("city holds %s, want %s", got, want)
		}
	})
}

// paySubsidy pays one month of a property-service subsidy to HZ-002 from a
// city fund and returns the payment's transfer id.
func paySubsidy(t *testing.T, b *books) string {
	t.Helper()
	b.fund("WY", "city", "", 10_000_00)
	subs := b.svc.Subsidy
	b.ok(subs.SetPropertyManager(b.fin, "HZ-002", subsidy.PropertyManager{Name: "物业公司", CreditCode: payee.CreditCode,
		BankAccount: "6222000011112222"}))
	score, err := subsidy.ParseScore("92")
	b.ok(score, err)
	b.ok(subs.RecordRating(b.fin, subsidy.Rating{Project: "HZ-002", Period: "2026-03", Score: &score}))
	b.ok(subs.CreateScheme(b.fin, subsidy.Scheme{Code: "WYBT", Name: "物业补贴", Fund: "WY", Basis: subsidy.PerHouseholdMonth,
		Rate: money.MustRate("8"), Period: subsidy.Month, ValidFrom: "2026-01-01",
		Bands: []subsidy.Band{{MinScore: score, Ratio: money.MustRate("1")}}}))
	run, err := subs.CreateRun(b.fin, "WYBT", "2026-03")
	b.ok(run, err)
	b.ok(subs.Approve(b.reviewer, run.ID))
	ts, err := b.svc.Ledger.All(b.fin, ledger.Filter{Type: ledger.TypeSubsidy})
	b.ok(ts, err)
	if len(ts) != 1 {
		t.Fatalf("%d subsidy payments, want 1", len(ts))
	}
	return ts[0].ID
}
