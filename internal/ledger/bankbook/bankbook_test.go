package bankbook_test

import (
	"testing"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/app/apptest"
	"renofund/internal/ledger/bankbook"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestNetAndBalance: a district's movements and book balance, of every fund
// or of one, on both engines; an allocation inside the district nets out.
func TestNetAndBalance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, ctx := apptest.New(t, db)
		must := apptest.Must(t)
		apptest.Community(t, svc, ctx, "P1")
		for _, f := range []string{"A", "B"} {
			must(svc.Registry.CreateFund(ctx, funding.Fund{Code: f, Kind: "district_fiscal", Name: "资金 " + f, Holder: "district:HZ",
				FiscalYear: 2026, EligibleCategories: funding.Categories}))
			must(svc.Movements.Receive(ctx, movement.Receipt{Fund: f, Amount: money.MustParse("1000.00"),
				ReceivedOn: "2026-03-01", Payer: movement.Party{Name: "区财政"}}))
		}
		must(svc.Movements.Allocate(ctx, movement.Allocation{Fund: "A", From: "district:HZ", To: "project:P1",
			Amount: money.MustParse("600.00"), AllocatedOn: "2026-03-02"}))
		pay := func(amount string) string {
			t.Helper()
			tr, err := svc.Movements.Spend(ctx, movement.Expenditure{Project: "P1", Category: funding.Basic, Amount: money.MustParse(amount),
				PaidOn: "2026-04-02", Purpose: "工程款", Payee: movement.Party{Name: "施工单位", CreditCode: "91350100M000100Y43", BankAccount: "1"},
				Funding: []movement.Part{{Fund: "A", Amount: money.MustParse(amount)}}})
			must(tr, err)
			return tr.ID
		}
		kept := pay("250.00")
		all, err := bankbook.Net(ctx, db, "HZ", "2026-01-01", "2026-12-31")
		if err != nil || len(all) != 3 {
			t.Fatalf("Net: %d movements, %v", len(all), err)
		}
		onlyA, _ := bankbook.Net(ctx, db, "HZ", "2026-01-01", "2026-12-31", "A")
		if len(onlyA) != 2 || onlyA[1].Net != -25000 {
			t.Errorf("Net of A: %+v", onlyA)
		}
		for _, c := range []struct {
			asOf  string
			funds []string
			want  money.Amount
		}{{"2026-03-31", nil, 200000}, {"2026-04-30", nil, 175000}, {"2026-04-30", []string{"A"}, 75000}, {"2026-02-28", nil, 0}} {
			if got, err := bankbook.Balance(ctx, db, "HZ", c.asOf, c.funds...); err != nil || got != c.want {
				t.Errorf("Balance(%s, %v) = %s, %v; want %s", c.asOf, c.funds, got, err, c.want)
			}
		}
		// A payment reversed, and its reversal, never went to the bank.
		undone := pay("10.00")
		back, err := svc.Movements.Reverse(ctx, undone, "重复录入")
		must(back, err)
		for _, ids := range [][]string{{kept, undone}, {kept, back.ID}} {
			got, err := bankbook.Reversed(ctx, db, ids)
			if err != nil || len(got) != 2 || !got[undone] || !got[back.ID] || got[kept] {
				t.Errorf("Reversed(%v) = %v, %v; want %s and %s", ids, got, err, undone, back.ID)
			}
		}
		if got, err := bankbook.Reversed(ctx, db, []string{kept}); err != nil || len(got) != 0 {
			t.Errorf("Reversed(kept) = %v, %v", got, err)
		}
	})
}
