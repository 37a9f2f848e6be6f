// Package schedule runs named jobs on cron schedules (robfig/cron), read in
// China Standard Time. The jobs and their schedules come from a Jobs source,
// re-read periodically, so domain packages describe what runs when without
// importing cron. A job still running when its next time comes is skipped,
// not started twice.
package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Zone is the clock schedules are read in: China Standard Time (UTC+8).
var Zone = time.FixedZone("CST", 8*3600)

// Jobs is what the scheduler runs: named jobs, each with a cron schedule.
type Jobs interface {
	// Specs lists every job and its schedule.
	Specs(ctx context.Context) (map[string]string, error)
	// Run does one job's work, reporting what it did ("" for nothing).
	Run(ctx context.Context, name string) (string, error)
}

// Check reports whether spec is a schedule the scheduler can run: a
// standard five-field cron spec ("0 2 1 * *") or a descriptor ("@monthly",
// "@every 1h").
func Check(spec string) error {
	_, err := cron.ParseStandard(spec)
	return err
}

// Scheduler runs the jobs of a source on their schedules.
type Scheduler struct {
	jobs Jobs
	log  *slog.Logger
	// Refresh is how often the jobs are re-read to pick up new and changed
	// schedules (a cron spec; default "@every 1m").
	Refresh string
	// Timeout bounds one run of a job (default 30 minutes).
	Timeout time.Duration

	cron    *cron.Cron
	base    context.Context
	mu      sync.Mutex
	entries map[string]entry // job name → its cron entry
}

type entry struct {
	spec string
	id   cron.EntryID
}

// New returns a scheduler of jobs; Start starts it.
func New(jobs Jobs, log *slog.Logger) *Scheduler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := cronLog{log}
	return &Scheduler{
		jobs: jobs, log: log, Refresh: "@every 1m", Timeout: 30 * time.Minute, entries: map[string]entry{},
		cron: cron.New(cron.WithLocation(Zone), cron.WithLogger(l),
			cron.WithChain(cron.Recover(l), cron.SkipIfStillRunning(l))),
	}
}

// Start reads every job's schedule and starts them. A schedule that does not
// parse stops start-up with an error naming the job. Jobs run until Stop or
// until ctx ends.
func (s *Scheduler) Start(ctx context.Context) error {
	s.base = ctx
	if err := s.Load(ctx); err != nil {
		return err
	}
	if _, err := s.cron.AddFunc(s.Refresh, func() {
		if err := s.Load(s.base); err != nil {
			s.log.Error("schedules not refreshed", "err", err)
		}
	}); err != nil {
		return fmt.Errorf("scheduler refresh %q: %w", s.Refresh, err)
	}
	s.cron.Start()
	return nil
}

// Stop stops the scheduler; the returned context is done when running jobs
// have finished.
func (s *Scheduler) Stop() context.Context { return s.cron.Stop() }

// Load reads every job's schedule and brings the entries in line: new
// schedules added, changed ones replaced, removed ones dropped. All
// schedules are parsed before anything changes; the first bad one is
// reported by job name.
func (s *Scheduler) Load(ctx context.Context) error {
	specs, err := s.jobs.Specs(ctx)
	if err != nil {
		return fmt.Errorf("schedules: %w", err)
	}
	want := map[string]cron.Schedule{}
	for name, spec := range specs {
		sched, err := cron.ParseStandard(spec)
		if err != nil {
			return fmt.Errorf("%s: schedule %q: %w", name, spec, err)
		}
		want[name] = sched
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, e := range s.entries {
		if specs[name] != e.spec {
			s.cron.Remove(e.id)
			delete(s.entries, name)
		}
	}
	for name, sched := range want {
		if _, ok := s.entries[name]; ok {
			continue
		}
		id := s.cron.Schedule(sched, s.job(name)) // wrapped by the chain: recover, skip if still running
		s.entries[name] = entry{spec: specs[name], id: id}
	}
	return nil
}

// Schedules returns the jobs with an entry and their specs.
func (s *Scheduler) Schedules() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.entries))
	for name, e := range s.entries {
		out[name] = e.spec
	}
	return out
}

// job is one job's scheduled work, bounded by Timeout.
func (s *Scheduler) job(name string) cron.Job {
	return cron.FuncJob(func() {
		base := s.base
		if base == nil {
			base = context.Background()
		}
		ctx, cancel := context.WithTimeout(base, s.Timeout)
		defer cancel()
		did, err := s.jobs.Run(ctx, name)
		switch {
		case err != nil:
			s.log.Error("scheduled job failed", "job", name, "err", err)
		case did != "":
			s.log.Info("scheduled job", "job", name, "did", did)
		}
	})
}

// cronLog lets cron log through slog.
type cronLog struct{ l *slog.Logger }

// Info logs cron's routine messages ("skip", "schedule") at debug level.
func (c cronLog) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }

// Error logs cron's failures, such as a job that panicked.
func (c cronLog) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}
