package report_test

import (
	"errors"
	"slices"
	"testing"

	"renofund/funding/report"
	"renofund/internal/errs"
	"renofund/internal/window"
)

// flow is a report.Flow in yuan: received, allocated in, allocated out,
// spent, available.
func flow(received, in, out, spent, available int64) report.Flow {
	return report.Flow{Received: yuan(received), AllocatedIn: yuan(in), AllocatedOut: yuan(out), Spent: yuan(spent),
		Available: yuan(available)}
}

// TestFundingReport: money by area and fund kind, net of the reversal; every
// row and the totals satisfy received + in − out − spent = available, the
// rows add up to the totals, and a district sees its own rows only.
func TestFundingReport(t *testing.T) {
	line := func(district, kind string, f report.Flow) report.FundingLine {
		return report.FundingLine{District: district, Kind: kind, Flow: f}
	}
	hz := []report.FundingLine{
		line("HZ", "central_grant", flow(0, 800_000, 300_000, 130_000, 370_000)),
		line("HZ", "district_fiscal", flow(80_000, 0, 0, 0, 80_000)),
		line("HZ", "maintenance_fund", flow(20_000, 0, 0, 8_000, 12_000)),
		line("HZ", "resident_contribution", flow(5_000, 0, 0, 2_000, 3_000)),
	}
	ly := []report.FundingLine{
		line("LY", "central_grant", flow(0, 350_000, 50_000, 70_000, 230_000)),
		line("LY", "special_bond", flow(0, 200_000, 0, 0, 200_000)),
	}
	city := []report.FundingLine{
		line("city", "central_grant", flow(1_300_000, 0, 800_000, 0, 500_000)),
		line("city", "special_bond", flow(500_000, 0, 200_000, 0, 300_000)),
	}
	eachTown(t, func(t *testing.T, town *smallTown) {
		for _, tc := range []struct {
			district string
			lines    []report.FundingLine
			totals   report.Flow
		}{
			{"", slices.Concat(hz, ly, city), flow(1_905_000, 1_350_000, 1_350_000, 210_000, 1_695_000)},
			{"HZ", hz, flow(105_000, 800_000, 300_000, 140_000, 465_000)},
			{"LY", ly, flow(0, 550_000, 50_000, 70_000, 430_000)},
		} {
			r, err := town.svc.Reports.FundingReport(office(tc.district), window.Window{})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.Lines, tc.lines) {
				t.Errorf("%q: lines\n%+v\nwant\n%+v", tc.district, r.Lines, tc.lines)
			}
			if r.Totals != tc.totals {
				t.Errorf("%q: totals %+v, want %+v", tc.district, r.Totals, tc.totals)
			}
			var sum report.Flow
			for _, l := range append(r.Lines, report.FundingLine{District: "totals", Flow: r.Totals}) {
				if got := l.Received + l.AllocatedIn - l.AllocatedOut - l.Spent; got != l.Available {
					t.Errorf("%q: %s %s: received + in − out − spent = %s, available %s", tc.district, l.District, l.Kind, got, l.Available)
				}
				if l.District != "totals" {
					sum = report.Flow{Received: sum.Received + l.Received, AllocatedIn: sum.AllocatedIn + l.AllocatedIn,
						AllocatedOut: sum.AllocatedOut + l.AllocatedOut, Spent: sum.Spent + l.Spent, Available: sum.Available + l.Available}
				}
			}
			if sum != r.Totals {
				t.Errorf("%q: rows add up to %+v, totals say %+v", tc.district, sum, r.Totals)
			}
		}
	})
}

// TestDirectReport: the month's allocations and disbursements of direct
// funds beside those to the month's end, per area.
func TestDirectReport(t *testing.T) {
	line := func(district string, allocMonth, allocToDate, spentMonth, spentToDate, available int64) report.DirectLine {
		return report.DirectLine{Fund: "DIR", District: district, AllocatedMonth: yuan(allocMonth),
			AllocatedToDate: yuan(allocToDate), SpentMonth: yuan(spentMonth), SpentToDate: yuan(spentToDate),
			Available: yuan(available)}
	}
	eachTown(t, func(t *testing.T, town *smallTown) {
		for _, tc := range []struct {
			district, month, due string
			lines                []report.DirectLine
		}{
			{"", "2026-02", "2026-03-10", []report.DirectLine{}},
			{"", "2026-03", "2026-04-10", []report.DirectLine{
				line("HZ", 100_000, 100_000, 10_000, 10_000, 90_000),
				line("LY", 50_000, 50_000, 0, 0, 50_000),
				line("city", 0, 0, 0, 0, 150_000),
			}},
			{"", "2026-04", "2026-05-10", []report.DirectLine{
				line("HZ", 0, 100_000, 0, 10_000, 90_000),
				line("LY", 50_000, 100_000, 30_000, 30_000, 20_000),
				line("city", 0, 0, 0, 0, 150_000),
			}},
			{"HZ", "2026-04", "2026-05-10", []report.DirectLine{line("HZ", 0, 100_000, 0, 10_000, 90_000)}},
			{"LY", "2026-12", "2027-01-10", []report.DirectLine{line("LY", 0, 100_000, 0, 30_000, 20_000)}},
		} {
			r, err := town.svc.Reports.DirectReport(office(tc.district), tc.month)
			if err != nil {
				t.Fatal(err)
			}
			if r.Month != tc.month || r.Due != tc.due || !slices.Equal(r.Lines, tc.lines) {
				t.Errorf("%q %s: %+v\nwant due %s, lines %+v", tc.district, tc.month, r, tc.due, tc.lines)
			}
		}
		for _, month := range []string{"2026-13", "2026-4", "April"} {
			if _, err := town.svc.Reports.DirectReport(finance(), month); !errors.Is(err, errs.ErrInvalidRequest) {
				t.Errorf("month %q: %v, want invalid request", month, err)
			}
		}
	})
}
