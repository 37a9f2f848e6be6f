package funding

import (
	"context"
	"fmt"
	"sort"
	"time"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/money"
)

// Flow is money through one area's holders (the city's, or a district's and
// its projects'), net of reversals. For every row
// received + allocated_in − allocated_out − spent = available, and over all
// rows allocated_in and allocated_out are equal.
type Flow struct {
	Received     money.Amount `json:"received"`
	AllocatedIn  money.Amount `json:"allocated_in"`
	AllocatedOut money.Amount `json:"allocated_out"`
	Spent        money.Amount `json:"spent"`
	Available    money.Amount `json:"available"`
}

// ErrTooLarge refuses a report whose totals would not fit in an Amount.
var ErrTooLarge = fmt.Errorf("%w: the totals exceed what the books can represent", errs.ErrRuleViolation)

func (f *Flow) add(o Flow) error {
	for _, p := range []struct {
		dst *money.Amount
		v   money.Amount
	}{
		{&f.Received, o.Received}, {&f.AllocatedIn, o.AllocatedIn}, {&f.AllocatedOut, o.AllocatedOut},
		{&f.Spent, o.Spent}, {&f.Available, o.Available},
	} {
		sum, ok := money.Sum(*p.dst, p.v)
		if !ok {
			return ErrTooLarge
		}
		*p.dst = sum
	}
	return nil
}

type flowRow struct {
	Area string
	Fund string
	Kind string
	Flow
}

// flowSums are the sums flows takes of each holding's postings.
const flowSums = `SUM(CASE WHEN t.base_type = 'receipt' THEN p.amount ELSE 0 END) AS received,
	SUM(CASE WHEN t.base_type = 'allocation' AND p.holder = t.to_holder THEN p.amount ELSE 0 END) AS alloc_in,
	SUM(CASE WHEN t.base_type = 'allocation' AND p.holder = t.from_holder THEN -p.amount ELSE 0 END) AS alloc_out,
	SUM(CASE WHEN t.base_type IN ('expenditure', 'subsidy_payment') THEN -p.amount ELSE 0 END) AS spent,
	SUM(p.amount) AS moved`

// flows sums postings per area and fund between two booking dates
// (inclusive; empty means open), for direct funds only when directOnly.
// Postings are summed per holding first and only then set beside the
// holdings and funds, so each posting is read once; a district's sums start
// from its own holdings (CROSS JOIN keeps SQLite looping in that order).
func (s *Service) flows(ctx context.Context, from, to string, directOnly bool) ([]flowRow, error) {
	a := access.From(ctx)
	var where string
	var args []any
	if from != "" {
		where += " AND t.booked_on >= ?"
		args = append(args, from)
	}
	if to != "" {
		where += " AND t.booked_on <= ?"
		args = append(args, to)
	}
	if directOnly {
		where += " AND p.fund_code IN (SELECT code FROM funds WHERE direct)"
	}
	inner := `SELECT p.fund_code AS fund, p.holder AS holder, ` + flowSums + `
		FROM postings p JOIN transfers t ON t.id = p.transfer_id
		WHERE p.holder <> 'external'` + where + ` GROUP BY p.fund_code, p.holder`
	if a.Role == access.District {
		inner = `SELECT p.fund_code AS fund, p.holder AS holder, ` + flowSums + `
			FROM holdings h CROSS JOIN postings p CROSS JOIN transfers t
			WHERE h.district_code = ? AND p.fund_code = h.fund_code AND p.holder = h.holder AND t.id = p.transfer_id` +
			where + ` GROUP BY p.fund_code, p.holder`
		args = append([]any{a.District}, args...)
	}
	var rows []struct {
		Area, Fund, Kind                          string
		Received, AllocIn, AllocOut, Spent, Moved int64
	}
	err := s.db.Conn(ctx).Raw(`SELECT COALESCE(h.district_code, 'city') AS area, a.fund AS fund, f.kind AS kind,
		SUM(a.received) AS received, SUM(a.alloc_in) AS alloc_in, SUM(a.alloc_out) AS alloc_out,
		SUM(a.spent) AS spent, SUM(a.moved) AS moved
		FROM (`+inner+`) a
		JOIN holdings h ON h.fund_code = a.fund AND h.holder = a.holder
		JOIN funds f ON f.code = a.fund
		GROUP BY COALESCE(h.district_code, 'city'), a.fund, f.kind`, args...).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]flowRow, len(rows))
	for i, r := range rows {
		out[i] = flowRow{Area: r.Area, Fund: r.Fund, Kind: r.Kind, Flow: Flow{
			Received: money.Amount(r.Received), AllocatedIn: money.Amount(r.AllocIn),
			AllocatedOut: money.Amount(r.AllocOut), Spent: money.Amount(r.Spent), Available: money.Amount(r.Moved)}}
	}
	return out, nil
}

