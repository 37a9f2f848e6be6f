package proof

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"renofund/internal/ledger"
	"renofund/internal/money"
)

// verifySince verifies what was written after the checkpoint from, taking
// what it sealed as given (the checkpoint chain itself is verified whole):
//
//   - every holding's chain from the head the checkpoint sealed for it (a
//     holding it did not seal from the start): each link after it, each
//     transfer hash of the postings after it, and that the chain ends at
//     the head the holding records;
//   - every holding's balance against the sum of all its postings, and its
//     postings' count and numbering against its sequence (one grouped
//     query), so a posting deleted or inserted anywhere is caught, and
//     postings of a holding that is not recorded;
//   - that each transfer written after the checkpoint has postings summing
//     to zero, and the voucher numbers of every year (a grouped query);
//   - the kept totals of the booking dates those transfers touched (their
//     days, their months whole);
//   - every seal in force's stored balances, and from the ledger the seals
//     the checkpoint did not precede or whose last day is on or after the
//     earliest booking date written since;
//   - the evidence chain whole (the checkpoint does not seal its head), and
//     the evidence digests of the transfers written since and of every
//     transfer something is bound to.
//
// Only Full catches a change before the checkpoint that keeps every count,
// sum and recorded head: a field of an old transfer or posting altered with
// its counterpart, a swap of old postings, old kept totals or a superseded
// seal's balances.
func (b *Books) verifySince(ctx context.Context, conn *gorm.DB, r *Report, from *start) error {
	held, err := holdingRows(conn)
	if err != nil {
		return err
	}
	sums, err := postingSums(conn)
	if err != nil {
		return err
	}
	// The holdings whose chains may have grown: the others must still
	// end where the checkpoint sealed them.
	var grown []key
	for _, k := range unionKeys(held, sums, from.heads) {
		s, h, g := from.heads[k], held[k], sums[k]
		if h.seq != s.seq || g.last != s.seq || g.n != s.seq {
			grown = append(grown, k)
		}
	}
	w := newWalker(r, func(k key) state { return from.heads[k] }, nil)
	const per = 1000
	for i := 0; i < len(grown); i += per {
		if err := b.walkAfter(conn, w, grown[i:min(i+per, len(grown))], from.heads); err != nil {
			return err
		}
	}
	for _, k := range unionKeys(held, sums, from.heads) {
		checkHolding(r, k, from, held, sums, w.ends)
	}
	if err := verifyBalanced(conn, r, w.booked); err != nil {
		return err
	}
	if err := b.verifyVouchers(conn, r); err != nil {
		return err
	}
	days := make([]string, 0, len(w.booked))
	for _, d := range w.booked {
		days = append(days, d)
	}
	slices.Sort(days)
	days = slices.Compact(days)
	if len(days) > 0 {
		scope := days
		if len(days) > 500 { // a long backlog since the checkpoint: all of them is cheaper
			scope = nil
		}
		if err := verifyTotals(conn, r, scope); err != nil {
			return err
		}
	}
	err = b.verifySeals(ctx, conn, r, func(s *Seal) bool {
		return s.CheckpointSeq > from.Seq || len(days) > 0 && days[0] <= s.LastDay
	})
	if err != nil {
		return err
	}
	return b.verifyEvidence(conn, r, w.booked)
}

// heldRow is a holding as recorded.
type heldRow struct {
	balance money.Amount
	seq     int64
	head    string
	ok      bool
}

func holdingRows(conn *gorm.DB) (map[key]heldRow, error) {
	rows, err := conn.Raw("SELECT fund_code, holder, balance, chain_seq, chain_head FROM holdings").Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[key]heldRow{}
	for rows.Next() {
		var k key
		var h heldRow
		var bal int64
		if err := rows.Scan(&k.fund, &k.holder, &bal, &h.seq, &h.head); err != nil {
			return nil, err
		}
		h.balance, h.ok = money.Amount(bal), true
		out[k] = h
	}
	return out, rows.Err()
}

// postingSum is what one holding's postings add up to, and how they are
// numbered.
type postingSum struct {
	sum                      money.Amount
	n, numbered, first, last int64
	ok                       bool
}

// postingSums groups every posting by holding: one pass over the postings,
// no transfers read.
func postingSums(conn *gorm.DB) (map[key]postingSum, error) {
	rows, err := conn.Raw(`SELECT fund_code, holder, SUM(amount), COUNT(*), COUNT(chain_seq), COALESCE(MIN(chain_seq), 0),
		COALESCE(MAX(chain_seq), 0) FROM postings WHERE holder <> ? GROUP BY fund_code, holder`, ledger.External).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[key]postingSum{}
	for rows.Next() {
		var k key
		var g postingSum
		var sum int64
		if err := rows.Scan(&k.fund, &k.holder, &sum, &g.n, &g.numbered, &g.first, &g.last); err != nil {
			return nil, err
		}
		g.sum, g.ok = money.Amount(sum), true
		out[k] = g
	}
	return out, rows.Err()
}

