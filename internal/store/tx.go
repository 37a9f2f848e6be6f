package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/ncruces/go-sqlite3"
	"gorm.io/gorm"

	"renofund/internal/errs"
)

type txKey struct{}

type txStartKey struct{}

// Committed reports whether a row stamped createdAt (by Now) and read
// through ctx is certainly committed: read outside a transaction, or created
// before the reading transaction began (a transaction sees no one else's
// uncommitted rows, and its own are stamped after it began). Caches of
// immutable rows use it so that they never hold a row that may roll back.
func Committed(ctx context.Context, createdAt string) bool {
	start, ok := ctx.Value(txStartKey{}).(string)
	return !ok || createdAt < start
}

// MaxAttempts bounds the retries of one unit of work.
const MaxAttempts = 25

// Tx runs fn in one database transaction and commits it, retrying the whole
// of fn when the database reports a serialization failure, a deadlock or a
// busy SQLite file. fn must therefore have no effect outside the transaction
// (no network calls, no sends). A Tx inside a Tx joins the outer one: the
// outermost call owns commit and retry.
func (db *DB) Tx(ctx context.Context, fn func(ctx context.Context, tx *gorm.DB) error) error {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx, tx)
	}
	var err error
	for attempt := 1; ; attempt++ {
		err = db.once(ctx, fn)
		if err == nil || !Retryable(err) || attempt == MaxAttempts || ctx.Err() != nil {
			break
		}
		// Jittered exponential back-off: 1ms, 2ms, 4ms … capped at 100ms.
		d := time.Duration(1<<min(attempt-1, 7)) * time.Millisecond
		time.Sleep(min(d, 100*time.Millisecond)/2 + rand.N(min(d, 100*time.Millisecond)/2+1))
	}
	return db.Translate(err)
}

func (db *DB) once(ctx context.Context, fn func(ctx context.Context, tx *gorm.DB) error) error {
	if db.Dialect == SQLite {
		db.writeMu.Lock()
		defer db.writeMu.Unlock()
	}
	var opts []*sql.TxOptions
	if db.Serializable && db.Dialect == Postgres {
		opts = append(opts, &sql.TxOptions{Isolation: sql.LevelSerializable})
	}
	ctx = context.WithValue(ctx, txStartKey{}, Now())
	return db.G.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := fn(context.WithValue(ctx, txKey{}, tx), tx); err != nil {
			return err
		}
		if db.faults != nil {
			return db.faults()
		}
		return nil
	}, opts...)
}

// Snapshot runs fn in a read-only transaction that sees one state of the
// database throughout: REPEATABLE READ on PostgreSQL; on SQLite a deferred
// read transaction, which in WAL mode reads one snapshot and, unlike Tx,
// takes no write lock, so writers carry on meanwhile. Reads through Conn(ctx)
// inside fn join it. Inside a Tx it joins that transaction instead; a ctx
// marked by ReadReplica reads the replica.
func (db *DB) Snapshot(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	opts := &sql.TxOptions{ReadOnly: true}
	if db.Dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	src := db.reading(ctx)
	return src.Translate(src.G.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(context.WithValue(ctx, txKey{}, tx))
	}, opts))
}

// InTx reports whether ctx carries a transaction (or a snapshot): work done
// under it runs on one connection, one statement at a time.
func InTx(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(*gorm.DB)
	return ok
}

// Conn returns the transaction in ctx, or the pool for reads outside one
// (the read replica's when ctx was marked by ReadReplica).
func (db *DB) Conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	return db.reading(ctx).G.WithContext(ctx)
}

// InjectFaults makes every transaction call f just before commit; a non-nil
// result aborts that attempt as the database would. For tests only.
func (db *DB) InjectFaults(f func() error) { db.faults = f }

// ErrSerialization is a synthetic PostgreSQL serialization failure, for fault injection.
var ErrSerialization error = &pgconn.PgError{Code: "40001", Message: "injected serialization failure"}

// ErrDeadlock is a synthetic PostgreSQL deadlock, for fault injection.
var ErrDeadlock error = &pgconn.PgError{Code: "40P01", Message: "injected deadlock"}

// Retryable reports a transient failure after which the whole transaction may
// be run again: PostgreSQL 40001/40P01, or SQLite busy/locked.
func Retryable(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "40001" || pg.Code == "40P01"
	}
	var se *sqlite3.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.BUSY || se.Code() == sqlite3.LOCKED
	}
	return false
}

// UniqueViolation reports a duplicate key.
func UniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	var se *sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode() == sqlite3.CONSTRAINT_UNIQUE || se.ExtendedCode() == sqlite3.CONSTRAINT_PRIMARYKEY
	}
	return false
}

// Unreachable reports that the database could not be reached at all.
func Unreachable(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, io.ErrUnexpectedEOF) || pgconn.Timeout(err) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || serverGone(err)
}

// Translate is the package's Translate that also drops the pool's idle
// connections when the database could not be reached: they were opened
// before the failure and may be dead without knowing it (a connection the
// network cut fails on its first use, and the pool only pings connections
// idle for more than a second). The next requests dial afresh.
func (db *DB) Translate(err error) error {
	if err != nil && db != nil && db.SQL != nil && Unreachable(err) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		db.SQL.SetMaxIdleConns(0)
		db.SQL.SetMaxIdleConns(db.idle)
	}
	return Translate(err)
}

// Translate classifies database failures that are not the domain's business:
// a database that cannot be reached becomes errs.ErrUnavailable (503).
func Translate(err error) error {
	if err == nil {
		return nil
	}
	var e *errs.Error
	if errors.As(err, &e) {
		return err
	}
	if Unreachable(err) || Retryable(err) {
		return errors.Join(errs.ErrUnavailable, err)
	}
	return err
}
