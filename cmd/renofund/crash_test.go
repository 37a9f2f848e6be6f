package main

// The crash test: the real binary is killed with SIGKILL while concurrent
// clients write money through it, then restarted on the same database. What
// a client was told must be exactly what the books hold, and a client that
// never heard back must be able to retry with its Idempotency-Key without
// anything being written twice.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

const (
	crashRounds    = 2                // load-and-kill rounds before the final restart
	crashWorkers   = 16               // concurrent clients
	crashPerWorker = 200              // requests each client may send at most, per round
	crashLoadLimit = 10 * time.Second // the load never runs longer than this
	crashTimeout   = 10 * time.Second // one request never waits longer than this
	// impatientShare is the share (in percent) of requests whose client gives
	// up after a few milliseconds, as clients with short timeouts do: the
	// server may or may not commit them, and the client never hears which.
	// They make "committed but unacknowledged" common, which a SIGKILL alone
	// rarely hits (the window between commit and reply is microseconds).
	impatientShare = 10
)

// call is one write a client made: what it sent and what it heard first.
type call struct {
	Kind string // receipt, allocation or expenditure
	Path string
	Key  string
	Body []byte

	Impatient bool  // the client gave up after a few milliseconds
	Reply     reply // the first answer; Status 0 when none arrived
	Err       error // why no answer arrived (the crash, or impatience)
}

func (c *call) answered() bool { return c.Reply.Status != 0 }
func (c *call) acked() bool    { return c.Reply.Status >= 200 && c.Reply.Status < 300 }

// kindOrder is the order in which unacknowledged calls are retried: money
// in before money moved down before money out. Within each phase the
// balances that refusals depend on only fall, so a call refused for want of
// money during the first retry is refused again on the second.
var kindOrder = map[string]int{"receipt": 0, "allocation": 1, "expenditure": 2}

func TestCrashRecovery(t *testing.T) {
	bin := buildBinary(t)
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) { crashRecovery(t, bin, d) })
	}
}

