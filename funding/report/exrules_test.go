package report_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/funding/report"
	"renofund/internal/creditcode"
	"renofund/internal/field"
	"renofund/internal/money"
)

// found runs one rule for the finance bureau under r and returns its
// findings.
func found(t *testing.T, town *smallTown, r report.Rules, code string) []report.Exception {
	t.Helper()
	ex, err := town.svc.Reports.ExceptionList(finance(), report.ExceptionQuery{Rules: r, Kind: code})
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

// TestDuplicatePayments: HZ-001 pays the contractor 5,000 on 05-02 and again
// on 05-06 (one finding: 5,000 paid beyond the first), and on 05-20, more
// than 7 days after; 5,000 to another payee on 05-03 is not the same payee;
// 7,000 twice, the second reversed, is no longer a duplicate. A longer
// window takes in the 05-20 payment once it is made (as of 05-31); a
// district sees its own.
func TestDuplicatePayments(t *testing.T) {
	eachTown(t, func(t *testing.T, town *smallTown) {
		other := payment("HZ-001", funding.Basic, "CG", 5_000, "2026-05-03")
		other.Payee = &movement.Party{Name: "另一家公司", CreditCode: creditcode.Complete("91320700MA1Y00008"), BankAccount: "6222000000000009"}
		_, ts, err := town.svc.Movements.Batch(finance(), []movement.BatchItem{
			payment("HZ-001", funding.Basic, "CG", 5_000, "2026-05-02"),
			payment("HZ-001", funding.Basic, "CG", 5_000, "2026-05-06"),
			payment("HZ-001", funding.Basic, "CG", 5_000, "2026-05-20"),
			other,
			payment("HZ-001", funding.Basic, "CG", 7_000, "2026-05-04"),
			payment("HZ-001", funding.Basic, "CG", 7_000, "2026-05-05"),
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := town.svc.Movements.Reverse(finance(), ts[5].ID, "重复付款"); err != nil {
			t.Fatal(err)
		}
		r := report.DefaultRules(asOf)
		ex := found(t, town, r, report.ExDuplicate)
		if len(ex) != 1 {
			t.Fatalf("duplicates %+v, want one", ex)
		}
		d := ex[0]
		want := "vouchers " + ts[0].VoucherNo + ", " + ts[1].VoucherNo
		if d.ID != "duplicate_payment:"+ts[0].VoucherNo || d.Subject != want || d.Amount != yuan(5_000) ||
			d.On != "2026-05-06" || d.District != "HZ" || d.Severity != "high" || !strings.Contains(d.Detail, contractor.CreditCode) {
			t.Errorf("duplicate %+v, want %s for 5000.00 on 2026-05-06", d, want)
		}
		r.DuplicateDays = 14
		if ex := found(t, town, r, report.ExDuplicate); len(ex) != 1 || ex[0].Amount != yuan(5_000) {
			t.Errorf("within 14 days as of %s, before the 05-20 payment: %+v", asOf.Format(time.DateOnly), ex)
		}
		r.AsOf = time.Date(2026, 5, 31, 0, 0, 0, 0, time.UTC)
		if ex := found(t, town, r, report.ExDuplicate); len(ex) != 1 || ex[0].Amount != yuan(10_000) ||
			!strings.HasSuffix(ex[0].Subject, ts[2].VoucherNo) || ex[0].ID != d.ID {
			t.Errorf("within 14 days: %+v, want three payments under the same id", ex)
		}
		for who, n := range map[string]int{"HZ": 1, "LY": 0} {
			ex, err := town.svc.Reports.ExceptionList(office(who), report.ExceptionQuery{Rules: report.DefaultRules(asOf), Kind: report.ExDuplicate})
			if err != nil || len(ex) != n {
				t.Errorf("%s sees %+v, %v; want %d", who, ex, err, n)
			}
		}
	})
}

// TestCentralIneligible: central money that reaches HZ-003, built in 2005,
// is a finding per fund; the communities built by 2000 are not, and
// neither is other money at HZ-003.
func TestCentralIneligible(t *testing.T) {
	eachTown(t, func(t *testing.T, town *smallTown) {
		_, err := town.svc.Registry.CreateProject(finance(), funding.Project{Code: "HZ-003", Name: "新小区", District: "HZ",
			Households: 50, FloorAreaM2: money.MustRate("3000"), Buildings: 2, BuiltYear: 2005,
			Budget: funding.Budget{Basic: yuan(100_000)}})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := town.svc.Movements.Batch(finance(), []movement.BatchItem{
			allocation("CG", "city", "project:HZ-003", 30_000, "2026-05-01"),
			allocation("CG", "city", "project:HZ-003", 20_000, "2026-05-08"),
			allocation("HZ-DF", "district:HZ", "project:HZ-003", 10_000, "2026-05-01"),
			payment("HZ-003", funding.Basic, "CG", 15_000, "2026-05-10"),
		}); err != nil {
			t.Fatal(err)
		}
		ex := found(t, town, report.DefaultRules(asOf), report.ExCentral)
		if len(ex) != 1 {
			t.Fatalf("central_ineligible %+v, want one", ex)
		}
		if e := ex[0]; e.ID != "central_ineligible:CG@project:HZ-003" || e.Amount != yuan(50_000) || e.On != "2026-05-01" ||
			e.District != "HZ" || !strings.Contains(e.Detail, "built in 2005") {
			t.Errorf("finding %+v", e)
		}
		if ex, err := town.svc.Reports.ExceptionList(office("LY"), report.ExceptionQuery{Rules: report.DefaultRules(asOf),
			Kind: report.ExCentral}); err != nil || len(ex) != 0 {
			t.Errorf("LY sees %+v, %v", ex, err)
		}
	})
}

// TestLateEntries: the town's vouchers were booked in early 2026 and
// recorded when the test runs, so as of today each area's are one late
// entry (the city's, HZ's, LY's), recorded today; as of a date before they
// were recorded there is none, and none when the allowed gap is long.
func TestLateEntries(t *testing.T) {
	eachTown(t, func(t *testing.T, town *smallTown) {
		// Today in the booking zone, as the API takes it: from 16:00 UTC
		// the UTC date is a day behind China's.
		now := time.Now().In(field.Zone)
		ex := found(t, town, report.DefaultRules(now), report.ExLateEntry)
		var areas []string
		for _, e := range ex {
			areas = append(areas, e.Subject)
			if e.Amount <= 0 || e.On < "2026-01-10" || e.Severity != "medium" || !strings.Contains(e.Detail, "finance:bureau") {
				t.Errorf("late entry %+v", e)
			}
		}
		today := now.Format(time.DateOnly)
		var want []string
		for _, a := range []string{"HZ", "LY", "city"} {
			want = append(want, "vouchers of "+a+" recorded on "+today)
		}
		slices.Sort(areas)
		if !slices.Equal(areas, want) {
			t.Errorf("late entries %v, want %v", areas, want)
		}
		if ex := found(t, town, report.DefaultRules(asOf), report.ExLateEntry); len(ex) != 0 {
			t.Errorf("as of %s, before anything was recorded: %+v", asOf.Format(time.DateOnly), ex)
		}
		r := report.DefaultRules(now)
		r.LateDays = 36500
		if ex := found(t, town, r, report.ExLateEntry); len(ex) != 0 {
			t.Errorf("a gap of 36500 days allowed: %+v", ex)
		}
	})
}
