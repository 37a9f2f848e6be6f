package harness

import (
	"math/rand/v2"
	"sync"

	"renofund/internal/store"
)

// faults fails a seeded fraction of commits with the transient errors
// PostgreSQL reports under contention (40001 serialization failure, 40P01
// deadlock). The store calls inject from every transaction of every
// goroutine, so the random source is behind a mutex.
type faults struct {
	rate float64

	mu       sync.Mutex
	rng      *rand.Rand
	commits  int64
	injected int64
}

func newFaults(seed uint64, rate float64) *faults {
	return &faults{rate: rate, rng: rand.New(rand.NewPCG(seed, 0xfa017))}
}

// inject is the store's hook, called just before each commit.
func (f *faults) inject() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.commits++
	if f.rng.Float64() >= f.rate {
		return nil
	}
	f.injected++
	if f.rng.IntN(2) == 0 {
		return store.ErrSerialization
	}
	return store.ErrDeadlock
}

// counts returns how many injected failures there were and out of how many commits.
func (f *faults) counts() (injected, commits int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.injected, f.commits
}
