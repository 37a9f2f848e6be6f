package ledger

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"renofund/internal/errs"
	"renofund/internal/money"
	"renofund/internal/store"
)

// ErrTransferNotFound reports an unknown transfer id.
var ErrTransferNotFound = fmt.Errorf("%w: transfer", errs.ErrNotFound)

// TransferColumns are a transfer's columns (table alias t), in the order
// ScanTransfer reads.
const TransferColumns = `t.id, t.fiscal_year, t.voucher_seq, t.voucher_no, t.type, t.base_type, t.fund_code,
	t.from_holder, t.to_holder, t.district_code, t.project_code, t.category, t.amount, t.booked_on, t.payer_name,
	t.payer_credit_code, t.payee_name, t.payee_credit_code, t.payee_bank_account, t.household, t.reference,
	t.document_no, t.source_voucher_no, t.purpose, t.forced_reason, t.reversal_of, t.plan_id, t.batch_id,
	t.recorded_by, t.recorded_at, t.hash, t.prepared_by, t.approved_by, t.contract_id, t.contract_part,
	t.evidence_digest`

const selectTransfer = "SELECT " + TransferColumns + " FROM transfers t"

// ScanTransfer reads one row selected with TransferColumns.
func ScanTransfer(scan func(dest ...any) error) (*Transfer, error) {
	var t Transfer
	var amount int64
	var s [25]*string
	err := scan(&t.ID, &t.FiscalYear, &t.VoucherSeq, &t.VoucherNo, &t.Type, &t.BaseType, &s[0], &s[1], &s[2],
		&s[3], &s[4], &s[5], &amount, &t.BookedOn, &s[6], &s[7], &s[8], &s[9], &s[10], &s[11], &s[12], &s[13],
		&s[14], &s[15], &s[16], &s[17], &s[18], &s[19], &t.RecordedBy, &t.RecordedAt, &t.Hash, &s[20], &s[21], &s[22], &s[23],
		&s[24])
	if err != nil {
		return nil, err
	}
	t.Amount = money.Amount(amount)
	for i, dst := range []*string{&t.Fund, &t.From, &t.To, &t.District, &t.Project, &t.Category, &t.PayerName,
		&t.PayerCreditCode, &t.PayeeName, &t.PayeeCreditCode, &t.PayeeBankAccount, &t.Household, &t.Reference,
		&t.DocumentNo, &t.SourceVoucherNo, &t.Purpose, &t.ForcedReason, &t.ReversalOf, &t.PlanID, &t.BatchID,
		&t.PreparedBy, &t.ApprovedBy, &t.ContractID, &t.ContractPart, &t.EvidenceDigest} {
		*dst = store.Str(s[i])
	}
	return &t, nil
}

// Get loads one transfer with its postings.
func (l *Ledger) Get(ctx context.Context, id string) (*Transfer, error) {
	ts, err := l.query(ctx, selectTransfer+" WHERE t.id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, fmt.Errorf("%w %s", ErrTransferNotFound, id)
	}
	return ts[0], nil
}

// ReversalOf returns the id of the transfer that reverses id, or "".
func (l *Ledger) ReversalOf(ctx context.Context, id string) (string, error) {
	var rid []string
	err := l.db.Conn(ctx).Raw("SELECT id FROM transfers WHERE reversal_of = ?", id).Scan(&rid).Error
	if err != nil || len(rid) == 0 {
		return "", err
	}
	return rid[0], nil
}

// Filter selects transfers for List and All; empty fields select everything.
type Filter struct {
	District string
	Project  string
	Fund     string
	Type     string
	Plan     string   // transfers of an allocation plan
	Funds    []string // transfers of any of these funds (single-fund transfers)
	// Forced keeps payments made outside their funds' categories;
	// ToDistrict keeps allocations into a district's own holding; Unreversed
	// leaves out what a later transfer reversed.
	Forced, ToDistrict, Unreversed bool
	After                          string // cursor: the last id of the previous page
	Limit                          int
}

func (f Filter) where() (string, []any) {
	var where []string
	var args []any
	add := func(cond string, v string) {
		if v != "" {
			where = append(where, cond)
			args = append(args, v)
		}
	}
	add("t.district_code = ?", f.District)
	add("t.project_code = ?", f.Project)
	add("t.type = ?", f.Type)
	add("t.plan_id = ?", f.Plan)
	add("t.id > ?", f.After)
	if f.Funds != nil {
		where = append(where, "t.fund_code IN ?")
		args = append(args, append([]string{""}, f.Funds...)) // never an empty list
	}
	if f.Forced {
		where = append(where, "t.forced_reason IS NOT NULL")
	}
	if f.ToDistrict {
		where = append(where, "t.to_holder LIKE 'district:%'")
	}
	if f.Unreversed {
		where = append(where, "NOT EXISTS (SELECT 1 FROM transfers r WHERE r.reversal_of = t.id)")
	}
	return strings.Join(where, " AND "), args
}

