package subsidy

import (
	"errors"
	"testing"
	"time"

	"renofund/internal/errs"
)

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		in     string
		kind   string
		months int
		first  string
		prev   string
	}{
		{"2021-07", Month, 1, "2021-07-01", "2021-06"},
		{"2021-01", Month, 1, "2021-01-01", "2020-12"},
		{"2021-Q3", Quarter, 3, "2021-07-01", "2021-Q2"},
		{"2021-Q1", Quarter, 3, "2021-01-01", "2020-Q4"},
		{"2021-H2", HalfYear, 6, "2021-07-01", "2021-H1"},
		{"2021-H1", HalfYear, 6, "2021-01-01", "2020-H2"},
		{"2021", Year, 12, "2021-01-01", "2020"},
	}
	for _, tt := range tests {
		p, err := ParsePeriod(tt.in)
		if err != nil {
			t.Errorf("ParsePeriod(%q): %v", tt.in, err)
			continue
		}
		if p.Kind != tt.kind || p.Months() != tt.months || p.String() != tt.in || p.Prev().String() != tt.prev ||
			p.MonthStarts()[0].Format(time.DateOnly) != tt.first {
			t.Errorf("ParsePeriod(%q) = %+v (months %d, prev %s)", tt.in, p, p.Months(), p.Prev())
		}
	}
	for _, in := range []string{"", "2021-13", "2021-00", "2021-7", "2021-Q5", "2021-Q0", "2021-H3", "21",
		"2021-q3", "2021-W01", " 2021", "2021-07-01"} {
		if _, err := ParsePeriod(in); !errors.Is(err, errs.ErrInvalidRequest) {
			t.Errorf("ParsePeriod(%q) error = %v, want invalid_request", in, err)
		}
	}
}

func TestLastEnded(t *testing.T) {
	// 2021-08-01 00:30 in Lianyungang is still 31 July in UTC.
	now := time.Date(2021, 7, 31, 16, 30, 0, 0, time.UTC)
	for kind, want := range map[string]string{Month: "2021-07", Quarter: "2021-Q2", HalfYear: "2021-H1", Year: "2020"} {
		if got := LastEnded(kind, now).String(); got != want {
			t.Errorf("LastEnded(%s, %s) = %s, want %s", kind, now, got, want)
		}
	}
}

func TestValidMonths(t *testing.T) {
	h2, _ := ParsePeriod("2021-H2")
	tests := []struct {
		from, to string
		want     int
	}{
		{"2021-01-01", "", 6},
		{"2021-09-15", "", 4},
		{"2021-07-01", "2021-07-01", 1},
		{"2021-01-01", "2021-06-30", 0},
		{"2022-01-01", "", 0},
		{"2021-08-31", "2021-10-01", 3},
	}
	for _, tt := range tests {
		if got := h2.validMonths(tt.from, tt.to); got != tt.want {
			t.Errorf("validMonths(%s, %s) = %d, want %d", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestParseScore(t *testing.T) {
	for in, want := range map[string]Score{"0": 0, "100": 10000, "87.5": 8750, "87.50": 8750, "59.99": 5999, "0.01": 1} {
		if got, err := ParseScore(in); err != nil || got != want {
			t.Errorf("ParseScore(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "100.01", "101", "1e2", "87.555", "087", ".5", "5.", "abc", " 5"} {
		if _, err := ParseScore(in); !errors.Is(err, errs.ErrInvalidRequest) {
			t.Errorf("ParseScore(%q) error = %v, want invalid_request", in, err)
		}
	}
	if got := Score(8750).String(); got != "87.5" {
		t.Errorf("String = %s, want 87.5", got)
	}
}

func TestCountedSpans(t *testing.T) {
	q3 := Period{Kind: Quarter, Year: 2021, N: 3}
	days := func(from string) int {
		n := 0
		for _, s := range q3.countedSpans(from, "") {
			n += s.Days()
		}
		return n
	}
	if n := days("2021-01-01"); n != 92 {
		t.Errorf("days of 2021-Q3 = %d, want 92", n)
	}
	// Validity from 20 August: August and September count.
	if n := days("2021-08-20"); n != 61 {
		t.Errorf("counted days from 20 August = %d, want 61", n)
	}
}
