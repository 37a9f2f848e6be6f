package ledger

import (
	"fmt"
	"strings"

	"gorm.io/gorm"

	"renofund/internal/store"
)

const updateChunk = 1000

// updateBulk writes many holdings with one UPDATE … FROM (VALUES …) per
// chunk instead of one statement per holding.
func (l *Ledger) updateBulk(tx *gorm.DB, keys []key, states map[key]*state) error {
	for start := 0; start < len(keys); start += updateChunk {
		chunk := keys[start:min(start+updateChunk, len(keys))]
		args := make([]any, 0, 7*len(chunk))
		rows := make([]string, len(chunk))
		for i, k := range chunk {
			st := states[k]
			args = append(args, k.fund, k.holder, int64(st.balance), st.seq, st.head, st.readSeq, st.lastBooked)
			if l.db.Dialect == store.Postgres {
				rows[i] = "(?::text, ?::text, ?::bigint, ?::bigint, ?::text, ?::bigint, ?::text)"
			} else {
				rows[i] = "(?, ?, ?, ?, ?, ?, ?)"
			}
		}
		var q string
		if l.db.Dialect == store.Postgres {
			q = `UPDATE holdings AS h SET balance = v.balance, chain_seq = v.seq, chain_head = v.head, last_booked_on = v.booked
				FROM (VALUES ` + strings.Join(rows, ",") + `) AS v(fund_code, holder, balance, seq, head, read_seq, booked)
				WHERE h.fund_code = v.fund_code AND h.holder = v.holder AND h.chain_seq = v.read_seq`
		} else {
			q = `UPDATE holdings SET balance = v.column3, chain_seq = v.column4, chain_head = v.column5, last_booked_on = v.column7
				FROM (VALUES ` + strings.Join(rows, ",") + `) AS v
				WHERE holdings.fund_code = v.column1 AND holdings.holder = v.column2 AND holdings.chain_seq = v.column6`
		}
		res := tx.Exec(q, args...)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != int64(len(chunk)) {
			return fmt.Errorf("ledger: %d of %d holdings changed under their locks", int64(len(chunk))-res.RowsAffected, len(chunk))
		}
	}
	return nil
}
