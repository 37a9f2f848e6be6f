package subsidy

import (
	"errors"
	"testing"

	"renofund/internal/access"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// splitCity has a quarterly household scheme and two projects rated 92 for
// 2021-Q3 (92 days): P1 changes manager on 15 August (company 1 serves 45
// days, company 5 47); P2 is managed only from 15 August (company 6).
func splitCity(f *fixture) {
	f.districts("HZ", "LY")
	f.subsidyFund("WY", "100000")
	f.project("P1", "HZ", 100, "1000")
	f.project("P2", "HZ", 40, "1000")
	f.manager("P1", 1)
	f.contract("P1", 5, "2021-08-15", "") // ends company 1's contract on 14 August
	f.contract("P2", 6, "2021-08-15", "")
	f.rate("P1", "2021-Q3", "92")
	f.rate("P2", "2021-Q3", "92")
	f.scheme(Scheme{Code: "Q", Name: "季度物业补贴", Fund: "WY", Basis: PerHouseholdMonth, Rate: money.MustRate("8"),
		Period: Quarter, Bands: standardBands(), ValidFrom: "2021-01-01"})
}

// wantLine is what one line of a run should say.
type wantLine struct {
	project, company, amount, entitlement, status, reason string
	days                                                  int
}

func checkLines(t *testing.T, r *Run, want []wantLine) {
	t.Helper()
	if len(r.Lines) != len(want) {
		t.Fatalf("run has %d lines, want %d: %+v", len(r.Lines), len(want), r.Lines)
	}
	for i, w := range want {
		l := r.Lines[i]
		company := ""
		if l.Payee != nil {
			company = l.Payee.CreditCode
		}
		if l.Line != i+1 || l.Project != w.project || company != w.company || l.Amount.String() != w.amount ||
			l.Entitlement.String() != w.entitlement || l.Status != w.status || l.Reason != w.reason ||
			l.DaysServed != w.days || l.PeriodDays != 92 {
			t.Errorf("line %d = %s %s %s of %s %s/%s %d/%d days; want %+v", l.Line, l.Project, company, l.Amount,
				l.Entitlement, l.Status, l.Reason, l.DaysServed, l.PeriodDays, w)
		}
	}
}

// TestManagerChangeMidQuarterPaysEachCompanyItsDays is the acceptance test
// of shares: each company is paid its days' share, in a transfer of its
// own to its own payee details, prepared by the drafter and approved by a
// second person; the unmanaged days' share is held.
func TestManagerChangeMidQuarterPaysEachCompanyItsDays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		splitCity(f)
		r, err := f.svc.CreateRun(f.ctx, "Q", "2021-Q3")
		f.must(err)
		// P1: 8 × 100 × 3 = 2400.00 split 45:47; P2: 960.00 split 47 (company 6) : 45 (nobody).
		checkLines(t, r, []wantLine{
			{"P1", code(1), "1173.91", "1173.91", Payable, "", 45},
			{"P1", code(5), "1226.09", "1226.09", Payable, "", 47},
			{"P2", code(6), "490.43", "490.43", Payable, "", 47},
			{"P2", "", "0.00", "469.57", Skipped, ReasonNoManager, 45},
		})
		if r.Total != money.MustParse("2890.43") {
			t.Errorf("total = %s, want 2890.43", r.Total)
		}

		// Four eyes: the drafter may not approve; nothing is paid.
		if _, err := f.svc.Approve(f.ctx, r.ID); !errors.Is(err, access.ErrSamePerson) {
			t.Fatalf("Approve by the drafter: error = %v, want same_person", err)
		}
		if got, _ := f.svc.Run(f.ctx, r.ID); got.Status != Draft || got.ApprovedBy != "" {
			t.Errorf("after the drafter's approval: %s by %q, want draft", got.Status, got.ApprovedBy)
		}
		if n := f.count("SELECT COUNT(*) FROM transfers WHERE type = ?", ledger.TypeSubsidy); n != 0 {
			t.Fatalf("%d subsidy transfers after a refused approval, want 0", n)
		}

		paid, err := f.svc.Approve(f.rev, r.ID)
		if err != nil || paid.ApprovedBy != "finance:r" {
			t.Fatalf("Approve = %+v, %v", paid, err)
		}
		want := map[string]struct{ project, amount, account string }{
			code(1): {"P1", "1173.91", "6222000000000001"},
			code(5): {"P1", "1226.09", "6222000000000005"},
			code(6): {"P2", "490.43", "6222000000000006"},
		}
		ts, err := ledger.New(db).List(f.ctx, ledger.Filter{Type: ledger.TypeSubsidy, Limit: 10})
		f.must(err)
		if len(ts) != len(want) {
			t.Fatalf("%d subsidy transfers, want %d", len(ts), len(want))
		}
		for _, tr := range ts {
			w, ok := want[tr.PayeeCreditCode]
			if !ok || tr.Project != w.project || tr.Amount != money.MustParse(w.amount) || tr.PayeeBankAccount != w.account ||
				tr.PreparedBy != "finance:t" || tr.ApprovedBy != "finance:r" || tr.BatchID != r.ID {
				t.Errorf("transfer to %s: %s %s to %s, prepared by %s, approved by %s; want %+v", tr.PayeeCreditCode,
					tr.Project, tr.Amount, tr.PayeeBankAccount, tr.PreparedBy, tr.ApprovedBy, w)
			}
			delete(want, tr.PayeeCreditCode)
		}
		if got := f.balance("WY", "city"); got != money.MustParse("97109.57") {
			t.Errorf("fund balance = %s, want 97109.57", got)
		}
	})
}

// TestSharesSettlePerCompany: a later run compares each company's share
// with what that company was paid: a lower rating claws back from both of
// P1's companies, and a contract recorded for P2's unmanaged days pays the
// held share to its company, leaving company 6 as it was.
func TestSharesSettlePerCompany(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		splitCity(f)
		f.payRun("Q", "2021-Q3")
		f.rate("P1", "2021-Q3", "85")                   // 0.9: 2160.00 split 45:47 = 1056.52 + 1103.48
		f.contract("P2", 7, "2021-07-01", "2021-08-14") // the held 45 days
		second, err := f.svc.CreateRun(f.ctx, "Q", "2021-Q3")
		f.must(err)
		checkLines(t, second, []wantLine{
			{"P1", code(1), "-117.39", "1056.52", Adjustment, ReasonClawback, 45},
			{"P1", code(5), "-122.61", "1103.48", Adjustment, ReasonClawback, 47},
			{"P2", code(7), "469.57", "469.57", Payable, "", 45},
			{"P2", "", "0.00", "490.43", Skipped, ReasonAlreadyPaid, 47}, // company 6, settled,
		})
		if second.Total != money.MustParse("469.57") || second.Clawback != -money.MustParse("240") {
			t.Errorf("second run total %s, clawback %s; want 469.57 and -240.00", second.Total, second.Clawback)
		}
		_, err = f.svc.Approve(f.rev, second.ID)
		f.must(err)
		if got := f.paidTo("P2"); got != money.MustParse("960") {
			t.Errorf("paid for P2 = %s, want the whole 960.00", got)
		}
		third, err := f.svc.CreateRun(f.ctx, "Q", "2021-Q3")
		f.must(err)
		if third.Total != 0 || third.Clawback != 0 {
			t.Errorf("third run total %s, clawback %s; want nothing to do", third.Total, third.Clawback)
		}
	})
}
