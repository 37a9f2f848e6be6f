package harness

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// The short run fits CI (16 s of operations for TestHarness and 8 s for
// TestHarnessFaults, split across the engines; about 30 s in all with setup
// and verification under -race); the long run is a flag away:
//
//	go test ./internal/harness/ -run Harness -harness.duration=10m -harness.seed=N
var (
	flagSeed     = flag.Uint64("harness.seed", 0, "seed of the random sequences (0: a new one, printed)")
	flagDuration = flag.Duration("harness.duration", 16*time.Second, "operation time of TestHarness, split across the engines (TestHarnessFaults gets half)")
	flagWorkers  = flag.Int("harness.workers", 4, "concurrent workers")
	flagSteps    = flag.Int("harness.steps", 0, "replay: run only a sequential phase of exactly this many steps")
	flagFaults   = flag.Float64("harness.faultrate", 0.15, "fraction of commits TestHarnessFaults fails with 40001/40P01")
)

func seed(t *testing.T) uint64 {
	if *flagSeed != 0 {
		return *flagSeed
	}
	return rand.Uint64()%1_000_000_000 + 1
}

// TestHarness runs the invariant harness on every engine.
func TestHarness(t *testing.T) {
	run(t, *flagDuration, 0)
}

// TestHarnessFaults runs the harness with a fraction of all commits failing
// with injected serialization failures and deadlocks, and on PostgreSQL at
// SERIALIZABLE isolation: retried transactions must not post twice and
// refusals must still write nothing.
func TestHarnessFaults(t *testing.T) {
	run(t, *flagDuration/2, *flagFaults)
}

func run(t *testing.T, budget time.Duration, faultRate float64) {
	s := seed(t)
	engines := storetest.Engines()
	for _, d := range engines {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			if faultRate > 0 {
				db.Serializable = true // PostgreSQL only; SQLite is serializable anyway
			}
			t.Logf("seed %d (reproduce: go test ./internal/harness/ -run '%s/%s' -harness.seed=%d)", s,
				strings.Split(t.Name(), "/")[0], d, s)
			cfg := Config{Seed: s, Duration: budget / time.Duration(len(engines)), Workers: *flagWorkers,
				Steps: *flagSteps, FaultRate: faultRate, Logf: t.Logf}
			start := time.Now()
			stats, err := Run(context.Background(), db, cfg)
			report(t, d, stats, time.Since(start))
			if err != nil {
				t.Fatalf("%v\n(seed %d; a failure in sequential phase 1 at step N replays with -harness.seed=%d -harness.steps=N)", err, s, s)
			}
			if faultRate > 0 && stats.Faults == 0 {
				t.Errorf("no fault was injected in %d commits", stats.Commits)
			}
		})
	}
}

func report(t *testing.T, d store.Dialect, s *Stats, took time.Duration) {
	if s == nil {
		return
	}
	var ops []string
	for op, n := range s.ByOp {
		ops = append(ops, fmt.Sprintf("%s %d", op, n))
	}
	sort.Strings(ops)
	var codes []string
	for c, n := range s.RefusedBy {
		codes = append(codes, fmt.Sprintf("%s %d", c, n))
	}
	sort.Strings(codes)
	t.Logf("%s: %d steps (%d refused) in %v, %d concurrent rounds, %d book checks, %d verifications",
		d, s.Steps, s.Refused, took.Round(time.Millisecond), s.Rounds, s.Checks, s.Verifies)
	t.Logf("steps: %s", strings.Join(ops, ", "))
	t.Logf("refusals: %s", strings.Join(codes, ", "))
	if s.Commits > 0 {
		t.Logf("injected faults: %d of %d commits", s.Faults, s.Commits)
	}
	t.Logf("slowest step (%v): %s", s.Slowest.Round(time.Millisecond), s.SlowestStep)
	for _, g := range s.Gave {
		t.Logf("gave up after the retry limit: %s", g)
	}
}
