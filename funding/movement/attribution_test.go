package movement_test

import (
	"errors"
	"slices"
	"testing"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/ledger"
	"renofund/internal/money"
)

// TestAttribution: without explicit funding an expenditure is paid from the
// project's eligible funds unexpired on the payment date, earliest expiry
// first, funds without expiry last, then by code, each giving what it holds.
func TestAttribution(t *testing.T) {
	type held struct {
		fund    string
		expires string
		balance money.Amount
		cats    []string // nil: every category
	}
	basicOnly, upgradeOnly := []string{funding.Basic}, []string{funding.Upgrade}
	for _, tc := range []struct {
		name     string
		held     []held
		category string
		amount   money.Amount
		paidOn   string
		want     []movement.Part // fund codes without the project's prefix
		err      error
	}{
		{"earliest expiry first", []held{{"A", "2026-09-30", 100_00, nil}, {"B", "2026-06-30", 100_00, nil}},
			funding.Basic, 150_00, "2026-05-01", []movement.Part{{"B", 100_00}, {"A", 50_00}}, nil},
		{"no expiry last", []held{{"A", "", 100_00, nil}, {"B", "2026-12-31", 100_00, nil}},
			funding.Basic, 120_00, "2026-05-01", []movement.Part{{"B", 100_00}, {"A", 20_00}}, nil},
		{"same expiry: by code", []held{{"B", "2026-09-30", 100_00, nil}, {"A", "2026-09-30", 100_00, nil}},
			funding.Basic, 150_00, "2026-05-01", []movement.Part{{"A", 100_00}, {"B", 50_00}}, nil},
		{"no expiry at all: by code", []held{{"C", "", 70_00, nil}, {"A", "", 10_00, nil}, {"B", "", 30_00, nil}},
			funding.Improvement, 100_00, "2026-05-01", []movement.Part{{"A", 10_00}, {"B", 30_00}, {"C", 60_00}}, nil},
		{"covered by the first: one part", []held{{"A", "2026-06-30", 100_00, nil}, {"B", "", 100_00, nil}},
			funding.Basic, 100_00, "2026-05-01", []movement.Part{{"A", 100_00}}, nil},
		{"ineligible skipped", []held{{"A", "2026-06-30", 100_00, upgradeOnly}, {"B", "", 100_00, basicOnly}},
			funding.Basic, 80_00, "2026-05-01", []movement.Part{{"B", 80_00}}, nil},
		{"expired skipped", []held{{"A", "2026-04-30", 100_00, nil}, {"B", "2026-12-31", 100_00, nil}},
			funding.Basic, 80_00, "2026-05-01", []movement.Part{{"B", 80_00}}, nil},
		{"paid on the expiry date", []held{{"A", "2026-05-01", 100_00, nil}, {"B", "2026-12-31", 100_00, nil}},
			funding.Basic, 80_00, "2026-05-01", []movement.Part{{"A", 80_00}}, nil},
		{"eligible funds short", []held{{"A", "", 100_00, nil}, {"B", "", 500_00, upgradeOnly}},
			funding.Basic, 100_01, "2026-05-01", nil, ledger.ErrInsufficientFunds},
		{"only expired funds", []held{{"A", "2026-04-30", 100_00, nil}},
			funding.Basic, 1, "2026-05-01", nil, ledger.ErrInsufficientFunds},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eachBooks(t, func(t *testing.T, b *books) {
				for _, h := range tc.held {
					b.fund("HZ-001-"+h.fund, "project:HZ-001", h.expires, h.balance, h.cats...)
				}
				before := b.count()
				got, err := b.svc.Movements.Spend(b.fin, movement.Expenditure{Project: "HZ-001", Category: tc.category,
					Amount: tc.amount, Payee: payee, PaidOn: tc.paidOn, Purpose: "屋面防水"})
				if tc.err != nil {
					if !errors.Is(err, tc.err) {
						t.Fatalf("Spend = %v, want %v", err, tc.err)
					}
					if n := b.count(); n != before {
						t.Errorf("a refused payment wrote: %d transfers, want %d", n, before)
					}
					return
				}
				if err != nil {
					t.Fatalf("Spend = %v", err)
				}
				want := make([]movement.Part, len(tc.want))
				for i, p := range tc.want {
					want[i] = movement.Part{Fund: "HZ-001-" + p.Fund, Amount: p.Amount}
				}
				if parts := movement.PartsOf(got); !slices.Equal(parts, want) {
					t.Errorf("split = %v, want %v", parts, want)
				}
				for _, p := range want {
					var start money.Amount
					for _, h := range tc.held {
						if "HZ-001-"+h.fund == p.Fund {
							start = h.balance
						}
					}
					if got, want := b.balance(p.Fund, "project:HZ-001"), start-p.Amount; got != want {
						t.Errorf("%s holds %s, want %s", p.Fund, got, want)
					}
				}
			})
		})
	}
}

// TestBatchAttribution: in a batch, automatic attribution sees the
// project's balances as the earlier items left them, whether the project's
// holdings were read before those items or not.
func TestBatchAttribution(t *testing.T) {
	eachBooks(t, func(t *testing.T, b *books) {
		b.fund("HZ-A", "project:HZ-001", "2026-06-30", 100_00)
		b.fund("HZ-B", "project:HZ-001", "", 100_00)
		b.fund("HZ-C", "project:HZ-001", "2026-05-31", 0)
		spend := func(amount money.Amount) movement.BatchItem {
			in := pay("HZ-001", funding.Basic, amount)
			return movement.BatchItem{Type: ledger.TypeExpenditure, Project: in.Project, Category: in.Category,
				Amount: in.Amount, Payee: &in.Payee, PaidOn: in.PaidOn, Purpose: in.Purpose}
		}
		_, ts, err := b.svc.Movements.Batch(b.fin, []movement.BatchItem{
			{Type: ledger.TypeReceipt, Fund: "HZ-C", Amount: 50_00, ReceivedOn: "2026-04-30", Payer: &movement.Party{Name: "业主"}},
			spend(80_00),
			spend(100_00),
			{Type: ledger.TypeReceipt, Fund: "HZ-C", Amount: 20_00, ReceivedOn: "2026-04-30", Payer: &movement.Party{Name: "业主"}},
			spend(20_01),
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range [][]movement.Part{
			1: {{Fund: "HZ-C", Amount: 50_00}, {Fund: "HZ-A", Amount: 30_00}},
			2: {{Fund: "HZ-A", Amount: 70_00}, {Fund: "HZ-B", Amount: 30_00}},
			4: {{Fund: "HZ-C", Amount: 20_00}, {Fund: "HZ-B", Amount: 1}},
		} {
			if got := movement.PartsOf(ts[i]); want != nil && !slices.Equal(got, want) {
				t.Errorf("items[%d] split = %v, want %v", i, got, want)
			}
		}
		for fund, want := range map[string]money.Amount{"HZ-A": 0, "HZ-B": 69_99, "HZ-C": 0} {
			if got := b.balance(fund, "project:HZ-001"); got != want {
				t.Errorf("%s holds %s, want %s", fund, got, want)
			}
		}
	})
}
