package months_test

import (
	"context"
	"slices"
	"testing"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/ledger/months"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestBooked: the months with bookings, in order, each once, up to the
// month asked for.
func TestBooked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := app.New(db, nil)
		defer s.Close()
		ctx := access.With(context.Background(), access.Actor{TokenID: "t", Role: access.Finance, Name: "t"})
		if got, err := months.Booked(ctx, db, ""); err != nil || len(got) != 0 {
			t.Fatalf("empty books: %v, %v", got, err)
		}
		if _, err := s.Registry.CreateFund(ctx, funding.Fund{Code: "CG", Kind: "central_grant", Name: "中央补助",
			Holder: "city", FiscalYear: 2026, EligibleCategories: []string{funding.Basic}, DocumentNo: "财综〔2026〕1号"}); err != nil {
			t.Fatal(err)
		}
		for _, on := range []string{"2026-03-31", "2025-12-01", "2026-03-01", "2026-05-20"} {
			if _, err := s.Movements.Receive(ctx, movement.Receipt{Fund: "CG", Amount: 100, ReceivedOn: on,
				Payer: movement.Party{Name: "江苏省财政厅"}}); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			through string
			want    []string
		}{
			{"", []string{"2025-12", "2026-03", "2026-05"}},
			{"2026-04", []string{"2025-12", "2026-03"}},
			{"2026-03", []string{"2025-12", "2026-03"}},
			{"2025-11", nil},
		} {
			got, err := months.Booked(ctx, db, c.through)
			if err != nil || !slices.Equal(got, c.want) {
				t.Errorf("Booked(%q) = %v, %v; want %v", c.through, got, err, c.want)
			}
		}
	})
}
