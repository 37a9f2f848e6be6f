package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"
)

// Group commit. Many small writes (one transfer each) arriving together are
// run in one database transaction, each inside its own savepoint, and
// committed with one commit: one fsync and one pass over the voucher counter
// for the whole group instead of one each. A write that fails rolls back to
// its savepoint and fails alone; the others commit. This is what lets a hot
// holding or a hot voucher counter keep up with many clients.

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

func (c *combiner) loop() {
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
		c.run(group)
	}
}

func (c *combiner) run(group []*job) {
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
	err := c.db.Tx(ctx, func(gctx context.Context, tx *gorm.DB) error {
		for i, j := range group {
			j.err = nil
			if err := j.ctx.Err(); err != nil {
				j.err = err
				continue
			}
			sp := fmt.Sprintf("w%d", i)
			if err := tx.SavePoint(sp).Error; err != nil {
				return err
			}
			jctx := context.WithValue(context.WithValue(j.ctx, txKey{}, tx), txStartKey{}, gctx.Value(txStartKey{}))
			if err := j.fn(jctx, tx); err != nil {
				if Retryable(err) {
					return err // the whole group runs again
				}
				if rerr := tx.RollbackTo(sp).Error; rerr != nil {
					return rerr
				}
				j.err = err
			}
		}
		return nil
	})
	for _, j := range group {
		if err != nil && j.err == nil {
			j.err = err
		}
		close(j.done)
	}
}
