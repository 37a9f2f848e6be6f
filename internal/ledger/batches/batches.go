// Package batches finds a batch's transfers again from a small reference,
// so that the idempotency record of a batch holds the reference and a
// digest rather than the thousand-line answer (internal/idem, web.Referenced).
//
// A batch posts its transfers in one transaction and takes its voucher
// numbers as one continuous block per fiscal year; the reference names the
// batch, its count and those blocks, which the unique voucher index finds
// without an index on batch_id. Transfer ids are UUIDv7, assigned in item
// order within the process that posts the batch, so id order is item order.
package batches

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
)

// Ref is what an idempotency record keeps of a batch.
type Ref struct {
	Batch    string  `json:"batch"`
	Count    int     `json:"count"`
	Vouchers []Block `json:"vouchers"`
}

// Block is a run of voucher numbers of one fiscal year.
type Block struct {
	Year  int   `json:"year"`
	First int64 `json:"first"`
	Count int64 `json:"count"`
}

// RefOf is the reference of the batch id posted as ts.
func RefOf(id string, ts []*ledger.Transfer) Ref {
	r := Ref{Batch: id, Count: len(ts)}
	at := map[int]int{} // year → index in r.Vouchers
	for _, t := range ts {
		i, ok := at[t.FiscalYear]
		if !ok {
			i = len(r.Vouchers)
			at[t.FiscalYear] = i
			r.Vouchers = append(r.Vouchers, Block{Year: t.FiscalYear, First: t.VoucherSeq})
		}
		b := &r.Vouchers[i]
		b.First = min(b.First, t.VoucherSeq)
		b.Count++
	}
	return r
}

// Load reads the transfers a reference (as JSON) names, in item order, each
// with its id, voucher, type, amount, batch and postings: the batch's answer
// as first given. A reference that does not name exactly its batch's
// transfers is an error.
func Load(ctx context.Context, db *store.DB, ref []byte) (string, []*ledger.Transfer, error) {
	var r Ref
	if err := json.Unmarshal(ref, &r); err != nil {
		return "", nil, fmt.Errorf("batches: reference: %w", err)
	}
	conn := db.Conn(ctx)
	ts := make([]*ledger.Transfer, 0, r.Count)
	byID := make(map[string]*ledger.Transfer, r.Count)
	for _, b := range r.Vouchers {
		rows, err := conn.Raw(`SELECT id, voucher_no, type, amount, COALESCE(batch_id, '') FROM transfers
			WHERE fiscal_year = ? AND voucher_seq BETWEEN ? AND ?`, b.Year, b.First, b.First+b.Count-1).Rows()
		if err != nil {
			return "", nil, err
		}
		for rows.Next() {
			t := &ledger.Transfer{FiscalYear: b.Year}
			var amount int64
			if err := rows.Scan(&t.ID, &t.VoucherNo, &t.Type, &amount, &t.BatchID); err != nil {
				rows.Close()
				return "", nil, err
			}
			t.Amount = money.Amount(amount)
			ts = append(ts, t)
			byID[t.ID] = t
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", nil, err
		}
	}
	for _, t := range ts {
		if t.BatchID != r.Batch {
			return "", nil, fmt.Errorf("batches: voucher %s is not of batch %s", t.VoucherNo, r.Batch)
		}
	}
	if len(ts) != r.Count {
		return "", nil, fmt.Errorf("batches: batch %s has %d transfers, its reference says %d", r.Batch, len(ts), r.Count)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].ID < ts[j].ID })
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	for start := 0; start < len(ids); start += 500 {
		rows, err := conn.Raw(`SELECT transfer_id, fund_code, holder, amount FROM postings
			WHERE transfer_id IN ? ORDER BY transfer_id, line`, ids[start:min(start+500, len(ids))]).Rows()
		if err != nil {
			return "", nil, err
		}
		for rows.Next() {
			var id string
			var p ledger.Posting
			var amount int64
			if err := rows.Scan(&id, &p.Fund, &p.Holder, &amount); err != nil {
				rows.Close()
				return "", nil, err
			}
			p.Amount = money.Amount(amount)
			byID[id].Postings = append(byID[id].Postings, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", nil, err
		}
	}
	return r.Batch, ts, nil
}
