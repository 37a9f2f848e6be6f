package httpapi

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/ledger"
	"renofund/internal/store"
)

// event is one audit record: who called which route, on what, with what result.
type event struct {
	At        time.Time
	Actor     access.Actor
	Authed    bool
	Method    string
	Route     string
	Path      string
	Status    int
	RequestID string
}

// eventWriter appends audit events in batches off the request path. Events
// are flushed every 200 ms and on shutdown, and kept for the next attempt
// while the database is away; a crash can lose at most the last batch, never
// a money movement (those are in the ledger).
type eventWriter struct {
	db   *store.DB
	log  *slog.Logger
	ch   chan event
	done chan struct{}
	once sync.Once
}

func newEventWriter(db *store.DB, log *slog.Logger) *eventWriter {
	w := &eventWriter{db: db, log: log, ch: make(chan event, 8192), done: make(chan struct{})}
	go w.run()
	return w
}

func (w *eventWriter) add(e event) {
	defer func() { recover() }() // after close, drop
	w.ch <- e
}

func (w *eventWriter) close() {
	w.once.Do(func() {
		close(w.ch)
		<-w.done
	})
}

func (w *eventWriter) run() {
	defer close(w.done)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	var batch []event
	healthy := true
	for {
		select {
		case e, ok := <-w.ch:
			if !ok {
				w.flush(batch)
				return
			}
			batch = append(batch, e)
			if healthy && len(batch) >= 500 {
				if healthy = w.flush(batch); healthy {
					batch = batch[:0]
				}
			}
		case <-tick.C:
			// Events that could not be written (the database is down) wait
			// for the next tick, up to a bound that keeps memory in check.
			if healthy = w.flush(batch); healthy || len(batch) > maxPending {
				batch = batch[:0]
			}
		}
	}
}

var eventCols = []string{"id", "at", "token_name", "role", "district", "method", "route", "path", "status", "request_id"}

// maxPending bounds the audit events kept while the database is away.
const maxPending = 100_000

// flush writes the batch and reports whether it is done with it.
func (w *eventWriter) flush(batch []event) bool {
	if len(batch) == 0 || w.db == nil {
		return true
	}
	rows := make([][]any, len(batch))
	for i, e := range batch {
		var name, role, district any
		if e.Authed {
			name, role, district = e.Actor.Name, string(e.Actor.Role), store.Null(e.Actor.District)
		}
		rows[i] = []any{ledger.NewID(), store.FormatTime(e.At), name, role, district, e.Method, e.Route, e.Path, e.Status, e.RequestID}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := w.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return store.InsertMany(tx, "audit_events", eventCols, rows)
	})
	if err != nil {
		w.log.Error("audit events not written yet", "count", len(batch), "err", err)
		return false
	}
	return true
}
