package main

// The read-replica test: the real binary runs on a PostgreSQL primary of
// the test's own with a streaming standby as RENOFUND_READ_DATABASE_URL.
// The reads the replica may serve are served by it (each answers as on the
// primary, and the metrics count them on the replica); with its replay
// paused it is stale by design, except for the one who wrote, until its lag
// passes the bound and reads go back to the primary, as they do when it is
// down. /readyz and /metrics report the lag.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"renofund/internal/store"
	"renofund/internal/store/pgcluster"
	"renofund/internal/store/storetest"
)

// replicaMaxLag is the bound the service is given: short, so that the test
// sees the replica pass it, and long enough for a busy machine to read the
// paused replica within it.
const replicaMaxLag = 4 * time.Second

func TestReadReplica(t *testing.T) {
	p, s := pgcluster.Pair(t, "renofund")
	bin := buildBinary(t)
	dbURL := p.URL("renofund")
	finance := issueTokenCmd(t, bin, dbURL, "finance", "replica-writer")
	auditor := issueTokenCmd(t, bin, dbURL, "auditor", "replica-reader")
	srv := startProcess(t, bin, dbURL, "RENOFUND_READ_DATABASE_URL="+s.URL("renofund"),
		"RENOFUND_READ_MAX_LAG="+replicaMaxLag.String())
	c := newClient(srv.base, finance, 30*time.Second)
	a := c.as(auditor)
	seedCity(t, c)
	c.must(t, "POST", "/v1/allocations", allocationBody("CG", projects[0], 100_000_00), "replica-allocation", 201)
	var paid struct{ ID string }
	json.Unmarshal(c.must(t, "POST", "/v1/expenditures", expenditureBody(projects[0], 20_000_00), "replica-expenditure", 201).Body, &paid)
	c.must(t, "POST", "/v1/bulletins/2026-03", nil, "replica-bulletin", 201)
	waitReady(t, c, "serving reads", func(st store.ReplicaStatus) bool { return st.Reads == "replica" })

	t.Run("served by the replica", func(t *testing.T) {
		paths := []string{"/v1/reports/funding", "/v1/reports/budget", "/v1/reports/idle?days=60",
			"/v1/reports/direct?month=2026-03", "/v1/reports/tax-expenditure", "/v1/exports/trail?format=csv",
			"/v1/exports/trail?format=zip", "/v1/trace/funds/CG", "/v1/trace/expenditures/" + paid.ID, "/v1/bulletins",
			"/v1/bulletins/2026-03", "/v1/audit/verify", "/v1/audit/verify?full=true", "/v1/audit/exceptions",
			"/v1/projects/" + projects[0] + "/funding"}
		before := metric(t, c, `renofund_replica_reads_total{to="replica"}`)
		for _, path := range paths {
			a.must(t, "GET", path, nil, "", 200)
		}
		if got := metric(t, c, `renofund_replica_reads_total{to="replica"}`) - before; got != float64(len(paths)) {
			t.Errorf("%v of %d reads went to the replica", got, len(paths))
		}
		before = metric(t, c, `renofund_replica_reads_total{to="replica"}`)
		a.must(t, "GET", "/v1/funds/CG", nil, "", 200) // a clerk's view: the primary's
		if got := metric(t, c, `renofund_replica_reads_total{to="replica"}`); got != before {
			t.Errorf("GET /v1/funds/CG went to the replica")
		}
	})

	received := func(cl *client, header ...string) string {
		t.Helper()
		r := cl.mustWith(t, "GET", "/v1/reports/funding", header...)
		var rep struct{ Totals struct{ Received string } }
		if err := json.Unmarshal(r.Body, &rep); err != nil {
			t.Fatalf("funding report: %v: %s", err, r.Body)
		}
		return rep.Totals.Received
	}
	old := received(a)

	s.Exec("postgres", "SELECT pg_wal_replay_pause()")
	c.must(t, "POST", "/v1/funds/CG/receipts", receiptBody("CG", 1_000_00, "paused"), "replica-paused", 201)
	fresh := received(c) // the writer reads its own write: from the primary
	if fresh == old {
		t.Fatalf("the writer's report %s does not show the receipt it just wrote", fresh)
	}
	t.Run("stale by design within the bound", func(t *testing.T) {
		if got := received(a); got != old {
			t.Errorf("the reader's report shows %s received, want the replica's %s", got, old)
		}
		if got := received(a, "Cache-Control", "no-cache"); got != fresh {
			t.Errorf("with Cache-Control: no-cache the reader's report shows %s, want the primary's %s", got, fresh)
		}
	})
	t.Run("lag reported", func(t *testing.T) {
		st := waitReady(t, c, "behind in bytes", func(st store.ReplicaStatus) bool { return st.LagBytes > 0 })
		if n := metric(t, c, "renofund_replica_lag_bytes"); n <= 0 {
			t.Errorf("renofund_replica_lag_bytes %v with the replica %d bytes behind", n, st.LagBytes)
		}
		st = waitReady(t, c, "lagging", func(st store.ReplicaStatus) bool { return st.State == store.ReplicaLagging })
		if st.Reads != "primary" || st.LagSeconds <= replicaMaxLag.Seconds() || st.MaxLagSeconds != replicaMaxLag.Seconds() {
			t.Errorf("/readyz says of the lagging replica %+v", st)
		}
		if n := metric(t, c, "renofund_replica_lag_seconds"); n <= replicaMaxLag.Seconds() {
			t.Errorf("renofund_replica_lag_seconds %v past the bound", n)
		}
		if got := received(a); got != fresh {
			t.Errorf("past the bound the reader's report shows %s, want the primary's %s", got, fresh)
		}
	})

	s.Exec("postgres", "SELECT pg_wal_replay_resume()")
	t.Run("caught up", func(t *testing.T) {
		waitReady(t, c, "caught up", func(st store.ReplicaStatus) bool { return st.Reads == "replica" && st.LagBytes == 0 })
		before := metric(t, c, `renofund_replica_reads_total{to="replica"}`)
		if got := received(a); got != fresh {
			t.Errorf("the caught-up replica shows %s, want %s", got, fresh)
		}
		if metric(t, c, `renofund_replica_reads_total{to="replica"}`) != before+1 {
			t.Errorf("the read did not go to the caught-up replica")
		}
		if metric(t, c, "renofund_replica_lag_bytes") != 0 || metric(t, c, "renofund_replica_serving") != 1 {
			t.Errorf("metrics of a caught-up replica: lag %v bytes, serving %v",
				metric(t, c, "renofund_replica_lag_bytes"), metric(t, c, "renofund_replica_serving"))
		}
	})

	s.Kill()
	t.Run("replica down", func(t *testing.T) {
		waitReady(t, c, "down", func(st store.ReplicaStatus) bool { return st.State == store.ReplicaDown })
		if got := received(a); got != fresh {
			t.Errorf("with the replica down the report shows %s, want the primary's %s", got, fresh)
		}
		if metric(t, c, "renofund_replica_up") != 0 {
			t.Errorf("renofund_replica_up is not 0 with the replica down")
		}
	})
	srv.stop()
}

