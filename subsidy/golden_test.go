package subsidy

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/tabwriter"

	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// goldenCity is eight communities in two districts chosen to exercise every
// basis, band, rounding and skip reason.
func goldenCity(f *fixture) {
	f.districts("HZ", "LY")
	f.subsidyFund("WY2021", "100000000")
	for _, p := range []struct {
		code, district string
		households     int64
		area, score    string
		manager        bool
	}{
		{"A01", "HZ", 120, "8456.78", "95", true},
		{"A02", "HZ", 37, "1234.567", "85", true},
		{"A03", "HZ", 1, "0.5", "60.5", true},
		{"A04", "HZ", 250, "20000", "59.99", true},
		{"B01", "LY", 80, "5000", "", true},          // no rating
		{"B02", "LY", 64, "3210.05", "88.88", false}, // no property manager
		{"B03", "LY", 0, "0", "100", true},           // nothing to multiply per household or m²
		{"B04", "LY", 500, "40000.5", "72", true},
	} {
		f.project(p.code, p.district, p.households, p.area)
		if p.manager {
			f.manager(p.code, len(p.code)+int(p.households))
		}
		if p.score != "" {
			for _, period := range []string{"2021-07", "2021-Q3", "2021-H2", "2021"} {
				f.rate(p.code, period, p.score)
			}
		}
	}
}

func TestGoldenRuns(t *testing.T) {
	base := Scheme{Name: "物业服务补贴", Fund: "WY2021", ValidFrom: "2021-01-01"}
	with := func(mod func(*Scheme)) Scheme { sc := base; mod(&sc); return sc }
	cases := []struct {
		name   string
		scheme Scheme
		period string
	}{
		{"household_month_bands", with(func(s *Scheme) {
			s.Basis, s.Period, s.Rate, s.Bands = PerHouseholdMonth, Month, money.MustRate("8.333"), standardBands()
		}), "2021-07"},
		{"household_month_half_up", with(func(s *Scheme) { // 37 × 0.125 = 4.625 → 4.63; 1 × 0.125 → 0.13
			s.Basis, s.Period, s.Rate, s.Bands = PerHouseholdMonth, Month, money.MustRate("0.125"), bands("0", "1")
		}), "2021-07"},
		{"m2_quarter_cap", with(func(s *Scheme) {
			s.Basis, s.Period, s.Rate, s.Bands = PerM2Month, Quarter, money.MustRate("0.15"), standardBands()
			s.Cap = amountPtr("5000")
		}), "2021-Q3"},
		{"community_year_formula", with(func(s *Scheme) { // (15 + score)% below 85
			s.Basis, s.Period, s.Rate, s.Bands = PerCommunityPeriod, Year, money.MustRate("50000"), bands("85", "1")
			s.Formula = &Formula{Below: *scorePtr("85"), Base: money.MustRate("0.15"), PerPoint: money.MustRate("0.01")}
		}), "2021"},
		{"household_half_year_partial_validity", with(func(s *Scheme) {
			s.Basis, s.Period, s.Rate, s.Bands = PerHouseholdMonth, HalfYear, money.MustRate("10"), bands("85", "1")
			s.Formula = &Formula{Below: *scorePtr("85"), From: scorePtr("60"), Base: money.MustRate("0.15"),
				PerPoint: money.MustRate("0.01")}
			s.ValidFrom, s.ValidTo = "2021-09-15", "2022-06-30"
		}), "2021-H2"},
		{"outside_validity", with(func(s *Scheme) {
			s.Basis, s.Period, s.Rate, s.Bands = PerHouseholdMonth, HalfYear, money.MustRate("10"), standardBands()
			s.ValidFrom = "2022-01-01"
		}), "2021-H2"},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		goldenCity(f)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				sc := tc.scheme
				sc.Code = strings.ToUpper(tc.name)
				f.scheme(sc)
				r, err := f.svc.CreateRun(f.ctx, sc.Code, tc.period)
				if err != nil {
					t.Fatal(err)
				}
				var b bytes.Buffer
				b.WriteString(render(r))
				b.WriteString("\n")
				if err := r.WriteCSV(&b); err != nil {
					t.Fatal(err)
				}
				golden(t, tc.name, b.Bytes())
				// What was stored reads back the same.
				again, err := f.svc.Run(f.ctx, r.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := render(again), render(r); got != want {
					t.Errorf("stored run differs:\n%s\nwant\n%s", got, want)
				}
			})
		}
	})
}

// render prints a run without ids or timestamps.
func render(r *Run) string {
	var b strings.Builder
	fmt.Fprintf(&b, "run %s v%d %s status=%s total=%s clawback=%s lines=%d\n", r.Scheme, r.SchemeVersion, r.Period,
		r.Status, r.Total, r.Clawback, r.LineCount)
	w := tabwriter.NewWriter(&b, 0, 0, 1, ' ', 0)
	fmt.Fprintln(w, "line\tproject\tdistrict\tscore\tband\tratio\tbase\tmonths\tentitlement\tsettled\tamount\tcapped\tstatus\treason\tpayee\t")
	for _, l := range r.Lines {
		payee := ""
		if l.Payee != nil {
			payee = l.Payee.Name + "/" + l.Payee.CreditCode + "/" + l.Payee.BankAccount
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%t\t%s\t%s\t%s\t\n", l.Line, l.Project, l.District,
			formatScore(l.Score), l.Band, l.Ratio, l.Base, l.Months, l.Entitlement, l.Settled, l.Amount, l.Capped,
			l.Status, l.Reason, payee)
	}
	w.Flush()
	for _, d := range r.Districts {
		fmt.Fprintf(&b, "district %s lines=%d paying=%d total=%s clawback=%s\n", d.District, d.Lines, d.Paying,
			d.Total, d.Clawback)
	}
	return b.String()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n%s\nwant:\n%s", name, got, want)
	}
}
