// Package programme keeps the renovation programme (改造计划) around the
// projects: each project's status pipeline, reserve (储备) → planned →
// under_construction → accepted → settled → closed, every step dated with
// its document; the city's targets per plan year and the progress the
// projects make towards them; each project's planned funding mix (资金筹措
// 方案) beside what its funds brought in; and what each household is due to
// contribute beside what it paid, with the district's arrears list.
//
// Steps, targets, plans and dues are appended, never changed. A project's
// step to closed is written by the works package when it closes the final
// accounts (RecordClosed), in the same transaction.
package programme

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/store"
)

// Service keeps the programme.
type Service struct {
	db     *store.DB
	ledger *ledger.Ledger
	reg    *funding.Registry
}

// New returns the service.
func New(db *store.DB, l *ledger.Ledger, reg *funding.Registry) *Service {
	return &Service{db: db, ledger: l, reg: reg}
}

// PastDate checks the date of something that has happened (a status step,
// a contract's signing, an acceptance): a date, not after today (422
// future_date), not before the books' first year.
func PastDate(name, s string) error {
	if _, err := field.Date(name, s); err != nil {
		return err
	}
	if s > field.Today() {
		return fmt.Errorf("%w: %s %s is after today", ledger.ErrFutureDate, name, s)
	}
	if s < fmt.Sprintf("%d-01-01", ledger.FirstYear) {
		return fmt.Errorf("%w: %s %s is before %d", errs.ErrInvalidRequest, name, s, ledger.FirstYear)
	}
	return nil
}

// writable loads a project the actor may see and change (finance, or the
// project's own district).
func (s *Service) writable(ctx context.Context, code string) (*funding.Project, error) {
	p, err := s.reg.Project(ctx, code)
	if err != nil {
		return nil, err
	}
	return p, funding.Writable(access.From(ctx), p.District)
}

// appendNext appends a record as the next version of what key names in
// table (whose key column is keyCol), retrying when a concurrent writer
// took the same version.
func (s *Service) appendNext(ctx context.Context, what, table, keyCol string, key any, insert func(tx *gorm.DB, version int) error) error {
	return s.db.AppendVersion(ctx, what, func(ctx context.Context, tx *gorm.DB) error {
		var version int
		if err := tx.Raw("SELECT COALESCE(MAX(version), 0) + 1 FROM "+table+" WHERE "+keyCol+" = ?", key).
			Scan(&version).Error; err != nil {
			return err
		}
		return insert(tx, version)
	})
}
