package movement_test

import (
	"errors"
	"fmt"
	"testing"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/errs"
	"renofund/internal/money"
)

// TestFundingSumOverflow: the parts of explicit funding may each be up to
// 10^15 yuan; their sum is checked for overflow, so 185 parts that would wrap
// round int64 to the payment's 0.01 are refused and nothing is posted.
// (Found by this test: the sum wrapped, and a transfer saying 0.01 took
// 1.8 × 10^19 fen out of the project's holdings.)
func TestFundingSumOverflow(t *testing.T) {
	eachBooks(t, func(t *testing.T, b *books) {
		var parts []movement.Part
		var wrapped money.Amount // what the parts sum to in int64, wrapping
		for i := range 185 {
			part := money.Max
			if i == 184 {
				part = 1 - wrapped // makes the wrapped sum exactly one fen
			}
			code := fmt.Sprintf("HZ-G%03d", i)
			b.fund(code, "project:HZ-001", "", part)
			parts = append(parts, movement.Part{Fund: code, Amount: part})
			wrapped += part
		}
		got, err := b.svc.Movements.Spend(b.fin, pay("HZ-001", funding.Basic, 1, parts...))
		if !errors.Is(err, errs.ErrInvalidRequest) {
			t.Errorf("Spend of 0.01 funded by 185 parts of up to %s yuan each: %v; want invalid_request", money.Max, err)
		}
		if err == nil {
			t.Errorf("posted: transfer amount %s, yet HZ-G000 at the project went from %s to %s",
				got.Amount, money.Max, b.balance("HZ-G000", "project:HZ-001"))
		}
	})
}
