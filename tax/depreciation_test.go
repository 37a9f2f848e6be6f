package tax

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"renofund/internal/money"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestDepreciateClasses(t *testing.T) {
	tests := []struct {
		class            AssetClass
		cost             string
		life             int
		wantLife         int
		first, last      string
		monthly, lastDep string
	}{
		// 10000.00 / 36 = 277.777… → 277.78; 35 × 277.78 = 9722.30, last 277.70.
		{Electronics, "10000", 0, 3, "2026-04", "2029-03", "277.78", "277.70"},
		// 100.01 / 48 = 2.0835… → 2.08 (rounded down); last 100.01 − 47 × 2.08 = 2.25.
		{Vehicle, "100.01", 0, 4, "2026-04", "2030-03", "2.08", "2.25"},
		// 100.00 / 60 = 1.666… → 1.67; last 100.00 − 59 × 1.67 = 1.47.
		{Tools, "100", 0, 5, "2026-04", "2031-03", "1.67", "1.47"},
		{Machinery, "120000", 0, 10, "2026-04", "2036-03", "1000.00", "1000.00"},
		// A longer life than the minimum is allowed.
		{Machinery, "1800", 15, 15, "2026-04", "2041-03", "10.00", "10.00"},
		// 1234567.89 / 240 = 5144.0328… → 5144.03; last 1234567.89 − 239 × 5144.03 = 5144.72.
		{Building, "1234567.89", 0, 20, "2026-04", "2046-03", "5144.03", "5144.72"},
		{Building, "1234567.89", 20, 20, "2026-04", "2046-03", "5144.03", "5144.72"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s/%d", tt.class, tt.cost, tt.life), func(t *testing.T) {
			a := Asset{Class: tt.class, Nature: Capital, Cost: money.MustParse(tt.cost),
				InService: day(2026, 3, 15), LifeYears: tt.life}
			s, err := Depreciate(a)
			if err != nil {
				t.Fatalf("Depreciate: %v", err)
			}
			if s.LifeYears != tt.wantLife || s.Months != tt.wantLife*12 || len(s.Rows) != s.Months {
				t.Fatalf("life %d, months %d, rows %d; want life %d", s.LifeYears, s.Months, len(s.Rows), tt.wantLife)
			}
			first, last := s.Rows[0], s.Rows[len(s.Rows)-1]
			if first.Month != tt.first || last.Month != tt.last {
				t.Errorf("months %s..%s, want %s..%s", first.Month, last.Month, tt.first, tt.last)
			}
			if first.Depreciation.String() != tt.monthly || last.Depreciation.String() != tt.lastDep {
				t.Errorf("first %s, last %s; want %s, %s", first.Depreciation, last.Depreciation, tt.monthly, tt.lastDep)
			}
			checkSchedule(t, a, s)
		})
	}
}

func TestDepreciateTinyCost(t *testing.T) {
	tests := []struct {
		name        string
		class       AssetClass
		cost        money.Amount
		wantNonZero int // rows charging something
		wantLast    money.Amount
	}{
		// 1.50 / 240 = 0.00625 → 0.01: 239 × 0.01 would exceed the cost, so only 150 months charge.
		{"building 1.50", Building, 150, 150, 0},
		// 5.94 / 36 = 0.165 → 0.17: month 35 gets what is left (0.16) and month 36 nothing.
		{"electronics 5.94", Electronics, 594, 35, 0},
		// 5.95 / 36 = 0.1652… → 0.17: 35 × 0.17 = 5.95 exactly.
		{"electronics 5.95", Electronics, 595, 35, 0},
		// 0.01 / 36 rounds to 0: the last month takes the whole cost.
		{"electronics 0.01", Electronics, 1, 1, 1},
		// 0.17 / 36 = 0.0047 → 0: the last month takes the whole cost.
		{"electronics 0.17", Electronics, 17, 1, 17},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Asset{Class: tt.class, Nature: Capital, Cost: tt.cost, InService: day(2026, 1, 10)}
			s, err := Depreciate(a)
			if err != nil {
				t.Fatal(err)
			}
			nonZero := 0
			for _, r := range s.Rows {
				if r.Depreciation != 0 {
					nonZero++
				}
			}
			if nonZero != tt.wantNonZero || s.Rows[len(s.Rows)-1].Depreciation != tt.wantLast {
				t.Errorf("%d charging rows, last %s; want %d, %s", nonZero, s.Rows[len(s.Rows)-1].Depreciation,
					tt.wantNonZero, tt.wantLast)
			}
			checkSchedule(t, a, s)
		})
	}
}

