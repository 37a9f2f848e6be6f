package works

import (
	"errors"
	"testing"

	"renofund/internal/errs"
	"renofund/internal/money"
)

// TestAdmit walks the gates of one contract as its position changes.
func TestAdmit(t *testing.T) {
	c := &Contract{ID: "c1", Project: "P", Category: "basic", Sum: money.MustParse("1000.00"),
		ProgressCeiling: money.MustRate("0.8"), RetentionRate: money.MustRate("0.03"), LiabilityMonths: 12,
		Payee: Payee{CreditCode: "X", BankAccount: "1"}}
	pay := func(amount string) Payment {
		return Payment{Project: "P", Category: "basic", Amount: money.MustParse(amount), PaidOn: "2025-01-01",
			PayeeCreditCode: "X", PayeeBankAccount: "1"}
	}
	check := func(name string, p Payment, want error) {
		t.Helper()
		err := c.Admit(p)
		if (want == nil) != (err == nil) || (want != nil && !errors.Is(err, want)) {
			t.Errorf("%s: %v, want %v", name, err, want)
		}
	}
	c.Position = c.position(Paid{})
	check("within the ceiling", pay("800.00"), nil)
	check("past the ceiling", pay("800.01"), ErrOverProgressCeiling)
	earlier := pay("400.00")
	earlier.Earlier = Paid{Payments: money.MustParse("400.01")}
	check("past the ceiling with the batch's earlier items", earlier, ErrOverProgressCeiling)
	retention := pay("1.00")
	retention.Retention = true
	check("retention before acceptance", retention, ErrNotAccepted)

	c.Acceptances = []Acceptance{{Result: Failed, AcceptedOn: "2024-06-01"}, {Result: Passed, AcceptedOn: "2024-06-30"}}
	c.Settlement = &Settlement{Amount: money.MustParse("900.00"), Retention: money.MustParse("27.00")}
	c.Position = c.position(Paid{Payments: money.MustParse("800.00")})
	check("the final payment", pay("73.00"), nil)
	check("past the settlement less retention", pay("73.01"), ErrOverSettlement)
	check("the release before the liability period ends", retention, ErrRetentionHeld)
	retention.PaidOn = "2025-06-30"
	check("the release when it ends", retention, nil)
	repair := retention
	repair.PaidOn, repair.PayeeCreditCode = "2024-12-01", "Y"
	check("a repair by another during the period", repair, nil)
	repair.Amount = money.MustParse("27.01")
	check("a repair beyond the retention", repair, ErrOverSettlement)
	other := pay("1.00")
	other.PayeeCreditCode = "Y"
	check("a payment under the contract to another", other, errs.ErrRuleViolation)
}