// TestReadReplicaConfig: RENOFUND_READ_MAX_LAG is a duration of at least a
// second (5s when unset); serve refuses a read replica of the embedded
// database before it listens.
func TestReadReplicaConfig(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for _, v := range []string{"5", "500ms", "-3s", "soon"} {
		if c := loadConfig(env("RENOFUND_READ_MAX_LAG", v)); !strings.Contains(c.Problem, "RENOFUND_READ_MAX_LAG") {
			t.Errorf("RENOFUND_READ_MAX_LAG=%s accepted: %+v", v, c)
		}
	}
	if c := loadConfig(env()); c.ReadURL != "" || c.ReadMaxLag != 5*time.Second {
		t.Errorf("defaults: %q %v", c.ReadURL, c.ReadMaxLag)
	}
	c := loadConfig(env("RENOFUND_READ_DATABASE_URL", "postgres://r/x", "RENOFUND_READ_MAX_LAG", "1m"))
	if c.Problem != "" || c.ReadURL != "postgres://r/x" || c.ReadMaxLag != time.Minute {
		t.Errorf("config %+v", c)
	}
	err := run(t.Context(), []string{"serve"}, env("RENOFUND_DATABASE_URL", storetest.URL(t, store.SQLite),
		"RENOFUND_ADDR", "127.0.0.1:0", "RENOFUND_READ_DATABASE_URL", "postgres://127.0.0.1:1/x"), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "PostgreSQL") {
		t.Errorf("serve with a replica of the embedded database: %v", err)
	}
}

// waitReady polls /readyz until it answers 200 with a replica status that
// ok accepts, for up to 20 s, and returns that status.
func waitReady(t *testing.T, c *client, what string, ok func(store.ReplicaStatus) bool) store.ReplicaStatus {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r, err := c.do("GET", "/readyz", nil, "")
		var body struct{ Replica *store.ReplicaStatus }
		if err == nil && r.Status == 200 && json.Unmarshal(r.Body, &body) == nil && body.Replica != nil && ok(*body.Replica) {
			return *body.Replica
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz: replica not %s after 20 s: %d %s %v", what, r.Status, r.Body, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// metric returns the value of one sample of /metrics (name with its
// labels, as printed).
func metric(t *testing.T, c *client, sample string) float64 {
	t.Helper()
	r := c.must(t, "GET", "/metrics", nil, "", 200)
	sc := bufio.NewScanner(bytes.NewReader(r.Body))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), sample+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", sample, err)
			}
			return f
		}
	}
	if strings.Contains(sample, "{") {
		return 0 // a counter with these labels not yet counted
	}
	t.Fatalf("/metrics has no %s", sample)
	return 0
}

// mustWith is a GET answered 200, with request headers given as name, value
// pairs.
func (c *client) mustWith(t *testing.T, method, path string, header ...string) reply {
	t.Helper()
	req, err := http.NewRequest(method, c.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s %s: %d, want 200: %s", method, path, resp.StatusCode, b.String())
	}
	return reply{Status: resp.StatusCode, Body: b.Bytes(), Header: resp.Header}
}
