// Package backup copies the books and puts a copy back. Backup takes a
// consistent copy of the embedded database while the service writes;
// Restore checks a copy (its pages, its schema, a full verification of the
// books) before it puts it in place, and Check does the same checks on a
// database restored by other means (PostgreSQL's pg_restore). Each answers
// the books' summary, so a copy can be held against its source.
package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"renofund/internal/ledger/proof"
	"renofund/internal/store"
)

// Result is what a backup wrote or a restore put in place, and the books in it.
type Result struct {
	File  string `json:"file"`
	Bytes int64  `json:"bytes,omitempty"`
	// Kept is where a forced restore left the database it replaced.
	Kept  string         `json:"kept,omitempty"`
	Books *proof.Summary `json:"books"`
	// Verify is the full verification a restore or a check ran.
	Verify *proof.Report `json:"verify,omitempty"`
}

// ErrNotSQLite: restore puts a file in place, which only the embedded
// database is.
var ErrNotSQLite = errors.New("restore puts a SQLite copy in place; restore PostgreSQL with pg_restore, then check it with restore --check")

// ErrVerify: a copy's books do not verify.
var ErrVerify = errors.New("the copy's books do not verify")

// Backup copies db (SQLite) to out, which must not exist, and summarises
// the books in the copy: what was copied, read from the copy itself.
func Backup(ctx context.Context, db *store.DB, out string) (*Result, error) {
	res := &Result{File: out}
	err := db.BackupTo(ctx, out, func(ctx context.Context, c *store.DB) error {
		var err error
		res.Books, err = proof.New(c).Summary(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(out)
	if err != nil {
		return nil, err
	}
	res.Bytes = fi.Size()
	return res, nil
}

// Check opens the database url names, which must exist with this binary's
// schema (nothing is created or migrated), checks its integrity and
// verifies its books in full. A copy that does not verify is ErrVerify,
// with the report saying where.
func Check(ctx context.Context, url string) (*Result, error) {
	db, err := store.OpenExisting(ctx, url)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err != nil {
		return nil, err
	}
	if err := db.IntegrityCheck(ctx); err != nil {
		return nil, err
	}
	books := proof.New(db)
	res := &Result{File: store.Describe(url)}
	if res.Verify, err = books.Verify(ctx, proof.Full); err != nil {
		return nil, err
	}
	if !res.Verify.OK {
		return res, fmt.Errorf("%w: %s: at %s: %s", ErrVerify, res.File, res.Verify.Where, res.Verify.Problem)
	}
	if res.Books, err = books.Summary(ctx); err != nil {
		return nil, err
	}
	return res, nil
}

// Restore puts the SQLite copy from in place of the database url names:
// it copies it beside that database, checks the copy as Check does, and
// only then renames it into place (store.Install: not while the database
// is in use, and over a non-empty one only when force). The file from is
// only read.
func Restore(ctx context.Context, from, url string, force bool) (*Result, error) {
	path, ok := store.SQLitePath(url)
	if !ok {
		return nil, ErrNotSQLite
	}
	if fi, err := os.Stat(from); err != nil {
		return nil, err
	} else if !fi.Mode().IsRegular() || fi.Size() == 0 {
		return nil, fmt.Errorf("%w: %s is empty or not a file", store.ErrNoDatabase, from)
	}
	// Refused now rather than after copying and verifying; Install asks again.
	if err := store.Replaceable(path, force); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, err
	}
	staged, err := stage(from, path)
	if err != nil {
		return nil, err
	}
	defer func() {
		// What checking the copy left beside it, and the copy unless installed.
		for _, f := range []string{staged, staged + "-wal", staged + "-shm", staged + ".migrate-lock"} {
			os.Remove(f)
		}
	}()
	res, err := Check(ctx, "sqlite:"+staged)
	if err != nil {
		return res, err
	}
	if res.Kept, err = store.Install(staged, path, force); err != nil {
		return nil, err
	}
	res.File = path
	if fi, err := os.Stat(path); err == nil {
		res.Bytes = fi.Size()
	}
	return res, nil
}

// stage copies from to a new file beside path (so that a rename can put it
// in place) and syncs it.
func stage(from, path string) (string, error) {
	in, err := os.Open(from)
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.restoring")
	if err != nil {
		return "", err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out.Name())
		return "", err
	}
	return out.Name(), nil
}
