// Package recount recomputes the totals the ledger keeps beside its
// postings (internal/ledger, totals.go) from the transfers and postings
// themselves: Check compares them, for audit verification, and Rebuild
// replaces them, for books restored from rows written without them.
package recount

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"gorm.io/gorm"

	"renofund/internal/ledger"
)

// columns are each kept table's columns, as the ledger writes them.
var columns = func() map[string][]string {
	out := map[string][]string{}
	for _, k := range ledger.KeptTables() {
		out[k.Name] = k.Columns
	}
	return out
}()

// Recomputations of the kept totals from the ledger itself, in the kept
// tables' column order; scope, where given, narrows the transfers read.
func daysFromLedger(scope string) string {
	return `SELECT t.booked_on, p.fund_code, p.holder,
		SUM(CASE WHEN t.base_type = 'receipt' THEN p.amount ELSE 0 END),
		SUM(CASE WHEN t.base_type = 'allocation' AND p.holder = t.to_holder THEN p.amount ELSE 0 END),
		SUM(CASE WHEN t.base_type = 'allocation' AND p.holder = t.from_holder THEN -p.amount ELSE 0 END),
		SUM(CASE WHEN t.base_type IN ('expenditure', 'subsidy_payment') THEN -p.amount ELSE 0 END),
		SUM(p.amount), SUM(CASE WHEN p.amount > 0 THEN 1 ELSE 0 END), SUM(CASE WHEN p.amount < 0 THEN 1 ELSE 0 END)
		FROM postings p JOIN transfers t ON t.id = p.transfer_id WHERE p.holder <> '` + ledger.External + `'` + scope + `
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
		FROM postings p JOIN transfers t ON t.id = p.transfer_id WHERE p.holder <> '` + ledger.External + `'` + scope + `
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
	table           string
	recompute       func(scope string) string
	scope, byLedger string
	monthly         bool // the scope is a month (YYYY-MM)
	fromDays        bool // narrowed, checked against the kept days rather than the ledger
}{{"holding_days", daysFromLedger, "booked_on", "t.booked_on", false, false},
	{"holding_months", monthsFromLedger, "month", "SUBSTR(t.booked_on, 1, 7)", true, true},
	{"late_recordings", lateFromLedger, "booked_on", "t.booked_on", false, false},
	{"category_days", categoryDaysFromLedger, "booked_on", "t.booked_on", false, false},
	{"category_months", categoryMonthsFromLedger, "month", "SUBSTR(t.booked_on, 1, 7)", true, false}}

// Rebuild replaces the kept totals with what the ledger conn sees sums
// to (the totals of books restored from rows written without them).
func Rebuild(conn *gorm.DB) error {
	for _, c := range keptFromLedger {
		if err := conn.Exec("DELETE FROM " + c.table).Error; err != nil {
			return err
		}
		if err := conn.Exec("INSERT INTO " + c.table + " (" + strings.Join(columns[c.table], ", ") + ") " + c.recompute("")).Error; err != nil {
			return err
		}
	}
	return nil
}

// Check recomputes the kept totals from the transfers and postings
// conn sees and names the first row that differs ("" when they agree): a
// total edited, or a posting written without its total. Given booking
// dates (those written since a checkpoint), it recomputes only the rows of
// those dates from the ledger, and checks the months holding them against
// their kept days (the other days of those months are as the checkpoint
// found them). Each table is recomputed once and compared both ways.
func Check(conn *gorm.DB, days ...string) (string, error) {
	months := map[string]bool{}
	for _, d := range days {
		months[d[:7]] = true
	}
	for _, c := range keptFromLedger {
		cols := strings.Join(columns[c.table], ", ")
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
		row, err := firstRow(conn, q, 1+len(columns[c.table]), args...)
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
