package ledger

import (
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

// KeptTable names a table of kept totals and its columns, its key first.
type KeptTable struct {
	Name    string
	Columns []string
}

// KeptTables lists the tables of kept totals, in the order they are
// written (internal/ledger/recount recomputes them from the ledger).
func KeptTables() []KeptTable {
	out := make([]KeptTable, len(keptTables))
	for i, k := range keptTables {
		out[i] = KeptTable{Name: k.table, Columns: slices.Clone(k.cols)}
	}
	return out
}