// List returns transfers in id (time) order with their postings, one page
// after the cursor. Every filter is answered from an index in keyset order,
// so a page costs the same wherever it starts.
func (l *Ledger) List(ctx context.Context, f Filter) ([]*Transfer, error) {
	where, args := f.where()
	limit := max(1, f.Limit)
	page := fmt.Sprintf(" ORDER BY t.id LIMIT %d", limit)
	if f.Fund == "" {
		q := selectTransfer
		if where != "" {
			q += " WHERE " + where
		}
		return l.query(ctx, q+page, args...)
	}
	// A transfer moves one fund (transfers.fund_code, indexed with id) or,
	// for an expenditure paid from several, leaves fund_code empty and
	// names its funds in its postings only. Each side gives its own page;
	// the union of the two pages holds the page of the whole.
	rest := ""
	if where != "" {
		rest = " AND " + where
	}
	q := selectTransfer + ` WHERE t.id IN (
		SELECT id FROM (SELECT t.id FROM transfers t WHERE t.fund_code = ?` + rest + page + `) AS single
		UNION ALL
		SELECT id FROM (SELECT DISTINCT t.id FROM postings p JOIN transfers t ON t.id = p.transfer_id
			WHERE p.fund_code = ? AND t.fund_code IS NULL` + rest + page + `) AS several)` + page
	all := append([]any{f.Fund}, args...)
	all = append(append(all, f.Fund), args...)
	return l.query(ctx, q, all...)
}

// All returns every transfer f selects, in id order, reading a page at a
// time; for the few a rule looks for (forced payments, say), not for lists.
func (l *Ledger) All(ctx context.Context, f Filter) ([]*Transfer, error) {
	f.Limit = 1000
	var out []*Transfer
	for {
		ts, err := l.List(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
		if len(ts) < f.Limit {
			return out, nil
		}
		f.After = ts[len(ts)-1].ID
	}
}

// Transfers loads the transfers with the given ids, without their
// postings; ids not found are left out.
func (l *Ledger) Transfers(ctx context.Context, ids []string) (map[string]*Transfer, error) {
	out := make(map[string]*Transfer, len(ids))
	for start := 0; start < len(ids); start += 500 {
		rows, err := l.db.Conn(ctx).Raw(selectTransfer+" WHERE t.id IN ?", ids[start:min(start+500, len(ids))]).Rows()
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			t, err := ScanTransfer(rows.Scan)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[t.ID] = t
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (l *Ledger) query(ctx context.Context, q string, args ...any) ([]*Transfer, error) {
	conn := l.db.Conn(ctx)
	rows, err := conn.Raw(q, args...).Rows()
	if err != nil {
		return nil, err
	}
	var ts []*Transfer
	byID := map[string]*Transfer{}
	for rows.Next() {
		t, err := ScanTransfer(rows.Scan)
		if err != nil {
			rows.Close()
			return nil, err
		}
		ts = append(ts, t)
		byID[t.ID] = t
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, nil
	}
	return ts, loadPostings(conn, ts, byID)
}

func loadPostings(conn *gorm.DB, ts []*Transfer, byID map[string]*Transfer) error {
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	rows, err := conn.Raw(`SELECT transfer_id, fund_code, holder, amount, chain_seq, prev_hash, hash
		FROM postings WHERE transfer_id IN ? ORDER BY transfer_id, line`, ids).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var p Posting
		var amount int64
		var seq *int64
		var prev, hash *string
		if err := rows.Scan(&id, &p.Fund, &p.Holder, &amount, &seq, &prev, &hash); err != nil {
			return err
		}
		p.Amount = money.Amount(amount)
		if seq != nil {
			p.ChainSeq = *seq
		}
		p.PrevHash, p.Hash = store.Str(prev), store.Str(hash)
		if t := byID[id]; t != nil {
			t.Postings = append(t.Postings, p)
		}
	}
	return rows.Err()
}

// Balance returns a holding's balance (zero when it does not exist).
func (l *Ledger) Balance(ctx context.Context, fund, holder string) (money.Amount, error) {
	var bal []int64
	err := l.db.Conn(ctx).Raw("SELECT balance FROM holdings WHERE fund_code = ? AND holder = ?", fund, holder).
		Scan(&bal).Error
	if err != nil || len(bal) == 0 {
		return 0, err
	}
	return money.Amount(bal[0]), nil
}
