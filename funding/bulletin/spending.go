package bulletin

import (
	"context"
	"sort"

	"github.com/shopspring/decimal"

	"renofund/funding"
	"renofund/funding/report"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/window"
)

// Spending is the money section: the city's totals and each district's,
// the districts ranked by spending rate, highest first.
type Spending struct {
	City      Area   `json:"city"`
	Districts []Area `json:"districts"`
}

// Area is the figures of the city (District "") or one district, in total
// and per fund kind (the kinds that moved or held money, in the order of
// funding.Kinds). Rank is a district's place by spending rate (equal rates
// share a place); a district that had nothing available has none.
type Area struct {
	District string `json:"district,omitempty"`
	Name     string `json:"name"`
	Rank     int    `json:"rank,omitempty"`
	Figures
	Kinds []KindFigures `json:"kinds"`
}

// KindFigures are the figures of one fund kind.
type KindFigures struct {
	Kind string `json:"kind"`
	Figures
}

// Figures are an area's money in the month and in the year to date (1
// January to the month's end), net of reversals (see ledger.Flows):
//
//   - received: receipts into the area's holdings;
//   - allocated: for a district, what was allocated to it and its projects
//     from above, less what went back up (moves inside the district cancel);
//     city-wide, what the city passed down to the districts (the districts'
//     sum);
//   - spent: expenditures and subsidy payments out of the area's holdings;
//   - opening: what the area held on 1 January;
//   - available: the money available in the year to date, the spending
//     rate's denominator: opening + received + allocated for a district;
//     city-wide opening + received (what the city passes down stays in the
//     city). It equals what was spent in the year plus what is held at the
//     month's end.
//
// SpendingRate (支出进度) is spent_ytd ÷ available, rounded half-up to four
// decimals ("0.4215" is 42.15%); "" when nothing was available.
type Figures struct {
	AllocatedMonth money.Amount `json:"allocated_month"`
	ReceivedMonth  money.Amount `json:"received_month"`
	SpentMonth     money.Amount `json:"spent_month"`
	AllocatedYTD   money.Amount `json:"allocated_ytd"`
	ReceivedYTD    money.Amount `json:"received_ytd"`
	SpentYTD       money.Amount `json:"spent_ytd"`
	Opening        money.Amount `json:"opening"`
	Available      money.Amount `json:"available"`
	SpendingRate   string       `json:"spending_rate"`
}

// RatePlaces is how many decimals a spending rate carries.
const RatePlaces = 4

// adder sums amounts, remembering an overflow.
type adder struct{ over bool }

func (a *adder) add(dst *money.Amount, v money.Amount) {
	sum, ok := money.Sum(*dst, v)
	a.over = a.over || !ok
	*dst = sum
}

// plus adds o's amounts into f.
func (a *adder) plus(f, o *Figures) {
	a.add(&f.AllocatedMonth, o.AllocatedMonth)
	a.add(&f.ReceivedMonth, o.ReceivedMonth)
	a.add(&f.SpentMonth, o.SpentMonth)
	a.add(&f.AllocatedYTD, o.AllocatedYTD)
	a.add(&f.ReceivedYTD, o.ReceivedYTD)
	a.add(&f.SpentYTD, o.SpentYTD)
	a.add(&f.Opening, o.Opening)
}

// rate sets Available and SpendingRate; allocated says whether what was
// allocated counts as available (a district's, not the city's).
func (a *adder) rate(f *Figures, allocated bool) {
	f.Available = 0
	a.add(&f.Available, f.Opening)
	a.add(&f.Available, f.ReceivedYTD)
	if allocated {
		a.add(&f.Available, f.AllocatedYTD)
	}
	f.SpendingRate = ""
	if f.Available > 0 {
		f.SpendingRate = f.SpentYTD.Decimal().DivRound(f.Available.Decimal(), RatePlaces).StringFixed(RatePlaces)
	}
}

