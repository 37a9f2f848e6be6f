package proof

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/ledger/recount"
	"renofund/internal/money"
	"renofund/internal/store"
)

// Mode says how much Verify recomputes.
type Mode string

const (
	// Full recomputes everything from the first posting.
	Full Mode = "full"
	// SinceCheckpoint starts from the newest checkpoint whose own chain
	// verifies and recomputes what was written after it (see verifySince);
	// with no checkpoint it is Full.
	SinceCheckpoint Mode = "since_checkpoint"
)

// ModeOf is the mode a full=… query parameter or flag asks for: "true" for
// Full, "" or "false" for SinceCheckpoint; Verify refuses anything else.
func ModeOf(full string) Mode {
	switch full {
	case "true":
		return Full
	case "", "false":
		return SinceCheckpoint
	}
	return Mode("full=" + full)
}

// errMode refuses a verification mode other than full or since_checkpoint.
var errMode = fmt.Errorf("%w: full must be true or false", errs.ErrInvalidRequest)

// Report is the outcome of Verify.
type Report struct {
	OK          bool   `json:"ok"`
	Mode        Mode   `json:"mode"`        // what ran: full or since_checkpoint
	Checked     int64  `json:"checked"`     // postings whose links were recomputed
	Transfers   int64  `json:"transfers"`   // transfers whose hashes were recomputed
	Checkpoints int64  `json:"checkpoints"` // checkpoints confirmed
	Seals       int64  `json:"seals"`       // closed periods whose sealed balances were recomputed
	Attachments int64  `json:"attachments"` // evidence attachments whose contents and links were recomputed
	Head        string `json:"head"`        // the latest checkpoint's hash, or a digest of the current heads
	// Since is the checkpoint a since_checkpoint run started from: what
	// was written before it was taken as that checkpoint sealed it.
	Since   *Checkpoint `json:"since,omitempty"`
	Problem string      `json:"problem,omitempty"`
	Where   string      `json:"where,omitempty"`
}

func (r *Report) fail(where, format string, args ...any) {
	if r.OK {
		r.OK = false
		r.Where = where
		r.Problem = fmt.Sprintf(format, args...)
	}
}

// Verify recomputes the hash links from the stored rows and reports the
// first place where they disagree: an edited field (transfer or posting),
// a deleted or inserted posting, rows swapped in a chain, a balance that is
// not the sum of its postings, a transfer that does not balance, a gap in
// the voucher numbers, a checkpoint that no longer matches its chains, or
// evidence attachments altered, removed or unbound (verifyEvidence), or
// totals kept for the reports that are not what the postings sum to.
// Full recomputes all of it; SinceCheckpoint what was written after the
// newest checkpoint (verifySince). It reads one snapshot of the database.
func (b *Books) Verify(ctx context.Context, mode Mode) (*Report, error) {
	if mode != Full && mode != SinceCheckpoint {
		return nil, errMode
	}
	var r *Report
	err := b.db.Snapshot(ctx, func(ctx context.Context) error {
		var err error
		r, err = b.verify(ctx, mode)
		return err
	})
	return r, err
}

func (b *Books) verify(ctx context.Context, mode Mode) (*Report, error) {
	r := &Report{OK: true, Mode: Full}
	conn := b.db.Conn(ctx)
	sealed, start, err := b.verifyCheckpoints(conn, r)
	if err != nil {
		return nil, err
	}
	if mode == SinceCheckpoint && start != nil {
		r.Mode, r.Since = SinceCheckpoint, &start.Checkpoint
		return r, b.verifySince(ctx, conn, r, start)
	}
	if err := b.verifyChains(conn, r, sealed); err != nil {
		return nil, err
	}
	if err := b.verifyTransfers(conn, r); err != nil {
		return nil, err
	}
	if err := b.verifyVouchers(conn, r); err != nil {
		return nil, err
	}
	if err := verifyTotals(conn, r, nil); err != nil {
		return nil, err
	}
	if err := b.verifySeals(ctx, conn, r, nil); err != nil {
		return nil, err
	}
	if err := b.verifyEvidence(conn, r, nil); err != nil {
		return nil, err
	}
	return r, nil
}

