package contractpay_test

import (
	"context"
	"testing"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/funding/works"
	"renofund/internal/app"
	"renofund/internal/app/apptest"
	"renofund/internal/ledger/contractpay"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestSums: payments under a contract, out of its retention and outside it
// to the same company are summed net of reversals, on both engines.
func TestSums(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, ctx := apptest.New(t, db)
		must := apptest.Must(t)
		apptest.Community(t, svc, ctx, "P1")
		must(svc.Registry.CreateFund(ctx, funding.Fund{Code: "F", Kind: "donation", Name: "资金", Holder: "project:P1",
			FiscalYear: 2025, EligibleCategories: funding.Categories}))
		must(svc.Movements.Receive(ctx, movement.Receipt{Fund: "F", Amount: money.MustParse("50000.00"),
			ReceivedOn: "2025-01-02", Payer: movement.Party{Name: "捐赠人"}}))
		ws := svc.Movements.Works
		p, err := ws.CreatePayee(ctx, works.Payee{Name: "施工单位", CreditCode: "91350100M000100Y43", BankAccount: "1"})
		must(p, err)
		c, err := ws.CreateContract(ctx, "P1", works.ContractIn{Payee: p.ID, Category: funding.Basic,
			Sum: money.MustParse("10000.00"), SignedOn: "2025-01-03"})
		must(c, err)
		pay := func(amount string, contract string) string {
			t.Helper()
			tr, err := svc.Movements.Spend(ctx, movement.Expenditure{Project: "P1", Category: funding.Basic,
				Amount: money.MustParse(amount), PaidOn: "2025-02-01", Purpose: "工程款", Contract: contract, PayeeID: p.ID})
			must(tr, err)
			return tr.ID
		}
		first := pay("3000.00", c.ID)
		pay("4000.00", c.ID)
		must(svc.Movements.Reverse(ctx, first, "重复"))
		payments, retention, err := contractpay.Paid(ctx, db, c.ID)
		if err != nil || payments != money.MustParse("4000.00") || retention != 0 {
			t.Errorf("Paid: %s, %s, %v", payments, retention, err)
		}
		if used, err := contractpay.RetentionPaid(ctx, db, "P1"); err != nil || used != 0 {
			t.Errorf("RetentionPaid: %s, %v", used, err)
		}
		if over, err := contractpay.OverContracts(ctx, db, ""); err != nil || len(over) != 0 {
			t.Errorf("OverContracts before: %+v, %v", over, err)
		}
		pay("6000.01", "") // outside the contract, to its contractor
		over, err := contractpay.OverContracts(ctx, db, "HZ")
		if err != nil || len(over) != 1 || over[0].ID != c.ID || over[0].Paid != 10000_01 || over[0].Allowed != 10000_00 {
			t.Errorf("OverContracts: %+v, %v", over, err)
		}
		if over, _ := contractpay.OverContracts(ctx, db, "LY"); len(over) != 0 {
			t.Errorf("OverContracts of another district: %+v", over)
		}
		checkAcceptedBy(t, ctx, svc, c.ID)
	})
}

// checkAcceptedBy: a contract appears once it passed acceptance by the
// date asked, only when its payee is an SME, with what it was paid by the
// as-of date (the reversal, booked today, counts only from today).
func checkAcceptedBy(t *testing.T, ctx context.Context, svc *app.Services, id string) {
	t.Helper()
	db := svc.DB
	if _, err := svc.Movements.Works.RecordAcceptance(ctx, id, works.Acceptance{AcceptedOn: "2025-03-01", Result: works.Passed,
		Participants: []works.Participant{{Name: "王", Role: "业主代表"}}, OwnerReps: 1}); err != nil {
		t.Fatal(err)
	}
	if rows, err := contractpay.AcceptedBy(ctx, db, "2025-12-31", "2025-12-31"); err != nil || len(rows) != 0 {
		t.Errorf("AcceptedBy with no SME payee: %+v, %v", rows, err)
	}
	if err := db.G.Exec("UPDATE payees SET sme = ?", true).Error; err != nil {
		t.Fatal(err)
	}
	if rows, err := contractpay.AcceptedBy(ctx, db, "2025-02-28", "2025-12-31"); err != nil || len(rows) != 0 {
		t.Errorf("AcceptedBy before the acceptance: %+v, %v", rows, err)
	}
	rows, err := contractpay.AcceptedBy(ctx, db, "2025-03-01", "2025-12-31")
	if err != nil || len(rows) != 1 || rows[0].ID != id || rows[0].AcceptedOn != "2025-03-01" || rows[0].Paid != 7000_00 ||
		rows[0].Sum != 10000_00 || rows[0].SettledOn != "" || rows[0].DistrictCode != "HZ" || rows[0].ProgressCeiling != "0.8" {
		t.Errorf("AcceptedBy as of 2025: %+v, %v", rows, err)
	}
	if rows, _ := contractpay.AcceptedBy(ctx, db, "2025-03-01", "2099-12-31"); len(rows) != 1 || rows[0].Paid != 4000_00 {
		t.Errorf("AcceptedBy with the reversal: %+v", rows)
	}
}

func TestLiabilityEnds(t *testing.T) {
	for _, c := range []struct {
		date string
		n    int
		want string
	}{
		{"2024-09-30", 12, "2025-09-30"},
		{"2024-01-31", 1, "2024-02-29"},
		{"2023-01-31", 1, "2023-02-28"},
		{"2024-02-29", 12, "2025-02-28"},
		{"2024-11-15", 24, "2026-11-15"},
	} {
		if got := contractpay.LiabilityEnds(c.date, c.n); got != c.want {
			t.Errorf("LiabilityEnds(%s, %d) = %s, want %s", c.date, c.n, got, c.want)
		}
	}
}
