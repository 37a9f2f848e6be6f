package trail

import (
	"context"

	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
)

// ChainEntry is one posting of a holding, in the holding's chain order.
type ChainEntry struct {
	TransferID string
	Type       string
	ReversalOf string
	Amount     money.Amount // + in, − out
}

// Chain lists a holding's postings in chain (posting) order.
func Chain(ctx context.Context, db *store.DB, fund, holder string) ([]ChainEntry, error) {
	var rows []struct {
		TransferID, Type string
		ReversalOf       *string
		Amount           int64
	}
	err := db.Conn(ctx).Raw(`SELECT p.transfer_id, t.type, t.reversal_of, p.amount
		FROM postings p JOIN transfers t ON t.id = p.transfer_id
		WHERE p.fund_code = ? AND p.holder = ? ORDER BY p.chain_seq`, fund, holder).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]ChainEntry, len(rows))
	for i, r := range rows {
		out[i] = ChainEntry{TransferID: r.TransferID, Type: r.Type, ReversalOf: store.Str(r.ReversalOf), Amount: money.Amount(r.Amount)}
	}
	return out, nil
}

// Payment is one fund's leg of a payment to a final payee: an expenditure
// or a subsidy payment, or the reversal of one (a negative Paid).
type Payment struct {
	*ledger.Transfer        // the voucher, without its postings
	PaidFrom         string // the holder the fund's money left
	Paid             money.Amount
}

// Payments lists the payment legs of one fund from its holdings (of one
// district when given), in voucher order.
func Payments(ctx context.Context, db *store.DB, fund, district string) ([]Payment, error) {
	where, args := ledger.HoldingFilter{Fund: fund, District: district}.Where()
	rows, err := db.Conn(ctx).Raw("SELECT "+ledger.TransferColumns+`, p.holder, p.amount
		FROM holdings h CROSS JOIN postings p CROSS JOIN transfers t
		WHERE `+where+` AND p.fund_code = h.fund_code AND p.holder = h.holder AND t.id = p.transfer_id
		AND t.base_type IN ('expenditure', 'subsidy_payment')
		ORDER BY t.fiscal_year, t.voucher_seq`, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Payment
	for rows.Next() {
		var holder string
		var amount int64
		t, err := ledger.ScanTransfer(func(dest ...any) error { return rows.Scan(append(dest, &holder, &amount)...) })
		if err != nil {
			return nil, err
		}
		out = append(out, Payment{Transfer: t, PaidFrom: holder, Paid: money.Amount(-amount)})
	}
	return out, rows.Err()
}
