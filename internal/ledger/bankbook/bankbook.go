// Package bankbook answers what bank reconciliation asks of the books: the
// movements of a district's money (its holdings and its projects',
// optionally of some funds only, the funds a bank account serves) and its
// book balance as at a date, the balance the account should show.
package bankbook

import (
	"context"

	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
)

// NetMovement is a transfer's net effect on one district's holdings.
type NetMovement struct {
	*ledger.Transfer              // without its postings
	Net              money.Amount // + in, − out
}

// districtHoldings joins the district's holdings (optionally of some funds
// only) with their postings and transfers.
func districtHoldings(district string, funds []string) (string, []any) {
	q := `FROM holdings h CROSS JOIN postings p CROSS JOIN transfers t
		WHERE h.district_code = ? AND p.fund_code = h.fund_code AND p.holder = h.holder AND t.id = p.transfer_id`
	args := []any{district}
	if len(funds) > 0 {
		q, args = q+" AND h.fund_code IN ?", append(args, funds)
	}
	return q, args
}

// Net lists the transfers booked between the dates (YYYY-MM-DD) that
// changed what the district holds, in booking order, each with its net
// effect there: an allocation between the district and its own projects
// nets to nothing and is left out. Given funds, only their holdings count.
func Net(ctx context.Context, db *store.DB, district, from, to string, funds ...string) ([]NetMovement, error) {
	join, args := districtHoldings(district, funds)
	rows, err := db.Conn(ctx).Raw("SELECT "+ledger.TransferColumns+`, n.net
		FROM (SELECT p.transfer_id AS id, SUM(p.amount) AS net `+join+` AND t.booked_on BETWEEN ? AND ?
			GROUP BY p.transfer_id HAVING SUM(p.amount) <> 0) n
		JOIN transfers t ON t.id = n.id ORDER BY t.booked_on, t.id`, append(args, from, to)...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []NetMovement
	for rows.Next() {
		var net int64
		t, err := ledger.ScanTransfer(func(dest ...any) error { return rows.Scan(append(dest, &net)...) })
		if err != nil {
			return nil, err
		}
		out = append(out, NetMovement{Transfer: t, Net: money.Amount(net)})
	}
	return out, rows.Err()
}

// Balance sums what the district's holders (the district and its
// projects) held at the end of asOf (YYYY-MM-DD) from the postings booked
// until then; given funds, of those funds only.
func Balance(ctx context.Context, db *store.DB, district, asOf string, funds ...string) (money.Amount, error) {
	join, args := districtHoldings(district, funds)
	var total int64
	err := db.Conn(ctx).Raw("SELECT COALESCE(SUM(p.amount), 0) "+join+" AND t.booked_on <= ?", append(args, asOf)...).Row().Scan(&total)
	return money.Amount(total), err
}

// Reversed returns which of the transfers are reversals or have been
// reversed: money that never went to the bank.
func Reversed(ctx context.Context, db *store.DB, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		var rows []struct{ ID, ReversalOf string }
		err := db.Conn(ctx).Raw(`SELECT id, COALESCE(reversal_of, '') AS reversal_of FROM transfers
			WHERE (id IN ? AND reversal_of IS NOT NULL) OR reversal_of IN ?`, part, part).Scan(&rows).Error
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ID], out[r.ReversalOf] = true, true
		}
	}
	delete(out, "")
	return out, nil
}
