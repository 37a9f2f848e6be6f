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
	"fmt"

	"renofund/funding"
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

// pastDate checks the date of something that has happened: a date, not
// after today, not before the books' first year.
func pastDate(name, s string) error {
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
