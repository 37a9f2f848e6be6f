package subsidy

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
)

// Run statuses.
const (
	Draft     = "draft"
	Paid      = "paid"
	Cancelled = "cancelled"
)

// Line is one project's line in a run.
type Line struct {
	Line           int          `json:"line"`
	Project        string       `json:"project"`
	District       string       `json:"district"`
	Score          *Score       `json:"score"` // null without a rating
	Band           string       `json:"band"`  // min_score of the band used, "formula", or "" for none
	Ratio          money.Rate   `json:"ratio"`
	Base           money.Rate   `json:"base"`   // households × months, m² × months, or 1
	Months         int          `json:"months"` // months of the period within the scheme's validity
	Entitlement    money.Amount `json:"entitlement"`
	Settled        money.Amount `json:"settled"` // what earlier paid runs settled
	Amount         money.Amount `json:"amount"`  // entitlement − settled, when not skipped
	Capped         bool         `json:"capped"`
	Status         string       `json:"status"`
	Reason         string       `json:"reason,omitempty"`
	Payee          *Payee       `json:"payee,omitempty"`
	RatingVersion  int          `json:"rating_version,omitempty"`
	ManagerVersion int          `json:"manager_version,omitempty"`
	DaysServed     int          `json:"days_served,omitempty"` // the counted days this line's share covers
	PeriodDays     int          `json:"period_days,omitempty"` // the period's counted days, when shared by days
}

// DistrictTotal sums one district's lines.
type DistrictTotal struct {
	District string       `json:"district"`
	Lines    int          `json:"lines"`
	Paying   int          `json:"paying"`   // lines with a positive amount
	Total    money.Amount `json:"total"`    // paid out on approval
	Clawback money.Amount `json:"clawback"` // negative adjustments, ≤ 0
}

// RunSummary is a run without its lines, as listed by Runs.
type RunSummary struct {
	ID            string       `json:"id"`
	Scheme        string       `json:"scheme"`
	SchemeVersion int          `json:"scheme_version"`
	Period        string       `json:"period"`
	Status        string       `json:"status"`
	Total         money.Amount `json:"total"`    // paid out on approval: payable lines and top-ups
	Clawback      money.Amount `json:"clawback"` // clawback requests, ≤ 0, never paid from the ledger
	LineCount     int          `json:"line_count"`
	PaidBefore    int          `json:"paid_before"` // paid runs of this scheme and period when drafted
	CreatedBy     string       `json:"created_by"`
	CreatedAt     string       `json:"created_at"`
	ApprovedBy    string       `json:"approved_by,omitempty"`
	ApprovedAt    string       `json:"approved_at,omitempty"`
	CancelledBy   string       `json:"cancelled_by,omitempty"`
	CancelledAt   string       `json:"cancelled_at,omitempty"`
}

// Run is a payout of one scheme version for one period, with its lines and
// totals per district.
type Run struct {
	RunSummary
	Districts []DistrictTotal `json:"districts"`
	Lines     []Line          `json:"lines"`
}

// errAlreadyRun tells the scheduler that some run exists for the period.
var errAlreadyRun = errors.New("subsidy: a run exists for this scheme and period")

// CreateRun drafts a run of the scheme's current version for the period
// (finance only): a line per project in the scheme's scope (every project
// for the city, or the holder district's), in project order. A second draft
// for the same scheme and period is refused with ErrRunExists, decided by a
// unique index so that racing service instances cannot both create one.
func (s *Service) CreateRun(ctx context.Context, scheme, period string) (*Run, error) {
	if err := finance(ctx); err != nil {
		return nil, err
	}
	return s.createRun(ctx, scheme, period, false)
}

// createRun drafts a run; with onlyFirst it refuses (errAlreadyRun) when any
// run, in any state, exists for the scheme and period.
func (s *Service) createRun(ctx context.Context, code, period string, onlyFirst bool) (*Run, error) {
	p, err := ParsePeriod(period)
	if err != nil {
		return nil, err
	}
	sc, err := s.Scheme(ctx, code, 0)
	if err != nil {
		return nil, err
	}
	if p.Kind != sc.Period {
		return nil, fmt.Errorf("%w: scheme %s pays per %s, period %s is a %s", errs.ErrInvalidRequest, sc.Code,
			sc.Period, p, p.Kind)
	}
	r := &Run{RunSummary: RunSummary{ID: ledger.NewID(), Scheme: sc.Code, SchemeVersion: sc.Version,
		Period: p.String(), Status: Draft, CreatedBy: access.From(ctx).Label()}}
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var drafts, all int
		err := tx.Raw(`SELECT COALESCE(SUM(CASE WHEN status = 'draft' THEN 1 ELSE 0 END), 0), COUNT(*),
			COALESCE(SUM(CASE WHEN status = 'paid' THEN 1 ELSE 0 END), 0)
			FROM subsidy_runs WHERE scheme_code = ? AND period = ?`, sc.Code, r.Period).Row().
			Scan(&drafts, &all, &r.PaidBefore)
		if err != nil {
			return err
		}
		switch {
		case onlyFirst && all > 0:
			return errAlreadyRun
		case drafts > 0:
			return fmt.Errorf("%w: scheme %s, period %s", ErrRunExists, sc.Code, r.Period)
		}
		// PaidBefore was read before what those runs settled: approval
		// refuses the run if another run was paid in between.
		if r.Lines, err = s.draftLines(ctx, sc, p); err != nil {
			return err
		}
		r.summarise()
		r.CreatedAt = store.Now()
		err = tx.Exec(`INSERT INTO subsidy_runs (id, scheme_code, scheme_version, period, status, paid_before, total,
			clawback, line_count, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
			r.ID, r.Scheme, r.SchemeVersion, r.Period, r.Status, r.PaidBefore, int64(r.Total), int64(r.Clawback),
			r.LineCount, r.CreatedBy, r.CreatedAt).Error
		if store.UniqueViolation(err) {
			return fmt.Errorf("%w: scheme %s, period %s (created concurrently)", ErrRunExists, sc.Code, r.Period)
		}
		if err != nil {
			return err
		}
		return insertLines(tx, r)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// summarise sets the totals of the run from its lines.
func (r *Run) summarise() {
	r.Total, r.Clawback, r.LineCount, r.Districts = 0, 0, len(r.Lines), []DistrictTotal{}
	if r.Lines == nil {
		r.Lines = []Line{}
	}
	idx := map[string]int{}
	for _, l := range r.Lines {
		i, ok := idx[l.District]
		if !ok {
			i = len(r.Districts)
			idx[l.District] = i
			r.Districts = append(r.Districts, DistrictTotal{District: l.District})
		}
		d := &r.Districts[i]
		d.Lines++
		if l.Amount > 0 {
			d.Paying++
			d.Total += l.Amount
			r.Total += l.Amount
		} else {
			d.Clawback += l.Amount
			r.Clawback += l.Amount
		}
	}
	sortDistricts(r.Districts)
}
