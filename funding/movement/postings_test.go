package movement_test

import (
	"errors"
	"testing"

	"renofund/funding/movement"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
)

// TestHoldingsSitWhereTheirHolder: receipts and allocations create holdings
// that carry their holder's district and project, which is what scopes a
// district's reads.
func TestHoldingsSitWhereTheirHolder(t *testing.T) {
	eachBooks(t, func(t *testing.T, b *books) {
		b.fund("CG", "city", "", 1_000_00)
		b.fund("HZ-DF", "district:HZ", "", 300_00)
		b.fund("HZ-RC", "project:HZ-002", "", 20_00)
		for _, tc := range []struct {
			fund, from, to    string
			district, project string // of the transfer
		}{
			{"CG", "city", "district:HZ", "HZ", ""},
			{"CG", "district:HZ", "project:HZ-001", "HZ", "HZ-001"},
			{"CG", "city", "project:LY-001", "LY", "LY-001"},
			{"HZ-DF", "district:HZ", "project:HZ-002", "HZ", "HZ-002"},
		} {
			got := b.move(tc.fund, tc.from, tc.to, 100_00)
			if got.District != tc.district || got.Project != tc.project || got.From != tc.from || got.To != tc.to {
				t.Errorf("allocation %s → %s: transfer %s/%s from %s to %s, want %s/%s", tc.from, tc.to,
					got.District, got.Project, got.From, got.To, tc.district, tc.project)
			}
		}
		rc, err := b.svc.Movements.Receive(b.district("HZ"), movement.Receipt{Fund: "HZ-RC", Amount: 5_00,
			ReceivedOn: "2026-02-01", Payer: movement.Party{Name: "业主"}, Household: "3-201"})
		if err != nil {
			t.Fatal(err)
		}
		if rc.District != "HZ" || rc.Project != "HZ-002" || rc.To != "project:HZ-002" {
			t.Errorf("receipt into HZ-RC: %s/%s to %s, want HZ/HZ-002 to project:HZ-002", rc.District, rc.Project, rc.To)
		}

		hs, err := b.svc.Ledger.Holdings(b.fin, ledger.HoldingFilter{})
		if err != nil {
			t.Fatal(err)
		}
		type sits struct {
			district, project string
			balance           money.Amount
		}
		want := map[[2]string]sits{
			{"CG", "city"}:              {"", "", 800_00},
			{"CG", "district:HZ"}:       {"HZ", "", 0},
			{"CG", "project:HZ-001"}:    {"HZ", "HZ-001", 100_00},
			{"CG", "project:LY-001"}:    {"LY", "LY-001", 100_00},
			{"HZ-DF", "district:HZ"}:    {"HZ", "", 200_00},
			{"HZ-DF", "project:HZ-002"}: {"HZ", "HZ-002", 100_00},
			{"HZ-RC", "project:HZ-002"}: {"HZ", "HZ-002", 25_00},
		}
		if len(hs) != len(want) {
			t.Errorf("%d holdings, want %d: %+v", len(hs), len(want), hs)
		}
		for _, h := range hs {
			w, ok := want[[2]string{h.Fund, h.Holder}]
			if got := (sits{h.District, h.Project, h.Balance}); !ok || got != w {
				t.Errorf("holding %s at %s: %+v, want %+v", h.Fund, h.Holder, got, w)
			}
		}
	})
}

// TestAllocationOnlyDown: an allocation goes one step down the tree (city →
// district → its project, or city → project) and nowhere else.
func TestAllocationOnlyDown(t *testing.T) {
	eachBooks(t, func(t *testing.T, b *books) {
		b.fund("CG", "city", "", 1_000_00)
		b.move("CG", "city", "district:HZ", 500_00)
		b.move("CG", "city", "project:HZ-001", 100_00)
		before := b.count()
		for _, tc := range []struct {
			from, to string
			want     error
		}{
			{"city", "city", errs.ErrInvalidRequest},
			{"district:HZ", "city", errs.ErrInvalidRequest},
			{"district:HZ", "district:LY", errs.ErrInvalidRequest},
			{"district:HZ", "district:HZ", errs.ErrInvalidRequest},
			{"district:HZ", "project:LY-001", errs.ErrInvalidRequest},
			{"project:HZ-001", "project:HZ-002", errs.ErrInvalidRequest},
			{"project:HZ-001", "district:HZ", errs.ErrInvalidRequest},
			{"project:HZ-001", "city", errs.ErrInvalidRequest},
			{"district:HZ", "project:HZ-404", errs.ErrNotFound},
			{"city", "district:GY", errs.ErrNotFound},
			{"treasury", "district:HZ", errs.ErrInvalidRequest},
		} {
			_, err := b.svc.Movements.Allocate(b.fin, movement.Allocation{Fund: "CG", From: tc.from, To: tc.to,
				Amount: 10_00, AllocatedOn: "2026-02-01"})
			if !errors.Is(err, tc.want) {
				t.Errorf("%s → %s: %v, want %v", tc.from, tc.to, err, tc.want)
			}
		}
		if n := b.count(); n != before {
			t.Errorf("refused allocations wrote %d transfers", n-before)
		}
		// A district moves its own money to its own projects only, and
		// never the city's.
		for _, tc := range []struct {
			from, to string
			want     error
		}{
			{"district:HZ", "project:HZ-002", nil},
			{"city", "district:HZ", errs.ErrForbidden},
			{"district:HZ", "project:LY-001", errs.ErrNotFound},
		} {
			_, err := b.svc.Movements.Allocate(b.district("HZ"), movement.Allocation{Fund: "CG", From: tc.from, To: tc.to,
				Amount: 10_00, AllocatedOn: "2026-02-01"})
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Errorf("HZ allocates %s → %s: %v, want %v", tc.from, tc.to, err, tc.want)
			}
		}
	})
}
