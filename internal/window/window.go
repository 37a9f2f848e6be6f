// Package window reads the span of booking dates a report or an export
// covers: a fiscal year (the calendar year in China) or a from/to pair with
// either bound open, or a period in the API's forms (2021, 2021-H2,
// 2021-Q3, 2021-07). Every report route reads its window here, so they all
// accept the same forms and refuse the same mistakes with 400
// invalid_request.
package window

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"renofund/internal/errs"
)

// Window is an inclusive span of booking dates, YYYY-MM-DD; an empty bound
// is open. The zero Window is every date.
type Window struct {
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

// Years bound what a fiscal year or a period may name.
const (
	FirstYear = 2000
	LastYear  = 2100
)

// Parse reads a window from a fiscal year (YYYY) or from and to dates
// (YYYY-MM-DD, either may be empty). A fiscal year together with from or
// to, a malformed value, or from after to is errs.ErrInvalidRequest.
func Parse(fiscalYear, from, to string) (Window, error) {
	if fiscalYear != "" {
		if from != "" || to != "" {
			return Window{}, fmt.Errorf("%w: give fiscal_year or from/to, not both", errs.ErrInvalidRequest)
		}
		y, err := Year("fiscal_year", fiscalYear)
		if err != nil {
			return Window{}, err
		}
		return yearWindow(y), nil
	}
	for _, d := range []struct{ name, v string }{{"from", from}, {"to", to}} {
		if d.v == "" {
			continue
		}
		if t, err := time.Parse(time.DateOnly, d.v); err != nil || t.Year() < FirstYear || t.Year() > LastYear {
			return Window{}, fmt.Errorf("%w: %s must be a date YYYY-MM-DD from %d to %d, got %q",
				errs.ErrInvalidRequest, d.name, FirstYear, LastYear, d.v)
		}
	}
	if from != "" && to != "" && from > to {
		return Window{}, fmt.Errorf("%w: from %s is after to %s", errs.ErrInvalidRequest, from, to)
	}
	return Window{From: from, To: to}, nil
}

// Year reads a four-digit year from FirstYear to LastYear.
func Year(name, s string) (int, error) {
	y, err := strconv.Atoi(s)
	if err != nil || len(s) != 4 || y < FirstYear || y > LastYear {
		return 0, fmt.Errorf("%w: %s %q is not a year (YYYY, %d to %d)", errs.ErrInvalidRequest, name, s, FirstYear, LastYear)
	}
	return y, nil
}

var periodPattern = regexp.MustCompile(`^([0-9]{4})(?:-(0[1-9]|1[0-2])|-Q([1-4])|-H([12]))?$`)

// Period reads a period in the API's forms (2021, 2021-H2, 2021-Q3, 2021-07)
// as the window of its dates.
func Period(s string) (Window, error) {
	m := periodPattern.FindStringSubmatch(s)
	if m == nil {
		return Window{}, fmt.Errorf("%w: period %q must look like 2021, 2021-H2, 2021-Q3 or 2021-07", errs.ErrInvalidRequest, s)
	}
	y, err := Year("period", m[1])
	if err != nil {
		return Window{}, err
	}
	first, months := 1, 12
	for i, n := range []int{1, 3, 6} { // month, quarter, half-year
		if m[i+2] != "" {
			k, _ := strconv.Atoi(m[i+2])
			first, months = (k-1)*n+1, n
		}
	}
	start := time.Date(y, time.Month(first), 1, 0, 0, 0, 0, time.UTC)
	return Window{From: start.Format(time.DateOnly), To: start.AddDate(0, months, -1).Format(time.DateOnly)}, nil
}

func yearWindow(y int) Window {
	return Window{From: fmt.Sprintf("%04d-01-01", y), To: fmt.Sprintf("%04d-12-31", y)}
}

// Open reports whether the window has no bound: every date.
func (w Window) Open() bool { return w.From == "" && w.To == "" }

// Contains reports whether a date falls in the window. An empty date (a
// finding or a line with no date) falls only in the open window.
func (w Window) Contains(date string) bool {
	if date == "" {
		return w.Open()
	}
	return (w.From == "" || date >= w.From) && (w.To == "" || date <= w.To)
}

// Before is the window of every date before w.From: what a window opens
// with. It is ok only when w has a lower bound.
func (w Window) Before() (Window, bool) {
	if w.From == "" {
		return Window{}, false
	}
	t, _ := time.Parse(time.DateOnly, w.From)
	return Window{To: t.AddDate(0, 0, -1).Format(time.DateOnly)}, true
}

// Through is the window of every date up to w.To: what is held at its end.
func (w Window) Through() Window { return Window{To: w.To} }
