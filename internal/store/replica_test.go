package store_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"renofund/internal/store"
	"renofund/internal/store/pgcluster"
	"renofund/internal/store/storetest"
)

// Reads marked for the replica go to it while it is fresh enough; a reader
// who wrote reads the primary until the replica has its write; a paused
// replica is stale by design until it passes the bound, and then reads go
// to the primary, as they do when the replica is down.
func TestReadReplica(t *testing.T) {
	t.Parallel()
	p, s := pgcluster.Pair(t, "renofund")
	p.Exec("renofund", "CREATE TABLE n (v int)", "INSERT INTO n VALUES (1)")
	db := p.Open("renofund")
	t.Cleanup(func() { db.Close() })
	const maxLag = time.Second
	if err := db.AttachReplica(s.URL("renofund"), maxLag); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	waitReplica(t, db, "serving", func(st store.ReplicaStatus) bool { return st.Reads == "replica" })

	rctx := mustReplica(t, db, ctx, "reader")
	if !onReplica(t, db.Conn(rctx)) {
		t.Errorf("a read marked for the replica went to the primary")
	}
	if onReplica(t, db.Conn(ctx)) {
		t.Errorf("an unmarked read went to the replica")
	}
	err := db.Snapshot(rctx, func(ctx context.Context) error {
		if !onReplica(t, db.Conn(ctx)) {
			t.Errorf("a snapshot marked for the replica read the primary")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Tx(rctx, func(ctx context.Context, tx *gorm.DB) error {
		if onReplica(t, tx) || onReplica(t, db.Conn(ctx)) {
			t.Errorf("a transaction went to the replica")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Replay paused, the writer's row stays off the replica.
	s.Exec("postgres", "SELECT pg_wal_replay_pause()")
	done := db.Writing("writer")
	err = db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error { return tx.Exec("INSERT INTO n VALUES (2)").Error })
	done()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := db.ReadReplica(ctx, "writer"); ok {
		t.Errorf("the writer may read the replica before it has the write")
	}
	if n := rows(t, db.Conn(mustReplica(t, db, ctx, "reader"))); n != 1 {
		t.Errorf("the paused replica shows %d rows, want the 1 it had", n)
	}
	waitReplica(t, db, "lag in bytes", func(st store.ReplicaStatus) bool { return st.LagBytes > 0 })
	st := waitReplica(t, db, "lagging", func(st store.ReplicaStatus) bool { return st.State == store.ReplicaLagging })
	if st.Reads != "primary" || st.LagSeconds <= maxLag.Seconds() {
		t.Errorf("lagging replica: %+v", st)
	}
	if _, ok := db.ReadReplica(ctx, "reader"); ok {
		t.Errorf("reads go to a replica past the lag bound")
	}

	s.Exec("postgres", "SELECT pg_wal_replay_resume()")
	waitReplica(t, db, "caught up", func(st store.ReplicaStatus) bool { return st.Reads == "replica" && st.LagBytes == 0 })
	if n := rows(t, db.Conn(mustReplica(t, db, ctx, "writer"))); n != 2 {
		t.Errorf("the replica caught up shows %d rows, want 2", n)
	}

	s.Kill()
	waitReplica(t, db, "down", func(st store.ReplicaStatus) bool { return st.State == store.ReplicaDown })
	if _, ok := db.ReadReplica(ctx, "reader"); ok {
		t.Errorf("reads go to a replica that is down")
	}
}

func TestAttachReplicaRefusals(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	if err := db.AttachReplica("postgres://127.0.0.1:1/x", time.Second); err == nil {
		t.Errorf("a replica of the embedded database was attached")
	}
	if _, ok := db.Replica(); ok {
		t.Errorf("a refused replica is reported")
	}
	if ctx, ok := db.ReadReplica(context.Background(), "x"); ok || ctx != context.Background() {
		t.Errorf("without a replica a read was marked for one")
	}
	db.Writing("x")() // no replica: nothing to note
}

func mustReplica(t *testing.T, db *store.DB, ctx context.Context, who string) context.Context {
	t.Helper()
	rctx, ok := db.ReadReplica(ctx, who)
	if !ok {
		st, _ := db.Replica()
		t.Fatalf("%s may not read the replica: %+v", who, st)
	}
	return rctx
}

func onReplica(t *testing.T, g *gorm.DB) bool { return scan[bool](t, g, "SELECT pg_is_in_recovery()") }

func rows(t *testing.T, g *gorm.DB) int64 { return scan[int64](t, g, "SELECT COUNT(*) FROM n") }

// scan runs a query answering one value.
func scan[T any](t *testing.T, g *gorm.DB, q string) T {
	t.Helper()
	var v T
	if err := g.Raw(q).Scan(&v).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// waitReplica polls the replica's status until ok holds, for up to 20 s.
func waitReplica(t *testing.T, db *store.DB, what string, ok func(store.ReplicaStatus) bool) store.ReplicaStatus {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, _ := db.Replica()
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica not %s after 20 s: %+v", what, st)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
