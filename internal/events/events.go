// Package events keeps the append-only audit log: who called which route,
// on what, with what result. The event of a write is stored in the write's
// own transaction (Record), so an acknowledged write always has its event;
// the events of reads and refusals, which change nothing, are written in
// batches off the request path by a Writer. List reads them back.
package events

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

// Event is one call as it happened.
type Event struct {
	At        time.Time
	Actor     access.Actor
	Authed    bool // whether Actor is known (the token was accepted)
	Method    string
	Route     string
	Path      string
	Status    int
	RequestID string
	Detail    string // what the handler added, if anything
}

// Writer appends events in batches off the request path. Events are flushed
// every 200 ms and on Close, and kept for the next attempt while the
// database is away; a crash can lose at most the last batch of reads and
// refusals, never the event of a write (Record).
type Writer struct {
	db   *store.DB
	log  *slog.Logger
	ch   chan Event
	done chan struct{}
	once sync.Once
}

// NewWriter starts a writer into db; Close stops it.
func NewWriter(db *store.DB, log *slog.Logger) *Writer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := &Writer{db: db, log: log, ch: make(chan Event, 8192), done: make(chan struct{})}
	go w.run()
	return w
}

// Add queues an event; after Close it is dropped.
func (w *Writer) Add(e Event) {
	defer func() { recover() }() // after close, drop
	w.ch <- e
}

// Close writes what is queued and stops the writer.
func (w *Writer) Close() {
	w.once.Do(func() {
		close(w.ch)
		<-w.done
	})
}

func (w *Writer) run() {
	defer close(w.done)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	var batch []Event
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

var eventCols = []string{"id", "at", "token_name", "role", "district", "method", "route", "path", "status", "request_id", "detail"}

// maxPending bounds the events kept while the database is away.
const maxPending = 100_000

// flush writes the batch and reports whether it is done with it.
func (w *Writer) flush(batch []Event) bool {
	if len(batch) == 0 || w.db == nil {
		return true
	}
	rows := make([][]any, len(batch))
	for i, e := range batch {
		rows[i] = e.row()
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

func (e Event) row() []any {
	var name, role, district any
	if e.Authed {
		name, role, district = e.Actor.Name, string(e.Actor.Role), store.Null(e.Actor.District)
	}
	return []any{ledger.NewID(), store.FormatTime(e.At), name, role, district, e.Method, e.Route, e.Path, e.Status,
		e.RequestID, store.Null(e.Detail)}
}

// Record stores the event of a write in the transaction ctx carries, the
// write's own; in a set-based group commit, with the group's other events
// in one statement when the group flushes.
func Record(ctx context.Context, db *store.DB, e Event) error {
	g := store.GroupOf(ctx)
	if g == nil {
		return store.InsertMany(db.Conn(ctx), "audit_events", eventCols, [][]any{e.row()})
	}
	h := g.Local(heldKey{}, func() any { return &held{} }).(*held)
	if len(h.rows) == 0 {
		g.Later(store.StageKeys, h.flush)
	}
	h.rows = append(h.rows, e.row())
	return nil
}

// held are a group's events waiting for its flush.
type held struct{ rows [][]any }

type heldKey struct{}

func (h *held) flush(tx *gorm.DB) error {
	rows := h.rows
	h.rows = nil
	return store.InsertMany(tx, "audit_events", eventCols, rows)
}

// Stored is one event as the log keeps it.
type Stored struct {
	ID        string  `json:"id"`
	At        string  `json:"at"`
	TokenName *string `json:"token_name"`
	Role      *string `json:"role"`
	District  *string `json:"district"`
	Method    string  `json:"method"`
	Route     string  `json:"route"`
	Path      string  `json:"path"`
	Status    int     `json:"status"`
	RequestID string  `json:"request_id"`
	Detail    *string `json:"detail,omitempty"`
}

// Filter selects events for List; empty fields select everything.
type Filter struct {
	TokenName, Route, Method string
	After                    string // cursor: the last id of the previous page
	Limit                    int
}

// List returns events in the order they were written, a page after the
// cursor (the queued ones are not written yet).
func (w *Writer) List(ctx context.Context, f Filter) ([]Stored, error) {
	q := "SELECT id, at, token_name, role, district, method, route, path, status, request_id, detail FROM audit_events WHERE id > ?"
	args := []any{f.After}
	for _, c := range []struct{ col, v string }{{"token_name", f.TokenName}, {"route", f.Route}, {"method", f.Method}} {
		if c.v != "" {
			q += " AND " + c.col + " = ?"
			args = append(args, c.v)
		}
	}
	var evs []Stored
	err := w.db.Conn(ctx).Raw(q+" ORDER BY id LIMIT ?", append(args, max(1, f.Limit))...).Scan(&evs).Error
	return evs, err
}
