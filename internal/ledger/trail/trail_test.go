package trail_test

import (
	"context"
	"testing"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/ledger"
	"renofund/internal/ledger/trail"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestLegsAndTotals: a receipt, an allocation, a payment from two funds and
// its reversal read back as legs in voucher order (one per fund, the
// reversal in red ink), and the independent totals agree with them, on both
// engines and under each filter.
func TestLegsAndTotals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := app.New(db, nil)
		t.Cleanup(svc.Close)
		ctx := access.With(context.Background(), access.Actor{TokenID: "t", Role: access.Finance, Name: "t"})
		must := func(_ any, err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(svc.Registry.CreateDistrict(ctx, funding.District{Code: "HZ", Name: "海州区"}))
		must(svc.Registry.CreateProject(ctx, funding.Project{Code: "HZ-001", Name: "新浦小区", District: "HZ", Households: 10,
			FloorAreaM2: money.MustRate("900"), Buildings: 1, BuiltYear: 1995,
			Budget: funding.Budget{Basic: money.MustParse("1000")}}))
		for _, code := range []string{"A", "B"} {
			must(svc.Registry.CreateFund(ctx, funding.Fund{Code: code, Kind: "central_grant", Name: code, Holder: "city",
				FiscalYear: 2026, DocumentNo: "财建〔2026〕1号", EligibleCategories: []string{"basic"}}))
			must(svc.Movements.Receive(ctx, movement.Receipt{Fund: code, Amount: money.MustParse("100.00"),
				ReceivedOn: "2026-03-01", Payer: movement.Party{Name: "省财政厅"}}))
			must(svc.Movements.Allocate(ctx, movement.Allocation{Fund: code, From: "city", To: "project:HZ-001",
				Amount: money.MustParse("60.00"), AllocatedOn: "2026-03-02"}))
		}
		pay, err := svc.Movements.Spend(ctx, movement.Expenditure{Project: "HZ-001", Category: "basic",
			Amount: money.MustParse("30.00"), PaidOn: "2026-04-02", Purpose: "管网",
			Payee:   movement.Party{Name: "施工单位", CreditCode: "91350100M000100Y43", BankAccount: "1"},
			Funding: []movement.Part{{Fund: "A", Amount: money.MustParse("10.00")}, {Fund: "B", Amount: money.MustParse("20.00")}}})
		must(pay, err)
		must(svc.Movements.Reverse(ctx, pay.ID, "重复"))

		legs := func(f trail.Filter) []*trail.Leg {
			t.Helper()
			var out []*trail.Leg
			if err := trail.Legs(ctx, db, f, func(lg *trail.Leg) error { out = append(out, lg); return nil }); err != nil {
				t.Fatal(err)
			}
			return out
		}
		all := legs(trail.Filter{})
		if len(all) != 8 {
			t.Fatalf("legs: got %d, want 8 (2 receipts, 2 allocations, 2 payment legs, 2 reversal legs)", len(all))
		}
		for i := 1; i < len(all); i++ {
			if all[i-1].VoucherSeq > all[i].VoucherSeq {
				t.Errorf("legs out of voucher order at %d", i)
			}
		}
		last := all[len(all)-1]
		if last.Type != ledger.TypeReversal || last.LegAmount != -money.MustParse("20.00") || last.From != "project:HZ-001" ||
			last.To != ledger.External || last.ReversalOfVoucher != pay.VoucherNo {
			t.Errorf("reversal leg: %+v", last)
		}
		if got := legs(trail.Filter{Fund: "B"}); len(got) != 4 {
			t.Errorf("legs of fund B: got %d, want 4", len(got))
		}
		if got := legs(trail.Filter{Project: "HZ-001", From: "2026-04-01"}); len(got) != 4 {
			t.Errorf("legs of the project from April: got %d, want 4", len(got))
		}
		if got := legs(trail.Filter{District: "LY"}); len(got) != 0 {
			t.Errorf("legs of another district: %d", len(got))
		}
		totals, err := trail.Totals(ctx, db, trail.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		want := []trail.FundTotal{{Fund: "A", Received: 100_00}, {Fund: "B", Received: 100_00}}
		if len(totals) != 2 || totals[0] != want[0] || totals[1] != want[1] {
			t.Errorf("totals: got %+v, want %+v (the payment netted by its reversal)", totals, want)
		}
	})
}
