package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestOpenExisting: a database nobody created (a mistyped SQLite path, an
// empty file, a PostgreSQL schema without migrations) is ErrNoDatabase,
// and opening it creates nothing; a migrated one opens, and CheckSchema
// tells an older schema (run renofund migrate) from a newer one, migrating
// nothing. On both engines.
func TestOpenExisting(t *testing.T) {
	ctx := context.Background()
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			u := storetest.URL(t, d)
			if d == store.SQLite {
				u = "sqlite:" + filepath.Join(t.TempDir(), "mistyped", "path.db")
			}
			if _, err := store.OpenExisting(ctx, u); !errors.Is(err, store.ErrNoDatabase) || !strings.Contains(err.Error(), store.Describe(u)) {
				t.Fatalf("a database nobody made: %v", err)
			}
			if path, ok := store.SQLitePath(u); ok {
				if _, err := os.Stat(filepath.Dir(path)); !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("opening a mistyped path created its directory: %v", err)
				}
				if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, nil, 0o600); err != nil {
					t.Fatal(err)
				}
				if _, err := store.OpenExisting(ctx, u); !errors.Is(err, store.ErrNoDatabase) || !strings.Contains(err.Error(), "empty") {
					t.Fatalf("an empty file: %v", err)
				}
			}
			db, err := store.Open(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := store.OpenExisting(ctx, u); !errors.Is(err, store.ErrNoDatabase) || !strings.Contains(err.Error(), "no migrations") {
				t.Fatalf("a database without migrations: %v", err)
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			ex, err := store.OpenExisting(ctx, u)
			if err != nil {
				t.Fatalf("a migrated database: %v", err)
			}
			defer ex.Close()
			if err := ex.CheckSchema(ctx); err != nil {
				t.Fatalf("this binary's schema: %v", err)
			}
			known, err := store.Migrations()
			if err != nil || len(known) < 20 {
				t.Fatalf("migrations: %v %v", known, err)
			}
			last := known[len(known)-1]
			exec(t, db, "DELETE FROM goose_db_version WHERE version_id = ?", last)
			if err := ex.CheckSchema(ctx); !errors.Is(err, store.ErrSchemaBehind) || !strings.Contains(err.Error(), "run renofund migrate") {
				t.Errorf("an older schema: %v", err)
			}
			var n int64
			db.G.Raw("SELECT COUNT(*) FROM goose_db_version WHERE version_id = ?", last).Scan(&n)
			if n != 0 {
				t.Errorf("CheckSchema migrated")
			}
			exec(t, db, "INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?), (?, ?)", last, true, 99999, true)
			if err := ex.CheckSchema(ctx); !errors.Is(err, store.ErrSchemaAhead) || !strings.Contains(err.Error(), "99999") {
				t.Errorf("a newer schema: %v", err)
			}
		})
	}
}

func exec(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if err := db.G.Exec(q, args...).Error; err != nil {
		t.Fatal(err)
	}
}
