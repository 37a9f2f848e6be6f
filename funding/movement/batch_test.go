package movement_test

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
)

// TestBatchAllOrNone: a batch posts every item or none, and a refusal names
// the item, whether the item itself is malformed or the books refuse it.
func TestBatchAllOrNone(t *testing.T) {
	eachBooks(t, func(t *testing.T, b *books) {
		b.fund("CG", "city", "", 1_000_00)
		receipt := movement.BatchItem{Type: ledger.TypeReceipt, Fund: "CG", Amount: 500_00, ReceivedOn: "2026-03-01",
			Payer: &movement.Party{Name: "财政部"}}
		down := movement.BatchItem{Type: ledger.TypeAllocation, Fund: "CG", From: "city", To: "project:HZ-001",
			Amount: 1_200_00, AllocatedOn: "2026-03-02"}
		spend := movement.BatchItem{Type: ledger.TypeExpenditure, Project: "HZ-001", Category: funding.Basic,
			Amount: 1_200_01, Payee: &payee, PaidOn: "2026-03-03", Purpose: "道路改造"}
		before := b.count()
		for _, tc := range []struct {
			name  string
			items []movement.BatchItem
			want  error
			item  string // the prefix naming the refused item
		}{
			{"overdrawn by the last", []movement.BatchItem{receipt, down, spend}, ledger.ErrInsufficientFunds, "items[2]: "},
			{"allocation before its receipt", []movement.BatchItem{down, receipt}, ledger.ErrInsufficientFunds, "items[0]: "},
			{"unknown type", []movement.BatchItem{receipt, {Type: "transfer", Amount: 1_00}}, errs.ErrInvalidRequest, "items[1]: "},
			{"no payee", []movement.BatchItem{receipt, down, {Type: ledger.TypeExpenditure, Project: "HZ-001",
				Category: funding.Basic, Amount: 1_00, PaidOn: "2026-03-03", Purpose: "道路改造"}}, errs.ErrInvalidRequest, "items[2]: "},
			{"unknown fund", []movement.BatchItem{receipt, {Type: ledger.TypeReceipt, Fund: "XX", Amount: 1_00,
				ReceivedOn: "2026-03-01", Payer: &movement.Party{Name: "某"}}}, errs.ErrNotFound, "items[1]: "},
			{"empty", nil, errs.ErrInvalidRequest, ""},
		} {
			_, ts, err := b.svc.Movements.Batch(b.fin, tc.items)
			if !errors.Is(err, tc.want) || !strings.HasPrefix(err.Error(), tc.item) || ts != nil {
				t.Errorf("%s: Batch = %d transfers, %v; want %q… %v", tc.name, len(ts), err, tc.item, tc.want)
			}
		}
		if n := b.count(); n != before {
			t.Errorf("refused batches wrote %d transfers", n-before)
		}
		if got, want := b.balance("CG", "city"), money.Amount(1_000_00); got != want {
			t.Errorf("city holds %s after refusals, want %s", got, want)
		}

		spend.Amount = 1_200_00
		id, ts, err := b.svc.Movements.Batch(b.fin, []movement.BatchItem{receipt, down, spend})
		if err != nil {
			t.Fatal(err)
		}
		for i, tr := range ts {
			if tr.BatchID != id {
				t.Errorf("items[%d] batch = %q, want %q", i, tr.BatchID, id)
			}
		}
		for holder, want := range map[string]money.Amount{"city": 300_00, "project:HZ-001": 0} {
			if got := b.balance("CG", holder); got != want {
				t.Errorf("%s holds %s, want %s", holder, got, want)
			}
		}
	})
}

// TestPlanExecutedOnce: a factor-method plan posts its allocations once,
// however often and however concurrently it is executed.
func TestPlanExecutedOnce(t *testing.T) {
	eachBooks(t, func(t *testing.T, b *books) {
		b.fund("CG", "city", "", 10_000_00)
		plan, err := b.svc.Movements.CreatePlan(b.fin, movement.PlanInput{Fund: "CG", From: "city", Total: 1_000_00,
			Weights: movement.PlanWeights{Households: money.MustRate("1")}, AllocatedOn: "2026-04-01",
			Recipients: []movement.PlanRecipient{{To: "district:HZ", Households: 300}, {To: "district:LY", Households: 100}}})
		if err != nil {
			t.Fatal(err)
		}
		if got := b.count(); got != 1 {
			t.Errorf("a draft plan posted: %d transfers, want the receipt only", got)
		}
		// The one who computed the plan does not execute it.
		if _, err := b.svc.Movements.ExecutePlan(b.fin, plan.ID); !errors.Is(err, access.ErrSamePerson) {
			t.Errorf("the plan's creator executed it: %v, want same_person", err)
		}
		if got := b.count(); got != 1 {
			t.Errorf("a refused execution posted: %d transfers, want the receipt only", got)
		}
		var wg sync.WaitGroup
		runs := make([]*movement.Plan, 3)
		for i := range runs {
			wg.Go(func() {
				p, err := b.svc.Movements.ExecutePlan(b.reviewer, plan.ID)
				if err != nil {
					t.Errorf("ExecutePlan: %v", err)
				}
				runs[i] = p
			})
		}
		wg.Wait()
		again, err := b.svc.Movements.ExecutePlan(b.reviewer, plan.ID)
		if err != nil {
			t.Fatal(err)
		}
		posted, err := b.svc.Ledger.All(b.fin, ledger.Filter{Plan: plan.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(posted) != 2 {
			t.Fatalf("%d allocations posted, want 2", len(posted))
		}
		for _, tr := range posted {
			if tr.PreparedBy != "finance:clerk" || tr.ApprovedBy != "finance:reviewer" {
				t.Errorf("allocation prepared by %q, approved by %q; want the plan's creator and its executor", tr.PreparedBy, tr.ApprovedBy)
			}
		}
		ids := []string{posted[0].ID, posted[1].ID}
		for _, p := range append(runs, again) {
			if p == nil || p.Status != "executed" || !slices.Equal(p.Transfers, ids) {
				t.Errorf("execution answered %+v, want executed with %v", p, ids)
			}
		}
		for holder, want := range map[string]money.Amount{"city": 9_000_00, "district:HZ": 750_00, "district:LY": 250_00} {
			if got := b.balance("CG", holder); got != want {
				t.Errorf("%s holds %s, want %s", holder, got, want)
			}
		}
	})
}
