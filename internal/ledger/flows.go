package ledger

import (
	"context"
	"fmt"
	"strings"
	"time"

	"renofund/internal/money"
	"renofund/internal/store"
)

// What money did, defined once for every report. All of it is net of
// reversals: a reversal's postings are the original's negated and its base
// type is the original's, so it cancels the original in every sum.
//
//	received       receipts into a holding: money entering the books
//	allocated in   allocations into a holding (it is the allocation's to-holder)
//	allocated out  allocations out of a holding (its from-holder)
//	spent          expenditures and subsidy payments out of a holding: money leaving the books
//
// For every holding received + allocated in − allocated out − spent is what
// its postings moved in all (Net), and over the whole books allocated in and
// allocated out are equal. The split is made once per posting, as it is
// written, into the kept totals (totals.go); the reports sum those.
const flowSums = `SUM(s.received) AS received, SUM(s.alloc_in) AS alloc_in, SUM(s.alloc_out) AS alloc_out,
	SUM(s.spent) AS spent, SUM(s.moved) AS moved, MIN(s.first_in) AS first_in`

// Flow is what moved through one or more holdings (see flowSums).
type Flow struct {
	Received     money.Amount
	AllocatedIn  money.Amount
	AllocatedOut money.Amount
	Spent        money.Amount
	Net          money.Amount // everything the postings moved: the change in balance
}

// HoldingFlow is one holding's flow, with the booking date of the first
// money that reached it ("" when none did).
type HoldingFlow struct {
	Fund, Holder, District, Project string
	Flow
	FirstIn string
}

// FlowFilter selects the holdings and the booking dates a flow sums over;
// empty fields select everything.
type FlowFilter struct {
	From, To string   // booking dates, inclusive, YYYY-MM-DD
	Fund     string   // one fund
	Funds    []string // any of these funds
	Holder   string
	District string // the district's holdings and its projects'
}

// Flows sums each selected holding's kept totals between the dates: the
// months the dates cover whole, and the days at either end. Narrowed to
// some holdings, each part starts from them (CROSS JOIN keeps SQLite
// looping in that order: a handful of holdings, not every month, lead).
func (l *Ledger) Flows(ctx context.Context, f FlowFilter) ([]HoldingFlow, error) {
	from, hargs := "", []any(nil)
	if f.Fund != "" || f.Funds != nil || f.Holder != "" || f.District != "" {
		var where string
		where, hargs = HoldingFilter{Fund: f.Fund, Funds: f.Funds, Holder: f.Holder, District: f.District}.Where()
		from = "holdings h CROSS JOIN %s WHERE " + where + " AND x.fund_code = h.fund_code AND x.holder = h.holder"
	}
	source, args := flowSource(from, hargs, f.From, f.To)
	q := `SELECT a.fund, a.holder, h.district_code AS district, h.project_code AS project,
		a.received, a.alloc_in, a.alloc_out, a.spent, a.moved, a.first_in
		FROM (SELECT s.fund_code AS fund, s.holder AS holder, ` + flowSums + `
			FROM (` + source + `) s GROUP BY s.fund_code, s.holder) a
		JOIN holdings h ON h.fund_code = a.fund AND h.holder = a.holder ORDER BY 1, 2`
	var rows []struct {
		Fund, Holder                              string
		District, Project, FirstIn                *string
		Received, AllocIn, AllocOut, Spent, Moved int64
	}
	if err := l.db.Conn(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]HoldingFlow, len(rows))
	for i, r := range rows {
		out[i] = HoldingFlow{Fund: r.Fund, Holder: r.Holder, District: store.Str(r.District), Project: store.Str(r.Project),
			Flow: Flow{Received: money.Amount(r.Received), AllocatedIn: money.Amount(r.AllocIn),
				AllocatedOut: money.Amount(r.AllocOut), Spent: money.Amount(r.Spent), Net: money.Amount(r.Moved)},
			FirstIn: store.Str(r.FirstIn)}
	}
	return out, nil
}

// flowSource is the kept totals of the dates from and to (inclusive; empty
// is open) as rows (fund_code, holder, received, alloc_in, alloc_out, spent,
// moved, first_in), several per holding: one per month the dates cover
// whole, one per day at the ends. from, when not "", narrows each part: a
// FROM clause with %s for the table (aliased x) and its own condition,
// taking args.
func flowSource(from string, args []any, fromDay, toDay string) (string, []any) {
	if from == "" {
		from = "%s WHERE 1 = 1"
	}
	const sums = "x.fund_code, x.holder, x.received, x.alloc_in, x.alloc_out, x.spent, x.moved"
	return spanSQL(fromDay, toDay,
		"SELECT "+sums+", NULLIF(x.first_in, '') AS first_in FROM "+fmt.Sprintf(from, "holding_months x"),
		"SELECT "+sums+", CASE WHEN x.ins > 0 THEN x.booked_on END AS first_in FROM "+fmt.Sprintf(from, "holding_days x"),
		args)
}

