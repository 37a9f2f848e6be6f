package dashboard

import (
	"fmt"
	"html/template"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/go-analyze/charts"

	"renofund/funding"
	"renofund/funding/report"
	"renofund/internal/access"
	"renofund/internal/console/kit"
	"renofund/internal/money"
)

// view is the page's model.
type view struct {
	Year  int
	Years []int // the years offered: those with a bulletin, this one, the one shown
	Scope string
	// Own says the page is a district's: its money by fund kind, not by
	// district.
	Own  bool
	AsOf string // the day the balances are at

	Cards []card

	SourcesSVG template.HTML
	Sources    []sourceLine
	RatesSVG   template.HTML
	Rates      []rateRow
	TrendSVG   template.HTML
	Months     []monthRow
	// Drafted counts the year's months with a bulletin.
	Drafted    int
	BudgetSVG  template.HTML
	Categories []budgetRow
	Districts  []budgetRow // by district, on the city's page
	Budget     budgetRow   // the total
	FindingSVG template.HTML
	Findings   []findingRow
	// Allocated names what reached the areas from above: passed down to the
	// districts on the city's page, allocated to it on a district's.
	Allocated string
}

// card is one figure of the row of cards.
type card struct {
	Label, Value, Note string
}

// sourceLine is a row of the sources table, named.
type sourceLine struct {
	AreaName, KindName string
	flow
}