// verifyTotals checks the totals the reports read against the ledger: all
// of them, or those of the given booking dates and their months.
func verifyTotals(conn *gorm.DB, r *Report, days []string) error {
	if !r.OK {
		return nil
	}
	diff, err := recount.Check(conn, days...)
	if err != nil {
		return err
	}
	if diff != "" {
		r.fail("totals", "%s", diff)
	}
	return nil
}

// chainSelect reads postings with their transfers, in chain order.
const chainSelect = `SELECT p.fund_code, p.holder, p.line, p.amount, p.chain_seq, p.prev_hash, p.hash, ` + ledger.TransferColumns

// walker recomputes chains from rows of chainSelect: each transfer hash
// from its stored fields and each link from the previous, from where each
// holding's chain starts (the start of the chain, or a checkpoint's head).
type walker struct {
	r      *Report
	start  func(k key) state
	sealed sealedHeads // checked when set (full mode)
	cur    key
	st     state
	ends   map[key]state
	// booked is the booking date of every transfer seen, by id.
	booked map[string]string
}

func newWalker(r *Report, start func(k key) state, sealed sealedHeads) *walker {
	return &walker{r: r, start: start, sealed: sealed, ends: map[key]state{}, booked: map[string]string{}}
}

func (w *walker) walk(rows *sql.Rows) error {
	defer rows.Close()
	r := w.r
	for rows.Next() {
		var p ledger.Posting
		var line int
		var amount int64
		var prev, hash *string
		var pseq *int64
		t, err := ledger.ScanTransfer(func(dest ...any) error {
			return rows.Scan(append([]any{&p.Fund, &p.Holder, &line, &amount, &pseq, &prev, &hash}, dest...)...)
		})
		if err != nil {
			return err
		}
		p.Amount = money.Amount(amount)
		k := key{p.Fund, p.Holder}
		if k != w.cur {
			w.end()
			w.cur, w.st = k, w.start(k)
		}
		seq, head := w.st.seq, w.st.head
		where := fmt.Sprintf("holding %s/%s, chain position %d, transfer %s (voucher %s)", p.Fund, p.Holder, seq+1, t.ID, t.VoucherNo)
		if pseq == nil || *pseq != seq+1 {
			r.fail(where, "chain sequence %v follows %d: a posting is missing, inserted or moved", deref(pseq), seq)
		}
		p.ChainSeq = seq + 1
		th := ledger.TransferHash(t)
		if th != t.Hash {
			r.fail(where, "transfer %s does not match its stored hash: a field was altered", t.ID)
		}
		if store.Str(prev) != head {
			r.fail(where, "previous-hash link broken: rows were deleted, inserted or swapped")
		}
		want := ledger.PostingHash(head, th, line, &p)
		if store.Str(hash) != want {
			r.fail(where, "posting hash mismatch: the posting or its transfer was altered")
		}
		w.st = state{balance: w.st.balance + p.Amount, seq: seq + 1, head: want}
		w.booked[t.ID] = t.BookedOn
		r.Checked++
		if s, ok := w.sealed[k][w.st.seq]; ok {
			if s.head != want {
				r.fail(fmt.Sprintf("checkpoint %d, holding %s/%s", s.checkpoint, k.fund, k.holder),
					"chain no longer has the sealed hash at position %d: history before the checkpoint was rewritten", w.st.seq)
			}
			delete(w.sealed[k], w.st.seq)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	w.end()
	return nil
}

// end records where the current holding's chain ends.
func (w *walker) end() {
	if w.cur.fund != "" {
		w.ends[w.cur] = w.st
	}
	w.cur = key{}
}

// verifyChains walks every holding's postings in chain order, recomputing
// each transfer hash from its stored fields and each link from the previous.
func (b *Books) verifyChains(conn *gorm.DB, r *Report, sealed sealedHeads) error {
	rows, err := conn.Raw(chainSelect+`
		FROM postings p JOIN transfers t ON t.id = p.transfer_id
		WHERE p.holder <> ? ORDER BY p.fund_code, p.holder, p.chain_seq`, ledger.External).Rows()
	if err != nil {
		return err
	}
	w := newWalker(r, func(key) state { return state{} }, sealed)
	if err := w.walk(rows); err != nil {
		return err
	}
	for k, m := range sealed {
		for seq, s := range m {
			r.fail(fmt.Sprintf("checkpoint %d, holding %s/%s", s.checkpoint, k.fund, k.holder),
				"chain is shorter than the sealed position %d: postings were removed", seq)
		}
	}
	ends := w.ends
	hrows, err := conn.Raw("SELECT fund_code, holder, balance, chain_seq, chain_head FROM holdings ORDER BY fund_code, holder").Rows()
	if err != nil {
		return err
	}
	defer hrows.Close()
	for hrows.Next() {
		var k key
		var bal, hseq int64
		var hhead string
		if err := hrows.Scan(&k.fund, &k.holder, &bal, &hseq, &hhead); err != nil {
			return err
		}
		end := ends[k]
		where := fmt.Sprintf("holding %s/%s", k.fund, k.holder)
		switch {
		case end.seq != hseq || end.head != hhead:
			r.fail(where, "chain ends at %d/%s but the holding records %d/%s: its latest postings were altered or removed", end.seq, short(end.head), hseq, short(hhead))
		case end.balance != money.Amount(bal):
			r.fail(where, "balance %s is not the sum of its postings %s", money.Amount(bal), end.balance)
		}
		delete(ends, k)
	}
	for k := range ends {
		r.fail(fmt.Sprintf("holding %s/%s", k.fund, k.holder), "postings exist for a holding that is not recorded")
	}
	return hrows.Err()
}

// verifyTransfers checks that every transfer has postings that sum to zero
// and that every transfer's stored hash matches its fields.
func (b *Books) verifyTransfers(conn *gorm.DB, r *Report) error {
	var bad []struct {
		ID  string
		Sum int64
		N   int64
	}
	err := conn.Raw(`SELECT t.id AS id, COALESCE(SUM(p.amount), 0) AS sum, COUNT(p.transfer_id) AS n
		FROM transfers t LEFT JOIN postings p ON p.transfer_id = t.id
		GROUP BY t.id HAVING COUNT(p.transfer_id) < 2 OR SUM(p.amount) <> 0 ORDER BY t.id LIMIT 1`).Scan(&bad).Error
	if err != nil {
		return err
	}
	for _, b := range bad {
		r.fail("transfer "+b.ID, "postings do not balance (sum %s over %d postings): one was altered or deleted", money.Amount(b.Sum), b.N)
	}
	rows, err := conn.Raw("SELECT " + ledger.TransferColumns + " FROM transfers t ORDER BY t.id").Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		t, err := ledger.ScanTransfer(rows.Scan)
		if err != nil {
			return err
		}
		r.Transfers++
		if ledger.TransferHash(t) != t.Hash {
			r.fail("transfer "+t.ID+" (voucher "+t.VoucherNo+")", "stored fields do not match the transfer hash: a field was altered")
		}
	}
	return rows.Err()
}

// verifyVouchers checks that each fiscal year's voucher numbers run 1…N with
// no gap and agree with the counter.
func (b *Books) verifyVouchers(conn *gorm.DB, r *Report) error {
	var years []struct {
		FiscalYear int
		N, Lo, Hi  int64
		Last       *int64
	}
	err := conn.Raw(`SELECT t.fiscal_year AS fiscal_year, COUNT(*) AS n, MIN(t.voucher_seq) AS lo, MAX(t.voucher_seq) AS hi,
		(SELECT last_seq FROM voucher_counters c WHERE c.fiscal_year = t.fiscal_year) AS last
		FROM transfers t GROUP BY t.fiscal_year ORDER BY t.fiscal_year`).Scan(&years).Error
	if err != nil {
		return err
	}
	for _, y := range years {
		if y.Lo != 1 || y.Hi != y.N || y.Last == nil || *y.Last != y.N {
			r.fail("fiscal year "+strconv.Itoa(y.FiscalYear), "voucher numbers are not continuous: %d vouchers span %d…%d, counter at %v", y.N, y.Lo, y.Hi, deref(y.Last))
		}
	}
	return nil
}

func deref(p *int64) any {
	if p == nil {
		return "none"
	}
	return *p
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// headsText is the canonical list of chain heads a checkpoint seals.
func headsText(rows []headRow) string {
	var b strings.Builder
	for _, h := range rows {
		fmt.Fprintf(&b, "%s|%s|%d|%s\n", h.Fund, h.Holder, h.Seq, h.Head)
	}
	return b.String()
}
