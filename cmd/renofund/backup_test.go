package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"renofund/internal/backup"
	"renofund/internal/ledger/proof"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestBackupWhileServing: `renofund backup` copies the books while the
// service takes receipts over HTTP from four clients (each a bounded number);
// `restore` puts the copy in a new place, and `audit verify --full` there is
// ok, over what the backup said it copied: the same chain heads, checkpoint
// and totals, fewer transfers than the source had by the end. On PostgreSQL
// backup points to pg_dump and `restore --check` checks the database.
func TestBackupWhileServing(t *testing.T) {
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			dbURL := storetest.URL(t, d)
			env := map[string]string{"RENOFUND_DATABASE_URL": dbURL, "RENOFUND_ADDR": "127.0.0.1:0"}
			c := newClient(startInProcess(t, env).base, issueTokenRun(t, env, "finance", "backup-clerk"), 30*time.Second)
			seedCity(t, c)
			if d == store.Postgres {
				_, err := runJSON[backup.Result](t, env, "backup", "--out", filepath.Join(t.TempDir(), "x.dump"))
				if err == nil || !strings.Contains(err.Error(), "pg_dump") {
					t.Errorf("backup on PostgreSQL: %v", err)
				}
				res, err := runJSON[backup.Result](t, env, "restore", "--check")
				if err != nil || !res.Verify.OK || res.Books.Transfers != 2 {
					t.Errorf("restore --check: %+v %v", res, err)
				}
				return
			}
			var posted atomic.Int64
			stop := load(t, c, &posted)
			for posted.Load() < 10 {
				time.Sleep(5 * time.Millisecond)
			}
			out := filepath.Join(t.TempDir(), "renofund-backup.db")
			copied, err := runJSON[backup.Result](t, env, "backup", "--out", out)
			if err != nil {
				t.Fatalf("backup: %v", err)
			}
			stop()
			t.Logf("backup while serving: %d transfers, %d bytes; %d receipts posted in all", copied.Books.Transfers, copied.Bytes, posted.Load())
			if _, err := runJSON[backup.Result](t, env, "backup", "--out", out); !errors.Is(err, store.ErrFileExists) {
				t.Errorf("a second backup to the same file: %v", err)
			}
			source, err := proof.New(openStore(t, dbURL)).Summary(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if copied.Books.Transfers < 2+10 || copied.Books.Transfers >= source.Transfers || copied.Books.Received >= source.Received {
				t.Errorf("copied %+v of %+v: want what was posted before the backup and less than in the end", copied.Books, source)
			}
			restoredEnv := map[string]string{"RENOFUND_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "data", "renofund.db")}
			restored, err := runJSON[backup.Result](t, restoredEnv, "restore", "--from", out)
			if err != nil {
				t.Fatalf("restore: %v", err)
			}
			if restored.Books.Heads != copied.Books.Heads || restored.Books.Received != copied.Books.Received ||
				restored.Books.Transfers != copied.Books.Transfers {
				t.Errorf("restored %+v, copied %+v", restored.Books, copied.Books)
			}
			verified, err := runJSON[proof.Report](t, restoredEnv, "audit", "verify", "--full")
			if err != nil || !verified.OK || verified.Transfers != copied.Books.Transfers {
				t.Errorf("audit verify --full of the restored copy: %+v %v", verified, err)
			}
			if _, err := runJSON[backup.Result](t, restoredEnv, "restore", "--from", out); !errors.Is(err, store.ErrNotEmpty) {
				t.Errorf("restore over the restored database: %v", err)
			}
		})
	}
}

// load posts receipts of ¥1.00 from four clients, at most 300 each, until
// the returned stop is called; stop fails the test if any was refused.
func load(t *testing.T, c *client, posted *atomic.Int64) (stop func()) {
	quit := make(chan struct{})
	var wg sync.WaitGroup
	var failed atomic.Value
	for w := range 4 {
		wg.Go(func() {
			for i := range 300 {
				select {
				case <-quit:
					return
				default:
				}
				key := fmt.Sprintf("load-%d-%d", w, i)
				r, err := c.do("POST", "/v1/funds/CG/receipts", mustJSON(t, receiptBody("CG", 100, key)), key)
				if err != nil || r.Status != 201 {
					failed.Store(fmt.Sprintf("%s: %v %d %s", key, err, r.Status, r.Body))
					return
				}
				posted.Add(1)
			}
		})
	}
	return func() {
		close(quit)
		wg.Wait()
		if f := failed.Load(); f != nil {
			t.Fatalf("a receipt under load: %v", f)
		}
	}
}

