package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"renofund/internal/errs"
	"renofund/internal/store"
	"renofund/internal/store/pgcluster"
)

// A server ending sessions or not yet taking them is unavailable (503),
// like one that cannot be reached; other errors keep their meaning.
func TestServerGoneIsUnavailable(t *testing.T) {
	for code, want := range map[string]bool{"08006": true, "08001": true, "57P01": true, "57P02": true, "57P03": true,
		"23505": false, "42P01": false} {
		err := store.Translate(fmt.Errorf("query: %w", &pgconn.PgError{Code: code}))
		if got := errors.Is(err, errs.ErrUnavailable); got != want {
			t.Errorf("SQLSTATE %s unavailable = %v, want %v", code, got, want)
		}
	}
}

// With two hosts and target_session_attrs=read-write the pool uses the one
// that takes writes (the standby listed first is passed over); when that
// primary dies, work fails as unavailable, and once the standby is
// promoted the same pool works again on it, with every commit the old
// primary acknowledged.
func TestFailoverToPromotedStandby(t *testing.T) {
	t.Parallel()
	p, s := pgcluster.Pair(t, "renofund")
	p.Synchronous()
	url := fmt.Sprintf("postgres://postgres@127.0.0.1:%d,127.0.0.1:%d/renofund?sslmode=disable&target_session_attrs=read-write",
		s.Port, p.Port)
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	insert := func(v int) error {
		return db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
			return tx.Exec("INSERT INTO n VALUES (?)", v).Error
		})
	}
	if err := db.G.Exec("CREATE TABLE n (v int)").Error; err != nil {
		t.Fatal(err)
	}
	if err := insert(1); err != nil {
		t.Fatal(err)
	}
	if port := serverPort(t, db); port != p.Port {
		t.Fatalf("connected to port %d, want the primary's %d", port, p.Port)
	}

	p.Kill()
	if err := insert(2); !errors.Is(err, errs.ErrUnavailable) {
		t.Fatalf("a write with the primary gone: %v, want unavailable", err)
	}
	s.Promote()
	deadline := time.Now().Add(15 * time.Second)
	for err = insert(3); err != nil; err = insert(3) {
		if !errors.Is(err, errs.ErrUnavailable) || time.Now().After(deadline) {
			t.Fatalf("a write after the promotion: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if port := serverPort(t, db); port != s.Port {
		t.Errorf("connected to port %d, want the promoted standby's %d", port, s.Port)
	}
	if got := scan[[]int](t, db.G, "SELECT v FROM n ORDER BY v"); fmt.Sprint(got) != "[1 3]" {
		t.Errorf("after the failover the table holds %v, want [1 3]", got)
	}
}

func serverPort(t *testing.T, db *store.DB) int {
	return scan[int](t, db.G, "SELECT inet_server_port()")
}