// build turns the API's answers into the page: the figures, the charts and
// their tables.
func build(ans *answers, a access.Actor, now time.Time) (*view, error) {
	var s sum
	v := &view{Year: ans.year, Own: a.Role == access.District, Scope: "全市", Allocated: "下拨区县"}
	own := "" // the district whose page this is
	if v.Own {
		own, v.Scope, v.Allocated = a.District, areaName(ans.names, a.District), "上级拨入"
	}
	v.Years = years(ans, now.Year())
	v.AsOf = fmt.Sprintf("%d年12月31日", ans.year)
	if ans.year >= now.Year() {
		v.AsOf = now.Format("2006年1月2日")
	}

	total, passedDown := s.totals(ans.funding)
	src := s.sources(ans.funding)
	for _, r := range src {
		v.Sources = append(v.Sources, sourceLine{AreaName: areaName(ans.names, r.Area), KindName: kit.Label(r.Kind), flow: r.flow})
	}
	if v.Own {
		v.Rates = s.byKind(src)
	} else {
		v.Rates = s.byArea(src, ans.names)
	}
	v.Months = trend(ans.months, own)
	for _, m := range v.Months {
		if m.Drafted {
			v.Drafted++
		}
	}
	v.Categories, v.Districts, v.Budget = s.budgets(ans.budget, ans.names)
	v.Findings = countFindings(ans.findings)
	if s.over {
		return nil, report.ErrTooLarge
	}
	v.Cards = cards(v, total, passedDown)

	for _, draw := range []func() error{
		func() (err error) { v.SourcesSVG, err = sourcesChart(v, src, ans.names); return err },
		func() (err error) { v.RatesSVG, err = ratesChart(v); return err },
		func() (err error) { v.TrendSVG, err = trendChart(v); return err },
		func() (err error) { v.BudgetSVG, err = budgetChart(v); return err },
		func() (err error) { v.FindingSVG, err = findingChart(v); return err },
	} {
		if err := draw(); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// areaName names an area of the funding report: the city's own holdings,
// or a district.
func areaName(names map[string]string, code string) string {
	if code == funding.City {
		return "市级"
	}
	if n := names[code]; n != "" {
		return n
	}
	return code
}

// years are the years the selector offers, latest first.
func years(ans *answers, now int) []int {
	out := []int{now, ans.year}
	for _, m := range ans.drafted {
		if y, _ := month(m); y > 0 {
			out = append(out, y)
		}
	}
	slices.Sort(out)
	out = slices.Compact(out)
	slices.Reverse(out)
	return out
}

// cards are the year's figures at a glance.
func cards(v *view, total flow, passedDown money.Amount) []card {
	open, review := 0, 0
	for _, f := range v.Findings {
		open, review = open+f.Open, review+f.InReview
	}
	received := card{Label: "到账资金", Value: kit.Yuan(total.Received), Note: "本年各渠道资金到账"}
	allocated := card{Label: "下拨区县", Value: kit.Yuan(passedDown), Note: "市级拨付至区县及项目"}
	if v.Own {
		received = card{Label: "到位资金", Value: kit.Yuan(total.Received + total.Allocated), Note: "本区到账＋上级拨入"}
		allocated = card{Label: "上级拨入", Value: kit.Yuan(passedDown), Note: "市级拨付至本区及项目"}
	}
	return []card{
		received,
		allocated,
		{Label: "本年支出", Value: kit.Yuan(total.Spent), Note: "支付给收款单位，已扣除冲销"},
		{Label: "资金余额", Value: kit.Yuan(total.Available), Note: "截至" + v.AsOf + "；年初结余 " + kit.Yuan(total.Opening)},
		{Label: "支出进度", Value: percent(total.Spent, total.InYear()), Note: "支出 ÷（年初结余＋本年到位）"},
		{Label: "未结异常", Value: strconv.Itoa(open + review), Note: fmt.Sprintf("待处理 %d，处理中 %d", open, review)},
	}
}

// sourcesChart stacks the year's money by fund kind: on the city's page a
// bar per area (the city's own holdings first) with a segment per kind; on
// a district's a bar per kind, split into spent and held.
func sourcesChart(v *view, src []sourceRow, names map[string]string) (template.HTML, error) {
	if v.Own {
		// v.Rates has every kind of the district's money; the bars go in
		// the order of funding.Kinds from the top (the library draws the
		// first category at the bottom).
		kinds := slices.Clone(v.Rates)
		sort.Slice(kinds, func(i, j int) bool { return kindOrder(kinds[i].Code) > kindOrder(kinds[j].Code) })
		spent, held := series{Name: "已支出"}, series{Name: "结余"}
		var cats []string
		for _, k := range kinds {
			cats = append(cats, k.Name)
			spent.Values = append(spent.Values, wan(k.Spent))
			held.Values = append(held.Values, wan(k.Available))
		}
		return barChart{Label: "本区本年可用资金按来源", Categories: cats, Series: []series{spent, held},
			Horizontal: true, Stacked: true, Width: wide, Height: barsHeight(len(cats), 1)}.svg()
	}
	inYear := map[string]money.Amount{}
	for _, r := range v.Rates {
		inYear[r.Code] = r.InYear()
	}
	areas := []string{funding.City}
	for code := range names {
		areas = append(areas, code)
	}
	for _, r := range src {
		if !slices.Contains(areas, r.Area) {
			areas = append(areas, r.Area)
		}
	}
	// The city's own holdings first, then the districts with the most money.
	sort.Slice(areas, func(i, j int) bool {
		a, b := areas[i], areas[j]
		if (a == funding.City) != (b == funding.City) {
			return a == funding.City
		}
		if inYear[a] != inYear[b] {
			return inYear[a] > inYear[b]
		}
		return a < b
	})
	var kinds []string
	for _, r := range src {
		if !slices.Contains(kinds, r.Kind) {
			kinds = append(kinds, r.Kind)
		}
	}
	sort.Slice(kinds, func(i, j int) bool { return kindOrder(kinds[i]) < kindOrder(kinds[j]) })
	slices.Reverse(areas) // the library draws the first category at the bottom
	at := map[[2]string]money.Amount{}
	for _, r := range src {
		at[[2]string{r.Area, r.Kind}] = r.InYear()
	}
	var ss []series
	for _, k := range kinds {
		s := series{Name: kit.Label(k)}
		for _, area := range areas {
			s.Values = append(s.Values, wan(at[[2]string{area, k}]))
		}
		ss = append(ss, s)
	}
	cats := make([]string, len(areas))
	for i, area := range areas {
		cats[i] = areaName(names, area)
	}
	return barChart{Label: "各区县本年可用资金按来源", Categories: cats, Series: ss, Horizontal: true, Stacked: true,
		Width: wide, Height: barsHeight(len(cats), (len(ss)+6)/7)}.svg()
}

// ratesChart ranks the spending rates: the districts on the city's page,
// the fund kinds on a district's; the highest at the top.
func ratesChart(v *view) (template.HTML, error) {
	var cats []string
	s := series{Name: "支出进度"}
	for i := len(v.Rates) - 1; i >= 0; i-- {
		r := v.Rates[i]
		cats = append(cats, r.Name)
		s.Values = append(s.Values, percentValue(r.Spent, r.InYear()))
	}
	label := "各区县支出进度排名"
	if v.Own {
		label = "本区各来源资金支出进度"
	}
	return barChart{Label: label, Categories: cats, Series: []series{s}, Horizontal: true, Percent: true,
		Width: narrow, Height: barsHeight(len(cats), 0)}.svg()
}

// trendChart draws the year's months from their bulletins; a month without
// one is a gap. No chart when the year has none.
func trendChart(v *view) (template.HTML, error) {
	if v.Drafted == 0 {
		return "", nil
	}
	received, allocated, spent := series{Name: "到账"}, series{Name: v.Allocated}, series{Name: "支出"}
	var cats []string
	for _, m := range v.Months {
		cats = append(cats, fmt.Sprintf("%d月", m.Month))
		if !m.Drafted {
			for _, s := range []*series{&received, &allocated, &spent} {
				s.Values = append(s.Values, charts.GetNullValue())
			}
			continue
		}
		received.Values = append(received.Values, wan(m.Received))
		allocated.Values = append(allocated.Values, wan(m.Allocated))
		spent.Values = append(spent.Values, wan(m.Spent))
	}
	return lineChart{Label: "本年逐月资金流入与流出", Categories: cats, Series: []series{received, allocated, spent},
		Width: narrow, Height: 340}.svg()
}

// budgetChart sets each category's budget beside what was spent against it.
func budgetChart(v *view) (template.HTML, error) {
	budget, spent := series{Name: "预算"}, series{Name: "累计支出"}
	var cats []string
	for _, c := range v.Categories {
		cats = append(cats, c.Name)
		budget.Values = append(budget.Values, wan(c.Budget))
		spent.Values = append(spent.Values, wan(c.Spent))
	}
	return barChart{Label: "预算执行（按类别）", Categories: cats, Series: []series{budget, spent}, Width: narrow, Height: 320}.svg()
}

// findingChart counts the findings not closed by kind, the most at the
// top. No chart when there are none.
func findingChart(v *view) (template.HTML, error) {
	if len(v.Findings) == 0 {
		return "", nil
	}
	open, review := series{Name: "待处理"}, series{Name: "处理中"}
	var cats []string
	for i := len(v.Findings) - 1; i >= 0; i-- {
		f := v.Findings[i]
		cats = append(cats, f.Name)
		open.Values = append(open.Values, float64(f.Open))
		review.Values = append(review.Values, float64(f.InReview))
	}
	return barChart{Label: "未结异常按类型", Categories: cats, Series: []series{open, review}, Horizontal: true, Stacked: true,
		Count: true, Width: narrow, Height: barsHeight(len(cats), 1)}.svg()
}

// barsHeight is the height of a horizontal bar chart of n bars under
// legendRows rows of legend.
func barsHeight(n, legendRows int) int {
	return 70 + 24*legendRows + 30*max(n, 1)
}
