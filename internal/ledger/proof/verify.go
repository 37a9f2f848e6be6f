package proof

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
)

// Report is the outcome of Verify.
type Report struct {
	OK          bool   `json:"ok"`
	Checked     int64  `json:"checked"`     // postings whose links were recomputed
	Transfers   int64  `json:"transfers"`   // transfers whose hashes were recomputed
	Checkpoints int64  `json:"checkpoints"` // checkpoints confirmed
	Seals       int64  `json:"seals"`       // closed periods whose sealed balances were recomputed
	Attachments int64  `json:"attachments"` // evidence attachments whose contents and links were recomputed
	Head        string `json:"head"`        // the latest checkpoint's hash, or a digest of the current heads
	Problem     string `json:"problem,omitempty"`
	Where       string `json:"where,omitempty"`
}

func (r *Report) fail(where, format string, args ...any) {
	if r.OK {
		r.OK = false
		r.Where = where
		r.Problem = fmt.Sprintf(format, args...)
	}
}

// Verify recomputes every hash link from the stored rows and reports the
// first place where they disagree: an edited field (transfer or posting),
// a deleted or inserted posting, rows swapped in a chain, a balance that is
// not the sum of its postings, a transfer that does not balance, a gap in
// the voucher numbers, a checkpoint that no longer matches its chains, or
// evidence attachments altered, removed or unbound (verifyEvidence), or
// totals kept for the reports that are not what the postings sum to.
func (b *Books) Verify(ctx context.Context) (*Report, error) {
	r := &Report{OK: true}
	conn := b.db.Conn(ctx)
	sealed, err := b.verifyCheckpoints(conn, r)
	if err != nil {
		return nil, err
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
	if err := verifyTotals(conn, r); err != nil {
		return nil, err
	}
	if err := b.verifySeals(ctx, conn, r); err != nil {
		return nil, err
	}
	if err := b.verifyEvidence(conn, r); err != nil {
		return nil, err
	}
	return r, nil
}

// verifyTotals checks the totals the reports read against the ledger.
func verifyTotals(conn *gorm.DB, r *Report) error {
	if !r.OK {
		return nil
	}
	diff, err := ledger.CheckTotals(conn)
	if err != nil {
		return err
	}
	if diff != "" {
		r.fail("totals", "%s", diff)
	}
	return nil
}

// verifyChains walks every holding's postings in chain order, recomputing
// each transfer hash from its stored fields and each link from the previous.
func (b *Books) verifyChains(conn *gorm.DB, r *Report, sealed sealedHeads) error {
	rows, err := conn.Raw(`SELECT p.fund_code, p.holder, p.line, p.amount, p.chain_seq, p.prev_hash, p.hash,
		`+ledger.TransferColumns+`
		FROM postings p JOIN transfers t ON t.id = p.transfer_id
		WHERE p.holder <> ? ORDER BY p.fund_code, p.holder, p.chain_seq`, ledger.External).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	var cur key
	var head string
	var seq int64
	var sum money.Amount
	ends := map[key]state{}
	for rows.Next() {
		var p ledger.Posting
		var line int
		var amount int64
		var prev, hash *string
		var pseq *int64
		var t *ledger.Transfer
		t, err = ledger.ScanTransfer(func(dest ...any) error {
			return rows.Scan(append([]any{&p.Fund, &p.Holder, &line, &amount, &pseq, &prev, &hash}, dest...)...)
		})
		if err != nil {
			return err
		}
		p.Amount = money.Amount(amount)
		k := key{p.Fund, p.Holder}
		if k != cur {
			if cur.fund != "" {
				ends[cur] = state{balance: sum, seq: seq, head: head}
			}
			cur, head, seq, sum = k, "", 0, 0
		}
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
		head, seq = want, seq+1
		sum += p.Amount
		r.Checked++
		if s, ok := sealed[k][seq]; ok {
			if s.head != head {
				r.fail(fmt.Sprintf("checkpoint %d, holding %s/%s", s.checkpoint, k.fund, k.holder),
					"chain no longer has the sealed hash at position %d: history before the checkpoint was rewritten", seq)
			}
			delete(sealed[k], seq)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for k, m := range sealed {
		for seq, s := range m {
			r.fail(fmt.Sprintf("checkpoint %d, holding %s/%s", s.checkpoint, k.fund, k.holder),
				"chain is shorter than the sealed position %d: postings were removed", seq)
		}
	}
	if cur.fund != "" {
		ends[cur] = state{balance: sum, seq: seq, head: head}
	}
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
