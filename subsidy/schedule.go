package subsidy

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// RunDue drafts, for every scheme with a schedule, the run for the period
// of the scheme's kind that ended most recently before now (read in Zone),
// unless some run (draft, paid or cancelled) already exists for it or the
// period lies outside the scheme's validity. A run another instance created
// at the same moment is skipped quietly. It returns the ids it created.
// The cron job and the command line both call it.
func (s *Service) RunDue(ctx context.Context, now time.Time) (created []string, err error) {
	if err := finance(ctx); err != nil {
		return nil, err
	}
	scs, err := s.Schemes(ctx, "", 0)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, sc := range scs {
		if sc.Schedule == "" {
			continue
		}
		id, err := s.runDue(ctx, sc, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("scheme %s: %w", sc.Code, err))
		} else if id != "" {
			created = append(created, id)
		}
	}
	return created, errors.Join(errs...)
}

// runDue drafts one scheme's run for the period just ended; "" when there
// was nothing to do.
func (s *Service) runDue(ctx context.Context, sc *Scheme, now time.Time) (string, error) {
	p := LastEnded(sc.Period, now)
	if p.validMonths(sc.ValidFrom, sc.ValidTo) == 0 {
		return "", nil
	}
	r, err := s.createRun(ctx, sc.Code, p.String(), true)
	if errors.Is(err, errAlreadyRun) || errors.Is(err, ErrRunExists) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return r.ID, nil
}

// Schedules are the schemes with a schedule as a scheduler reads them (see
// internal/schedule): each scheme code is a job whose work drafts the run
// for the period just ended.
type Schedules struct{ svc *Service }

// Schedules returns the schemes' schedules for a scheduler.
func (s *Service) Schedules() Schedules { return Schedules{s} }

// Specs lists every scheme with a schedule, by code.
func (sc Schedules) Specs(ctx context.Context) (map[string]string, error) {
	scs, err := sc.svc.Schemes(ctx, "", 0)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, s := range scs {
		if s.Schedule != "" {
			out[s.Code] = s.Schedule
		}
	}
	return out, nil
}

// Run drafts a scheme's run for the period just ended, unless there is one.
func (sc Schedules) Run(ctx context.Context, code string) (string, error) {
	s, err := sc.svc.Scheme(ctx, code, 0)
	if err != nil {
		return "", err
	}
	id, err := sc.svc.runDue(ctx, s, sc.svc.now())
	if id != "" {
		return "subsidy run " + id + " drafted", err
	}
	return "", err
}
