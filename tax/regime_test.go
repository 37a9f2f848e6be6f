package tax

import (
	"testing"
	"time"
)

func TestRegimeOn(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	tests := []struct {
		name string
		date time.Time
		want string // "" for none
	}{
		{"day before 2019-76", day(2019, time.May, 31), ""},
		{"first day of 2019-76", day(2019, time.June, 1), "2019-76"},
		{"inside 2019-76", day(2022, time.February, 28), "2019-76"},
		{"last day of 2019-76", day(2025, time.December, 31), "2019-76"},
		{"first day of 2026-7", day(2026, time.January, 1), "2026-7"},
		{"last day of 2026-7", day(2027, time.December, 31), "2026-7"},
		{"day after 2026-7", day(2028, time.January, 1), ""},
		{"long before", day(2000, time.January, 1), ""},
		{"time of day ignored", time.Date(2025, time.December, 31, 23, 59, 59, 0, time.UTC), "2019-76"},
		// 2026-01-01 00:30 in Shanghai is still 2025-12-31 in UTC: the calendar date of the value counts.
		{"date in its own location", time.Date(2026, time.January, 1, 0, 30, 0, 0, shanghai), "2026-7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := RegimeOn(tt.date)
			if ok != (tt.want != "") || r.Code != tt.want {
				t.Errorf("RegimeOn(%s) = %q, %v; want %q", tt.date, r.Code, ok, tt.want)
			}
		})
	}
}

func TestRegimes(t *testing.T) {
	rs := Regimes()
	if len(rs) != 2 || rs[0].Code != "2019-76" || rs[1].Code != "2026-7" {
		t.Fatalf("Regimes() = %+v", rs)
	}
	for i, r := range rs {
		if r.To.Before(r.From) {
			t.Errorf("regime %s ends before it starts", r.Code)
		}
		if i > 0 && !r.From.After(rs[i-1].To) {
			t.Errorf("regime %s overlaps or is out of order", r.Code)
		}
	}
	rs[0].Code = "changed"
	if Regimes()[0].Code != "2019-76" {
		t.Error("Regimes() returned the package's own slice")
	}
}

func TestPeriodParts(t *testing.T) {
	type part struct {
		regime, from, to string
		days             int64
	}
	tests := []struct {
		from, to time.Time
		want     []part
	}{
		{day(2026, 3, 1), day(2026, 3, 1), []part{{"2026-7", "2026-03-01", "2026-03-01", 1}}},
		{day(2025, 12, 22), day(2026, 1, 9), []part{
			{"2019-76", "2025-12-22", "2025-12-31", 10},
			{"2026-7", "2026-01-01", "2026-01-09", 9},
		}},
		{day(2019, 1, 1), day(2028, 12, 31), []part{
			{"", "2019-01-01", "2019-05-31", 151},
			{"2019-76", "2019-06-01", "2025-12-31", 2406},
			{"2026-7", "2026-01-01", "2027-12-31", 730},
			{"", "2028-01-01", "2028-12-31", 366},
		}},
		{day(2018, 1, 1), day(2018, 12, 31), []part{{"", "2018-01-01", "2018-12-31", 365}}},
		{day(2027, 12, 31), day(2028, 1, 1), []part{
			{"2026-7", "2027-12-31", "2027-12-31", 1},
			{"", "2028-01-01", "2028-01-01", 1},
		}},
	}
	for _, tt := range tests {
		got := periodParts(tt.from, tt.to)
		if len(got) != len(tt.want) {
			t.Errorf("periodParts(%s, %s) has %d parts, want %d: %+v", tt.from, tt.to, len(got), len(tt.want), got)
			continue
		}
		for i, g := range got {
			w := tt.want[i]
			if g.regime != w.regime || g.from.Format(time.DateOnly) != w.from ||
				g.to.Format(time.DateOnly) != w.to || g.days != w.days {
				t.Errorf("periodParts(%s, %s)[%d] = {%q %s %s %d}, want %+v", tt.from, tt.to, i,
					g.regime, g.from.Format(time.DateOnly), g.to.Format(time.DateOnly), g.days, w)
			}
		}
	}
}
