package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// Group commit. Many small writes (one transfer each) arriving together are
// run in one database transaction and committed with one commit: one fsync
// and one pass over the voucher counter for the whole group instead of one
// each. The members' ledger writes and idempotency records are written
// set-based, once for the group (group.go); when a member fails, the group
// runs again with each member in its own savepoint, so that the failure
// fails alone and the others commit. This is what lets a hot holding or a
// hot voucher counter keep up with many clients.

// maxGroup bounds how many writes share one transaction.
const maxGroup = 64

type job struct {
	ctx  context.Context
	fn   func(ctx context.Context, tx *gorm.DB) error
	err  error
	done chan struct{}
}

type combiner struct {
	db    *DB
	queue chan *job
	once  sync.Once
	// groups and fellBack count the groups run and those a failing member
	// sent back to run member by member.
	groups, fellBack atomic.Int64
}

// GroupStats are the group commits run since the database was opened, and
// how many of them a failing member made run again member by member.
type GroupStats struct{ Groups, FellBack int64 }

// GroupStats reports the group commits so far.
func (db *DB) GroupStats() GroupStats {
	return GroupStats{db.comb.groups.Load(), db.comb.fellBack.Load()}
}

// Combine runs fn in a transaction shared with other writes submitted at the
// same moment and returns once that transaction has committed (or fn's own
// error, in which case nothing fn did is kept). fn runs at most once per
// attempt of the group, like Tx's, so it must have no effect outside the
// transaction. Inside a transaction already, it joins it.
func (db *DB) Combine(ctx context.Context, fn func(ctx context.Context, tx *gorm.DB) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return db.Tx(ctx, fn)
	}
	db.comb.once.Do(func() {
		db.comb.db = db
		db.comb.queue = make(chan *job, 1024)
		go db.comb.loop()
	})
	j := &job{ctx: ctx, fn: fn, done: make(chan struct{})}
	select {
	case db.comb.queue <- j:
	case <-ctx.Done():
		return ctx.Err()
	}
	<-j.done
	return j.err
}

// inFlight is how many groups may be in one transaction each at once: one
// running its members while the one before it writes and commits.
const inFlight = 2

func (c *combiner) loop() {
	slots := make(chan struct{}, inFlight)
	for first := range c.queue {
		group := []*job{first}
	drain:
		for len(group) < maxGroup {
			select {
			case j := <-c.queue:
				group = append(group, j)
			default:
				break drain
			}
		}
		slots <- struct{}{}
		ran := make(chan struct{})
		go func() {
			defer func() { <-slots }()
			c.run(group, sync.OnceFunc(func() { close(ran) }))
		}()
		// The next group starts once this one's members have run: the two
		// then meet only on what the database locks (a holding both move,
		// the voucher counter), and a wait between them is one the database
		// sees, and breaks if it must.
		<-ran
	}
}

func (c *combiner) run(group []*job, ran func()) {
	defer ran()
	// The group may take no longer than its most pressed member may wait, so
	// a database that stops answering holds no one past their deadline.
	deadline := time.Now().Add(30 * time.Second)
	for _, j := range group {
		if d, ok := j.ctx.Deadline(); ok && d.Before(deadline) {
			deadline = d
		}
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	c.groups.Add(1)
	err := c.attempt(ctx, group, true, ran)
	if errors.Is(err, errFallBack) {
		c.fellBack.Add(1)
		err = c.attempt(ctx, group, false, ran)
	}
	for _, j := range group {
		if err != nil && j.err == nil {
			j.err = err
		}
		close(j.done)
	}
}

// errFallBack ends a set-based attempt that one member's failure spoiled.
var errFallBack = errors.New("store: a member of the group failed")

// attempt runs the group in one transaction, in one of two ways. Set-based
// (the usual case): the members run one after another with nothing between
// them, what they hold back is written once at the end (Group), and any
// member's failure undoes the attempt, to be run again the other way. Member
// by member: each in its own savepoint, written as it goes, so that a
// failure undoes its own work only.
func (c *combiner) attempt(ctx context.Context, group []*job, setBased bool, ran func()) error {
	slot := &groupSlot{}
	if setBased {
		ctx = context.WithValue(ctx, groupKey{}, slot)
	}
	return c.db.Tx(ctx, func(gctx context.Context, tx *gorm.DB) error {
		if setBased {
			slot.g = &Group{tx: tx, local: map[any]any{}}
		}
		for i, j := range group {
			j.err = nil
			if err := j.ctx.Err(); err != nil {
				j.err = err
				continue
			}
			jctx := context.WithValue(context.WithValue(j.ctx, txKey{}, tx), txStartKey{}, gctx.Value(txStartKey{}))
			if setBased {
				if err := j.fn(context.WithValue(jctx, groupKey{}, slot), tx); err != nil {
					if Retryable(err) {
						return err // the whole group runs again
					}
					return errFallBack
				}
				continue
			}
			sp := fmt.Sprintf("w%d", i)
			if err := tx.SavePoint(sp).Error; err != nil {
				return err
			}
			if err := j.fn(jctx, tx); err != nil {
				if Retryable(err) {
					return err
				}
				if rerr := tx.RollbackTo(sp).Error; rerr != nil {
					return rerr
				}
				j.err = err
			}
		}
		ran()
		if !setBased {
			return nil
		}
		if err := slot.g.Flush(); err != nil {
			if Retryable(err) {
				return err
			}
			return errFallBack
		}
		return nil
	})
}
