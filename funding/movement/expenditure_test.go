package movement_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/access"
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
			// A forced payment is filed by one person and paid when a
			// second approves it; the rules refuse it at filing already.
			paid, req, err := b.svc.Movements.Pay(tc.ctx, tc.in)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Errorf("%s: Pay = %v, want %v", tc.name, err, tc.want)
				continue
			}
			if tc.want != nil {
				continue
			}
			if paid != nil || req == nil || req.Status != movement.Pending || req.PreparedBy != "finance:clerk" {
				t.Fatalf("%s: a forced payment was not filed for approval: %+v %+v", tc.name, paid, req)
			}
			if b.balance("HZ-UP", "project:HZ-001") != 10_000_00 {
				t.Errorf("a filed payment moved money")
			}
			if _, _, err := b.svc.Movements.Approve(b.fin, req.ID); !errors.Is(err, access.ErrSamePerson) {
				t.Errorf("the preparer approved the forced payment: %v", err)
			}
			done, got, err := b.svc.Movements.Approve(b.reviewer, req.ID)
			if err != nil || done.Status != movement.Approved || done.TransferID == nil || *done.TransferID != got.ID {
				t.Fatalf("approved: %v %+v", err, done)
			}
			if _, _, err := b.svc.Movements.Approve(b.reviewer, req.ID); !errors.Is(err, errs.ErrConflict) {
				t.Errorf("approved twice: %v", err)
			}
			stored, err := b.svc.Ledger.Get(b.fin, got.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.ForcedReason != reason || stored.Category != funding.Basic || stored.Amount != 1_000_00 ||
				stored.PreparedBy != "finance:clerk" || stored.ApprovedBy != "finance:reviewer" {
				t.Errorf("stored %+v, want the basic payment with reason %q, prepared by the clerk and approved by the reviewer",
					stored, reason)
			}
		}
		if got, want := b.balance("HZ-UP", "project:HZ-001"), money.Amount(9_000_00); got != want {
			t.Errorf("HZ-UP holds %s, want %s", got, want)
		}

		item := movement.BatchItem{Type: ledger.TypeExpenditure, Project: "HZ-001", Category: funding.Improvement,
			Amount: 2_000_00, Payee: &payee, PaidOn: "2026-05-02", Purpose: "加装电梯", Funding: []movement.Part{up(2_000_00)},
			ForceReason: reason}
		// A batch cannot file a payment for approval: it refuses it.
		before := b.count()
		if _, _, err := b.svc.Movements.Batch(b.fin, []movement.BatchItem{item}); !errors.Is(err, movement.ErrApprovalRequired) ||
			!strings.HasPrefix(err.Error(), "items[0]: ") {
			t.Errorf("finance batch with a forced item: %v, want items[0]: approval_required", err)
		}
		if n := b.count(); n != before {
			t.Errorf("the refused batch wrote %d transfers", n-before)
		}
		single := movement.Expenditure{Project: item.Project, Category: item.Category, Amount: item.Amount, Payee: payee,
			PaidOn: item.PaidOn, Purpose: item.Purpose, Funding: item.Funding, ForceReason: reason}
		_, req, err := b.svc.Movements.Pay(b.fin, single)
		if err != nil {
			t.Fatal(err)
		}
		// Rejected, it pays nothing; a rejection needs a note.
		if _, err := b.svc.Movements.Reject(b.reviewer, req.ID, ""); !errors.Is(err, errs.ErrInvalidRequest) {
			t.Errorf("a rejection without a note: %v", err)
		}
		if r, err := b.svc.Movements.Reject(b.reviewer, req.ID, "无抢修依据"); err != nil || r.Status != movement.Rejected {
			t.Errorf("rejected: %v %+v", err, r)
		}
		if n := b.count(); n != before {
			t.Errorf("a rejected payment wrote %d transfers", n-before)
		}
		_, req, err = b.svc.Movements.Pay(b.fin, single)
		if err != nil {
			t.Fatal(err)
		}
		_, paidForced, err := b.svc.Movements.Approve(b.reviewer, req.ID)
		if err != nil || paidForced.ForcedReason != reason {
			t.Fatalf("forced payment approved: %v %+v", err, paidForced)
		}
		before = b.count()
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
		if _, _, err := b.svc.Movements.Pay(b.fin, auto); !errors.Is(err, errs.ErrInvalidRequest) {
			t.Errorf("a forced payment without funding: %v, want invalid_request", err)
		}
		// Only the finance bureau reverses what it forced (the reversal would
		// also clear the diversion it is reported as).
		forced := paidForced.ID
		if _, err := b.svc.Movements.Reverse(b.district("HZ"), forced, "录入错误"); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("the district reverses a forced payment: %v, want forbidden", err)
		}
		if _, err := b.svc.Movements.Reverse(b.fin, forced, "录入错误"); err != nil {
			t.Errorf("finance reverses its forced payment: %v", err)
		}
	})
}

// TestLargePaymentNeedsSecondPerson: a payment above the approval threshold
// is filed, not paid, on the single path and refused in a batch; at or below
// it is paid at once.
func TestLargePaymentNeedsSecondPerson(t *testing.T) {
	eachBooks(t, func(t *testing.T, b *books) {
		b.svc.Movements.ApprovalAbove = 5_000_00
		b.fund("DON", "project:HZ-001", "", 20_000_00)
		atLimit, req, err := b.svc.Movements.Pay(b.district("HZ"), pay("HZ-001", funding.Basic, 5_000_00))
		if err != nil || atLimit == nil || req != nil {
			t.Fatalf("a payment at the threshold: %v %+v", err, req)
		}
		before := b.count()
		if _, err := b.svc.Movements.Spend(b.district("HZ"), pay("HZ-001", funding.Basic, 5_000_01)); !errors.Is(err, movement.ErrApprovalRequired) {
			t.Errorf("a large payment posted without approval: %v", err)
		}
		_, _, err = b.svc.Movements.Batch(b.fin, []movement.BatchItem{{Type: ledger.TypeExpenditure, Project: "HZ-001",
			Category: funding.Basic, Amount: 5_000_01, Payee: &payee, PaidOn: "2026-05-02", Purpose: "屋面防水"}})
		if !errors.Is(err, movement.ErrApprovalRequired) {
			t.Errorf("a large payment in a batch: %v, want approval_required", err)
		}
		_, req, err = b.svc.Movements.Pay(b.district("HZ"), pay("HZ-001", funding.Basic, 5_000_01))
		if err != nil || req == nil || req.District != "HZ" {
			t.Fatalf("a large payment filed: %v %+v", err, req)
		}
		if n := b.count(); n != before {
			t.Errorf("filing and refusing wrote %d transfers", n-before)
		}
		// The district sees its own requests; another district does not.
		if list, err := b.svc.Movements.PaymentRequests(b.district("HZ"), movement.RequestFilter{Status: movement.Pending, Limit: 10}); err != nil || len(list) != 1 {
			t.Errorf("HZ's pending requests: %v %d", err, len(list))
		}
		if _, err := b.svc.Movements.PaymentRequest(b.district("LY"), req.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("LY reads HZ's request: %v", err)
		}
		_, paid, err := b.svc.Movements.Approve(b.fin, req.ID)
		if err != nil || paid.PreparedBy != "district:office" || paid.ApprovedBy != "finance:clerk" {
			t.Fatalf("approved by the bureau: %v %+v", err, paid)
		}
		if got := b.balance("DON", "project:HZ-001"); got != 20_000_00-10_000_01 {
			t.Errorf("DON holds %s after both payments", got)
		}
	})
}
