package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/pressly/goose/v3"

	"renofund/migrations"
)

// Why a database cannot be read as this binary's books.
var (
	// ErrNoDatabase: nothing is there, or nothing the service wrote: a
	// missing or empty file, a database without its migrations.
	ErrNoDatabase = errors.New("no renofund database")
	// ErrSchemaBehind: the database lacks migrations this binary has.
	ErrSchemaBehind = errors.New("database schema older than this renofund")
	// ErrSchemaAhead: the database has migrations this binary does not know.
	ErrSchemaAhead = errors.New("database schema newer than this renofund")
)

// SQLitePath is the file an embedded-database URL names ("" and
// "sqlite:PATH", as Open reads them), and false for any other URL.
func SQLitePath(url string) (string, bool) {
	if url != "" && !strings.HasPrefix(url, "sqlite:") {
		return "", false
	}
	if path := strings.TrimPrefix(url, "sqlite:"); path != "" {
		return path, true
	}
	return DefaultSQLitePath, true
}

// Describe names the database url points at for a message: the SQLite
// file, or the PostgreSQL URL without its password.
func Describe(u string) string {
	if path, ok := SQLitePath(u); ok {
		return path
	}
	if pu, err := url.Parse(u); err == nil {
		return pu.Redacted()
	}
	return "the PostgreSQL database"
}

// OpenExisting opens a database the service has already created: what the
// commands that only read open (audit verify, export trail, backup), so that
// a mistyped path is an error rather than a new, empty database whose
// verification passes. It neither creates nor migrates: a missing or empty
// SQLite file, and a database of either engine with no migrations applied,
// are ErrNoDatabase. Whether the schema is this binary's is CheckSchema's.
func OpenExisting(ctx context.Context, url string) (*DB, error) {
	name := Describe(url)
	if path, ok := SQLitePath(url); ok {
		fi, err := os.Stat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("%w: %s does not exist (this command never creates one)", ErrNoDatabase, name)
		case err != nil:
			return nil, fmt.Errorf("%s: %w", name, err)
		case !fi.Mode().IsRegular():
			return nil, fmt.Errorf("%w: %s is not a file", ErrNoDatabase, name)
		case fi.Size() == 0:
			return nil, fmt.Errorf("%w: %s is empty", ErrNoDatabase, name)
		}
	}
	db, err := Open(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	applied, err := db.applied(ctx)
	if err == nil && len(applied) == 0 {
		err = fmt.Errorf("%w: %s holds no renofund schema (no migrations applied)", ErrNoDatabase, name)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// CheckSchema says whether the database has exactly this binary's
// migrations: older is ErrSchemaBehind (run renofund migrate: nothing here
// migrates silently), newer ErrSchemaAhead.
func (db *DB) CheckSchema(ctx context.Context) error {
	applied, err := db.applied(ctx)
	if err != nil {
		return err
	}
	known, err := Migrations()
	if err != nil {
		return err
	}
	name := db.describe(ctx)
	for _, v := range applied {
		if !slices.Contains(known, v) {
			return fmt.Errorf("%w: %s has migration %d, which this binary does not know: use the renofund that wrote it", ErrSchemaAhead, name, v)
		}
	}
	var missing []int64
	for _, v := range known {
		if !slices.Contains(applied, v) {
			missing = append(missing, v)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %s lacks %d migration(s) from %d on: run renofund migrate first", ErrSchemaBehind, name, len(missing), missing[0])
	}
	return nil
}

// Migrations lists the versions of the migrations this binary carries, in order.
func Migrations() ([]int64, error) {
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		return nil, err
	}
	out := make([]int64, 0, len(names))
	for _, n := range names {
		v, err := goose.NumericComponent(n)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	slices.Sort(out)
	return out, nil
}

// applied lists the migrations the database records as applied, without
// creating goose's table when it is missing (goose's own status would).
func (db *DB) applied(ctx context.Context) ([]int64, error) {
	exists := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version'"
	if db.Dialect == Postgres {
		exists = "SELECT COUNT(*) FROM (SELECT to_regclass('goose_db_version') AS t) r WHERE t IS NOT NULL"
	}
	var n int64
	if err := db.SQL.QueryRowContext(ctx, exists).Scan(&n); err != nil {
		return nil, fmt.Errorf("%s: %w", db.describe(ctx), err)
	}
	if n == 0 {
		return nil, nil
	}
	var versions []int64
	err := db.G.WithContext(ctx).Raw("SELECT DISTINCT version_id FROM goose_db_version WHERE is_applied AND version_id > 0 ORDER BY 1").
		Scan(&versions).Error
	return versions, err
}

// describe names an open database for a message: its file, or the
// PostgreSQL database and schema.
func (db *DB) describe(ctx context.Context) string {
	if db.Dialect == SQLite {
		return db.path
	}
	var name string
	if err := db.SQL.QueryRowContext(ctx, "SELECT current_database() || '.' || current_schema()").Scan(&name); err != nil {
		return "the PostgreSQL database"
	}
	return "PostgreSQL database " + name
}
