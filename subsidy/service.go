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
// The package reads the projects and funds tables directly instead of
// importing the funding package, and posts money only through the ledger.
package subsidy

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/store"
)

// Errors the subsidy rules report.
var (
	// ErrRunExists refuses a second draft for a scheme and period.
	ErrRunExists = errs.New(errs.Conflict, "run_exists", "a draft run for this scheme and period exists")
	// ErrFundExpired refuses a payout from a fund past its expiry date.
	ErrFundExpired = errs.New(errs.Rule, "fund_expired", "the fund has expired")
	// ErrCategoryNotEligible refuses a scheme whose category the fund may not pay for.
	ErrCategoryNotEligible = errs.New(errs.Rule, "category_not_eligible", "the fund may not pay for this category")
)

// Service keeps schemes, property managers, ratings and runs, and pays runs
// through the ledger.
type Service struct {
	db     *store.DB
	ledger *ledger.Ledger
	now    func() time.Time
}

// NewService returns a service that pays through l; l must write to db.
func NewService(db *store.DB, l *ledger.Ledger) *Service {
	return &Service{db: db, ledger: l, now: time.Now}
}

// finance refuses every role but the finance bureau.
func finance(ctx context.Context) error {
	if access.From(ctx).Role != access.Finance {
		return fmt.Errorf("%w: only the finance bureau may do this", errs.ErrForbidden)
	}
	return nil
}

// project is what a run needs to know about a community.
type project struct {
	Code       string
	District   string
	Households int64
	FloorArea  string
}

// loadProject reads one project without checking who asks.
func (s *Service) loadProject(ctx context.Context, code string) (*project, error) {
	var ps []project
	err := s.db.Conn(ctx).Raw(`SELECT code, district_code AS district, households, floor_area_m2 AS floor_area
		FROM projects WHERE code = ?`, code).Scan(&ps).Error
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("%w: project %q", errs.ErrNotFound, code)
	}
	return &ps[0], nil
}

// writableProject loads a project the actor may change: unknown, or another
// district's, → not found (the same answer); a role that writes nothing →
// forbidden.
func (s *Service) writableProject(ctx context.Context, code string) (*project, error) {
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
func (s *Service) visibleProject(ctx context.Context, code string) (*project, error) {
	p, err := s.loadProject(ctx, code)
	if err != nil {
		return nil, err
	}
	if a := access.From(ctx); a.Role == access.Admin || !a.Sees(p.District) {
		return nil, fmt.Errorf("%w: project %q", errs.ErrNotFound, code)
	}
	return p, nil
}

// appendVersion runs insert in a transaction, retrying a few times when a
// concurrent writer took the same version number (a unique violation);
// insert computes the next version itself.
func (s *Service) appendVersion(ctx context.Context, what string, insert func(ctx context.Context, tx *gorm.DB) error) error {
	var err error
	for range 5 {
		err = s.db.Tx(ctx, insert)
		if !store.UniqueViolation(err) {
			return err
		}
	}
	return fmt.Errorf("%w: %s changed concurrently, try again", errs.ErrConflict, what)
}

// parseDate checks a YYYY-MM-DD date.
func parseDate(name, s string) error {
	_, err := field.Date(name, s)
	return err
}