// unionKeys is every holding any of the maps names, in fund, holder order.
func unionKeys(held map[key]heldRow, sums map[key]postingSum, sealed map[key]state) []key {
	seen := map[key]bool{}
	var out []key
	add := func(k key) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for k := range held {
		add(k)
	}
	for k := range sums {
		add(k)
	}
	for k := range sealed {
		add(k)
	}
	slices.SortFunc(out, func(a, b key) int {
		if c := strings.Compare(a.fund, b.fund); c != 0 {
			return c
		}
		return strings.Compare(a.holder, b.holder)
	})
	return out
}

// walkAfter recomputes the chains of keys from the heads sealed for them
// (from the start for a holding not sealed).
func (b *Books) walkAfter(conn *gorm.DB, w *walker, keys []key, sealed map[key]state) error {
	values := make([]string, len(keys))
	args := make([]any, 0, 3*len(keys)+1)
	for i, k := range keys {
		values[i] = "(?, ?, CAST(? AS BIGINT))"
		args = append(args, k.fund, k.holder, sealed[k].seq)
	}
	rows, err := conn.Raw(`WITH c (fund_code, holder, seq) AS (VALUES `+strings.Join(values, ", ")+`)
		`+chainSelect+`
		FROM c JOIN postings p ON p.fund_code = c.fund_code AND p.holder = c.holder AND p.chain_seq > c.seq
		JOIN transfers t ON t.id = p.transfer_id
		ORDER BY p.fund_code, p.holder, p.chain_seq`, args...).Rows()
	if err != nil {
		return err
	}
	return w.walk(rows)
}

// checkHolding compares one holding as recorded with its chain after the
// checkpoint and with the grouped sums of all its postings.
func checkHolding(r *Report, k key, from *start, held map[key]heldRow, sums map[key]postingSum, ends map[key]state) {
	s, sealed := from.heads[k]
	h, g := held[k], sums[k]
	end, walked := ends[k]
	if !walked {
		end = s
	}
	where := fmt.Sprintf("holding %s/%s", k.fund, k.holder)
	switch {
	case !h.ok && g.ok:
		r.fail(where, "postings exist for a holding that is not recorded")
	case !h.ok:
		r.fail(fmt.Sprintf("checkpoint %d, %s", from.Seq, where), "the checkpoint sealed a holding that is no longer recorded")
	case sealed && h.seq < s.seq:
		r.fail(fmt.Sprintf("checkpoint %d, %s", from.Seq, where),
			"chain is shorter than the sealed position %d: postings were removed", s.seq)
	case end.seq != h.seq || end.head != h.head:
		r.fail(where, "chain ends at %d/%s but the holding records %d/%s: its latest postings were altered or removed",
			end.seq, short(end.head), h.seq, short(h.head))
	case g.n != h.seq || g.numbered != g.n || g.last != g.n || g.n > 0 && g.first != 1:
		r.fail(where, "the holding records %d postings but %d are stored, numbered %d…%d: a posting was deleted, inserted or moved before the checkpoint",
			h.seq, g.n, g.first, g.last)
	case g.sum != h.balance:
		r.fail(where, "balance %s is not the sum of its postings %s", h.balance, g.sum)
	}
}

// verifyBalanced checks that each of the transfers has postings that sum
// to zero; it counts them as the transfers whose hashes were recomputed.
func verifyBalanced(conn *gorm.DB, r *Report, transfers map[string]string) error {
	ids := make([]string, 0, len(transfers))
	for id := range transfers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	r.Transfers += int64(len(ids))
	for i := 0; i < len(ids); i += 1000 {
		var bad []struct {
			ID  string
			Sum int64
			N   int64
		}
		err := conn.Raw(`SELECT transfer_id AS id, SUM(amount) AS sum, COUNT(*) AS n FROM postings WHERE transfer_id IN ?
			GROUP BY transfer_id HAVING COUNT(*) < 2 OR SUM(amount) <> 0 ORDER BY transfer_id LIMIT 1`,
			ids[i:min(i+1000, len(ids))]).Scan(&bad).Error
		if err != nil {
			return err
		}
		for _, b := range bad {
			r.fail("transfer "+b.ID, "postings do not balance (sum %s over %d postings): one was altered or deleted", money.Amount(b.Sum), b.N)
		}
	}
	return nil
}
