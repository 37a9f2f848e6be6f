package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"renofund/internal/backup"
	"renofund/internal/ledger/proof"
	"renofund/internal/store"
)

// pgBackup is backup's answer on PostgreSQL, whose copies are the server's
// own tools' business: pg_dump matched to the server's version, or
// pg_basebackup with WAL archiving for a copy to any moment.
const pgBackup = `backup copies the embedded SQLite database; on PostgreSQL take a consistent online copy with
  pg_dump --format=custom --file=FILE DATABASE    (or pg_basebackup for the whole server)
restore it with pg_restore into a new database and check it with
  RENOFUND_DATABASE_URL=postgres://…/restored renofund restore --check
as the README's "Backups" section shows`

// backupCmd is `backup --out FILE`: a consistent copy of the embedded
// database while the service runs, and the summary of the books it holds.
func backupCmd(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "the file to write (must not exist)")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if *out == "" || fs.NArg() > 0 {
		return usageError{"backup --out FILE"}
	}
	if _, ok := store.SQLitePath(cfg.DatabaseURL); !ok {
		return errors.New(pgBackup)
	}
	db, err := store.OpenExisting(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := backup.Backup(ctx, db, *out)
	if err != nil {
		return err
	}
	return printJSON(stdout, res)
}

// restoreCmd is `restore --from FILE [--force]`, which checks a SQLite copy
// and puts it in place of the configured database, or `restore --check`,
// which checks the configured database (a PostgreSQL copy pg_restore made,
// say) the same way and changes nothing.
func restoreCmd(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the SQLite copy to put in place")
	force := fs.Bool("force", false, "replace a non-empty database (it is kept beside, renamed)")
	check := fs.Bool("check", false, "only check the configured database as a restore checks a copy")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 || (*from == "") == !*check || (*check && *force) {
		return usageError{"restore --from FILE [--force] | restore --check"}
	}
	var res *backup.Result
	var err error
	if *check {
		res, err = backup.Check(ctx, cfg.DatabaseURL)
	} else {
		res, err = backup.Restore(ctx, *from, cfg.DatabaseURL, *force)
	}
	if res != nil {
		if perr := printJSON(stdout, res); err == nil {
			err = perr
		}
	}
	return err
}

// openExisting opens the configured database for a command that only
// reads: it must exist with this binary's schema; nothing is created or
// migrated (store.OpenExisting, CheckSchema).
func openExisting(ctx context.Context, cfg config) (*store.DB, error) {
	db, err := store.OpenExisting(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	db.Serializable = cfg.Serializable
	return db, nil
}

// openBooks is openExisting for the auditor's commands (audit verify,
// export trail), which also refuse books without a single transfer: an
// "ok" over nothing is more likely the wrong database than a proof.
func openBooks(ctx context.Context, cfg config) (*store.DB, error) {
	db, err := openExisting(ctx, cfg)
	if err != nil {
		return nil, err
	}
	empty, err := proof.New(db).Empty(ctx)
	if err == nil && empty {
		err = fmt.Errorf("%w: %s holds no transfers: nothing to verify or export (is it the database you meant?)",
			store.ErrNoDatabase, store.Describe(cfg.DatabaseURL))
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func printJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}
