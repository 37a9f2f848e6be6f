package ledger

import (
	"fmt"
	"strings"

	"gorm.io/gorm"

	"renofund/internal/store"
)

// oneStatement bounds the transfers (and holdings) writeOne takes: a group
// commit's members, not a batch's thousand.
const oneStatement = 64

// writeOne writes a few transfers on PostgreSQL in one round trip: the
// transfers, their postings, the kept totals (totals.go) and the holdings'
// new balances and chain heads in one statement (data-modifying CTEs run as
// one statement, and the foreign keys are checked at its end). A single
// request and a group commit's members take this path, so each round trip
// saved is latency saved.
func (l *Ledger) writeOne(tx *gorm.DB, ts []*Transfer, keys []key, states map[key]*state) error {
	var b strings.Builder
	args := make([]any, 0, len(ts)*(len(transferCols)+2*len(postingCols))+7*len(keys))
	var prows [][]any
	b.WriteString("WITH t AS (INSERT INTO transfers (" + strings.Join(transferCols, ", ") + ") VALUES ")
	for i, t := range ts {
		trow, pr := rows(t)
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(placeholders(len(trow)))
		args = append(args, trow...)
		prows = append(prows, pr...)
	}
	b.WriteString("), p AS (INSERT INTO postings (" + strings.Join(postingCols, ", ") + ") VALUES ")
	for i, r := range prows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(placeholders(len(r)))
		args = append(args, r...)
	}
	b.WriteString(")")
	totals := totalRows(ts, states)
	for i, k := range keptTables {
		if rows := totals[k]; len(rows) > 0 {
			fmt.Fprintf(&b, ", d%d AS (%s)", i, k.addSQL(len(rows)))
			for _, r := range rows {
				args = append(args, r...)
			}
		}
	}
	b.WriteString(` UPDATE holdings AS h SET balance = v.balance, chain_seq = v.seq, chain_head = v.head,
		last_booked_on = v.booked FROM (VALUES `)
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?::text, ?::text, ?::bigint, ?::bigint, ?::text, ?::bigint, ?::text)")
		st := states[k]
		args = append(args, k.fund, k.holder, int64(st.balance), st.seq, st.head, st.readSeq, st.lastBooked)
	}
	b.WriteString(`) AS v(fund_code, holder, balance, seq, head, read_seq, booked)
		WHERE h.fund_code = v.fund_code AND h.holder = v.holder AND h.chain_seq = v.read_seq`)
	res := tx.Exec(b.String(), args...)
	if res.Error != nil {
		if store.UniqueViolation(res.Error) && anyReversal(ts) {
			return fmt.Errorf("%w (a concurrent reversal won)", ErrAlreadyReversed)
		}
		return res.Error
	}
	if res.RowsAffected != int64(len(keys)) {
		return fmt.Errorf("ledger: %d of %d holdings changed under their locks", int64(len(keys))-res.RowsAffected, len(keys))
	}
	return nil
}

// placeholders is one row of n values: (?,?,…,?).
func placeholders(n int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")"
}
