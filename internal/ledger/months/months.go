// Package months answers which months of the books money moved in: the
// months a monthly report (the bulletin, funding/bulletin) has something to
// say about. It reads the ledger's transfers, which only internal/ledger and
// its subpackages may name.
package months

import (
	"context"

	"renofund/internal/store"
)

// Booked lists, in order, the months (YYYY-MM) that transfers are booked
// in, up to and including through (a month; "" for every month).
func Booked(ctx context.Context, db *store.DB, through string) ([]string, error) {
	var out []string
	err := db.Conn(ctx).Raw(`SELECT DISTINCT SUBSTR(t.booked_on, 1, 7) AS month FROM transfers t
		WHERE ? = '' OR SUBSTR(t.booked_on, 1, 7) <= ? ORDER BY 1`, through, through).Scan(&out).Error
	return out, err
}