// FundingLine is one area and fund kind in the funding report.
type FundingLine struct {
	District string `json:"district"` // a district code, or "city"
	Kind     string `json:"kind"`
	Flow
}

// FundingReport is money by district × fund kind, with the city's own row
// and totals that the rows add up to.
type FundingReport struct {
	Lines  []FundingLine `json:"lines"`
	Totals Flow          `json:"totals"`
}

// FundingReport reports every area's money by fund kind; a district sees its own.
func (s *Service) FundingReport(ctx context.Context) (*FundingReport, error) {
	rows, err := s.flows(ctx, "", "", false)
	if err != nil {
		return nil, err
	}
	byKey := map[[2]string]*FundingLine{}
	r := &FundingReport{Lines: []FundingLine{}}
	for _, row := range rows {
		k := [2]string{row.Area, row.Kind}
		if byKey[k] == nil {
			byKey[k] = &FundingLine{District: row.Area, Kind: row.Kind}
		}
		if err := byKey[k].add(row.Flow); err != nil {
			return nil, err
		}
		if err := r.Totals.add(row.Flow); err != nil {
			return nil, err
		}
	}
	for _, l := range byKey {
		r.Lines = append(r.Lines, *l)
	}
	sort.Slice(r.Lines, func(i, j int) bool {
		if r.Lines[i].District != r.Lines[j].District {
			return r.Lines[i].District < r.Lines[j].District
		}
		return r.Lines[i].Kind < r.Lines[j].Kind
	})
	return r, nil
}

// DirectLine is one direct fund in one area for the monthly report.
type DirectLine struct {
	Fund            string       `json:"fund"`
	District        string       `json:"district"`
	AllocatedMonth  money.Amount `json:"allocated_in_month"`
	AllocatedToDate money.Amount `json:"allocated_to_date"`
	SpentMonth      money.Amount `json:"disbursed_in_month"`
	SpentToDate     money.Amount `json:"disbursed_to_date"`
	Available       money.Amount `json:"available"`
}

// DirectReport is the monthly direct-fund report (直达资金), due to the
// ministry by the 10th of the next month.
type DirectReport struct {
	Month string       `json:"month"`
	Due   string       `json:"due"`
	Lines []DirectLine `json:"lines"`
}

// DirectReport reports allocation and disbursement of direct funds for a
// month (YYYY-MM) and to its end.
func (s *Service) DirectReport(ctx context.Context, month string) (*DirectReport, error) {
	start, err := time.Parse("2006-01", month)
	if err != nil {
		return nil, fmt.Errorf("%w: month must be YYYY-MM, got %q", errs.ErrInvalidRequest, month)
	}
	end := start.AddDate(0, 1, -1).Format(time.DateOnly)
	inMonth, err := s.flows(ctx, start.Format(time.DateOnly), end, true)
	if err != nil {
		return nil, err
	}
	toDate, err := s.flows(ctx, "", end, true)
	if err != nil {
		return nil, err
	}
	r := &DirectReport{Month: month, Due: start.AddDate(0, 1, 9).Format(time.DateOnly), Lines: []DirectLine{}}
	idx := map[[2]string]int{}
	for _, row := range toDate {
		idx[[2]string{row.Fund, row.Area}] = len(r.Lines)
		r.Lines = append(r.Lines, DirectLine{Fund: row.Fund, District: row.Area, AllocatedToDate: row.AllocatedIn,
			SpentToDate: row.Spent, Available: row.Available})
	}
	for _, row := range inMonth {
		if i, ok := idx[[2]string{row.Fund, row.Area}]; ok {
			r.Lines[i].AllocatedMonth, r.Lines[i].SpentMonth = row.AllocatedIn, row.Spent
		}
	}
	sort.Slice(r.Lines, func(i, j int) bool {
		if r.Lines[i].Fund != r.Lines[j].Fund {
			return r.Lines[i].Fund < r.Lines[j].Fund
		}
		return r.Lines[i].District < r.Lines[j].District
	})
	return r, nil
}
