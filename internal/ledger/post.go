package ledger

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"gorm.io/gorm"

	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/money"
	"renofund/internal/store"
)

// Ledger posts and reads transfers.
type Ledger struct {
	db    *store.DB
	today func() string
}

// New returns a ledger on db.
func New(db *store.DB) *Ledger { return &Ledger{db: db, today: field.Today} }

// DB returns the database the ledger writes to.
func (l *Ledger) DB() *store.DB { return l.db }

type key struct{ fund, holder string }

type state struct {
	balance money.Amount
	seq     int64
	head    string
	readSeq int64
	// lastBooked is the latest booking date of any posting on the holding.
	lastBooked string
	// project is the project the holding belongs to ("" for none).
	project string
}

// Post writes the transfers in one transaction (joining the caller's, if
// any): all of them or none. Every holding they touch is locked once, in
// sorted order, so concurrent posts cannot deadlock; each posting is checked
// against the running balance so no holding ever goes below zero; voucher
// numbers are taken as one continuous block per fiscal year; and each
// holding's hash chain advances under the same lock as its balance.
func (l *Ledger) Post(ctx context.Context, ts ...*Transfer) error {
	return l.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		keys, err := l.prepare(ts)
		if err != nil {
			return err
		}
		if g := store.Deferring(ctx); g != nil {
			return l.hold(g, tx, ts, keys)
		}
		states, err := l.lock(tx, keys, ts)
		if err != nil {
			return err
		}
		if err := l.check(tx, ts, states); err != nil {
			return err
		}
		return l.write(tx, ts, keys, states)
	})
}

// prepare completes and validates the transfers and returns the holdings
// they move, sorted (the order they are locked in).
func (l *Ledger) prepare(ts []*Transfer) ([]key, error) {
	now, today := store.Now(), l.today()
	seen := map[key]bool{}
	var keys []key
	for i, t := range ts {
		if t.ID == "" {
			t.ID = NewID()
		}
		if t.BaseType == "" {
			t.BaseType = t.Type
		}
		t.RecordedAt = now
		if t.PreparedBy == "" {
			t.PreparedBy = t.RecordedBy
		}
		if err := t.validate(); err != nil {
			return nil, err
		}
		if err := checkDate(t, today); err != nil {
			return nil, itemErr(ts, i, err)
		}
		for _, p := range t.Postings {
			k := key{p.Fund, p.Holder}
			if p.Holder != External && !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].fund != keys[j].fund {
			return keys[i].fund < keys[j].fund
		}
		return keys[i].holder < keys[j].holder
	})
	return keys, nil
}

// check runs every step against the running balances of the locked
// holdings (moving them on) before any voucher number is taken, so a
// refusal costs nothing.
func (l *Ledger) check(tx *gorm.DB, ts []*Transfer, states map[key]*state) error {
	for i, t := range ts {
		for _, p := range t.Postings {
			if p.Holder == External {
				continue
			}
			st := states[key{p.Fund, p.Holder}]
			if p.Amount > 0 && st.balance > math.MaxInt64-p.Amount {
				return itemErr(ts, i, fmt.Errorf("%w: %s at %s would exceed the largest balance the books can hold",
					errs.ErrRuleViolation, p.Fund, p.Holder))
			}
			if st.balance+p.Amount < 0 {
				return itemErr(ts, i, fmt.Errorf("%w: %s at %s holds %s, needs %s", ErrInsufficientFunds,
					p.Fund, p.Holder, st.balance, -p.Amount))
			}
			st.balance += p.Amount
		}
	}
	if err := l.checkArrival(tx, ts, states); err != nil {
		return err
	}
	if err := checkHouseholds(tx, ts); err != nil {
		return err
	}
	for _, t := range ts {
		for _, p := range t.Postings {
			if st := states[key{p.Fund, p.Holder}]; st != nil {
				st.lastBooked = max(st.lastBooked, t.BookedOn)
			}
		}
	}
	return nil
}

// write numbers the checked transfers, links them into their holdings'
// chains and writes them with their kept totals and the holdings' new
// states.
func (l *Ledger) write(tx *gorm.DB, ts []*Transfer, keys []key, states map[key]*state) error {
	if err := l.number(tx, ts); err != nil {
		return err
	}
	for _, t := range ts {
		t.Hash = TransferHash(t)
		for i := range t.Postings {
			p := &t.Postings[i]
			if p.Holder == External {
				continue
			}
			st := states[key{p.Fund, p.Holder}]
			st.seq++
			p.ChainSeq = st.seq
			p.PrevHash = st.head
			p.Hash = PostingHash(st.head, t.Hash, i+1, p)
			st.head = p.Hash
		}
	}
	var err error
	if l.db.Dialect == store.Postgres && len(ts) <= oneStatement && len(keys) <= oneStatement {
		err = l.writeOne(tx, ts, keys, states)
	} else {
		err = l.writeEach(tx, ts, keys, states)
	}
	if err != nil {
		return err
	}
	for _, k := range keys {
		states[k].readSeq = states[k].seq
	}
	return nil
}

