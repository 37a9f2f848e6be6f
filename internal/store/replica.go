package store

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"
)

// Read replica. A streaming standby of the PostgreSQL primary may serve the
// reads that tolerate a little delay (reports, exports, traces, the bulletin,
// verification): the caller marks a request's context with ReadReplica, and
// Conn and Snapshot then read the replica. Writes, and every read inside a
// transaction, stay on the primary.
//
// Lag is measured by comparing WAL positions, not replay timestamps (an idle
// primary makes the last replayed transaction old without the replica being
// behind): every poll notes the primary's flushed WAL position with the time
// it was read, and the replica is as fresh as the newest noted position it
// has replayed. A read goes to the primary instead when the replica is down,
// is no standby, or may be more than maxLag behind; and when the one reading
// has written (Writing) since the newest position the replica has replayed,
// so that nobody misses their own writes.

// ReplicaPoll is how often the replica's lag is measured.
const ReplicaPoll = 500 * time.Millisecond

// maxSamples bounds the primary positions kept while the replica is behind
// (about half an hour of polls); beyond them the lag is underestimated, long
// after it exceeds any sensible bound.
const maxSamples = 4096

// The replica's states.
const (
	ReplicaStarting   = "starting"    // not measured yet
	ReplicaStreaming  = "streaming"   // within the lag bound: reads go to it
	ReplicaLagging    = "lagging"     // behind by more than the bound
	ReplicaDown       = "down"        // it, or the primary, could not be asked
	ReplicaNotStandby = "not_standby" // it answers but replays nothing (promoted?)
)

// ReplicaStatus is what the latest poll found, for /readyz and /metrics.
type ReplicaStatus struct {
	State         string  `json:"state"`
	Reads         string  `json:"reads"` // "replica" or "primary": where eligible reads go now
	LagBytes      int64   `json:"lag_bytes"`
	LagSeconds    float64 `json:"lag_seconds"`
	MaxLagSeconds float64 `json:"max_lag_seconds"`
	CheckedAt     string  `json:"checked_at,omitempty"`
	Problem       string  `json:"problem,omitempty"`
}

type replica struct {
	url    string
	maxLag time.Duration
	stop   context.CancelFunc
	done   chan struct{}

	mu        sync.Mutex
	db        *DB // nil until it could be opened
	state     string
	problem   string
	lagBytes  int64
	lag       time.Duration
	checkedAt time.Time
	// samples are the primary's WAL positions when polled, oldest first;
	// the first is the newest the replica is known to have replayed.
	samples []lsnSample
	// caughtUp is when the primary was at the newest position the replica
	// has replayed: everything committed before then is on the replica.
	caughtUp time.Time
	writers  map[string]*writer
}

type lsnSample struct {
	at  time.Time
	lsn int64
}

// writer is one reader's writes on this instance.
type writer struct {
	inflight int
	last     time.Time // when the latest one ended
}

type replicaKey struct{}

// AttachReplica makes url, a streaming standby of this PostgreSQL
// database, available to ReadReplica for reads that may lag by up to
// maxLag. It is opened and measured in the background, so a replica that is
// down does not stop the service: until it answers, reads go to the primary.
func (db *DB) AttachReplica(url string, maxLag time.Duration) error {
	if db.Dialect != Postgres {
		return errors.New("a read replica needs PostgreSQL as the primary database")
	}
	if !strings.HasPrefix(url, "postgres://") && !strings.HasPrefix(url, "postgresql://") {
		return errors.New("RENOFUND_READ_DATABASE_URL: want postgres://…")
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &replica{url: url, maxLag: maxLag, stop: cancel, done: make(chan struct{}),
		state: ReplicaStarting, writers: map[string]*writer{}}
	db.rep = r
	go r.watch(ctx, db)
	return nil
}

// closeReplica stops measuring the replica and closes its connections.
func (db *DB) closeReplica() {
	if db.rep == nil {
		return
	}
	db.rep.stop()
	<-db.rep.done
	if db.rep.db != nil {
		db.rep.db.Close()
	}
}

// ReadReplica returns ctx marked so that reads through it outside a
// transaction go to the replica, if one is attached and may serve who (the
// token reading): it is fresh enough and has replayed every write of who's
// on this instance. ok says whether it did.
func (db *DB) ReadReplica(ctx context.Context, who string) (_ context.Context, ok bool) {
	if db.rep == nil {
		return ctx, false
	}
	if r := db.rep.reader(who); r != nil {
		return context.WithValue(ctx, replicaKey{}, r), true
	}
	return ctx, false
}

// Writing notes that who begins a write; the function it returns notes its
// end. Until the replica has replayed past that end, who reads the primary.
func (db *DB) Writing(who string) (done func()) {
	r := db.rep
	if r == nil {
		return func() {}
	}
	r.mu.Lock()
	w := r.writers[who]
	if w == nil {
		w = &writer{}
		r.writers[who] = w
	}
	w.inflight++
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		w.inflight--
		w.last = time.Now()
		r.mu.Unlock()
	}
}

