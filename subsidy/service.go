// Package subsidy pays the property-service subsidy (物业补贴 / 以奖代补): the
// city pays each renovated community's property manager according to
// periodic service-quality ratings, under schemes kept as versioned data.
//
// Districts enter ratings and property managers for their own projects; the
// finance bureau sets schemes, creates a draft run per scheme and period,
// reviews it and approves it. Approval pays every payable line from the
// scheme's fund in one ledger transaction, or nothing. A community is paid
// at most once per scheme and period: a later run of the same scheme and
// period pays only the difference from what earlier runs settled.
//
// The package learns of funds and projects through the small Registry it
// declares, and posts money only through the ledger.
package subsidy

import (
	"context"
	"fmt"
	"time"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/store"
	"renofund/subsidy/manager"
)

// Errors the subsidy rules report.
var (
	// ErrRunExists refuses a second draft for a scheme and period.
	ErrRunExists = errs.New(errs.Conflict, "run_exists", "a draft run for this scheme and period exists")
	// ErrFundExpired refuses a payout from a fund past its expiry date.
	ErrFundExpired = errs.ErrFundExpired
	// ErrCategoryNotEligible refuses a scheme whose category the fund may not pay for.
	ErrCategoryNotEligible = errs.ErrCategoryNotEligible
)

// Service keeps schemes, property managers, ratings and runs, and pays runs
// through the ledger.
type Service struct {
	db       *store.DB
	ledger   *ledger.Ledger
	reg      Registry
	now      func() time.Time
	managers *manager.Service

	// CheckSchedule checks a scheme's cron schedule (the scheduler's
	// schedule.Check); without it a scheme with a schedule is refused.
	CheckSchedule func(spec string) error
}

// NewService returns a service that pays through l (which must write to
// db) and learns of funds and projects from reg.
func NewService(db *store.DB, l *ledger.Ledger, reg Registry) *Service {
	s := &Service{db: db, ledger: l, reg: reg, now: time.Now}
	s.managers = manager.New(db, s.projectDistrict, func() time.Time { return s.now() }, Zone)
	return s
}

// finance refuses every role but the finance bureau.
func finance(ctx context.Context) error {
	if access.From(ctx).Role != access.Finance {
		return fmt.Errorf("%w: only the finance bureau may do this", errs.ErrForbidden)
	}
	return nil
}

// writableProject loads a project the actor may change: unknown, or another
// district's, → not found (the same answer); a role that writes nothing →
// forbidden.
func (s *Service) writableProject(ctx context.Context, code string) (*Project, error) {
	p, err := s.visibleProject(ctx, code)
	if err != nil {
		return nil, err
	}
	if !access.From(ctx).Writes(p.District) {
		return nil, fmt.Errorf("%w: this role may not change projects", errs.ErrForbidden)
	}
	return p, nil
}

// visibleProject loads a project the actor may read; another district's is
// reported as not found.
func (s *Service) visibleProject(ctx context.Context, code string) (*Project, error) {
	if access.From(ctx).Role == access.Admin {
		return nil, fmt.Errorf("%w: project %q", errs.ErrNotFound, code)
	}
	p, err := s.reg.Project(ctx, code)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// parseDate checks a YYYY-MM-DD date.
func parseDate(name, s string) error {
	_, err := field.Date(name, s)
	return err
}
