package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ncruces/go-sqlite3/gormlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Why a file cannot be written or put in place.
var (
	// ErrFileExists: a backup never overwrites a file.
	ErrFileExists = errors.New("file exists")
	// ErrInUse: the database a restore would replace is open (its
	// write-ahead log is there), or was not closed cleanly.
	ErrInUse = errors.New("database in use")
	// ErrNotEmpty: a restore replaces a non-empty database only when forced.
	ErrNotEmpty = errors.New("database not empty")
)

// BackupTo writes a consistent copy of the SQLite database to out while the
// service carries on: VACUUM INTO reads one snapshot, and in WAL mode a
// reader holds up no writer. The copy is written beside out, synced, opened
// read-only for check (which may refuse it), and only then linked to out,
// which must not exist (an existing file is ErrFileExists, atomically: a
// link never replaces one). A failure leaves nothing at out.
func (db *DB) BackupTo(ctx context.Context, out string, check func(ctx context.Context, c *DB) error) error {
	if db.Dialect != SQLite {
		return fmt.Errorf("backup copies the embedded database; PostgreSQL is backed up with pg_dump or pg_basebackup")
	}
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("%w: %s (a backup never overwrites)", ErrFileExists, out)
	}
	f, err := os.CreateTemp(filepath.Dir(out), filepath.Base(out)+".*.partial")
	if err != nil {
		return err
	}
	tmp := f.Name()
	f.Close()
	defer os.Remove(tmp)
	// VACUUM INTO writes into a missing or empty file only.
	if _, err := db.SQL.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		return fmt.Errorf("copy %s: %w", db.path, err)
	}
	if err := syncFile(tmp); err != nil {
		return err
	}
	if err := checkCopy(ctx, tmp, check); err != nil {
		return err
	}
	if err := os.Link(tmp, out); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%w: %s (a backup never overwrites)", ErrFileExists, out)
		}
		return err
	}
	return syncFile(filepath.Dir(out))
}

// checkCopy opens a copy read-only and immutable (nothing is written to it
// or beside it), checks its integrity and hands it to check.
func checkCopy(ctx context.Context, path string, check func(ctx context.Context, c *DB) error) error {
	g, err := gorm.Open(gormlite.Open("file:"+path+"?mode=ro&immutable=1"), &gorm.Config{
		Logger: logger.Default.LogMode(logger.Silent), SkipDefaultTransaction: true,
		NowFunc: func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		return fmt.Errorf("open the copy: %w", err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return err
	}
	c := &DB{G: g, SQL: sqlDB, Dialect: SQLite, path: path, idle: 1}
	defer c.Close()
	if err := c.IntegrityCheck(ctx); err != nil {
		return err
	}
	return check(ctx, c)
}

// IntegrityCheck runs SQLite's integrity_check over the whole file (every
// page, index and constraint); on PostgreSQL, whose pages the server
// checks itself, it does nothing.
func (db *DB) IntegrityCheck(ctx context.Context) error {
	if db.Dialect != SQLite {
		return nil
	}
	rows, err := db.SQL.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("%s: integrity check: %w", db.path, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return err
		}
		problems = append(problems, line)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: integrity check: %w", db.path, err)
	}
	if len(problems) != 1 || problems[0] != "ok" {
		return fmt.Errorf("%s: integrity check failed: %s", db.path, strings.Join(problems, "; "))
	}
	return nil
}

// Replaceable says whether a restore may put a file in place of the
// database at path: not while it is in use (its write-ahead log is there:
// stop the service) and, unless force, not over a non-empty file.
func Replaceable(path string, force bool) error {
	if fi, err := os.Stat(path + "-wal"); err == nil {
		return fmt.Errorf("%w: %s-wal exists (%d bytes): stop the service, or open the database once (renofund migrate) if it crashed", ErrInUse, path, fi.Size())
	}
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 && !force {
		return fmt.Errorf("%w: %s holds a database (%d bytes): restore --force replaces it", ErrNotEmpty, path, fi.Size())
	}
	return nil
}

// Install puts the SQLite file staged in place of the database at path, by
// a rename in the same directory (a crash leaves the old file or the new,
// never a mixture), if Replaceable. Forced over a non-empty file, it keeps
// that file beside it and returns its name. It holds the lock a starting
// service queues on.
func Install(staged, path string, force bool) (kept string, err error) {
	unlock, err := lockFile(path + ".migrate-lock")
	if err != nil {
		return "", err
	}
	defer unlock()
	if err := Replaceable(path, force); err != nil {
		return "", err
	}
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		// The books are never deleted: the replaced file stays under
		// another name (a second link, so path is never missing).
		kept = path + ".replaced-" + time.Now().UTC().Format("20060102T150405Z")
		if err := os.Link(path, kept); err != nil {
			return "", err
		}
	}
	if err := os.Rename(staged, path); err != nil {
		return "", err
	}
	return kept, syncFile(filepath.Dir(path))
}

// syncFile flushes a file, or a directory's entries, to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
