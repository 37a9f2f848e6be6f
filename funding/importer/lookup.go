package importer

import (
	"fmt"

	"gorm.io/gorm"

	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/sheet"
)

// keyChunk bounds the keys looked up in one statement.
const keyChunk = 5000

// importedKeys returns which of the rows' keys an earlier import into the
// fund has already posted. When the fund has few import rows compared with
// the file, reading them all is cheaper than looking the file's keys up (an
// IN list of thousands of keys is costly, on SQLite especially).
func importedKeys(tx *gorm.DB, fund string, rows []*row) (map[string]bool, error) {
	keys := make([]string, 0, len(rows))
	for _, r := range rows {
		if r.key != "" {
			keys = append(keys, r.key)
		}
	}
	done := map[string]bool{}
	var n int64
	if err := tx.Raw("SELECT COUNT(*) FROM import_rows WHERE fund_code = ?", fund).Scan(&n).Error; err != nil || n == 0 {
		return done, err
	}
	if n <= 2*int64(len(keys)) {
		var got []string
		if err := tx.Raw("SELECT row_key FROM import_rows WHERE fund_code = ?", fund).Scan(&got).Error; err != nil {
			return nil, err
		}
		for _, k := range got {
			done[k] = true
		}
		return done, nil
	}
	for start := 0; start < len(keys); start += keyChunk {
		var got []string
		err := tx.Raw("SELECT row_key FROM import_rows WHERE fund_code = ? AND row_key IN ?",
			fund, keys[start:min(start+keyChunk, len(keys))]).Scan(&got).Error
		if err != nil {
			return nil, err
		}
		for _, k := range got {
			done[k] = true
		}
	}
	return done, nil
}

// withinShare applies the provident-fund cap to a row before anything is
// posted, so that a partial import rejects the row rather than the file:
// the household's withdrawals, counting what the ledger already holds for it
// and the earlier rows of this file (taken is updated when the row passes),
// may not exceed the cap its receipt was built with (see
// movement.Service.ReceiptTransfer). The ledger applies the same cap again
// when the rows are posted.
func withinShare(r *row, taken map[string]money.Amount) (sheet.LineError, bool) {
	h, a := r.receipt.Household, r.receipt.Amount
	if taken[h]+a > r.capped {
		return sheet.LineError{Line: r.line, Column: Columns[colAmount], Code: ledger.ErrOverHouseholdShare.Code,
			Reason: fmt.Sprintf("provident-fund withdrawals for household %s would come to %s, above its share of the work %s (%s withdrawn before)",
				h, taken[h]+a, r.capped, taken[h])}, false
	}
	taken[h] += a
	return sheet.LineError{}, true
}
