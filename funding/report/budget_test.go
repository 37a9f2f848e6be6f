package report_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"renofund/funding/report"
	"renofund/internal/errs"
	"renofund/internal/window"
)

// TestBudgetReport: each project's spending per category against its
// budget, from its own holdings, net of reversals (LY-001's improvement
// payment and its reversal make nothing, and no date of a last payment);
// a district sees its projects.
func TestBudgetReport(t *testing.T) {
	type row struct {
		project, category     string
		budget, spent, remain int64
	}
	hz := []row{
		{"HZ-001", "basic", 3_000_000, 120_000, 2_880_000},
		{"HZ-001", "improvement", 1_000_000, 2_000, 998_000},
		{"HZ-001", "upgrade", 500_000, 0, 500_000},
		{"HZ-002", "basic", 200_000, 8_000, 192_000},
		{"HZ-002", "improvement", 0, 0, 0},
		{"HZ-002", "upgrade", 5_000, 10_000, -5_000},
	}
	ly := []row{
		{"LY-001", "basic", 50_000, 70_000, -20_000},
		{"LY-001", "improvement", 100_000, 0, 100_000},
		{"LY-001", "upgrade", 0, 0, 0},
	}
	eachTown(t, func(t *testing.T, town *smallTown) {
		for _, tc := range []struct {
			actor, district string // who asks, and for which district
			rows            []row
		}{
			{"", "", slices.Concat(hz, ly)},
			{"", "LY", ly},
			{"HZ", "", hz},
			{"HZ", "HZ", hz},
			{"LY", "", ly},
		} {
			lines, err := town.svc.Reports.BudgetReport(office(tc.actor), tc.district, window.Window{})
			if err != nil {
				t.Fatal(err)
			}
			for i, l := range lines {
				if (l.LastPaid != "") != (l.Spent != 0) {
					t.Errorf("%s %s: spent %s, last paid %q", l.Project, l.Category, l.Spent, l.LastPaid)
				}
				if l.Project == "LY-001" && l.Category == "basic" && l.LastPaid != "2026-04-06" {
					t.Errorf("LY-001 basic last paid %q, want 2026-04-06", l.LastPaid)
				}
				lines[i].LastPaid = ""
			}
			var want []report.BudgetLine
			for _, r := range tc.rows {
				want = append(want, report.BudgetLine{Project: r.project, District: r.project[:2], Category: r.category,
					Budget: yuan(r.budget), Spent: yuan(r.spent), Remaining: yuan(r.remain)})
			}
			if !slices.Equal(lines, want) {
				t.Errorf("%q asks for %q:\n%+v\nwant\n%+v", tc.actor, tc.district, lines, want)
			}
		}
		if _, err := town.svc.Reports.BudgetReport(office("HZ"), "LY", window.Window{}); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("HZ asks for LY's budgets: %v, want forbidden", err)
		}
	})
}

// TestIdleReport: holdings whose money has not moved on for more than the
// given days before as_of, idle since the last outflow or else the first
// inflow; a district sees its own.
func TestIdleReport(t *testing.T) {
	type row struct {
		fund, holder, district string
		balance                int64
		since                  string
		days                   int
	}
	cgCity := row{"CG", "city", "city", 350_000, "2026-02-03", 101}
	cgHZ := row{"CG", "district:HZ", "HZ", 100_000, "2026-02-10", 94}
	dfHZ := row{"HZ-DF", "district:HZ", "HZ", 80_000, "2026-02-05", 99}
	sbCity := row{"SB", "city", "city", 300_000, "2026-02-05", 99}
	sbLY := row{"SB", "district:LY", "LY", 200_000, "2026-02-05", 99}
	kinds := map[string]string{"CG": "central_grant", "HZ-DF": "district_fiscal", "SB": "special_bond"}
	eachTown(t, func(t *testing.T, town *smallTown) {
		for _, tc := range []struct {
			actor string
			days  int
			asOf  time.Time
			rows  []row
		}{
			{"", 90, asOf, []row{cgCity, cgHZ, dfHZ, sbCity, sbLY}},
			{"", 98, asOf, []row{cgCity, dfHZ, sbCity, sbLY}},
			{"", 99, asOf, []row{cgCity}},
			{"", 101, asOf, nil},
			{"", 90, time.Date(2026, 5, 5, 0, 0, 0, 0, time.UTC), []row{
				{"CG", "city", "city", 350_000, "2026-02-03", 91}}},
			{"HZ", 90, asOf, []row{cgHZ, dfHZ}},
			{"LY", 90, asOf, []row{sbLY}},
		} {
			lines, err := town.svc.Reports.IdleReport(office(tc.actor), tc.days, tc.asOf, window.Window{})
			if err != nil {
				t.Fatal(err)
			}
			want := []report.IdleLine{}
			for _, r := range tc.rows {
				want = append(want, report.IdleLine{Fund: r.fund, Kind: kinds[r.fund], Holder: r.holder, District: r.district,
					Balance: yuan(r.balance), IdleSince: r.since, DaysIdle: r.days})
			}
			if !slices.Equal(lines, want) {
				t.Errorf("%q, %d days before %s:\n%+v\nwant\n%+v", tc.actor, tc.days, tc.asOf.Format(time.DateOnly), lines, want)
			}
		}
		for _, days := range []int{-1, 36501} {
			if _, err := town.svc.Reports.IdleReport(finance(), days, asOf, window.Window{}); !errors.Is(err, errs.ErrInvalidRequest) {
				t.Errorf("days %d: %v, want invalid request", days, err)
			}
		}
	})
}