func crashRecovery(t *testing.T, bin string, d store.Dialect) {
	began := time.Now()
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("RENOFUND_CRASH_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("seed %d (set RENOFUND_CRASH_SEED to repeat the request mix and kill point)", seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	dbURL := storetest.URL(t, d)
	token := issueTokenCmd(t, bin, dbURL, "finance", "crash-test")
	lap := newLaps()
	var calls []*call
	for round := 1; round <= crashRounds; round++ {
		calls = append(calls, crashRound(t, bin, dbURL, token, round, seed, rng, lap)...)
	}

	var acked, refused, failed, unanswered []*call
	for _, cl := range calls {
		switch {
		case cl.acked():
			acked = append(acked, cl)
		case cl.Reply.Status == 422 && cl.Reply.code() == "insufficient_funds":
			refused = append(refused, cl)
		case cl.answered():
			failed = append(failed, cl)
		default:
			unanswered = append(unanswered, cl)
		}
	}
	t.Logf("in all: %d sent, %d acknowledged (2xx), %d refused (422 insufficient_funds), %d other answers, %d unanswered",
		len(calls), len(acked), len(refused), len(failed), len(unanswered))
	for _, cl := range failed {
		// Under load and before the crash every answer must be a success
		// or a refusal for want of money; anything else is a bug.
		t.Errorf("%s %s (key %s): unexpected %d: %s", cl.Kind, cl.Path, cl.Key, cl.Reply.Status, cl.Reply.Body)
	}
	if len(acked) == 0 {
		t.Fatalf("no request was acknowledged before the kill: the test proved nothing")
	}

	// Restart on the same database.
	final := startProcess(t, bin, dbURL)
	c := newClient(final.base, token, crashTimeout)
	c.must(t, "GET", "/readyz", nil, "", 200)
	db := openStore(t, dbURL)
	lap("restart")

	// 1. Every acknowledged request is stored exactly once, every refused
	// one not at all, and no transfer is partial or unaccounted for.
	keys := checkKeys(t, db, calls)
	checkBooks(t, db)
	checkEvents(t, db, acked)
	lap("checks after restart")

	// 2. Retry every request that got no answer (and any that got an
	// unexpected one), in phase order, then retry them all again.
	retry := append(slices.Clone(unanswered), failed...)
	slices.SortStableFunc(retry, func(a, b *call) int { return kindOrder[a.Kind] - kindOrder[b.Kind] })
	before := count(t, db, "SELECT COUNT(*) FROM transfers")
	firstRetry, fresh := retryOnce(t, c, retry, keys)
	lap("first retry")
	written := count(t, db, "SELECT COUNT(*) FROM transfers")
	if int(written-before) != fresh {
		t.Errorf("the first retry wrote %d transfers for %d requests that ran afresh, want one each", written-before, fresh)
	}
	retryAgain(t, c, retry, firstRetry)
	if after := count(t, db, "SELECT COUNT(*) FROM transfers"); after != written {
		t.Errorf("the second retry wrote %d transfers, want none", after-written)
	}
	lap("second retry")

	// 3. Every acknowledged request, sent again, replays its answer.
	replayAll(t, c, acked)
	if after := count(t, db, "SELECT COUNT(*) FROM transfers"); after != written {
		t.Errorf("replaying acknowledged requests wrote %d transfers, want none", after-written)
	}
	lap("replay of acknowledged")

	// 4. The books, after everything.
	checkKeys(t, db, calls)
	checkBooks(t, db)
	verifyOverHTTP(t, c)
	lap("final checks")
	final.stop()
	if !final.cmd.ProcessState.Success() {
		t.Errorf("renofund serve did not shut down cleanly (%v): %s", final.cmd.ProcessState, final.logTail())
	}
	t.Logf("%s crash test took %v: %s", d, time.Since(began).Round(time.Millisecond), lap(""))
}

// retryOnce sends every call again with its key, one at a time, and checks
// each answer against what the database held after the crash: a call whose
// key was stored replays its stored answer, any other runs afresh (and may
// be refused for want of money). It returns the answers and how many ran
// afresh.
func retryOnce(t *testing.T, c *client, calls []*call, keys map[string]storedKey) ([]reply, int) {
	t.Helper()
	replies := make([]reply, len(calls))
	var replays, fresh, refused int
	for i, cl := range calls {
		r, err := c.do("POST", cl.Path, cl.Body, cl.Key)
		if err != nil {
			t.Fatalf("retry %s (key %s): %v", cl.Path, cl.Key, err)
		}
		replies[i] = r
		k, committed := keys[cl.Key]
		switch {
		case r.Status == 201 && r.replayed():
			replays++
			if !committed || !sameBody(r.Body, []byte(k.Body)) {
				t.Errorf("retry of %s replayed %s, but after the crash the database held %v %s", cl.Key, r.Body, committed, k.Body)
			}
		case r.Status == 201:
			fresh++
			if committed {
				t.Errorf("retry of %s ran again although its first attempt was committed", cl.Key)
			}
		case r.Status == 422 && r.code() == "insufficient_funds":
			refused++
			if committed {
				t.Errorf("retry of %s was refused although its first attempt was committed: %s", cl.Key, r.Body)
			}
		default:
			t.Errorf("retry of %s %s (key %s): %d %s, want 201 or 422 insufficient_funds", cl.Kind, cl.Path, cl.Key, r.Status, r.Body)
		}
	}
	t.Logf("first retry of %d unanswered requests: %d replayed (committed, answer lost), %d ran afresh, %d refused",
		len(calls), replays, fresh, refused)
	return replies, fresh
}

// retryAgain sends every call once more and checks it is answered as the
// first retry was: a 201 replayed byte for byte, a refusal refused again.
func retryAgain(t *testing.T, c *client, calls []*call, first []reply) {
	t.Helper()
	for i, cl := range calls {
		r, err := c.do("POST", cl.Path, cl.Body, cl.Key)
		if err != nil {
			t.Fatalf("second retry %s (key %s): %v", cl.Path, cl.Key, err)
		}
		want := first[i]
		switch {
		case want.Status == 201 && (r.Status != 201 || !r.replayed() || !sameBody(r.Body, want.Body)):
			t.Errorf("second retry of %s: %d (replayed %v) %s, want the stored 201 %s", cl.Key, r.Status, r.replayed(), r.Body, want.Body)
		case want.Status != 201 && (r.Status != want.Status || r.code() != want.code()):
			t.Errorf("second retry of %s: %d %s, want %d %s as the first retry", cl.Key, r.Status, r.Body, want.Status, want.code())
		}
	}
}

// newLaps returns a stopwatch: lap(name) records the time since the previous
// lap under name; lap("") returns the record.
func newLaps() func(name string) string {
	last := time.Now()
	var laps []string
	return func(name string) string {
		if name == "" {
			return strings.Join(laps, ", ")
		}
		laps = append(laps, fmt.Sprintf("%s %v", name, time.Since(last).Round(time.Millisecond)))
		last = time.Now()
		return ""
	}
}

// crashRound starts the server, drives the load, kills the server mid-way
// and returns the calls that were made. The first round registers the city.
func crashRound(t *testing.T, bin, dbURL, token string, round int, seed uint64, rng *rand.Rand, lap func(string) string) []*call {
	t.Helper()
	p := startProcess(t, bin, dbURL)
	lap(fmt.Sprintf("start %d", round))
	c := newClient(p.base, token, crashTimeout)
	if round == 1 {
		seedCity(t, c)
		lap("setup")
	}
	killAfter := 300*time.Millisecond + time.Duration(rng.Int64N(int64(500*time.Millisecond)))
	killAtAcks := int64(100 + rng.IntN(300))
	calls, killedAt := driveAndKill(t, c, p, seed+uint64(round)<<32, fmt.Sprintf("r%d", round), killAfter, killAtAcks)
	lap(fmt.Sprintf("load and kill %d", round))
	var acked, unanswered, impatient int
	for _, cl := range calls {
		switch {
		case cl.acked():
			acked++
		case !cl.answered() && cl.Impatient:
			impatient++
		case !cl.answered():
			unanswered++
		}
	}
	t.Logf("round %d: killed after %v: %d sent, %d acknowledged, %d unanswered at the crash, %d abandoned by their client",
		round, killedAt.Round(time.Millisecond), len(calls), acked, unanswered, impatient)
	return calls
}

// driveAndKill runs crashWorkers clients against the server, each sending
// up to crashPerWorker writes of mixed kinds with unique Idempotency-Keys
// (prefixed with prefix),
// and SIGKILLs the server after killAfter or once killAtAcks writes were
// acknowledged, whichever comes first (but never before one was). It
// returns every call that was sent and how long the load ran before the
// kill.
func driveAndKill(t *testing.T, c *client, p *process, seed uint64, prefix string, killAfter time.Duration, killAtAcks int64) ([]*call, time.Duration) {
	var (
		acks   atomic.Int64
		killed = make(chan struct{})
		start  = time.Now()
		wg     sync.WaitGroup
		perW   = make([][]*call, crashWorkers)
	)
	for w := range crashWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w)+1))
			for i := range crashPerWorker {
				select {
				case <-killed:
					return
				default:
				}
				if time.Since(start) > crashLoadLimit {
					return
				}
				cl := newCall(rng, fmt.Sprintf("crash-%s-w%02d-%03d", prefix, w, i))
				perW[w] = append(perW[w], cl)
				ctx, cancel := context.Background(), context.CancelFunc(func() {})
				if cl.Impatient = rng.IntN(100) < impatientShare; cl.Impatient {
					ctx, cancel = context.WithTimeout(ctx, time.Duration(1+rng.IntN(30))*time.Millisecond)
				}
				cl.Reply, cl.Err = c.doCtx(ctx, "POST", cl.Path, cl.Body, cl.Key)
				cancel()
				if cl.acked() {
					acks.Add(1)
				}
			}
		}()
	}

	// The killer: a bounded wait for the kill point.
	var killedAt time.Duration
	deadline := time.After(crashLoadLimit)
	tick := time.NewTicker(time.Millisecond)
