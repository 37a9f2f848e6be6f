package ledger

import (
	"fmt"
	"maps"
	"math/big"
	"slices"
	"sort"
	"strings"

	"gorm.io/gorm"

	"renofund/internal/store"
)

// The totals kept beside the postings (migration 00220), written in the
// transaction that writes the postings, so a report reads them instead of
// the ledger and is exactly as current:
//
//	holding_days     per holding and booking date, the flows as flowSums
//	                 defines them and how many postings brought money in and
//	                 took it out
//	holding_months   the same per holding and month, with the month's first
//	                 day money came in and last day it went out ('' for none)
//	late_recordings  per district, booking date, hour of recording and
//	                 recorder, the transfers recorded on a later UTC date than
//	                 they were booked on
//	category_days    per booking date, project, category and district, the
//	                 payments made from the project's own holdings (net of
//	                 reversals) and how many postings of them were not
//	                 reversals
//	category_months  the same per month, with the last date paid ('' for none)
//
// A report reads the months a window covers whole and the days at its ends.

// kept is one table of kept totals: its columns (the first keys of them
// the key) and how a new row's values merge into the row already there.
type kept struct {
	table string
	cols  []string
	keys  int
	merge map[string]string // column → expression; the rest are summed
}

var (
	keptDays = kept{table: "holding_days", keys: 3,
		cols: []string{"booked_on", "fund_code", "holder", "received", "alloc_in", "alloc_out", "spent", "moved", "ins", "outs"}}
	keptMonths = kept{table: "holding_months", keys: 3,
		cols: []string{"fund_code", "holder", "month", "received", "alloc_in", "alloc_out", "spent", "moved", "first_in", "last_out"},
		merge: map[string]string{
			"first_in": `CASE WHEN holding_months.first_in = '' OR (excluded.first_in <> '' AND excluded.first_in < holding_months.first_in)
				THEN excluded.first_in ELSE holding_months.first_in END`,
			"last_out": "CASE WHEN excluded.last_out > holding_months.last_out THEN excluded.last_out ELSE holding_months.last_out END",
		}}
	keptLate = kept{table: "late_recordings", keys: 4,
		cols: []string{"district_code", "booked_on", "hour", "recorded_by", "count", "amount"}}
	keptCategoryDays = kept{table: "category_days", keys: 4,
		cols: []string{"booked_on", "project_code", "category", "district_code", "spent", "paid"}}
	keptCategoryMonths = kept{table: "category_months", keys: 4,
		cols:  []string{"project_code", "category", "month", "district_code", "spent", "last_paid"},
		merge: map[string]string{"last_paid": "CASE WHEN excluded.last_paid > category_months.last_paid THEN excluded.last_paid ELSE category_months.last_paid END"}}
)

// sum is a total that goes on past int64 (the kept sums are NUMERIC).
type sum struct {
	n   int64
	big *big.Int // set once n would have overflowed
}

func (s *sum) add(a int64) {
	if s.big == nil {
		if r := s.n + a; (a > 0) == (r > s.n) || a == 0 {
			s.n = r
			return
		}
		s.big = big.NewInt(s.n)
	}
	s.big.Add(s.big, big.NewInt(a))
}

// value is the sum as a statement argument.
func (s sum) value() any {
	if s.big != nil {
		return s.big.String()
	}
	return s.n
}

// flowTotals are one holding's flows over a day or a month.
type flowTotals struct {
	received, allocIn, allocOut, spent, moved sum
	ins, outs                                 int64
	firstIn, lastOut                          string
}

// add counts one posting booked on day of a transfer t.
func (f *flowTotals) add(t *Transfer, p Posting) {
	a := int64(p.Amount)
	switch {
	case t.BaseType == TypeReceipt:
		f.received.add(a)
	case t.BaseType == TypeAllocation && p.Holder == t.To:
		f.allocIn.add(a)
	case t.BaseType == TypeAllocation && p.Holder == t.From:
		f.allocOut.add(-a)
	case t.BaseType == TypeExpenditure || t.BaseType == TypeSubsidy:
		f.spent.add(-a)
	}
	f.moved.add(a)
	if a > 0 {
		f.ins++
		if f.firstIn == "" || t.BookedOn < f.firstIn {
			f.firstIn = t.BookedOn
		}
	} else if a < 0 {
		f.outs++
		f.lastOut = max(f.lastOut, t.BookedOn)
	}
}

// keyed sums rows by key, remembering the keys in sorted order (the order
// rows are locked in, the same in every writer).
type keyed[T any] struct {
	sums map[string]*T
	keys [][]string
}