// draftSpending sums the month's, the year's and the opening flows of
// every holding into the areas and ranks the districts.
func (s *Service) draftSpending(ctx context.Context, b *Body) error {
	type key struct{ area, kind string }
	figs := map[key]*Figures{}
	at := func(area, kind string) *Figures {
		f := figs[key{area, kind}]
		if f == nil {
			f = &Figures{}
			figs[key{area, kind}] = f
		}
		return f
	}
	var sum adder
	type span struct {
		w   window.Window
		set func(f *Figures, fl ledger.Flow, district bool)
	}
	spans := []span{
		{window.Window{From: b.From, To: b.To}, func(f *Figures, fl ledger.Flow, district bool) {
			sum.add(&f.ReceivedMonth, fl.Received)
			sum.add(&f.SpentMonth, fl.Spent)
			if district {
				sum.add(&f.AllocatedMonth, fl.AllocatedIn-fl.AllocatedOut)
			}
		}},
		{window.Window{From: b.YearFrom, To: b.To}, func(f *Figures, fl ledger.Flow, district bool) {
			sum.add(&f.ReceivedYTD, fl.Received)
			sum.add(&f.SpentYTD, fl.Spent)
			if district {
				sum.add(&f.AllocatedYTD, fl.AllocatedIn-fl.AllocatedOut)
			}
		}},
	}
	if before, ok := (window.Window{From: b.YearFrom}).Before(); ok {
		spans = append(spans, span{before, func(f *Figures, fl ledger.Flow, _ bool) { sum.add(&f.Opening, fl.Net) }})
	}
	kinds := map[string]string{}
	for _, sp := range spans {
		rows, err := s.ledger.Flows(ctx, ledger.FlowFilter{From: sp.w.From, To: sp.w.To})
		if err != nil {
			return err
		}
		if err := s.kindsOf(ctx, rows, kinds); err != nil {
			return err
		}
		for _, r := range rows {
			kind := kinds[r.Fund]
			if r.District != "" {
				sp.set(at(r.District, kind), r.Flow, true)
			}
			// City-wide, allocations count once: what reached the districts.
			city := r.Flow
			if r.District == "" {
				city.AllocatedIn, city.AllocatedOut = 0, 0
			}
			sp.set(at("", kind), city, true)
		}
	}
	ds, err := s.districts(ctx)
	if err != nil {
		return err
	}
	area := func(code, name string) Area {
		a := Area{District: code, Name: name, Kinds: []KindFigures{}}
		for _, kind := range funding.Kinds {
			if f := figs[key{code, kind}]; f != nil && *f != (Figures{}) {
				sum.rate(f, code != "")
				a.Kinds = append(a.Kinds, KindFigures{Kind: kind, Figures: *f})
				sum.plus(&a.Figures, f)
			}
		}
		sum.rate(&a.Figures, code != "")
		return a
	}
	b.Spending = Spending{City: area("", "全市"), Districts: make([]Area, 0, len(ds))}
	for _, d := range ds {
		b.Spending.Districts = append(b.Spending.Districts, area(d.Code, d.Name))
	}
	rank(b.Spending.Districts)
	if sum.over {
		return report.ErrTooLarge
	}
	return nil
}

// rank orders districts by spending rate, highest first (compared exactly,
// not by the rounded rate), then by code; equal rates share a place, and a
// district with nothing available comes last without one.
func rank(ds []Area) {
	ratio := func(a Area) (decimal.Decimal, decimal.Decimal) { return a.SpentYTD.Decimal(), a.Available.Decimal() }
	cmp := func(a, b Area) int { // > 0 when a's rate is higher
		sa, va := ratio(a)
		sb, vb := ratio(b)
		return sa.Mul(vb).Cmp(sb.Mul(va))
	}
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if (a.Available > 0) != (b.Available > 0) {
			return a.Available > 0
		}
		if a.Available > 0 {
			if c := cmp(a, b); c != 0 {
				return c > 0
			}
		}
		return a.District < b.District
	})
	for i := range ds {
		switch {
		case ds[i].Available <= 0:
			ds[i].Rank = 0
		case i > 0 && ds[i-1].Available > 0 && cmp(ds[i-1], ds[i]) == 0:
			ds[i].Rank = ds[i-1].Rank
		default:
			ds[i].Rank = i + 1
		}
	}
}

// kindsOf adds the kinds of the funds rows name that kinds lacks.
func (s *Service) kindsOf(ctx context.Context, rows []ledger.HoldingFlow, kinds map[string]string) error {
	var missing []string
	seen := map[string]bool{}
	for _, r := range rows {
		if _, ok := kinds[r.Fund]; !ok && !seen[r.Fund] {
			seen[r.Fund] = true
			missing = append(missing, r.Fund)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	funds, err := s.reg.FundsByCode(ctx, missing...)
	if err != nil {
		return err
	}
	for _, code := range missing {
		if f := funds[code]; f != nil {
			kinds[code] = f.Kind
		}
	}
	return nil
}

// districts lists every district, in code order.
func (s *Service) districts(ctx context.Context) ([]funding.District, error) {
	var out []funding.District
	for after := ""; ; {
		page, err := s.reg.Districts(ctx, after, 1000)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < 1000 {
			return out, nil
		}
		after = page[len(page)-1].Code
	}
}