wait:
	for {
		select {
		case <-tick.C:
			n := acks.Load()
			if n > 0 && (time.Since(start) >= killAfter || n >= killAtAcks) {
				break wait
			}
		case <-deadline:
			break wait
		}
	}
	tick.Stop()
	killedAt = time.Since(start)
	close(killed) // no client starts another request…
	p.kill()      // …and those in flight lose the server
	wg.Wait()

	var calls []*call
	for _, cs := range perW {
		calls = append(calls, cs...)
	}
	return calls, killedAt
}

// newCall draws one write: 40% receipts into a city fund, 35% allocations
// from the city to a project, 25% expenditures out of a project (split
// automatically over its funds, refused when they hold too little).
func newCall(rng *rand.Rand, key string) *call {
	fund := fundCodes[rng.IntN(len(fundCodes))]
	project := projects[rng.IntN(len(projects))]
	amount := 100 + rng.Int64N(300_000) // 1.00 to 3,000.99 yuan, in fen
	var cl *call
	switch n := rng.IntN(100); {
	case n < 40:
		cl = &call{Kind: "receipt", Path: "/v1/funds/" + fund + "/receipts", Body: mustMarshal(receiptBody(fund, amount, key))}
	case n < 75:
		cl = &call{Kind: "allocation", Path: "/v1/allocations", Body: mustMarshal(allocationBody(fund, project, amount))}
	default:
		cl = &call{Kind: "expenditure", Path: "/v1/expenditures", Body: mustMarshal(expenditureBody(project, amount))}
	}
	cl.Key = key
	return cl
}

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// storedKey is a row of idempotency_keys.
type storedKey struct {
	Status int
	Body   string
}