func (k *keyed[T]) at(key ...string) *T {
	if k.sums == nil {
		k.sums = map[string]*T{}
	}
	id := strings.Join(key, "\x00")
	v := k.sums[id]
	if v == nil {
		v = new(T)
		k.sums[id] = v
		k.keys = append(k.keys, key)
	}
	return v
}

func (k *keyed[T]) rows(row func(key []string, v *T) []any) [][]any {
	sort.Slice(k.keys, func(i, j int) bool { return slices.Compare(k.keys[i], k.keys[j]) < 0 })
	out := make([][]any, len(k.keys))
	for i, key := range k.keys {
		out[i] = row(key, k.sums[strings.Join(key, "\x00")])
	}
	return out
}

// categorySpend is a project's payments in one category over a day or a
// month.
type categorySpend struct {
	spent    sum
	paid     int64
	lastPaid string
}

// lateTotals are the vouchers of one recording hour booked on an earlier
// date.
type lateTotals struct {
	count  int64
	amount sum
}

// totalRows sums the transfers into rows of each kept table; states are
// the holdings they move (for the project each belongs to).
func totalRows(ts []*Transfer, states map[key]*state) map[*kept][][]any {
	var days, months keyed[flowTotals]
	var late keyed[lateTotals]
	var catDays, catMonths keyed[categorySpend]
	for _, t := range ts {
		spending := (t.BaseType == TypeExpenditure || t.BaseType == TypeSubsidy) && t.Category != "" && t.Project != ""
		for _, p := range t.Postings {
			if p.Holder == External {
				continue
			}
			days.at(t.BookedOn, p.Fund, p.Holder).add(t, p)
			months.at(p.Fund, p.Holder, t.BookedOn[:7]).add(t, p)
			if st := states[key{p.Fund, p.Holder}]; spending && st != nil && st.project == t.Project {
				for _, c := range []*categorySpend{catDays.at(t.BookedOn, t.Project, t.Category, t.District),
					catMonths.at(t.Project, t.Category, t.BookedOn[:7], t.District)} {
					c.spent.add(-int64(p.Amount))
					if t.Type != TypeReversal {
						c.paid++
						c.lastPaid = max(c.lastPaid, t.BookedOn)
					}
				}
			}
		}
		if t.RecordedAt[:10] > t.BookedOn {
			s := late.at(t.District, t.BookedOn, t.RecordedAt[:13], t.RecordedBy)
			s.count++
			s.amount.add(int64(t.Amount))
		}
	}
	return map[*kept][][]any{
		&keptDays: days.rows(func(k []string, f *flowTotals) []any {
			return []any{k[0], k[1], k[2], f.received.value(), f.allocIn.value(), f.allocOut.value(), f.spent.value(),
				f.moved.value(), f.ins, f.outs}
		}),
		&keptMonths: months.rows(func(k []string, f *flowTotals) []any {
			return []any{k[0], k[1], k[2], f.received.value(), f.allocIn.value(), f.allocOut.value(), f.spent.value(),
				f.moved.value(), f.firstIn, f.lastOut}
		}),
		&keptLate: late.rows(func(k []string, s *lateTotals) []any {
			return []any{k[0], k[1], k[2], k[3], s.count, s.amount.value()}
		}),
		&keptCategoryDays: catDays.rows(func(k []string, c *categorySpend) []any {
			return []any{k[0], k[1], k[2], k[3], c.spent.value(), c.paid}
		}),
		&keptCategoryMonths: catMonths.rows(func(k []string, c *categorySpend) []any {
			return []any{k[0], k[1], k[2], k[3], c.spent.value(), c.lastPaid}
		}),
	}
}

// keptTables are the kept tables in the order they are written.
var keptTables = []*kept{&keptDays, &keptMonths, &keptLate, &keptCategoryDays, &keptCategoryMonths}

// addSQL is an INSERT of n rows that adds to the rows already there.
func (k *kept) addSQL(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + k.table + " (" + strings.Join(k.cols, ", ") + ") VALUES ")
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(k.cols)), ",") + ")"
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(one)
	}
	b.WriteString(" ON CONFLICT (" + strings.Join(k.cols[:k.keys], ", ") + ") DO UPDATE SET ")
	for i, c := range k.cols[k.keys:] {
		if i > 0 {
			b.WriteString(", ")
		}
		if m, ok := k.merge[c]; ok {
			b.WriteString(c + " = " + m)
		} else {
			b.WriteString(c + " = " + k.table + "." + c + " + excluded." + c)
		}
	}
	return b.String()
}

