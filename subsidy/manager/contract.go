package manager

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

func (m *Contract) start() string {
	if m.From == "" {
		return beginning
	}
	return m.From
}

func (m *Contract) end() string {
	if m.To == "" {
		return forever
	}
	return m.To
}

// overlaps says whether two contracts share a day.
func (m *Contract) overlaps(o *Contract) bool {
	return m.start() <= o.end() && o.start() <= m.end()
}

// contracts derives the project's contracts as they stand from its versions
// (oldest first): the latest version recorded for each start date, in order
// of start. An open contract followed by another ends the day before the
// next starts (versions recorded before contracts existed are all open).
func contracts(versions []Contract) []Contract {
	latest := map[string]Contract{}
	for _, v := range versions {
		latest[v.From] = v
	}
	out := make([]Contract, 0, len(latest))
	for _, c := range latest {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Contract) int { return strings.Compare(a.From, b.From) })
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
func changes(cs []Contract, m Contract) ([]Contract, error) {
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
		return []Contract{m}, noOverlap(slices.Delete(slices.Clone(cs), i, i+1), &m)
	}
	if n := len(cs); n > 0 {
		last := cs[n-1]
		if last.To == "" && last.start() < m.start() && m.overlaps(&last) {
			last.To = dayBefore(m.From)
			return []Contract{last, m}, noOverlap(cs[:n-1], &m)
		}
	}
	return []Contract{m}, noOverlap(cs, &m)
}

// noOverlap refuses m when it shares a day with any of cs.
func noOverlap(cs []Contract, m *Contract) error {
	for i := range cs {
		if m.overlaps(&cs[i]) {
			return overlap(m, &cs[i])
		}
	}
	return nil
}

func overlap(m, c *Contract) error {
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

// Span is a run of days, First and Last inclusive (YYYY-MM-DD).
type Span struct{ First, Last string }

// Days counts the days of the span.
func (s Span) Days() int { return daysBetween(s.First, s.Last) }

// days counts the days of the spans the contract covers.
func (m *Contract) days(spans []Span) int {
	n := 0
	for _, s := range spans {
		n += daysBetween(max(s.First, m.start()), min(s.Last, m.end()))
	}
	return n
}

// Share is one company's part of a project's period: the days its
// contracts cover, and its latest contract among them (the payee).
type Share struct {
	Contract *Contract
	Days     int
}

// Served groups the days of spans that the contracts cover by company, in
// order of first contract, and counts the days covered.
func Served(cs []Contract, spans []Span) (shares []Share, covered int) {
	idx := map[string]int{}
	for i := range cs {
		d := cs[i].days(spans)
		if d == 0 {
			continue
		}
		covered += d
		if j, ok := idx[cs[i].CreditCode]; ok {
			shares[j].Days += d
			shares[j].Contract = &cs[i]
			continue
		}
		idx[cs[i].CreditCode] = len(shares)
		shares = append(shares, Share{Contract: &cs[i], Days: d})
	}
	return shares, covered
}