// checkKeys checks the idempotency keys against the transfers and against
// what clients were told: every key holds a finished response (a key whose
// response is missing would be a half-committed request), every transfer
// belongs to exactly one key and every key's transfer exists, every
// acknowledged call is stored with the very answer its client got, and no
// refused call left a key behind. It returns the keys.
func checkKeys(t *testing.T, db *store.DB, calls []*call) map[string]storedKey {
	t.Helper()
	var rows []struct {
		Key    string
		Status int
		Body   string
	}
	if err := db.G.Raw("SELECT key, status, body FROM idempotency_keys").Scan(&rows).Error; err != nil {
		t.Fatalf("idempotency keys: %v", err)
	}
	var ids []string
	if err := db.G.Raw("SELECT id FROM transfers").Scan(&ids).Error; err != nil {
		t.Fatalf("transfers: %v", err)
	}
	transfers := make(map[string]bool, len(ids))
	for _, id := range ids {
		transfers[id] = true
	}

	keys := make(map[string]storedKey, len(rows))
	owner := map[string]string{} // transfer id → key
	for _, r := range rows {
		keys[r.Key] = storedKey{r.Status, r.Body}
		if r.Status < 200 || r.Status >= 300 {
			t.Errorf("key %s is stored with status %d: a request was committed without its response", r.Key, r.Status)
			continue
		}
		if !makesTransfer(r.Key) {
			continue
		}
		var body struct {
			ID string `json:"id"`
		}
		json.Unmarshal([]byte(r.Body), &body)
		switch {
		case body.ID == "":
			t.Errorf("key %s: stored response names no transfer: %s", r.Key, r.Body)
		case !transfers[body.ID]:
			t.Errorf("key %s: its transfer %s does not exist", r.Key, body.ID)
		case owner[body.ID] != "":
			t.Errorf("transfer %s is claimed by keys %s and %s", body.ID, owner[body.ID], r.Key)
		default:
			owner[body.ID] = r.Key
		}
	}
	for _, id := range ids {
		if owner[id] == "" {
			t.Errorf("transfer %s belongs to no idempotency key: written without the response that reports it", id)
		}
	}

	for _, cl := range calls {
		k, ok := keys[cl.Key]
		switch {
		case cl.acked() && !ok:
			t.Errorf("%s (key %s) was acknowledged with %d but is not stored: %s", cl.Kind, cl.Key, cl.Reply.Status, cl.Reply.Body)
		case cl.acked() && (k.Status != cl.Reply.Status || !sameBody([]byte(k.Body), cl.Reply.Body)):
			t.Errorf("%s (key %s): the client was told %d %s, the database holds %d %s", cl.Kind, cl.Key,
				cl.Reply.Status, cl.Reply.Body, k.Status, k.Body)
		case cl.answered() && !cl.acked() && ok:
			t.Errorf("%s (key %s) was refused with %d but its key is stored", cl.Kind, cl.Key, cl.Reply.Status)
		}
	}
	return keys
}

// makesTransfer tells the keys whose request posts a transfer from those
// that register districts, projects and funds.
func makesTransfer(key string) bool {
	return !strings.HasPrefix(key, "seed-") || strings.HasPrefix(key, "seed-receipt-")
}

// replayAll sends every acknowledged call again, eight at a time, and checks
// each is answered with the stored response, marked as a replay.
func replayAll(t *testing.T, c *client, calls []*call) {
	t.Helper()
	var (
		wg   sync.WaitGroup
		next atomic.Int64
		mu   sync.Mutex
		bad  []string
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(calls) {
					return
				}
				cl := calls[i]
				r, err := c.do("POST", cl.Path, cl.Body, cl.Key)
				if err == nil && r.Status == cl.Reply.Status && r.replayed() && sameBody(r.Body, cl.Reply.Body) {
					continue
				}
				mu.Lock()
				bad = append(bad, fmt.Sprintf("replay of %s: %d (replayed %v) %s %v, want %d %s",
					cl.Key, r.Status, r.replayed(), r.Body, err, cl.Reply.Status, cl.Reply.Body))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for i, b := range bad {
		if i == 10 {
			t.Errorf("… and %d more replay failures", len(bad)-10)
			break
		}
		t.Error(b)
	}
}

// sameBody compares two JSON answers, ignoring the trailing newline.
func sameBody(a, b []byte) bool { return bytes.Equal(bytes.TrimSpace(a), bytes.TrimSpace(b)) }

// checkEvents: every acknowledged write has its audit event, stored with
// it (events of writes are not batched), found by the request id it was
// answered with.
func checkEvents(t *testing.T, db *store.DB, acked []*call) {
	t.Helper()
	var ids []string
	if err := db.G.Raw("SELECT request_id FROM audit_events WHERE method = 'POST' AND status BETWEEN 200 AND 299").
		Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	have := make(map[string]bool, len(ids))
	for _, id := range ids {
		have[id] = true
	}
	missing := 0
	for _, c := range acked {
		if id := c.Reply.Header.Get("X-Request-Id"); id == "" || !have[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged writes have no audit event", missing, len(acked))
	}
}