func (l *Ledger) writeEach(tx *gorm.DB, ts []*Transfer, keys []key, states map[key]*state) error {
	if err := insert(tx, ts); err != nil {
		return err
	}
	if err := addTotals(tx, ts, states); err != nil {
		return err
	}
	return l.update(tx, keys, states)
}

// ItemError names which of several transfers posted together was refused.
type ItemError struct {
	Index int
	Err   error
}

func (e *ItemError) Error() string { return fmt.Sprintf("item %d: %v", e.Index, e.Err) }

// Unwrap exposes the refusal.
func (e *ItemError) Unwrap() error { return e.Err }

// update writes the new balances and chain heads, guarded by the sequence
// number read under the lock.
func (l *Ledger) update(tx *gorm.DB, keys []key, states map[key]*state) error {
	if len(keys) > 8 {
		return l.updateBulk(tx, keys, states)
	}
	for _, k := range keys {
		st := states[k]
		res := tx.Exec(`UPDATE holdings SET balance = ?, chain_seq = ?, chain_head = ?, last_booked_on = ?
			WHERE fund_code = ? AND holder = ? AND chain_seq = ?`,
			int64(st.balance), st.seq, st.head, st.lastBooked, k.fund, k.holder, st.readSeq)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return fmt.Errorf("ledger: holding %s/%s changed under its lock", k.fund, k.holder)
		}
	}
	return nil
}

