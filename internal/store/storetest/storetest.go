// Package storetest gives tests a fresh, migrated database on each engine:
// embedded SQLite always, and PostgreSQL whenever RENOFUND_TEST_DATABASE_URL
// is set (a fresh schema per test, so tests run in parallel). A PostgreSQL URL
// that is set but unusable fails the test; it never skips.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"renofund/internal/store"
)

// EnvURL names the PostgreSQL server for tests.
const EnvURL = "RENOFUND_TEST_DATABASE_URL"

// Engines lists the engines a test should run on here.
func Engines() []store.Dialect {
	if os.Getenv(EnvURL) != "" {
		return []store.Dialect{store.SQLite, store.Postgres}
	}
	return []store.Dialect{store.SQLite}
}

// Each runs fn as a subtest on every engine, each with its own fresh database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range Engines() {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh migrated database of the given engine, closed and
// dropped when the test ends.
func Open(t testing.TB, d store.Dialect) *store.DB {
	t.Helper()
	u := URL(t, d)
	db, err := store.Open(context.Background(), u)
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	return db
}

// URL creates an empty database of the given engine and returns its URL, for
// tests that start the service themselves.
func URL(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "test.db")
	}
	base := os.Getenv(EnvURL)
	if base == "" {
		t.Fatalf("%s is not set", EnvURL)
	}
	schema := "t_" + randomHex(8)
	admin, err := store.Open(context.Background(), base)
	if err != nil {
		t.Fatalf("%s is set but unusable: %v", EnvURL, err)
	}
	if err := admin.G.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.G.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	pu, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvURL, err)
	}
	q := pu.Query()
	q.Set("search_path", schema)
	pu.RawQuery = q.Encode()
	return pu.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
