// Package bankbook answers what bank reconciliation asks of the books: a
// district's book balance (its holdings and its projects', optionally of
// some funds only) as at a date, the balance a bank account should show.
package bankbook

import (
	"context"

	"renofund/internal/money"
	"renofund/internal/store"
)

// Balance sums what the district's holders (the district and its
// projects) held at the end of asOf (YYYY-MM-DD) from the postings booked
// until then; given funds, of those funds only.
func Balance(ctx context.Context, db *store.DB, district, asOf string, funds ...string) (money.Amount, error) {
	q := `SELECT COALESCE(SUM(p.amount), 0) FROM holdings h CROSS JOIN postings p CROSS JOIN transfers t
		WHERE h.district_code = ? AND p.fund_code = h.fund_code AND p.holder = h.holder AND t.id = p.transfer_id
		AND t.booked_on <= ?`
	args := []any{district, asOf}
	if len(funds) > 0 {
		q, args = q+" AND h.fund_code IN ?", append(args, funds)
	}
	var total int64
	err := db.Conn(ctx).Raw(q, args...).Row().Scan(&total)
	return money.Amount(total), err
}
