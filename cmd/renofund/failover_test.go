package main

// The failover test: the real binary writes through a two-host URL
// (target_session_attrs=read-write) to a primary that replicates
// synchronously to a standby. Under load with Idempotency-Keys the primary
// is stopped hard and, a moment later, the standby promoted. The service
// must answer 503 unavailable meanwhile (never another error), recover by
// itself, and every write it acknowledged must be on the new primary
// exactly once, retries included, with the books verifying.

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"renofund/internal/store/pgcluster"
)

const (
	failoverWorkers = 8
	// failoverLoadLimit bounds the whole load, retries included.
	failoverLoadLimit = 40 * time.Second
	// failoverDown is how long the standby waits before it is promoted, as
	// an operator or a cluster manager takes a moment to decide.
	failoverDown = time.Second
	// failoverAfter is how long the load goes on once the service recovered.
	failoverAfter = time.Second
)

func TestFailover(t *testing.T) {
	p, s := pgcluster.Pair(t, "renofund")
	p.Synchronous()
	bin := buildBinary(t)
	dbURL := fmt.Sprintf("postgres://postgres@127.0.0.1:%d,127.0.0.1:%d/renofund?sslmode=disable&target_session_attrs=read-write",
		p.Port, s.Port)
	token := issueTokenCmd(t, bin, dbURL, "finance", "failover")
	srv := startProcess(t, bin, dbURL)
	c := newClient(srv.base, token, outageAnswerWithin)
	seedCity(t, c)

	l := &failoverLoad{start: time.Now(), stop: make(chan struct{}), acked: make(chan struct{}, 1)}
	var wg sync.WaitGroup
	for w := range failoverWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.worker(c, w)
		}()
	}
	// Kill the primary once writes are flowing…
	select {
	case <-l.acked:
	case <-time.After(10 * time.Second):
	}
	time.Sleep(500 * time.Millisecond)
	p.Kill() // returns once the server is gone
	l.mark(func() { l.killed = time.Now() })
	// …promote the standby a moment later (meanwhile the service is not
	// ready)…
	time.Sleep(failoverDown / 2)
	if r, err := c.do("GET", "/readyz", nil, ""); err != nil || r.Status != 503 || r.code() != "unavailable" {
		t.Errorf("/readyz with no primary: %d %s %v, want 503 unavailable", r.Status, r.Body, err)
	}
	time.Sleep(failoverDown / 2)
	l.mark(func() { l.promoted = time.Now() })
	s.Promote()
	// …and keep the load on until a write sent after the kill has been
	// acknowledged, and a little longer.
	deadline := time.After(failoverLoadLimit / 2)
wait:
	for {
		select {
		case <-time.After(20 * time.Millisecond):
			if l.recovered() {
				break wait
			}
		case <-deadline:
			break wait
		}
	}
	time.Sleep(failoverAfter)
	close(l.stop)
	wg.Wait()

	l.report(t)
	if t.Failed() {
		t.Logf("service log:\n%s", srv.logTail())
		return
	}
	c.must(t, "GET", "/readyz", nil, "", 200)
	db := openStore(t, s.URL("renofund")) // the new primary, directly
	checkKeys(t, db, l.calls)
	written := count(t, db, "SELECT COUNT(*) FROM transfers")
	replayAll(t, c, l.calls)
	if after := count(t, db, "SELECT COUNT(*) FROM transfers"); after != written {
		t.Errorf("sending every acknowledged write again wrote %d transfers, want none", after-written)
	}
	checkBooks(t, db)
	verifyOverHTTP(t, c)
}

// failoverLoad is the writes made around the failover and what became of
// them.
type failoverLoad struct {
	start time.Time
	stop  chan struct{}
	acked chan struct{} // gets a value at the first acknowledgement

	mu       sync.Mutex
	calls    []*call   // acknowledged at last
	killed   time.Time // when the primary was gone
	promoted time.Time // when the standby was asked to take over
	// firstAfter is when the first write sent after the kill was
	// acknowledged: the service had recovered.
	firstAfter  time.Time
	beforeKill  int // acknowledged before the kill
	unavailable int // answers 503 unavailable
	unanswered  int // no answer (the connection or the client timed out)
	retries     int
	// replayed are retries answered with the stored answer: the first
	// attempt was committed, but its answer never came.
	replayed int
	problems []string // anything else
}

