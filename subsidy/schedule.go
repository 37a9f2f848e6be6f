package subsidy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// parseSchedule reads a standard five-field cron spec ("0 2 1 * *") or a
// descriptor ("@monthly", "@every 1h").
func parseSchedule(spec string) (cron.Schedule, error) { return cron.ParseStandard(spec) }

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

// Scheduler runs each scheduled scheme's RunDue on the scheme's cron
// schedule, read in Zone. A scheme's job that is still running when its
// next time comes is skipped, not started twice. Several instances may run
// schedulers on one database: the unique index on drafts lets only one of
// them create each run.
type Scheduler struct {
	svc *Service
	log *slog.Logger
	// Refresh is how often schemes are re-read to pick up new ones and new
	// versions (a cron spec; default "@every 1m").
	Refresh string
	// Timeout bounds one job (default 30 minutes).
	Timeout time.Duration

	cron *cron.Cron
	base context.Context
	mu   sync.Mutex
	jobs map[string]entry // scheme code → its cron entry
	work func(ctx context.Context, code string)
}

type entry struct {
	spec string
	id   cron.EntryID
}

// NewScheduler returns a scheduler for svc; Start starts it.
func NewScheduler(svc *Service, log *slog.Logger) *Scheduler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := cronLog{log}
	s := &Scheduler{
		svc: svc, log: log, Refresh: "@every 1m", Timeout: 30 * time.Minute, jobs: map[string]entry{},
		cron: cron.New(cron.WithLocation(Zone), cron.WithLogger(l),
			cron.WithChain(cron.Recover(l), cron.SkipIfStillRunning(l))),
	}
	s.work = s.draft
	return s
}

// Start reads every scheme's schedule and starts the jobs. A schedule that
// does not parse stops start-up with an error naming the scheme. Jobs run
// until Stop or until ctx ends.
func (s *Scheduler) Start(ctx context.Context) error {
	s.base = ctx
	if err := s.Load(ctx); err != nil {
		return err
	}
	if _, err := s.cron.AddFunc(s.Refresh, func() {
		if err := s.Load(s.base); err != nil {
			s.log.Error("subsidy schedules not refreshed", "err", err)
		}
	}); err != nil {
		return fmt.Errorf("subsidy scheduler refresh %q: %w", s.Refresh, err)
	}
	s.cron.Start()
	return nil
}

// Stop stops the scheduler; the returned context is done when running jobs
// have finished.
func (s *Scheduler) Stop() context.Context { return s.cron.Stop() }

// Load reads the current version of every scheme and brings the jobs in
// line: new schedules added, changed ones replaced, removed ones dropped.
// All schedules are parsed before anything changes; the first bad one is
// reported by scheme code.
func (s *Scheduler) Load(ctx context.Context) error {
	scs, err := s.svc.Schemes(ctx, "", 0)
	if err != nil {
		return fmt.Errorf("subsidy schedules: %w", err)
	}
	want := map[string]cron.Schedule{}
	specs := map[string]string{}
	for _, sc := range scs {
		if sc.Schedule == "" {
			continue
		}
		sched, err := parseSchedule(sc.Schedule)
		if err != nil {
			return fmt.Errorf("subsidy scheme %s: schedule %q: %w", sc.Code, sc.Schedule, err)
		}
		want[sc.Code], specs[sc.Code] = sched, sc.Schedule
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for code, e := range s.jobs {
		if specs[code] != e.spec {
			s.cron.Remove(e.id)
			delete(s.jobs, code)
		}
	}
	for code, sched := range want {
		if _, ok := s.jobs[code]; ok {
			continue
		}
		id := s.cron.Schedule(sched, s.job(code)) // wrapped by the chain: recover, skip if still running
		s.jobs[code] = entry{spec: specs[code], id: id}
	}
	return nil
}

// Schedules returns the scheme codes with a job and their specs.
func (s *Scheduler) Schedules() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.jobs))
	for code, e := range s.jobs {
		out[code] = e.spec
	}
	return out
}

// job is one scheme's scheduled work: draft the run for the period just ended.
func (s *Scheduler) job(code string) cron.Job {
	return cron.FuncJob(func() {
		base := s.base
		if base == nil {
			base = context.Background()
		}
		ctx, cancel := context.WithTimeout(base, s.Timeout)
		defer cancel()
		s.work(ctx, code)
	})
}

// draft is the default work of a scheme's job.
func (s *Scheduler) draft(ctx context.Context, code string) {
	sc, err := s.svc.Scheme(ctx, code, 0)
	if err == nil {
		var id string
		if id, err = s.svc.runDue(ctx, sc, s.svc.now()); err == nil && id != "" {
			s.log.Info("subsidy run drafted", "scheme", code, "run", id)
		}
	}
	if err != nil {
		s.log.Error("subsidy run not drafted", "scheme", code, "err", err)
	}
}

// cronLog lets cron log through slog.
type cronLog struct{ l *slog.Logger }

// Info logs cron's routine messages ("skip", "schedule") at debug level.
func (c cronLog) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }

// Error logs cron's failures, such as a job that panicked.
func (c cronLog) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}
