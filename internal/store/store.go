// Package store opens the database (embedded SQLite or PostgreSQL), applies the
// embedded migrations, and runs every unit of work in one transaction helper
// that retries serialization failures and deadlocks. Dialect differences live
// here and are kept small.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ncruces/go-sqlite3/gormlite"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"renofund/migrations"
)

// Dialect names the database engine.
type Dialect string

// The two engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DefaultSQLitePath is where the embedded database lives when nothing is configured.
const DefaultSQLitePath = "./data/renofund.db"

// DB is an open database.
type DB struct {
	G       *gorm.DB
	SQL     *sql.DB
	Dialect Dialect

	// writeMu serialises writers in this process on SQLite, which has one
	// writer at a time anyway; queuing here is cheaper than busy-waiting.
	writeMu sync.Mutex
	// Serializable runs PostgreSQL transactions at SERIALIZABLE isolation.
	Serializable bool
	// faults, when set, fails a fraction of transactions with a transient
	// error before commit (tests of the retry path).
	faults func() error
	// path is the SQLite file, for the migration lock.
	path string
	// idle is the pool's size, open and idle alike.
	idle int
	// comb groups small writes into shared transactions (Combine).
	comb combiner
	// rep is the read replica, if one is attached (AttachReplica).
	rep *replica
}

// Open connects to the database named by url: "postgres://…" (or
// "postgresql://…") for PostgreSQL, "" or "sqlite:PATH" for the embedded
// database (default ./data/renofund.db).
func Open(ctx context.Context, url string) (*DB, error) {
	cfg := &gorm.Config{
		Logger:                 logger.Default.LogMode(logger.Silent),
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	var (
		g   *gorm.DB
		err error
		d   Dialect
	)
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		d = Postgres
		if !strings.Contains(url, "connect_timeout=") {
			// Without it a partitioned server holds a new connection forever.
			if strings.Contains(url, "?") {
				url += "&connect_timeout=5"
			} else {
				url += "?connect_timeout=5"
			}
		}
		g, err = gorm.Open(postgres.New(postgres.Config{DSN: url}), cfg)
	case url == "" || strings.HasPrefix(url, "sqlite:"):
		d = SQLite
		path := strings.TrimPrefix(url, "sqlite:")
		if path == "" {
			path = DefaultSQLitePath
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("create database directory: %w", err)
			}
		}
		dsn := "file:" + path + "?_txlock=immediate" +
			"&_pragma=busy_timeout(10000)&_pragma=foreign_keys(on)&_pragma=synchronous(full)" +
			"&_pragma=cache_size(-65536)" +
			// Statement journals (the undo of one statement inside a
			// transaction, written by every multi-row insert) stay in
			// memory instead of a temporary file: durability is the WAL's.
			"&_pragma=temp_store(memory)"
		g, err = gorm.Open(gormlite.Open(dsn), cfg)
	default:
		return nil, fmt.Errorf("RENOFUND_DATABASE_URL: want postgres://… or sqlite:PATH, got %q", url)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", d, err)
	}
	if err := registerFlush(g); err != nil {
		return nil, err
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	db := &DB{G: g, SQL: sqlDB, Dialect: d, idle: 48}
	if d == SQLite {
		db.idle = 8
	} else {
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	sqlDB.SetMaxOpenConns(db.idle)
	sqlDB.SetMaxIdleConns(db.idle)
	if d == SQLite {
		db.path = strings.TrimPrefix(url, "sqlite:")
		if db.path == "" {
			db.path = DefaultSQLitePath
		}
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("connect to %s: %w", d, err)
	}
	if d == SQLite {
		if err := db.enableWAL(); err != nil {
			sqlDB.Close()
			return nil, fmt.Errorf("sqlite WAL mode: %w", err)
		}
	}
	return db, nil
}

// enableWAL switches the file to WAL, a property of the file set once. It
// needs the file to itself, so it queues on the same lock as migrations
// (which hold the file for longer than a busy timeout), and retries when
// another process is merely reading.
func (db *DB) enableWAL() error {
	unlock, err := lockFile(db.path + ".migrate-lock")
	if err != nil {
		return err
	}
	defer unlock()
	for attempt := 0; ; attempt++ {
		err = db.G.Exec("PRAGMA journal_mode=WAL").Error
		if err == nil || !Retryable(err) || attempt == 100 {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Close releases the connections, the read replica's too.
func (db *DB) Close() error {
	db.closeReplica()
	return db.SQL.Close()
}

// Migrate applies pending migrations. On PostgreSQL a lock row in a table
// (not an advisory lock) makes concurrent starters wait for one another, so
// two instances starting at once never both migrate.
func (db *DB) Migrate(ctx context.Context) error {
	// Migrations are numbered by feature, not by date: a database that has
	// a later one applies an earlier number it lacks, in order.
	opts := []goose.ProviderOption{goose.WithSlog(slog.New(slog.DiscardHandler)), goose.WithAllowOutofOrder(true)}
	dialect := goose.DialectSQLite3
	if db.Dialect == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresTableLocker(
			lock.WithTableLockTimeout(200*time.Millisecond, 1500),
			lock.WithTableLogger(slog.New(slog.DiscardHandler)),
		)
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithLocker(locker))
	} else {
		// goose takes no lock on SQLite; processes starting at once on one
		// file queue on an advisory file lock beside it instead.
		unlock, err := lockFile(db.path + ".migrate-lock")
		if err != nil {
			return err
		}
		defer unlock()
		db.writeMu.Lock()
		defer db.writeMu.Unlock()
	}
	p, err := goose.NewProvider(dialect, db.SQL, migrations.FS, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// ForUpdate is the row-lock suffix for a locked read: PostgreSQL needs it;
// SQLite's immediate transactions already hold the write lock.
func (db *DB) ForUpdate() string {
	if db.Dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// ForShare is the suffix of a read that keeps a row from changing until the
// transaction ends while others may read it the same way (PostgreSQL; SQLite
// has one writer at a time). A read that waited for the row sees its new
// version.
func (db *DB) ForShare() string {
	if db.Dialect == Postgres {
		return " FOR SHARE"
	}
	return ""
}

// Analyze refreshes the query planner's statistics. PostgreSQL's autovacuum
// keeps them current on its own, but only some time after a bulk load;
// SQLite keeps none unless asked, and without them it may read a large
// table first where a small one should lead. The demo loader calls it after
// loading, and serve calls it periodically (on SQLite it re-analyzes only
// tables that changed much, reading at most a sample of each).
func (db *DB) Analyze(ctx context.Context) error {
	if db.Dialect == Postgres {
		// The service's own tables only: ANALYZE alone would also read every
		// other schema of the database.
		var tables []string
		err := db.G.WithContext(ctx).Raw(`SELECT quote_ident(table_name) FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`).Scan(&tables).Error
		if err != nil || len(tables) == 0 {
			return err
		}
		return db.G.WithContext(ctx).Exec("ANALYZE " + strings.Join(tables, ", ")).Error
	}
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA analysis_limit=1000"); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, "PRAGMA optimize=0x10002")
	return err
}

// Ping checks that the database answers, for /readyz.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return db.SQL.PingContext(ctx)
}

// Now is the service's clock formatted for storage: RFC 3339 UTC with fixed
// microsecond width, so text order is time order.
func Now() string { return FormatTime(time.Now()) }

// FormatTime formats t for storage.
func FormatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// ErrNoRows is returned by helpers that expect one row.
var ErrNoRows = errors.New("no rows")
