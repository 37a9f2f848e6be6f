package dashboard

import (
	"slices"
	"sort"

	"github.com/shopspring/decimal"

	"renofund/funding"
	"renofund/funding/bulletin"
	"renofund/internal/console/kit"
	"renofund/internal/money"
)

// The figures are the API's answers added up by area, fund kind, category
// and month. The API's answers are what the signed-in user may see, so a
// district's figures are its own without any filtering here.
//
// The year's money of an area (本年可用) is what it held on 1 January plus
// what reached it in the year, less what it passed on: opening + received +
// allocated in − allocated out, which is also spent + available. It is the
// denominator of the spending rate (支出进度), as in the monthly bulletin.

// sum adds amounts, remembering an overflow (which the page refuses rather
// than show a wrong total).
type sum struct{ over bool }

func (s *sum) add(dst *money.Amount, vs ...money.Amount) {
	for _, v := range vs {
		t, ok := money.Sum(*dst, v)
		s.over = s.over || !ok
		*dst = t
	}
}

// flow is an area's (or a fund kind's) money in the year.
type flow struct {
	Opening, Received, Allocated, Spent, Available money.Amount
}

// InYear is the year's money: spent + available.
func (f flow) InYear() money.Amount { return f.Spent + f.Available }

// addLine adds a line of the funding report: Allocated is what came from
// above less what went back up (moves inside an area cancel).
func (s *sum) addLine(f *flow, l fundingLine) {
	s.add(&f.Opening, money.Amount(l.Opening))
	s.add(&f.Received, money.Amount(l.Received))
	s.add(&f.Allocated, money.Amount(l.AllocatedIn), -money.Amount(l.AllocatedOut))
	s.add(&f.Spent, money.Amount(l.Spent))
	s.add(&f.Available, money.Amount(l.Available))
}

// rate is a spending or execution rate: part ÷ whole to four decimals,
// half-up, as the bulletin rounds it; ok is false when whole is not above 0.
func rate(part, whole money.Amount) (decimal.Decimal, bool) {
	if whole <= 0 {
		return decimal.Zero, false
	}
	return part.Decimal().DivRound(whole.Decimal(), bulletin.RatePlaces), true
}

// percent shows a rate as a percentage with two decimals, or "—".
func percent(part, whole money.Amount) string {
	r, ok := rate(part, whole)
	if !ok {
		return "—"
	}
	return r.Shift(2).StringFixed(2) + "%"
}

// percentValue is a rate in percent for drawing (0 without one).
func percentValue(part, whole money.Amount) float64 {
	r, _ := rate(part, whole)
	return r.Shift(2).InexactFloat64()
}

// totals are the cards' figures: the year's flows of everything the actor
// sees. Received counts what came from above as well for a district
// (Received + Allocated), as GET /v1/funds does; city-wide Allocated is what
// the city passed down to the districts, and the districts' allocations
// cancel in the sum.
func (s *sum) totals(lines []fundingLine) (f flow, passedDown money.Amount) {
	for _, l := range lines {
		s.addLine(&f, l)
		if l.District != funding.City {
			s.add(&passedDown, money.Amount(l.AllocatedIn), -money.Amount(l.AllocatedOut))
		}
	}
	return f, passedDown
}

// sourceRow is an area's money of one fund kind in the year.
type sourceRow struct {
	Area, Kind string // codes
	flow
}

// sources are the funding report's lines by area and kind, in area order
// (the city first) and then in the order of funding.Kinds.
func (s *sum) sources(lines []fundingLine) []sourceRow {
	at := map[[2]string]*sourceRow{}
	var out []*sourceRow
	for _, l := range lines {
		k := [2]string{l.District, l.Kind}
		if at[k] == nil {
			at[k] = &sourceRow{Area: l.District, Kind: l.Kind}
			out = append(out, at[k])
		}
		s.addLine(&at[k].flow, l)
	}
	rows := make([]sourceRow, len(out))
	for i, r := range out {
		rows[i] = *r
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if a, b := areaOrder(rows[i].Area), areaOrder(rows[j].Area); a != b {
			return a < b
		}
		return kindOrder(rows[i].Kind) < kindOrder(rows[j].Kind)
	})
	return rows
}

// areaOrder sorts the city before the districts, and those by code.
func areaOrder(code string) string {
	if code == funding.City {
		return ""
	}
	return "~" + code
}

// kindOrder is a kind's place in funding.Kinds (unknown kinds last).
func kindOrder(kind string) int {
	if i := slices.Index(funding.Kinds, kind); i >= 0 {
		return i
	}
	return len(funding.Kinds)
}

// rateRow is one ranked area or fund kind.
type rateRow struct {
	Rank int // 0: nothing was available, no rank
	Code string
	Name string
	flow
}

// Rate is the row's spending rate in percent.
func (r rateRow) Rate() string { return percent(r.Spent, r.InYear()) }

// rank orders rows by spending rate, highest first, compared exactly (not
// by the rounded rate), then by code; equal rates share a place, and rows
// with nothing available come last without one: the bulletin's ranking.
func rank(rows []rateRow) {
	higher := func(a, b rateRow) int { // > 0 when a's rate is higher
		return a.Spent.Decimal().Mul(b.InYear().Decimal()).Cmp(b.Spent.Decimal().Mul(a.InYear().Decimal()))
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if (a.InYear() > 0) != (b.InYear() > 0) {
			return a.InYear() > 0
		}
		if a.InYear() > 0 {
			if c := higher(a, b); c != 0 {
				return c > 0
			}
		}
		return a.Code < b.Code
	})
	for i := range rows {
		switch {
		case rows[i].InYear() <= 0:
			rows[i].Rank = 0
		case i > 0 && rows[i-1].InYear() > 0 && higher(rows[i-1], rows[i]) == 0:
			rows[i].Rank = rows[i-1].Rank
		default:
			rows[i].Rank = i + 1
		}
	}
}

