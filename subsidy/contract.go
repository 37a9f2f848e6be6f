package subsidy

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"renofund/internal/errs"
)

// ErrContractOverlap refuses a management contract whose days overlap
// another contract of the same project (other than the open one a later
// start ends).
var ErrContractOverlap = errs.New(errs.Rule, "contract_overlap",
	"the management contract overlaps another contract of the project")

// Bounds standing in for an open start and an open end in comparisons.
const (
	beginning = "0000-01-01"
	forever   = "9999-12-31"
)

func (m *PropertyManager) start() string {
	if m.From == "" {
		return beginning
	}
	return m.From
}

func (m *PropertyManager) end() string {
	if m.To == "" {
		return forever
	}
	return m.To
}

// overlaps says whether two contracts share a day.
func (m *PropertyManager) overlaps(o *PropertyManager) bool {
	return m.start() <= o.end() && o.start() <= m.end()
}

// contracts derives the project's contracts as they stand from its versions
// (oldest first): the latest version recorded for each start date, in order
// of start. An open contract followed by another ends the day before the
// next starts (versions recorded before contracts existed are all open).
func contracts(versions []PropertyManager) []PropertyManager {
	latest := map[string]PropertyManager{}
	for _, v := range versions {
		latest[v.From] = v
	}
	out := make([]PropertyManager, 0, len(latest))
	for _, c := range latest {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b PropertyManager) int { return strings.Compare(a.From, b.From) })
	for i := range out {
		if out[i].To == "" && i+1 < len(out) {
			out[i].To = dayBefore(out[i+1].From)
		}
	}
	return out
}

// changes works out the versions to append for m against the project's
// contracts cs: m itself, preceded by the ending of the open contract it
// succeeds, if any. A contract with m's start and company is amended; with
// another company it overlaps.
func changes(cs []PropertyManager, m PropertyManager) ([]PropertyManager, error) {
	if m.To != "" && m.To < m.start() {
		return nil, fmt.Errorf("%w: to %s is before from %s", errs.ErrInvalidRequest, m.To, m.From)
	}
	for i, c := range cs {
		if c.From != m.From {
			continue
		}
		if c.CreditCode != m.CreditCode {
			return nil, overlap(&m, &c)
		}
		return []PropertyManager{m}, noOverlap(slices.Delete(slices.Clone(cs), i, i+1), &m)
	}
	if n := len(cs); n > 0 {
		last := cs[n-1]
		if last.To == "" && last.start() < m.start() && m.overlaps(&last) {
			last.To = dayBefore(m.From)
			return []PropertyManager{last, m}, noOverlap(cs[:n-1], &m)
		}
	}
	return []PropertyManager{m}, noOverlap(cs, &m)
}

// noOverlap refuses m when it shares a day with any of cs.
func noOverlap(cs []PropertyManager, m *PropertyManager) error {
	for i := range cs {
		if m.overlaps(&cs[i]) {
			return overlap(m, &cs[i])
		}
	}
	return nil
}

func overlap(m, c *PropertyManager) error {
	return fmt.Errorf("%w: %s from %s to %s overlaps %s (%s) from %s to %s", ErrContractOverlap, m.CreditCode,
		orOpen(m.From), orOpen(m.To), c.Name, c.CreditCode, orOpen(c.From), orOpen(c.To))
}

func orOpen(d string) string {
	if d == "" {
		return "(open)"
	}
	return d
}

// dayBefore returns the day before a YYYY-MM-DD date.
func dayBefore(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.AddDate(0, 0, -1).Format(time.DateOnly)
}

// daysBetween counts the days from lo to hi inclusive (0 when hi < lo).
func daysBetween(lo, hi string) int {
	a, err1 := time.Parse(time.DateOnly, lo)
	b, err2 := time.Parse(time.DateOnly, hi)
	if err1 != nil || err2 != nil || b.Before(a) {
		return 0
	}
	return int(b.Sub(a).Hours()/24) + 1
}

// span is a run of days, first and last inclusive.
type span struct{ first, last string }

// days counts the days of the spans the contract covers.
func (m *PropertyManager) days(spans []span) int {
	n := 0
	for _, s := range spans {
		n += daysBetween(max(s.first, m.start()), min(s.last, m.end()))
	}
	return n
}
