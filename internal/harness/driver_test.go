// Package harness is the seeded invariant harness of the fund ledger. It
// drives the real services (funding, subsidy, ledger) with random sequences
// of receipts, allocations, expenditures (explicit and automatic),
// reversals, batches, factor plans, subsidy runs, ratings and checkpoints,
// and checks the books against an in-memory model that is updated only from
// successful operations.
//
// A run alternates two phases on one database:
//
//   - a sequential phase, where one worker predicts the outcome of every
//     operation from the model (success with the exact postings, or the
//     exact refusal) and, after every operation, checks every invariant:
//     money conserved to the fen (overall and per fund), no holding below
//     zero, the database equal to the model, and, for a refusal, that the
//     whole database is unchanged (snapshot equality); hash links are
//     verified every few steps;
//   - a concurrent phase, where several workers, each with its own seeded
//     sequence, share the database. Each checks after every step what holds
//     under concurrency (single-statement conservation, no negative holding,
//     outcomes that do not depend on the other workers), and between rounds,
//     with the workers paused at a barrier, the harness checks everything
//     the sequential phase checks except per-refusal snapshots: a refused
//     operation that wrote anything shows up there as a difference from the
//     model, which never records refusals.
//
// The sequential phase is reproducible from the seed (Config.Steps fixes its
// length); the concurrent phase reproduces the workers' sequences, not their
// interleaving.
package harness

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"renofund/internal/app"
	"renofund/internal/ledger"
	"renofund/internal/store"
)

// Config says how long and how hard to run.
type Config struct {
	// Seed seeds every random choice; the same seed gives the same
	// sequential phase.
	Seed uint64
	// Duration is the time budget of the operations on this database (setup
	// and the final verification come on top).
	Duration time.Duration
	// Workers is the number of concurrent workers (default 4).
	Workers int
	// Steps, when positive, runs one sequential phase of exactly this many
	// steps and no concurrent phase: the way to replay a sequential failure.
	Steps int
	// VerifyEvery is the number of sequential steps between full hash-link
	// verifications (default 20).
	VerifyEvery int
	// Round is the length of one concurrent round between two barriers
	// (default 1s).
	Round time.Duration
	// FaultRate, when positive, makes that fraction of all commits fail with
	// an injected serialization failure or deadlock (retried by the store).
	FaultRate float64
	// Logf receives progress lines; nil discards them.
	Logf func(format string, args ...any)
}

// Stats counts what a run did.
type Stats struct {
	Steps       int            // operations attempted
	Refused     int            // of which refused
	Rounds      int            // concurrent rounds
	Checks      int            // full book checks
	Verifies    int            // full hash-link verifications
	Faults      int64          // injected commit failures
	Commits     int64          // commits that reached the injector
	ByOp        map[string]int // operations attempted per kind
	RefusedBy   map[string]int // refusals per error code
	Slowest     time.Duration  // the slowest step
	SlowestStep string         // and what it was
	Gave        []string       // concurrent steps that exhausted their retries (503)
}

// Failure is an invariant violation, with what is needed to reproduce it.
type Failure struct {
	Seed  uint64
	Where string   // phase, worker and step
	Msg   string   // what went wrong
	Trail []string // the worker's last steps, oldest first
}

func (f *Failure) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "harness seed=%d, %s: %s", f.Seed, f.Where, f.Msg)
	if len(f.Trail) > 0 {
		b.WriteString("\nlast steps of this worker:")
		for _, s := range f.Trail {
			b.WriteString("\n  " + s)
		}
	}
	return b.String()
}

// harness is one run on one database.
type harness struct {
	cfg    Config
	db     *store.DB
	ledger *ledger.Ledger
	app    *app.Services
	world  *world
	model  *model
	faults *faults

	contracts contracts // works contracts payments are made under

	mu    sync.Mutex // guards stats
	stats Stats

	stop atomic.Bool // set on the first failure: workers finish their step and return

	cycle     int           // the current cycle of phases, from 1
	started   time.Time     // when the operations started
	verifying time.Duration // time spent in ledger.Verify, which grows with the ledger
}

// verifyDue says whether a periodic verification may run now: at most a
// fifth of the run's time goes to Verify, so long runs keep their pace.
func (h *harness) verifyDue() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.verifying*5 <= time.Since(h.started)
}