// lock reads and locks every holding in keys, creating the ones that will
// receive money and do not exist yet.
func (l *Ledger) lock(tx *gorm.DB, keys []key, ts []*Transfer) (map[key]*state, error) {
	states, err := l.selectLocked(tx, keys)
	if err != nil {
		return nil, err
	}
	var missing []key
	for _, k := range keys {
		if states[k] == nil {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return states, nil
	}
	credited := map[key]*Posting{}
	for _, t := range ts {
		for i, p := range t.Postings {
			if p.Amount > 0 {
				credited[key{p.Fund, p.Holder}] = &t.Postings[i]
			}
		}
	}
	var create []key
	for _, k := range missing {
		p := credited[k]
		if p == nil {
			// Only debited: it holds nothing, and the balance check will
			// refuse the first transfer that takes from it.
			states[k] = &state{}
			continue
		}
		create = append(create, k)
		err := tx.Exec(`INSERT INTO holdings (fund_code, holder, district_code, project_code, balance, chain_seq, chain_head)
			VALUES (?, ?, ?, ?, 0, 0, '') ON CONFLICT (fund_code, holder) DO NOTHING`,
			k.fund, k.holder, store.Null(p.District), store.Null(p.Project)).Error
		if err != nil {
			return nil, err
		}
	}
	created, err := l.selectLocked(tx, create)
	if err != nil {
		return nil, err
	}
	for k, st := range created {
		states[k] = st
	}
	for _, k := range keys {
		if states[k] == nil {
			return nil, fmt.Errorf("ledger: holding %s/%s could not be created", k.fund, k.holder)
		}
	}
	return states, nil
}

const lockChunk = 400

func (l *Ledger) selectLocked(tx *gorm.DB, keys []key) (map[key]*state, error) {
	states := make(map[key]*state, len(keys))
	for start := 0; start < len(keys); start += lockChunk {
		chunk := keys[start:min(start+lockChunk, len(keys))]
		args := make([]any, 0, 2*len(chunk))
		for _, k := range chunk {
			args = append(args, k.fund, k.holder)
		}
		q := `SELECT fund_code, holder, balance, chain_seq, chain_head, last_booked_on, project_code FROM holdings
			WHERE (fund_code, holder) IN (VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?),", len(chunk)), ",") +
			`) ORDER BY fund_code, holder` + l.db.ForUpdate()
		rows, err := tx.Raw(q, args...).Rows()
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k key
			var bal int64
			var project *string
			st := &state{}
			if err := rows.Scan(&k.fund, &k.holder, &bal, &st.seq, &st.head, &st.lastBooked, &project); err != nil {
				rows.Close()
				return nil, err
			}
			st.balance = money.Amount(bal)
			st.readSeq = st.seq
			st.project = store.Str(project)
			states[k] = st
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return states, nil
}

// number takes one block of voucher numbers per fiscal year. The counter row
// is the one place where writers of the same year meet, so it is touched
// last, just before the inserts, to hold its lock as briefly as possible.
func (l *Ledger) number(tx *gorm.DB, ts []*Transfer) error {
	count := map[int]int64{}
	var years []int
	for _, t := range ts {
		if count[t.FiscalYear] == 0 {
			years = append(years, t.FiscalYear)
		}
		count[t.FiscalYear]++
	}
	sort.Ints(years)
	next := map[int]int64{}
	closed := map[int]int64{}
	for _, y := range years {
		var c struct {
			LastSeq      int64
			ClosedMonths int64
		}
		err := tx.Raw(`INSERT INTO voucher_counters (fiscal_year, last_seq) VALUES (?, ?)
			ON CONFLICT (fiscal_year) DO UPDATE SET last_seq = voucher_counters.last_seq + excluded.last_seq
			RETURNING last_seq, closed_months`, y, count[y]).Scan(&c).Error
		if err != nil {
			return err
		}
		next[y] = c.LastSeq - count[y] + 1
		closed[y] = c.ClosedMonths
	}
	for i, t := range ts {
		if closed[t.FiscalYear]&monthBit(t.BookedOn) != 0 {
			return itemErr(ts, i, fmt.Errorf("%w: %s is closed; book the correction into an open period, pointing at what it corrects",
				ErrPeriodClosed, t.BookedOn[:7]))
		}
	}
	for _, t := range ts {
		t.VoucherSeq = next[t.FiscalYear]
		next[t.FiscalYear]++
		t.VoucherNo = VoucherNo(t.FiscalYear, t.VoucherSeq)
	}
	return nil
}

var transferCols = []string{
	"id", "fiscal_year", "voucher_seq", "voucher_no", "type", "base_type", "fund_code", "from_holder", "to_holder",
	"district_code", "project_code", "category", "amount", "booked_on", "payer_name", "payer_credit_code",
	"payee_name", "payee_credit_code", "payee_bank_account", "household", "reference", "document_no",
	"source_voucher_no", "purpose", "forced_reason", "reversal_of", "plan_id", "batch_id", "recorded_by",
	"recorded_at", "hash", "prepared_by", "approved_by", "contract_id", "contract_part", "evidence_digest",
}

var postingCols = []string{"transfer_id", "line", "fund_code", "holder", "amount", "chain_seq", "prev_hash", "hash"}

// rows renders a transfer and its postings as insert rows.
func rows(t *Transfer) ([]any, [][]any) {
	n := store.Null
	trow := []any{
		t.ID, t.FiscalYear, t.VoucherSeq, t.VoucherNo, t.Type, t.BaseType, n(t.Fund), n(t.From), n(t.To),
		n(t.District), n(t.Project), n(t.Category), int64(t.Amount), t.BookedOn, n(t.PayerName),
		n(t.PayerCreditCode), n(t.PayeeName), n(t.PayeeCreditCode), n(t.PayeeBankAccount), n(t.Household),
		n(t.Reference), n(t.DocumentNo), n(t.SourceVoucherNo), n(t.Purpose), n(t.ForcedReason),
		n(t.ReversalOf), n(t.PlanID), n(t.BatchID), t.RecordedBy, t.RecordedAt, t.Hash, n(t.PreparedBy),
		n(t.ApprovedBy), n(t.ContractID), n(t.ContractPart), n(t.EvidenceDigest),
	}
	prows := make([][]any, 0, len(t.Postings))
	for i, p := range t.Postings {
		var seq any
		if p.Holder != External {
			seq = p.ChainSeq
		}
		prows = append(prows, []any{t.ID, i + 1, p.Fund, p.Holder, int64(p.Amount), seq, n(p.PrevHash), n(p.Hash)})
	}
	return trow, prows
}

func insert(tx *gorm.DB, ts []*Transfer) error {
	trows := make([][]any, 0, len(ts))
	var prows [][]any
	for _, t := range ts {
		tr, pr := rows(t)
		trows = append(trows, tr)
		prows = append(prows, pr...)
	}
	if err := store.InsertMany(tx, "transfers", transferCols, trows); err != nil {
		if store.UniqueViolation(err) && anyReversal(ts) {
			return fmt.Errorf("%w (a concurrent reversal won)", ErrAlreadyReversed)
		}
		return err
	}
	return store.InsertMany(tx, "postings", postingCols, prows)
}

func anyReversal(ts []*Transfer) bool {
	for _, t := range ts {
		if t.ReversalOf != "" {
			return true
		}
	}
	return false
}