// TestDepreciateInvariants runs every small cost where rounding can go wrong,
// and a spread of larger ones, through every class.
func TestDepreciateInvariants(t *testing.T) {
	costs := []money.Amount{money.Max, money.Max - 1, 123456789, 99999999}
	for c := money.Amount(1); c <= 3000; c++ {
		costs = append(costs, c)
	}
	for c := money.Amount(28000); c <= 29000; c += 7 {
		costs = append(costs, c) // around 240²/2 fen, where the cap stops being needed
	}
	for class := range minLifeYears {
		for _, c := range costs {
			a := Asset{Class: class, Nature: Capital, Cost: c, InService: day(2025, 12, 31)}
			s, err := Depreciate(a)
			if err != nil {
				t.Fatalf("Depreciate(%+v): %v", a, err)
			}
			checkSchedule(t, a, s)
		}
	}
}

// checkSchedule verifies a capital schedule: consecutive months from the one
// after in-service, no negative charge, running totals right, the rows sum to
// the cost, every row but the last charges cost/months rounded half-up or
// less, and only once the cost is used up.
func checkSchedule(t *testing.T, a Asset, s Schedule) {
	t.Helper()
	months := int64(len(s.Rows))
	monthly := (2*int64(a.Cost) + months) / (2 * months)
	next := civil(a.InService).AddDate(0, 1, 0)
	var acc money.Amount
	for i, r := range s.Rows {
		want := fmt.Sprintf("%04d-%02d", next.Year(), next.Month())
		if r.Month != want {
			t.Fatalf("row %d month %s, want %s", i, r.Month, want)
		}
		next = time.Date(next.Year(), next.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		if r.Depreciation < 0 {
			t.Fatalf("cost %s row %d is negative: %s", a.Cost, i, r.Depreciation)
		}
		if i < len(s.Rows)-1 && int64(r.Depreciation) != monthly && a.Cost-acc >= money.Amount(monthly) {
			t.Fatalf("cost %s row %d charges %s, want %d fen", a.Cost, i, r.Depreciation, monthly)
		}
		acc += r.Depreciation
		if r.Accumulated != acc || r.Net != a.Cost-acc || r.Net < 0 {
			t.Fatalf("cost %s row %d: accumulated %s net %s, want %s and %s", a.Cost, i, r.Accumulated, r.Net, acc, a.Cost-acc)
		}
	}
	if acc != a.Cost {
		t.Fatalf("schedule sums to %s, want %s", acc, a.Cost)
	}
}

func TestDepreciateMaintenance(t *testing.T) {
	for class := range minLifeYears {
		s, err := Depreciate(Asset{Class: class, Nature: Maintenance, Cost: money.MustParse("8888.88"),
			InService: day(2026, 3, 31)})
		if err != nil {
			t.Fatalf("%s: %v", class, err)
		}
		want := Row{Month: "2026-03", Depreciation: 888888, Accumulated: 888888, Net: 0}
		if s.LifeYears != 0 || s.Months != 1 || len(s.Rows) != 1 || s.Rows[0] != want {
			t.Errorf("%s: schedule %+v, want one row %+v", class, s, want)
		}
	}
}

func TestDepreciateDateOnly(t *testing.T) {
	// 2026-03-31 23:30 in UTC+8 is the 31st wherever it is read: only the date counts.
	in := time.Date(2026, 3, 31, 23, 30, 0, 0, time.FixedZone("CST", 8*3600))
	s, err := Depreciate(Asset{Class: Electronics, Nature: Capital, Cost: 3600, InService: in})
	if err != nil {
		t.Fatal(err)
	}
	if s.Rows[0].Month != "2026-04" {
		t.Errorf("first month %s, want 2026-04", s.Rows[0].Month)
	}
}

func TestDepreciateRefuses(t *testing.T) {
	ok := Asset{Class: Building, Nature: Capital, Cost: money.MustParse("100"), InService: day(2026, 1, 1)}
	tests := []struct {
		name   string
		change func(*Asset)
		want   error
	}{
		{"empty class", func(a *Asset) { a.Class = "" }, ErrInvalid},
		{"unknown class", func(a *Asset) { a.Class = "land" }, ErrInvalid},
		{"class in the wrong case", func(a *Asset) { a.Class = "Building" }, ErrInvalid},
		{"empty nature", func(a *Asset) { a.Nature = "" }, ErrInvalid},
		{"unknown nature", func(a *Asset) { a.Nature = "repair" }, ErrInvalid},
		{"zero cost", func(a *Asset) { a.Cost = 0 }, ErrInvalid},
		{"negative cost", func(a *Asset) { a.Cost = -1 }, ErrInvalid},
		{"cost above 10^15 yuan", func(a *Asset) { a.Cost = money.Max + 1 }, ErrInvalid},
		{"no in-service date", func(a *Asset) { a.InService = time.Time{} }, ErrInvalid},
		{"negative life", func(a *Asset) { a.LifeYears = -1 }, ErrInvalid},
		{"life above the bound", func(a *Asset) { a.LifeYears = MaxLifeYears + 1 }, ErrInvalid},
		{"schedule past year 9999", func(a *Asset) { a.InService = day(9985, 1, 1) }, ErrInvalid},
		{"building below 20 years", func(a *Asset) { a.LifeYears = 19 }, ErrRuleViolation},
		{"machinery below 10 years", func(a *Asset) { a.Class, a.LifeYears = Machinery, 9 }, ErrRuleViolation},
		{"tools below 5 years", func(a *Asset) { a.Class, a.LifeYears = Tools, 4 }, ErrRuleViolation},
		{"vehicle below 4 years", func(a *Asset) { a.Class, a.LifeYears = Vehicle, 3 }, ErrRuleViolation},
		{"electronics below 3 years", func(a *Asset) { a.Class, a.LifeYears = Electronics, 2 }, ErrRuleViolation},
		{"maintenance with a short life", func(a *Asset) { a.Nature, a.LifeYears = Maintenance, 1 }, ErrRuleViolation},
	}
	if _, err := Depreciate(ok); err != nil {
		t.Fatalf("baseline asset refused: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := ok
			tt.change(&a)
			s, err := Depreciate(a)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Depreciate = %d rows, %v; want %v", len(s.Rows), err, tt.want)
			}
			if errors.Is(err, ErrInvalid) && errors.Is(err, ErrRuleViolation) {
				t.Errorf("error %v is both invalid and a rule violation", err)
			}
		})
	}
}

