package subsidy

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"renofund/internal/errs"
	"renofund/subsidy/manager"
)

// Period kinds: how long one assessment and payout period lasts.
const (
	Month    = "month"
	Quarter  = "quarter"
	HalfYear = "half_year"
	Year     = "year"
)

// PeriodKinds lists the kinds in order of length.
var PeriodKinds = []string{Month, Quarter, HalfYear, Year}

// Zone is the clock periods and schedules are read in: China Standard Time,
// UTC+8 all year (no daylight saving), so that a run at 01:00 on 1 August in
// Lianyungang treats July as the period just ended.
var Zone = time.FixedZone("CST", 8*3600)

// Period is one assessment period: "2021-07" (month), "2021-Q3" (quarter),
// "2021-H2" (half-year) or "2021" (year).
type Period struct {
	Kind string
	Year int
	N    int // month 1–12, quarter 1–4, half 1–2; 0 for a year
}

var periodPattern = regexp.MustCompile(`^([0-9]{4})(?:-(0[1-9]|1[0-2])|-Q([1-4])|-H([12]))?$`)

// ParsePeriod reads a period in one of the four API forms.
func ParsePeriod(s string) (Period, error) {
	m := periodPattern.FindStringSubmatch(s)
	if m == nil {
		return Period{}, fmt.Errorf("%w: period %q must look like 2021-07, 2021-Q3, 2021-H2 or 2021",
			errs.ErrInvalidRequest, s)
	}
	y, _ := strconv.Atoi(m[1])
	if y < 1900 || y > 2200 {
		return Period{}, fmt.Errorf("%w: period %q is out of range", errs.ErrInvalidRequest, s)
	}
	p := Period{Kind: Year, Year: y}
	for i, kind := range []string{Month, Quarter, HalfYear} {
		if m[i+2] != "" {
			p.Kind = kind
			p.N, _ = strconv.Atoi(m[i+2])
		}
	}
	return p, nil
}

// String formats the period in its API form.
func (p Period) String() string {
	switch p.Kind {
	case Month:
		return fmt.Sprintf("%04d-%02d", p.Year, p.N)
	case Quarter:
		return fmt.Sprintf("%04d-Q%d", p.Year, p.N)
	case HalfYear:
		return fmt.Sprintf("%04d-H%d", p.Year, p.N)
	}
	return fmt.Sprintf("%04d", p.Year)
}

// monthsOf returns how many months a period of the kind lasts: 1, 3, 6 or 12.
func monthsOf(kind string) int {
	switch kind {
	case Month:
		return 1
	case Quarter:
		return 3
	case HalfYear:
		return 6
	}
	return 12
}

// Months is the number of months in the period.
func (p Period) Months() int { return monthsOf(p.Kind) }

// first is the period's first month, 1–12.
func (p Period) first() int {
	if p.Kind == Year {
		return 1
	}
	return (p.N-1)*p.Months() + 1
}

// MonthStarts returns the first day of each month of the period.
func (p Period) MonthStarts() []time.Time {
	out := make([]time.Time, p.Months())
	for i := range out {
		out[i] = time.Date(p.Year, time.Month(p.first()+i), 1, 0, 0, 0, 0, time.UTC)
	}
	return out
}

// Of returns the period of the given kind that contains t, read in Zone.
func Of(kind string, t time.Time) Period {
	t = t.In(Zone)
	p := Period{Kind: kind, Year: t.Year()}
	if kind != Year {
		p.N = (int(t.Month())-1)/monthsOf(kind) + 1
	}
	return p
}

// Prev returns the period just before p.
func (p Period) Prev() Period {
	if p.Kind == Year {
		return Period{Kind: Year, Year: p.Year - 1}
	}
	if p.N > 1 {
		return Period{Kind: p.Kind, Year: p.Year, N: p.N - 1}
	}
	return Period{Kind: p.Kind, Year: p.Year - 1, N: 12 / p.Months()}
}

// LastEnded returns the period of the given kind that ended most recently
// before now: the one before the period containing now.
func LastEnded(kind string, now time.Time) Period { return Of(kind, now).Prev() }

// validMonths counts the months of p that overlap the validity dates
// (YYYY-MM-DD; an empty to means open-ended).
func (p Period) validMonths(from, to string) int { return len(p.countedSpans(from, to)) }

// countedSpans returns the months of p that overlap the validity dates, as
// spans of days: the days a run splits between property managers.
func (p Period) countedSpans(from, to string) []manager.Span {
	var out []manager.Span
	for _, start := range p.MonthStarts() {
		s := manager.Span{First: start.Format(time.DateOnly), Last: start.AddDate(0, 1, -1).Format(time.DateOnly)}
		if from <= s.Last && (to == "" || to >= s.First) {
			out = append(out, s)
		}
	}
	return out
}