// spanSQL reads the kept totals of the dates fromDay to toDay (inclusive;
// empty is open): monthly, a SELECT of month totals (x.month) for the
// months they cover whole, and daily, the same of day totals (x.booked_on)
// for the days at either end, both ending in a WHERE clause that takes
// args. The parts are joined by UNION ALL.
func spanSQL(fromDay, toDay, monthly, daily string, args []any) (string, []any) {
	var parts []string
	var out []any
	months := func(first, last string) {
		q := monthly
		out = append(out, args...)
		if first != "" {
			q, out = q+" AND x.month >= ?", append(out, first)
		}
		if last != "" {
			q, out = q+" AND x.month <= ?", append(out, last)
		}
		parts = append(parts, q)
	}
	days := func(first, last string) {
		parts = append(parts, daily+" AND x.booked_on >= ? AND x.booked_on <= ?")
		out = append(append(out, args...), first, last)
	}
	// The whole months from fromDay to toDay: from the month of fromDay, or
	// the next when fromDay is not its first day, to the month of toDay, or
	// the one before when toDay is not its last.
	firstMonth, lastMonth := "", ""
	if fromDay != "" {
		firstMonth = fromDay[:7]
		if fromDay[8:] != "01" {
			firstMonth = monthAfter(firstMonth)
		}
	}
	if toDay != "" {
		lastMonth = toDay[:7]
		if toDay != monthEnd(lastMonth) {
			lastMonth = monthBefore(lastMonth)
		}
	}
	switch {
	case firstMonth != "" && lastMonth != "" && firstMonth > lastMonth:
		days(fromDay, toDay) // within one month, or two partial ones
	default:
		months(firstMonth, lastMonth)
		if firstMonth != "" && fromDay != firstMonth+"-01" {
			days(fromDay, monthEnd(fromDay[:7]))
		}
		if lastMonth != "" && toDay != monthEnd(lastMonth) {
			days(toDay[:7]+"-01", toDay)
		}
	}
	return strings.Join(parts, " UNION ALL "), out
}

// monthAfter, monthBefore and monthEnd do calendar arithmetic on YYYY-MM.
func monthAfter(m string) string  { return monthStart(m).AddDate(0, 1, 0).Format("2006-01") }
func monthBefore(m string) string { return monthStart(m).AddDate(0, -1, 0).Format("2006-01") }
func monthEnd(m string) string    { return monthStart(m).AddDate(0, 1, -1).Format(time.DateOnly) }

func monthStart(m string) time.Time {
	t, _ := time.Parse("2006-01", m)
	return t
}

// CategorySpend is what a project paid from its own holdings for one
// category of work, net of reversals, and the booking date of its latest
// payment.
type CategorySpend struct {
	Project, Category string
	Spent             money.Amount
	LastPaid          string
}

// SpentByCategory sums, per project and category, the payments made from
// the projects' own holdings (a subsidy paid from the city's holding is not
// the project's spending), of one district or project when given, booked
// between the dates (inclusive; empty is open), from the kept totals.
func (l *Ledger) SpentByCategory(ctx context.Context, district, project, from, to string) ([]CategorySpend, error) {
	where, args := "", []any(nil)
	if district != "" {
		where, args = where+" AND x.district_code = ?", append(args, district)
	}
	if project != "" {
		where, args = where+" AND x.project_code = ?", append(args, project)
	}
	source, sargs := spanSQL(from, to,
		"SELECT x.project_code, x.category, x.spent, NULLIF(x.last_paid, '') AS last_paid FROM category_months x WHERE 1 = 1"+where,
		"SELECT x.project_code, x.category, x.spent, CASE WHEN x.paid > 0 THEN x.booked_on END AS last_paid FROM category_days x WHERE 1 = 1"+where,
		args)
	var rows []struct {
		Project, Category string
		LastPaid          *string
		Spent             int64
	}
	err := l.db.Conn(ctx).Raw(`SELECT s.project_code AS project, s.category AS category, SUM(s.spent) AS spent,
		MAX(s.last_paid) AS last_paid FROM (`+source+`) s GROUP BY s.project_code, s.category ORDER BY 1, 2`, sargs...).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]CategorySpend, len(rows))
	for i, r := range rows {
		out[i] = CategorySpend{Project: r.Project, Category: r.Category, Spent: money.Amount(r.Spent), LastPaid: store.Str(r.LastPaid)}
	}
	return out, nil
}

// FundFlow is what moved through the selected holdings of one fund.
type FundFlow struct {
	Fund string
	Flow
}

// FundFlows sums, per fund, the postings of the given funds' holdings (of
// one district and its projects when district is set), in one grouped read:
// the totals of a list of funds. Funds with no postings there are absent.
func (l *Ledger) FundFlows(ctx context.Context, funds []string, district string) ([]FundFlow, error) {
	if len(funds) == 0 {
		return nil, nil
	}
	where, args := HoldingFilter{Funds: funds, District: district}.Where()
	q := `SELECT h.fund_code AS fund, ` + flowSums + `
		FROM holdings h CROSS JOIN holding_months s
		WHERE ` + where + ` AND s.fund_code = h.fund_code AND s.holder = h.holder
		GROUP BY h.fund_code ORDER BY h.fund_code`
	var rows []struct {
		Fund                                      string
		Received, AllocIn, AllocOut, Spent, Moved int64
	}
	if err := l.db.Conn(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]FundFlow, len(rows))
	for i, r := range rows {
		out[i] = FundFlow{Fund: r.Fund, Flow: Flow{Received: money.Amount(r.Received), AllocatedIn: money.Amount(r.AllocIn),
			AllocatedOut: money.Amount(r.AllocOut), Spent: money.Amount(r.Spent), Net: money.Amount(r.Moved)}}
	}
	return out, nil
}
