package store

import (
	"context"
	"regexp"

	"gorm.io/gorm"
)

// A group commit's writes are set-based: a member's ledger writes and its
// idempotency record are not written when it makes them but kept by the
// group and written once for all members, just before commit (the voucher
// block is taken then, as late as possible). What is kept must be invisible
// to no one: before any statement that reads or writes a table the group
// writes late (deferredTables), everything kept is written first, so every
// statement sees what the members before it did, as if each had written at
// once. A statement that only touches other tables (the fund registry, say)
// runs without that.

// Stages order a group's deferred work when it is written.
const (
	// StageWrites is the ledger's: vouchers numbered, hashes chained,
	// transfers, postings, kept totals and balances written.
	StageWrites = iota
	// StageAnswers renders members' responses, which show what the
	// writes assigned (voucher numbers, hashes).
	StageAnswers
	// StageKeys stores the idempotency records holding those responses.
	StageKeys
	stages
)

// deferredTables are the tables whose rows a group may hold back.
var deferredTables = regexp.MustCompile(`(?i)\b(transfers|postings|holdings|holding_days|holding_months|` +
	`late_recordings|category_days|category_months|voucher_counters|idempotency_keys|audit_events)\b`)

// Group is one attempt of a group commit in its set-based form.
type Group struct {
	tx       *gorm.DB
	local    map[any]any
	pending  [stages][]func(tx *gorm.DB) error
	flushing bool
}

type groupKey struct{}

// groupSlot carries the group of the current attempt: the transaction's own
// context is made before each attempt's group is.
type groupSlot struct{ g *Group }

type deferKey struct{}

// Deferring is the group whose flush may write what ctx's work holds back,
// or nil: work holds back only when asked to (AllowDeferred), inside a
// group commit running in its set-based form.
func Deferring(ctx context.Context) *Group {
	if ok, _ := ctx.Value(deferKey{}).(bool); !ok {
		return nil
	}
	return groupOf(ctx)
}

// AllowDeferred marks ctx's work as able to wait for its group's flush: its
// caller reads what the ledger assigns (voucher numbers, hashes) only after
// the group has written it (in a StageAnswers callback).
func AllowDeferred(ctx context.Context) context.Context {
	return context.WithValue(ctx, deferKey{}, true)
}

// GroupOf is the set-based group commit ctx's work runs in, or nil.
func GroupOf(ctx context.Context) *Group { return groupOf(ctx) }

func groupOf(ctx context.Context) *Group {
	if s, ok := ctx.Value(groupKey{}).(*groupSlot); ok {
		return s.g
	}
	return nil
}

// Local is the group's value for key, made by mk on first use: where a
// package keeps what it holds back for the group.
func (g *Group) Local(key any, mk func() any) any {
	v, ok := g.local[key]
	if !ok {
		v = mk()
		g.local[key] = v
	}
	return v
}

// Later runs fn at the group's next flush, in stage order (then in the order
// added), once.
func (g *Group) Later(stage int, fn func(tx *gorm.DB) error) {
	g.pending[stage] = append(g.pending[stage], fn)
}

// Flush writes everything held back, stage by stage; work a stage adds to a
// later one runs in the same flush.
func (g *Group) Flush() error {
	if g.flushing {
		return nil
	}
	g.flushing = true
	defer func() { g.flushing = false }()
	for s := range g.pending {
		for len(g.pending[s]) > 0 {
			fns := g.pending[s]
			g.pending[s] = nil
			for _, fn := range fns {
				if err := fn(g.tx); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (g *Group) dirty() bool {
	for _, p := range g.pending {
		if len(p) > 0 {
			return true
		}
	}
	return false
}

const quietKey = "renofund:quiet"

// Quiet is tx for statements that need nothing held back written first:
// the holding work's own (locking holdings it has not held yet, claiming an
// idempotency key).
func Quiet(tx *gorm.DB) *gorm.DB { return tx.Set(quietKey, true).Session(&gorm.Session{}) }

// flushFirst writes what the statement's group holds back before a
// statement that may read or write it.
func flushFirst(db *gorm.DB) {
	g := groupOf(db.Statement.Context)
	if g == nil || g.flushing || !g.dirty() {
		return
	}
	if q, _ := db.Get(quietKey); q == true {
		return
	}
	// Raw statements name their tables in their text; statements built
	// from models are written first whatever they touch.
	if sql := db.Statement.SQL.String(); sql != "" && !deferredTables.MatchString(sql) {
		return
	}
	if err := g.Flush(); err != nil {
		_ = db.AddError(err)
	}
}

// registerFlush makes every statement on db write its group's held-back
// work first when it needs to (flushFirst).
func registerFlush(db *gorm.DB) error {
	cb := db.Callback()
	for _, err := range []error{
		cb.Create().Before("*").Register("renofund:flush", flushFirst),
		cb.Query().Before("*").Register("renofund:flush", flushFirst),
		cb.Update().Before("*").Register("renofund:flush", flushFirst),
		cb.Delete().Before("*").Register("renofund:flush", flushFirst),
		cb.Row().Before("*").Register("renofund:flush", flushFirst),
		cb.Raw().Before("*").Register("renofund:flush", flushFirst),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}