func (l *failoverLoad) mark(f func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f()
}

func (l *failoverLoad) recovered() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.firstAfter.IsZero()
}

// worker posts receipts with fresh keys until the load stops, sending each
// again with its key until it is acknowledged.
func (l *failoverLoad) worker(c *client, w int) {
	rng := rand.New(rand.NewPCG(uint64(w), 16))
	for i := 0; ; i++ {
		select {
		case <-l.stop:
			return
		default:
		}
		fund := fundCodes[rng.IntN(len(fundCodes))]
		key := fmt.Sprintf("failover-w%02d-%04d", w, i)
		cl := &call{Kind: "receipt", Path: "/v1/funds/" + fund + "/receipts", Key: key,
			Body: mustMarshal(receiptBody(fund, 100+rng.Int64N(300_000), key))}
		if !l.send(c, cl) {
			return
		}
	}
}

// send sends cl until it is acknowledged; false when it gave up.
func (l *failoverLoad) send(c *client, cl *call) bool {
	for attempt := 0; ; attempt++ {
		sent := time.Now()
		r, err := c.do("POST", cl.Path, cl.Body, cl.Key)
		l.mu.Lock()
		if attempt > 0 {
			l.retries++
		}
		switch {
		case err != nil:
			l.unanswered++
		case r.Status == 201:
			cl.Reply = r
			if attempt > 0 && r.replayed() {
				l.replayed++
			}
			l.calls = append(l.calls, cl)
			if l.killed.IsZero() {
				l.beforeKill++
			} else if sent.After(l.killed) && l.firstAfter.IsZero() {
				l.firstAfter = time.Now()
			}
			select {
			case l.acked <- struct{}{}:
			default:
			}
			l.mu.Unlock()
			return true
		case r.Status == 503 && r.code() == "unavailable":
			l.unavailable++
		default:
			l.problems = append(l.problems, fmt.Sprintf("%s (key %s): %d %s", cl.Path, cl.Key, r.Status, r.Body))
		}
		gaveUp := time.Since(l.start) > failoverLoadLimit
		if gaveUp {
			l.problems = append(l.problems, fmt.Sprintf("%s (key %s): not acknowledged within %v", cl.Path, cl.Key, failoverLoadLimit))
		}
		l.mu.Unlock()
		if gaveUp {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// report logs the switch and fails the test on what must not happen.
func (l *failoverLoad) report(t *testing.T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, p := range l.problems {
		if i == 10 {
			t.Errorf("… and %d more", len(l.problems)-10)
			break
		}
		t.Errorf("during the failover: %s", p)
	}
	if l.firstAfter.IsZero() {
		t.Fatalf("no write sent after the primary was killed was acknowledged: the service did not recover")
	}
	t.Logf("failover: %d writes acknowledged (%d before the kill), %d answers 503 unavailable, %d unanswered, %d retries (%d replayed a committed write)",
		len(l.calls), l.beforeKill, l.unavailable, l.unanswered, l.retries, l.replayed)
	t.Logf("failover: switch time %v from the kill to the first write acknowledged after it (the standby asked to take over %v after the kill, writes back %v after that)",
		l.firstAfter.Sub(l.killed).Round(time.Millisecond), l.promoted.Sub(l.killed).Round(time.Millisecond),
		l.firstAfter.Sub(l.promoted).Round(time.Millisecond))
	if l.beforeKill == 0 {
		t.Errorf("no write was acknowledged before the kill: nothing to survive it")
	}
	if l.unavailable == 0 {
		t.Errorf("no request was answered 503 while there was no primary")
	}
}
