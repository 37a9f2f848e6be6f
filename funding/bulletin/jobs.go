package bulletin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"renofund/internal/field"
)

// JobName is the scheduler's name for drafting the bulletin; the colon
// keeps it apart from subsidy scheme codes, which cannot hold one.
const JobName = "bulletin:monthly"

// JobSpec runs the job at 00:10 China Standard Time every day: on the 1st it
// drafts the month just ended, and on a later day it drafts that month only
// if the 1st's run did not (the service was down, say); otherwise it finds
// the month stored and does nothing.
const JobSpec = "10 0 * * *"

// Jobs is the bulletin as a scheduler's source of jobs (internal/schedule).
type Jobs struct{ svc *Service }

// Jobs returns the bulletin's jobs for a scheduler.
func (s *Service) Jobs() Jobs { return Jobs{s} }

// Specs lists the one job.
func (j Jobs) Specs(context.Context) (map[string]string, error) {
	return map[string]string{JobName: JobSpec}, nil
}

// Run drafts the bulletin of the month before now (China Standard Time),
// drafted by "scheduler", unless it is stored: a month is drafted once,
// however many instances run the job at once.
func (j Jobs) Run(ctx context.Context, name string) (string, error) {
	if name != JobName {
		return "", fmt.Errorf("bulletin: no job %q", name)
	}
	now := j.svc.Now().In(field.Zone)
	m := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, field.Zone).Format("2006-01")
	_, err := j.svc.draft(ctx, m, Scheduler)
	if errors.Is(err, ErrExists) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return "bulletin " + m + " drafted", nil
}