// Replica returns the replica's status; ok is false when none is attached.
func (db *DB) Replica() (_ ReplicaStatus, ok bool) {
	if db.rep == nil {
		return ReplicaStatus{}, false
	}
	r := db.rep
	r.mu.Lock()
	defer r.mu.Unlock()
	st := ReplicaStatus{State: r.state, Reads: "primary", LagBytes: r.lagBytes, LagSeconds: r.lag.Seconds(),
		MaxLagSeconds: r.maxLag.Seconds(), Problem: r.problem}
	if !r.checkedAt.IsZero() {
		st.CheckedAt = FormatTime(r.checkedAt)
	}
	if r.usable() {
		st.Reads = "replica"
	}
	return st, true
}

// reading is the database reads through ctx go to: the replica ReadReplica
// chose, or db itself.
func (db *DB) reading(ctx context.Context) *DB {
	if r, ok := ctx.Value(replicaKey{}).(*DB); ok {
		return r
	}
	return db
}

// reader returns the replica if who may read it now, else nil.
func (r *replica) reader(who string) *DB {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.usable() {
		return nil
	}
	if w := r.writers[who]; w != nil && (w.inflight > 0 || !w.last.Before(r.caughtUp)) {
		return nil
	}
	return r.db
}

// usable reports whether the replica may serve reads: it streams, and even
// if it replayed nothing since the last poll it is within the bound. The
// caller holds mu.
func (r *replica) usable() bool {
	return r.state == ReplicaStreaming && r.lag+time.Since(r.checkedAt) <= r.maxLag
}

// watch measures the replica every ReplicaPoll until ctx ends.
func (r *replica) watch(ctx context.Context, primary *DB) {
	defer close(r.done)
	t := time.NewTicker(ReplicaPoll)
	defer t.Stop()
	for {
		r.poll(ctx, primary)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// poll opens the replica if need be, reads the primary's WAL position and
// then the replica's, and records the lag.
func (r *replica) poll(ctx context.Context, primary *DB) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	r.mu.Lock()
	rdb := r.db
	r.mu.Unlock()
	if rdb == nil {
		var err error
		if rdb, err = Open(ctx, r.url); err != nil {
			r.failed(ReplicaDown, err.Error())
			return
		}
		r.mu.Lock()
		r.db = rdb
		r.mu.Unlock()
	}
	at := time.Now()
	var head int64
	err := primary.G.WithContext(ctx).Raw("SELECT (pg_current_wal_flush_lsn() - '0/0')::bigint").Scan(&head).Error
	if err != nil {
		r.failed(ReplicaDown, "the primary's WAL position: "+primary.Translate(err).Error())
		return
	}
	var st struct {
		Recovery bool
		Replay   *int64
	}
	err = rdb.G.WithContext(ctx).Raw(`SELECT pg_is_in_recovery() AS recovery,
		(pg_last_wal_replay_lsn() - '0/0')::bigint AS replay`).Scan(&st).Error
	switch {
	case err != nil:
		r.failed(ReplicaDown, rdb.Translate(err).Error())
	case !st.Recovery || st.Replay == nil:
		r.failed(ReplicaNotStandby, "the read database is not a standby in recovery")
	default:
		r.measured(at, head, *st.Replay)
	}
}

// failed records a poll that could not measure the lag.
func (r *replica) failed(state, problem string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.state, r.problem, r.checkedAt = state, problem, time.Now()
}

// measured records the primary's position head, read at at, and the
// position replay the replica has replayed.
func (r *replica) measured(at time.Time, head, replay int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.samples = append(r.samples, lsnSample{at, head})
	newest := -1
	for i := len(r.samples) - 1; i >= 0; i-- {
		if r.samples[i].lsn <= replay {
			newest = i
			break
		}
	}
	if newest >= 0 {
		r.caughtUp = r.samples[newest].at
		r.samples = r.samples[newest:]
	}
	if len(r.samples) > maxSamples {
		r.samples = r.samples[len(r.samples)-maxSamples:]
	}
	r.lagBytes, r.lag = max(0, head-replay), 0
	if r.lagBytes > 0 {
		// At least as old as the oldest position kept, when it has replayed
		// none of them.
		r.lag = at.Sub(r.samples[0].at)
	}
	r.state, r.problem, r.checkedAt = ReplicaStreaming, "", time.Now()
	if r.lag > r.maxLag {
		r.state = ReplicaLagging
	}
	for who, w := range r.writers {
		if w.inflight == 0 && w.last.Before(r.caughtUp) {
			delete(r.writers, who)
		}
	}
}