// byArea sums the sources per area (districts only: the city does not
// spend), with a row for every district in names, whether it had money or
// not; ranked.
func (s *sum) byArea(src []sourceRow, names map[string]string) []rateRow {
	at := map[string]*rateRow{}
	for code, name := range names {
		at[code] = &rateRow{Code: code, Name: name}
	}
	for _, r := range src {
		if r.Area == funding.City {
			continue
		}
		if at[r.Area] == nil {
			at[r.Area] = &rateRow{Code: r.Area, Name: r.Area}
		}
		s.addFlow(&at[r.Area].flow, r.flow)
	}
	return ranked(at)
}

// byKind sums the sources per fund kind; ranked.
func (s *sum) byKind(src []sourceRow) []rateRow {
	at := map[string]*rateRow{}
	for _, r := range src {
		if at[r.Kind] == nil {
			at[r.Kind] = &rateRow{Code: r.Kind, Name: funding.KindNames[r.Kind]}
			if at[r.Kind].Name == "" {
				at[r.Kind].Name = r.Kind
			}
		}
		s.addFlow(&at[r.Kind].flow, r.flow)
	}
	return ranked(at)
}

// addFlow adds o into f.
func (s *sum) addFlow(f *flow, o flow) {
	s.add(&f.Opening, o.Opening)
	s.add(&f.Received, o.Received)
	s.add(&f.Allocated, o.Allocated)
	s.add(&f.Spent, o.Spent)
	s.add(&f.Available, o.Available)
}

// ranked returns the rows of at, ranked.
func ranked(at map[string]*rateRow) []rateRow {
	out := make([]rateRow, 0, len(at))
	for _, r := range at {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	rank(out)
	return out
}

// monthRow is one month of the trend, from that month's bulletin.
type monthRow struct {
	Month   int
	Drafted bool // the month's bulletin is drafted
	// Received, Allocated and Spent are the month's figures: receipts;
	// what reached the districts (for a district: what reached it) from
	// above; payments.
	Received, Allocated, Spent money.Amount
}

// trend is the year's twelve months from the bulletins drafted: for a
// district its own row, else the city's.
func trend(bulletins map[int]*spending, district string) []monthRow {
	out := make([]monthRow, 12)
	for m := range out {
		out[m].Month = m + 1
		sp := bulletins[m+1]
		if sp == nil {
			continue
		}
		f, ok := sp.City, true
		if district != "" {
			ok = false
			for _, a := range sp.Districts {
				if a.District == district {
					f, ok = a.figures, true
				}
			}
		}
		if ok {
			out[m] = monthRow{Month: m + 1, Drafted: true, Received: money.Amount(f.ReceivedMonth),
				Allocated: money.Amount(f.AllocatedMonth), Spent: money.Amount(f.SpentMonth)}
		}
	}
	return out
}

// budgetRow is the budget and what was spent against it, of a category or
// a district.
type budgetRow struct {
	Code, Name    string
	Budget, Spent money.Amount
}

// Remaining is what is left of the budget (negative when over it).
func (r budgetRow) Remaining() money.Amount { return r.Budget - r.Spent }

// Rate is the share of the budget spent, in percent.
func (r budgetRow) Rate() string { return percent(r.Spent, r.Budget) }

// budgets sums the budget report by category (every category of
// funding.Categories, in its order) and by district (by code), with the
// total.
func (s *sum) budgets(lines []budgetLine, names map[string]string) (cats, districts []budgetRow, total budgetRow) {
	cat, dist := map[string]*budgetRow{}, map[string]*budgetRow{}
	row := func(m map[string]*budgetRow, code, name string) *budgetRow {
		if m[code] == nil {
			m[code] = &budgetRow{Code: code, Name: name}
		}
		return m[code]
	}
	for _, c := range funding.Categories {
		row(cat, c, kit.Label(c))
	}
	total.Name = "合计"
	for _, l := range lines {
		name := names[l.District]
		if name == "" {
			name = l.District
		}
		for _, r := range []*budgetRow{row(cat, l.Category, kit.Label(l.Category)), row(dist, l.District, name), &total} {
			s.add(&r.Budget, money.Amount(l.Budget))
			s.add(&r.Spent, money.Amount(l.Spent))
		}
	}
	return sorted(cat, categoryOrder), sorted(dist, func(code string) int { return 0 }), total
}

// categoryOrder is a category's place in funding.Categories (unknown ones
// last).
func categoryOrder(code string) int {
	if i := slices.Index(funding.Categories, code); i >= 0 {
		return i
	}
	return len(funding.Categories)
}

// sorted returns the rows of m by order, then by code.
func sorted(m map[string]*budgetRow, order func(code string) int) []budgetRow {
	out := make([]budgetRow, 0, len(m))
	for _, r := range m {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := order(out[i].Code), order(out[j].Code); a != b {
			return a < b
		}
		return out[i].Code < out[j].Code
	})
	return out
}