// addTotals adds the transfers to the kept totals.
func addTotals(tx *gorm.DB, ts []*Transfer, states map[key]*state) error {
	rows := totalRows(ts, states)
	for _, k := range keptTables {
		per := store.MaxParams / len(k.cols)
		for start := 0; start < len(rows[k]); start += per {
			chunk := rows[k][start:min(start+per, len(rows[k]))]
			args := make([]any, 0, len(chunk)*len(k.cols))
			for _, r := range chunk {
				args = append(args, r...)
			}
			if err := tx.Exec(k.addSQL(len(chunk)), args...).Error; err != nil {
				return err
			}
		}
	}
	return nil
}

// Recomputations of the kept totals from the ledger itself, in the kept
// tables' column order; scope, where given, narrows the transfers read.
func daysFromLedger(scope string) string {
	return `SELECT t.booked_on, p.fund_code, p.holder,
		SUM(CASE WHEN t.base_type = 'receipt' THEN p.amount ELSE 0 END),
		SUM(CASE WHEN t.base_type = 'allocation' AND p.holder = t.to_holder THEN p.amount ELSE 0 END),
		SUM(CASE WHEN t.base_type = 'allocation' AND p.holder = t.from_holder THEN -p.amount ELSE 0 END),
		SUM(CASE WHEN t.base_type IN ('expenditure', 'subsidy_payment') THEN -p.amount ELSE 0 END),
		SUM(p.amount), SUM(CASE WHEN p.amount > 0 THEN 1 ELSE 0 END), SUM(CASE WHEN p.amount < 0 THEN 1 ELSE 0 END)
		FROM postings p JOIN transfers t ON t.id = p.transfer_id WHERE p.holder <> '` + External + `'` + scope + `
		GROUP BY t.booked_on, p.fund_code, p.holder`
}

func monthsFromLedger(scope string) string {
	return `SELECT p.fund_code, p.holder, SUBSTR(t.booked_on, 1, 7),
		SUM(CASE WHEN t.base_type = 'receipt' THEN p.amount ELSE 0 END),
		SUM(CASE WHEN t.base_type = 'allocation' AND p.holder = t.to_holder THEN p.amount ELSE 0 END),
		SUM(CASE WHEN t.base_type = 'allocation' AND p.holder = t.from_holder THEN -p.amount ELSE 0 END),
		SUM(CASE WHEN t.base_type IN ('expenditure', 'subsidy_payment') THEN -p.amount ELSE 0 END),
		SUM(p.amount), COALESCE(MIN(CASE WHEN p.amount > 0 THEN t.booked_on END), ''),
		COALESCE(MAX(CASE WHEN p.amount < 0 THEN t.booked_on END), '')
		FROM postings p JOIN transfers t ON t.id = p.transfer_id WHERE p.holder <> '` + External + `'` + scope + `
		GROUP BY p.fund_code, p.holder, SUBSTR(t.booked_on, 1, 7)`
}

func lateFromLedger(scope string) string {
	return `SELECT COALESCE(t.district_code, ''), t.booked_on, SUBSTR(t.recorded_at, 1, 13), t.recorded_by,
		COUNT(*), SUM(t.amount) FROM transfers t WHERE SUBSTR(t.recorded_at, 1, 10) > t.booked_on` + scope + `
		GROUP BY COALESCE(t.district_code, ''), t.booked_on, SUBSTR(t.recorded_at, 1, 13), t.recorded_by`
}

// categoryFrom is a project's own spending: postings of payments with a
// category out of holdings of the transfer's project.
const categoryFrom = `FROM transfers t JOIN postings p ON p.transfer_id = t.id
	JOIN holdings h ON h.fund_code = p.fund_code AND h.holder = p.holder AND h.project_code = t.project_code
	WHERE t.base_type IN ('expenditure', 'subsidy_payment') AND t.category IS NOT NULL`

func categoryDaysFromLedger(scope string) string {
	return `SELECT t.booked_on, t.project_code, t.category, COALESCE(t.district_code, ''), -SUM(p.amount),
		SUM(CASE WHEN t.type <> 'reversal' THEN 1 ELSE 0 END) ` + categoryFrom + scope + `
		GROUP BY t.booked_on, t.project_code, t.category, COALESCE(t.district_code, '')`
}

func categoryMonthsFromLedger(scope string) string {
	return `SELECT t.project_code, t.category, SUBSTR(t.booked_on, 1, 7), COALESCE(t.district_code, ''),
		-SUM(p.amount), COALESCE(MAX(CASE WHEN t.type <> 'reversal' THEN t.booked_on END), '') ` + categoryFrom + scope + `
		GROUP BY t.project_code, t.category, SUBSTR(t.booked_on, 1, 7), COALESCE(t.district_code, '')`
}