// Run sets up a small city on db (a fresh, migrated database) and runs the
// harness on it for cfg.Duration. It returns a *Failure on the first
// invariant violation.
func Run(ctx context.Context, db *store.DB, cfg Config) (*Stats, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.VerifyEvery <= 0 {
		cfg.VerifyEvery = 20
	}
	if cfg.Round <= 0 {
		cfg.Round = time.Second
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	services := app.New(db, nil)
	defer services.Close()
	h := &harness{cfg: cfg, db: db, ledger: services.Ledger, app: services,
		model: newModel(), stats: Stats{ByOp: map[string]int{}, RefusedBy: map[string]int{}}}
	if cfg.FaultRate > 0 {
		h.faults = newFaults(cfg.Seed, cfg.FaultRate)
		db.InjectFaults(h.faults.inject)
		defer db.InjectFaults(nil)
	}
	err := h.run(ctx)
	if h.faults != nil {
		h.stats.Faults, h.stats.Commits = h.faults.counts()
	}
	return &h.stats, err
}

func (h *harness) run(ctx context.Context) error {
	seq := h.newWorker(0, true)
	if err := h.setup(ctx, seq); err != nil {
		return err
	}
	if err := h.checkAll(ctx, "after setup", true); err != nil {
		return err
	}
	h.started = time.Now()
	workers := make([]*worker, h.cfg.Workers)
	for i := range workers {
		workers[i] = h.newWorker(i+1, false)
	}
	h.cycle = 1
	if h.cfg.Steps > 0 {
		if err := h.sequential(ctx, seq, time.Time{}, h.cfg.Steps); err != nil {
			return err
		}
		return h.checkAll(ctx, "at the end", true)
	}
	// Alternate the phases: one cycle per minute of budget, at least one;
	// 40% of each cycle sequential, 60% concurrent.
	start := time.Now()
	cycles := max(1, int(h.cfg.Duration/time.Minute))
	cycle := h.cfg.Duration / time.Duration(cycles)
	for c := range cycles {
		h.cycle = c + 1
		base := start.Add(time.Duration(c) * cycle)
		if err := h.sequential(ctx, seq, base.Add(cycle*2/5), 0); err != nil {
			return err
		}
		if err := h.concurrent(ctx, workers, base.Add(cycle)); err != nil {
			return err
		}
	}
	return h.checkAll(ctx, "at the end", true)
}

// sequential runs one worker until the deadline (or for exactly steps
// steps), predicting every outcome and checking every invariant after every
// step, with a snapshot comparison for each refusal.
func (h *harness) sequential(ctx context.Context, w *worker, until time.Time, steps int) error {
	n := 0
	for ; steps > 0 && n < steps || steps == 0 && time.Now().Before(until); n++ {
		if err := w.settled(ctx); err != nil {
			return err
		}
		res, err := w.step(ctx)
		if err != nil {
			return err
		}
		if res.refused != nil {
			after, err := h.snapshot(ctx)
			if err != nil {
				return w.fail("snapshot after refusal: %v", err)
			}
			if d := w.before.diff(after); d != "" {
				return w.fail("refused operation changed the database (%v): %s", res.refused, d)
			}
		}
		verify := w.steps%h.cfg.VerifyEvery == 0 && h.verifyDue()
		if err := h.checkBooks(ctx, verify, w.steps%5 == 0); err != nil {
			return w.fail("%v", err)
		}
	}
	h.cfg.Logf("sequential phase: %d steps", n)
	return nil
}

// concurrent runs the workers in rounds until the deadline; between rounds
// the workers wait at a barrier while every global invariant is checked.
func (h *harness) concurrent(ctx context.Context, workers []*worker, until time.Time) error {
	for round := 0; time.Now().Before(until); round++ {
		end := time.Now().Add(h.cfg.Round)
		if end.After(until) {
			end = until
		}
		errc := make(chan error, len(workers))
		var wg sync.WaitGroup
		for _, w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errc <- w.runUntil(ctx, end)
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				return err
			}
		}
		h.mu.Lock()
		h.stats.Rounds++
		rounds := h.stats.Rounds
		h.mu.Unlock()
		if err := h.checkAll(ctx, fmt.Sprintf("after concurrent round %d", rounds), rounds%3 == 0 && h.verifyDue()); err != nil {
			return err
		}
	}
	return nil
}

// checkAll checks every invariant with the workers paused.
func (h *harness) checkAll(ctx context.Context, where string, verify bool) error {
	if err := h.checkBooks(ctx, verify, true); err != nil {
		return &Failure{Seed: h.cfg.Seed, Where: where, Msg: err.Error()}
	}
	if err := h.checkContracts(ctx); err != nil {
		return &Failure{Seed: h.cfg.Seed, Where: where, Msg: err.Error()}
	}
	return nil
}

func (h *harness) newWorker(id int, exact bool) *worker {
	name := fmt.Sprintf("w%d", id)
	if exact {
		name = "seq"
	}
	return &worker{h: h, id: id, name: name, exact: exact,
		rng: rand.New(rand.NewPCG(h.cfg.Seed, uint64(id)*0x9e3779b97f4a7c15+1))}
}

func (h *harness) count(op string, refused error, took time.Duration, desc string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if took > h.stats.Slowest {
		h.stats.Slowest, h.stats.SlowestStep = took, desc
	}
	h.stats.Steps++
	h.stats.ByOp[op]++
	if refused != nil {
		h.stats.Refused++
		h.stats.RefusedBy[code(refused)]++
	}
}
