package app

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"renofund/internal/access"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
	"renofund/internal/web"
)

// TestReadsReplica: the replica serves the views of the books, not what a
// clerk works on.
func TestReadsReplica(t *testing.T) {
	for path, want := range map[string]bool{
		"/v1/reports/funding": true, "/v1/reports/carry-forward": true, "/v1/exports/trail": true,
		"/v1/trace/funds/:code": true, "/v1/trace/expenditures/:id": true, "/v1/bulletins": true,
		"/v1/bulletins/:month": true, "/v1/audit/verify": true, "/v1/audit/exceptions": true,
		"/v1/audit/exceptions/:id": true, "/v1/projects/:code/funding": true,
		"/v1/projects/:code/funding-plan": false, "/v1/projects/:code": false, "/v1/funds/:code": false,
		"/v1/transfers": false, "/v1/audit/events": false, "/v1/tokens": false, "/v1/reportsx": false,
	} {
		if got := readsReplica(web.Route{Method: "GET", Path: path}); got != want {
			t.Errorf("readsReplica(%s) = %v, want %v", path, got, want)
		}
	}
}

// Each of the replica's paths names GET routes of the table, so that a
// renamed route does not fall silently back to the primary.
func TestReplicaPathsAreRoutes(t *testing.T) {
	s := New(storetest.Open(t, store.SQLite), nil)
	defer s.Close()
	routes := s.API(nil, 0).Routes()
	for _, p := range replicaPaths {
		found := false
		for _, r := range routes {
			found = found || r.Method == "GET" && (r.Path == p || strings.HasPrefix(r.Path, p+"/"))
		}
		if !found {
			t.Errorf("no GET route at or below %s", p)
		}
	}
}

// A read database that is no standby serves nothing: the reads it could
// serve go to the primary, and /readyz and /metrics say so. The embedded
// database takes no replica at all.
func TestReplicaNotStandby(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Dialect == store.SQLite {
			if db.AttachReplica("postgres://127.0.0.1:1/x", 2*time.Second) == nil {
				t.Fatalf("the embedded database took a read replica")
			}
			return
		}
		if err := db.AttachReplica(storetest.URL(t, store.Postgres), 2*time.Second); err != nil {
			t.Fatal(err)
		}
		s := New(db, nil)
		defer s.Close()
		api := s.API(nil, 0)
		get := func(path string) string {
			ctx := web.AsActor(context.Background(), access.Actor{TokenID: "t1", Name: "t", Role: access.Finance})
			rec := httptest.NewRecorder()
			api.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil).WithContext(ctx))
			if rec.Code != 200 {
				t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
			}
			return rec.Body.String()
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			var ready struct{ Replica store.ReplicaStatus }
			json.Unmarshal([]byte(get("/readyz")), &ready)
			if ready.Replica.State == store.ReplicaNotStandby {
				if ready.Replica.Reads != "primary" || ready.Replica.Problem == "" {
					t.Errorf("/readyz: %+v", ready.Replica)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("/readyz still says %+v", ready.Replica)
			}
			time.Sleep(50 * time.Millisecond)
		}
		get("/v1/reports/funding")
		metrics := get("/metrics")
		for _, want := range []string{`renofund_replica_reads_total{to="primary"} 1`, "renofund_replica_up 0",
			"renofund_replica_serving 0"} {
			if !strings.Contains(metrics, want+"\n") {
				t.Errorf("/metrics lacks %q", want)
			}
		}
	})
}
