package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"renofund/internal/errs"
)

// AppendVersion runs insert in a transaction, retrying a few times when a
// concurrent writer took the same version number (a unique violation);
// insert computes the next version itself. Versioned records (schemes,
// ratings, management contracts) are appended this way, never updated.
func (db *DB) AppendVersion(ctx context.Context, what string, insert func(ctx context.Context, tx *gorm.DB) error) error {
	var err error
	for range 5 {
		err = db.Tx(ctx, insert)
		if !UniqueViolation(err) {
			return err
		}
	}
	return fmt.Errorf("%w: %s changed concurrently, try again", errs.ErrConflict, what)
}
