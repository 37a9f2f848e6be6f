package web

import (
	"sync"
	"time"
)

// limiter is a token bucket per API token: rate per second, bursts of 4×.
type limiter struct {
	rate    float64
	burst   float64
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rate float64) *limiter {
	return &limiter{rate: rate, burst: max(1, 4*rate), buckets: map[string]*bucket{}}
}

func (l *limiter) allow(key string) bool {
	if l.rate <= 0 {
		return true
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// MaxLongPerToken is how many long reads (exports and verification: the
// GET routes without a request deadline) one token may run at once. A reader
// cannot tie up the database with a pile of full exports; a clerk with two
// downloads going waits for one to finish. Long writes (imports, batches,
// plan executions, subsidy approvals) wait on their own locks instead.
const MaxLongPerToken = 2

// longGate counts the long requests each token is running.
type longGate struct {
	mu      sync.Mutex
	running map[string]int
}

func newLongGate() *longGate { return &longGate{running: map[string]int{}} }

// enter admits one more long request for key, or reports that it is at the limit.
func (g *longGate) enter(key string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.running[key] >= MaxLongPerToken {
		return false
	}
	g.running[key]++
	return true
}

func (g *longGate) leave(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.running[key]--; g.running[key] <= 0 {
		delete(g.running, key)
	}
}