// monthsFromDays sums the kept days of some months (between ? and ?, in ?)
// as holding_months keeps them.
const monthsFromDays = `SELECT fund_code, holder, SUBSTR(booked_on, 1, 7), SUM(received), SUM(alloc_in), SUM(alloc_out),
	SUM(spent), SUM(moved), COALESCE(MIN(CASE WHEN ins > 0 THEN booked_on END), ''),
	COALESCE(MAX(CASE WHEN outs > 0 THEN booked_on END), '')
	FROM holding_days WHERE booked_on BETWEEN ? AND ? AND SUBSTR(booked_on, 1, 7) IN ?
	GROUP BY fund_code, holder, SUBSTR(booked_on, 1, 7)`

// keptFromLedger pairs each kept table with its recomputation and the
// columns, kept and in the ledger, that narrow both to some booking dates
// (by month for holding_months).
var keptFromLedger = []struct {
	*kept
	recompute       func(scope string) string
	scope, byLedger string
	monthly         bool // the scope is a month (YYYY-MM)
	fromDays        bool // narrowed, checked against the kept days rather than the ledger
}{{&keptDays, daysFromLedger, "booked_on", "t.booked_on", false, false},
	{&keptMonths, monthsFromLedger, "month", "SUBSTR(t.booked_on, 1, 7)", true, true},
	{&keptLate, lateFromLedger, "booked_on", "t.booked_on", false, false},
	{&keptCategoryDays, categoryDaysFromLedger, "booked_on", "t.booked_on", false, false},
	{&keptCategoryMonths, categoryMonthsFromLedger, "month", "SUBSTR(t.booked_on, 1, 7)", true, false}}

// RebuildTotals replaces the kept totals with what the ledger conn sees sums
// to (the totals of books restored from rows written without them).
func RebuildTotals(conn *gorm.DB) error {
	for _, c := range keptFromLedger {
		if err := conn.Exec("DELETE FROM " + c.table).Error; err != nil {
			return err
		}
		if err := conn.Exec("INSERT INTO " + c.table + " (" + strings.Join(c.cols, ", ") + ") " + c.recompute("")).Error; err != nil {
			return err
		}
	}
	return nil
}

// CheckTotals recomputes the kept totals from the transfers and postings
// conn sees and names the first row that differs ("" when they agree): a
// total edited, or a posting written without its total. Given booking
// dates (those written since a checkpoint), it recomputes only the rows of
// those dates from the ledger, and checks the months holding them against
// their kept days (the other days of those months are as the checkpoint
// found them). Each table is recomputed once and compared both ways.
func CheckTotals(conn *gorm.DB, days ...string) (string, error) {
	months := map[string]bool{}
	for _, d := range days {
		months[d[:7]] = true
	}
	for _, c := range keptFromLedger {
		cols := strings.Join(c.cols, ", ")
		kept, recompute, args := "SELECT "+cols+" FROM "+c.table, c.recompute(""), []any(nil)
		ms := slices.Sorted(maps.Keys(months))
		switch {
		case len(days) > 0 && c.fromDays:
			kept, recompute = kept+" WHERE "+c.scope+" IN ?", monthsFromDays
			args = []any{ms[0] + "-01", ms[len(ms)-1] + "-31", ms, ms}
		case len(days) > 0 && c.monthly:
			kept, recompute, args = kept+" WHERE "+c.scope+" IN ?", c.recompute(" AND "+c.byLedger+" IN ?"), []any{ms, ms}
		case len(days) > 0:
			kept, recompute, args = kept+" WHERE "+c.scope+" IN ?", c.recompute(" AND "+c.byLedger+" IN ?"), []any{days, days}
		}
		q := "WITH l (" + cols + ") AS MATERIALIZED (" + recompute + "), k AS MATERIALIZED (" + kept + `)
			SELECT * FROM (SELECT 1 AS side, x.* FROM (SELECT * FROM k EXCEPT SELECT * FROM l) x
			UNION ALL SELECT 2 AS side, y.* FROM (SELECT * FROM l EXCEPT SELECT * FROM k) y) z ORDER BY side LIMIT 1`
		row, err := firstRow(conn, q, 1+len(c.cols), args...)
		if err != nil {
			return "", err
		}
		if row != nil {
			says := "kept, but not what the ledger sums to"
			if fmt.Sprint(row[0]) == "2" {
				says = "what the ledger sums to, but not kept"
			}
			return fmt.Sprintf("%s %v: %s", c.table, row[1:], says), nil
		}
	}
	return "", nil
}

// firstRow reads the first row of q (n columns), or nil when there is none.
func firstRow(conn *gorm.DB, q string, n int, args ...any) ([]any, error) {
	rows, err := conn.Raw(q, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, rows.Err()
	}
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	for i, v := range vals {
		if b, ok := v.([]byte); ok {
			vals[i] = string(b)
		}
	}
	return vals, nil
}