func TestMinLifeYears(t *testing.T) {
	want := map[AssetClass]int{Building: 20, Machinery: 10, Tools: 5, Vehicle: 4, Electronics: 3}
	for c, w := range want {
		if got, ok := c.MinLifeYears(); !ok || got != w {
			t.Errorf("%s.MinLifeYears() = %d, %v; want %d", c, got, ok, w)
		}
	}
	if _, ok := AssetClass("land").MinLifeYears(); ok {
		t.Error("unknown class has a minimum life")
	}
}

func TestDepreciateGolden(t *testing.T) {
	tests := []struct {
		file  string
		asset Asset
	}{
		{"electronics_10000.00_2026-03-15.golden",
			Asset{Class: Electronics, Nature: Capital, Cost: money.MustParse("10000.00"), InService: day(2026, 3, 15)}},
		{"building_1234567.89_2025-12-31.golden",
			Asset{Class: Building, Nature: Capital, Cost: money.MustParse("1234567.89"), InService: day(2025, 12, 31)}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s, err := Depreciate(tt.asset)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, r := range s.Rows {
				fmt.Fprintf(&b, "%s %s %s %s\n", r.Month, r.Depreciation, r.Accumulated, r.Net)
			}
			path := filepath.Join("testdata", tt.file)
			if *update {
				if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./tax/ -run Golden -update to create it)", err)
			}
			if got := b.String(); got != string(want) {
				t.Errorf("schedule differs from %s:\n%s", path, diff(got, string(want)))
			}
		})
	}
}

// diff names the first line where got and want differ.
func diff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d: got %q, want %q", i+1, gl, wl)
		}
	}
	return "(no difference)"
}