// runJSON runs a command and decodes what it printed.
func runJSON[T any](t *testing.T, env map[string]string, args ...string) (*T, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, &out, io.Discard)
	var v T
	if out.Len() > 0 {
		if jerr := json.Unmarshal(out.Bytes(), &v); jerr != nil {
			t.Fatalf("%v printed %q: %v", args, out.String(), jerr)
		}
	}
	return &v, err
}

// TestReadOnlyCommandsCreateNothing: audit verify, export trail and backup
// on a mistyped path, an empty file, a database without migrations, books
// without a transfer or a schema older than the binary are errors that name
// the database, and leave no file, directory, table or migration behind.
func TestReadOnlyCommandsCreateNothing(t *testing.T) {
	commands := func(dir string) [][]string {
		return [][]string{{"audit", "verify"}, {"audit", "verify", "--full"}, {"verify"},
			{"export", "trail", "--out", filepath.Join(dir, "export")}, {"backup", "--out", filepath.Join(dir, "copy.db")}}
	}
	refuse := func(t *testing.T, env map[string]string, want error, says string) {
		t.Helper()
		dir := t.TempDir()
		for _, args := range commands(dir) {
			if args[0] == "backup" && !strings.HasPrefix(env["RENOFUND_DATABASE_URL"], "sqlite:") {
				continue
			}
			var out bytes.Buffer
			err := run(context.Background(), args, func(k string) string { return env[k] }, &out, &out)
			if !errors.Is(err, want) || !strings.Contains(err.Error(), says) {
				t.Errorf("%v: %v, want %v saying %q", args, err, want, says)
			}
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("the refused commands wrote %v", entries)
		}
	}
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			u := storetest.URL(t, d)
			if d == store.SQLite {
				mistyped := filepath.Join(t.TempDir(), "mistyped", "path.db")
				refuse(t, map[string]string{"RENOFUND_DATABASE_URL": "sqlite:" + mistyped}, store.ErrNoDatabase, mistyped)
				if _, err := os.Stat(filepath.Dir(mistyped)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("a read-only command created %s: %v", filepath.Dir(mistyped), err)
				}
				if err := os.WriteFile(strings.TrimPrefix(u, "sqlite:"), nil, 0o600); err != nil {
					t.Fatal(err)
				}
				refuse(t, map[string]string{"RENOFUND_DATABASE_URL": u}, store.ErrNoDatabase, "is empty")
				os.Remove(strings.TrimPrefix(u, "sqlite:"))
			}
			db, err := store.Open(context.Background(), u)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			env := map[string]string{"RENOFUND_DATABASE_URL": u}
			refuse(t, env, store.ErrNoDatabase, "no migrations")
			if n := count(t, db, "SELECT COUNT(*) FROM "+tablesOf(d)); n != 0 {
				t.Errorf("a refused read-only command created %d tables", n)
			}
			if err := db.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			for _, args := range commands(t.TempDir())[:4] {
				var out bytes.Buffer
				if err := run(context.Background(), args, func(k string) string { return env[k] }, &out, &out); !errors.Is(err, store.ErrNoDatabase) ||
					!strings.Contains(err.Error(), "no transfers") {
					t.Errorf("%v on books without a transfer: %v", args, err)
				}
			}
			if err := db.G.Exec("DELETE FROM goose_db_version WHERE version_id = (SELECT MAX(version_id) FROM goose_db_version)").Error; err != nil {
				t.Fatal(err)
			}
			before := count(t, db, "SELECT COUNT(*) FROM goose_db_version")
			for _, args := range commands(t.TempDir())[:4] {
				var out bytes.Buffer
				if err := run(context.Background(), args, func(k string) string { return env[k] }, &out, &out); !errors.Is(err, store.ErrSchemaBehind) ||
					!strings.Contains(err.Error(), "run renofund migrate") {
					t.Errorf("%v on an older schema: %v", args, err)
				}
			}
			if after := count(t, db, "SELECT COUNT(*) FROM goose_db_version"); after != before {
				t.Errorf("a read-only command migrated: %d migrations recorded, then %d", before, after)
			}
		})
	}
}

// tablesOf is the catalogue of tables the test database's tables are
// listed in, for counting them.
func tablesOf(d store.Dialect) string {
	if d == store.Postgres {
		return "information_schema.tables WHERE table_schema = current_schema()"
	}
	return "sqlite_master WHERE type = 'table'"
}
