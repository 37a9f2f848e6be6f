package main

// The database-fault test: the service runs in this process (through run,
// as main does) and reaches PostgreSQL through a TCP proxy inside the test,
// so the database can be taken away from it without stopping the real
// server that other tests share. While the database is gone the service
// must say so, quickly and plainly (503 "unavailable", never 500 or 401);
// when it comes back the service must recover on its own.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

const (
	// outageAnswerWithin bounds how long any request may take while the
	// database is away: an answer that never comes is worse than a 503.
	outageAnswerWithin = 15 * time.Second
	// recoverWithin bounds how long the service may take to notice that the
	// database is back.
	recoverWithin = 10 * time.Second
)

func TestDatabaseDown(t *testing.T) {
	// Only PostgreSQL is a server that can go away; the embedded SQLite
	// database is a file in the service's own process.
	for _, d := range storetest.Engines() {
		if d == store.Postgres {
			t.Run(string(d), databaseDown)
		}
	}
}

func databaseDown(t *testing.T) {
	realURL := storetest.URL(t, store.Postgres)
	proxy, proxyURL := proxyFor(t, realURL)
	env := map[string]string{"RENOFUND_DATABASE_URL": proxyURL, "RENOFUND_ADDR": "127.0.0.1:0"}
	finance := issueTokenRun(t, env, "finance", "dbdown-finance")
	// One auditor token per outage, first used during it, so that no cache
	// can authenticate it: its lookup must reach the database.
	auditor := map[string]string{}
	for _, phase := range []string{"down", "partition", "cut"} {
		auditor[phase] = issueTokenRun(t, env, "auditor", "dbdown-auditor-"+phase)
	}
	srv := startInProcess(t, env)
	// Should the test stop half way, give the database back before the
	// service is shut down (cleanups run last-registered first), so that
	// requests stuck on it end and shutdown is not held up.
	t.Cleanup(proxy.up)
	c := newClient(srv.base, finance, outageAnswerWithin)
	seedCity(t, c)
	c.must(t, "GET", "/readyz", nil, "", 200)
	db := openStore(t, realURL) // straight to PostgreSQL, not through the proxy
	transfers := count(t, db, "SELECT COUNT(*) FROM transfers")

	// The database goes down: its port refuses connections and every open
	// connection is cut.
	proxy.down()
	t.Run("down", func(t *testing.T) {
		expectOutage(t, c, auditor["down"], "down")
		// The finance token was authenticated moments ago and may be
		// cached for up to two seconds; after that its lookup must reach
		// the database too, and fail as unavailable, not as unknown.
		time.Sleep(2500 * time.Millisecond)
		expectUnavailable(t, c, "POST", "/v1/funds/CG/receipts", receiptBody("CG", 123_45, "down-late"), "down-late")
	})
	proxy.up()
	t.Run("recovers from down", func(t *testing.T) {
		expectRecovery(t, c, auditor["down"], "down")
	})
	if got, want := count(t, db, "SELECT COUNT(*) FROM transfers"), transfers+1; got != want {
		t.Errorf("after the outage there are %d transfers, want %d: the refused requests wrote, or the retry did not", got, want)
	}

	// A network partition: the database neither answers nor refuses. The
	// service must still answer every request within a bounded time.
	transfers = count(t, db, "SELECT COUNT(*) FROM transfers")
	proxy.partition()
	t.Run("partitioned", func(t *testing.T) {
		expectOutageConcurrently(t, c, auditor["partition"], "partition", nil)
	})
	proxy.up()
	t.Run("recovers from partition", func(t *testing.T) {
		expectRecovery(t, c, auditor["partition"], "partition")
	})
	if got, want := count(t, db, "SELECT COUNT(*) FROM transfers"), transfers+1; got != want {
		t.Errorf("after the partition there are %d transfers, want %d", got, want)
	}

	// The database dies while requests wait on it: their connections are
	// cut in the middle of a query. They too must be answered 503.
	transfers = count(t, db, "SELECT COUNT(*) FROM transfers")
	warmPool(t, c, 8)
	proxy.partition()
	t.Run("cut mid-request", func(t *testing.T) {
		expectOutageConcurrently(t, c, auditor["cut"], "cut", func() {
			time.Sleep(300 * time.Millisecond)
			proxy.down()
		})
	})
	proxy.up()
	t.Run("recovers from cut", func(t *testing.T) {
		expectRecovery(t, c, auditor["cut"], "cut")
	})
	if got, want := count(t, db, "SELECT COUNT(*) FROM transfers"), transfers+1; got != want {
		t.Errorf("after the cut there are %d transfers, want %d", got, want)
	}

	checkBooks(t, db)
	verifyOverHTTP(t, c)
	if t.Failed() {
		// What the service logged about the internal errors it answered.
		for _, line := range strings.Split(srv.log.String(), "\n") {
			if strings.Contains(line, `"internal error"`) {
				t.Log(line)
			}
		}
	}
}

// outageRequest is one request made while the database is away.
type outageRequest struct {
	name         string
	method, path string
	body         any
	key          string
	auditor      bool // send it with the auditor's (never used) token
	status       int
	code         string
}

// outageRequests are the requests an outage is checked with: the probes
// keep their meaning, and everything under /v1, reads and writes, whether
// or not the token is cached, answers 503 "unavailable".
func outageRequests(tag string) []outageRequest {
	return []outageRequest{
		{name: "healthz", method: "GET", path: "/healthz", status: 200},
		{name: "readyz", method: "GET", path: "/readyz", status: 503, code: "unavailable"},
		{name: "receipt", method: "POST", path: "/v1/funds/CG/receipts", body: receiptBody("CG", 100_00, tag),
			key: tag + "-receipt", status: 503, code: "unavailable"},
		{name: "allocation", method: "POST", path: "/v1/allocations", body: allocationBody("CG", projects[0], 50_00),
			key: tag + "-allocation", status: 503, code: "unavailable"},
		{name: "fund", method: "GET", path: "/v1/funds/CG", status: 503, code: "unavailable"},
		{name: "transfers", method: "GET", path: "/v1/transfers", status: 503, code: "unavailable"},
		{name: "districts", method: "GET", path: "/v1/districts", status: 503, code: "unavailable"},
		{name: "uncached token", method: "GET", path: "/v1/districts", auditor: true, status: 503, code: "unavailable"},
	}
}

// expectOutage sends the outage requests one after another.
func expectOutage(t *testing.T, c *client, auditor, tag string) {
	for _, r := range outageRequests(tag) {
		t.Run(r.name, func(t *testing.T) { r.check(t, r.send(t, c, auditor)) })
	}
}

// expectOutageConcurrently sends the outage requests all at once, so that
// requests that hang cost the test one timeout rather than one each. While
// they are in flight it calls during, when not nil.
func expectOutageConcurrently(t *testing.T, c *client, auditor, tag string, during func()) {
	reqs := outageRequests(tag)
	outs := make([]outcome, len(reqs))
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i] = r.send(t, c, auditor)
		}()
	}
	if during != nil {
		during()
	}
	wg.Wait()
	for i, r := range reqs {
		t.Run(r.name, func(t *testing.T) { r.check(t, outs[i]) })
	}
}

// warmPool makes n reads at once, so that the service holds n pooled
// connections used within the last second: database/sql hands such a
// connection out without checking it first, so the next query goes out on it.
func warmPool(t *testing.T, c *client, n int) {
	t.Helper()
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r, err := c.do("GET", "/v1/funds/CG", nil, ""); err != nil || r.Status != 200 {
				t.Errorf("warming the pool: %d %v", r.Status, err)
			}
		}()
	}
	wg.Wait()
}

// outcome is what became of one request.
type outcome struct {
	reply
	err  error
	took time.Duration
}

// send makes the request, as the auditor when r says so.
func (r outageRequest) send(t testing.TB, c *client, auditor string) outcome {
	if r.auditor {
		c = c.as(auditor)
	}
	var body []byte
	if r.body != nil {
		body = mustJSON(t, r.body)
	}
	start := time.Now()
	got, err := c.do(r.method, r.path, body, r.key)
	return outcome{got, err, time.Since(start)}
}

// check compares what became of the request with what r expects.
func (r outageRequest) check(t *testing.T, o outcome) {
	t.Helper()
	if o.err != nil {
		t.Fatalf("%s %s: no answer within %v: %v", r.method, r.path, outageAnswerWithin, o.err)
	}
	if o.Status != r.status || o.code() != r.code {
		t.Fatalf("%s %s: %d %q, want %d %q (after %v): %s", r.method, r.path, o.Status, o.code(), r.status, r.code,
			o.took.Round(time.Millisecond), o.Body)
	}
	if r.code != "" {
		checkUnavailableBody(t, o.reply)
	}
	t.Logf("%s %s: %d in %v", r.method, r.path, o.Status, o.took.Round(time.Millisecond))
}

// expectUnavailable sends one request that must be answered 503 unavailable.
func expectUnavailable(t *testing.T, c *client, method, path string, body any, key string) {
	t.Helper()
	r := outageRequest{method: method, path: path, body: body, key: key, status: 503, code: "unavailable"}
	r.check(t, r.send(t, c, ""))
}

// checkUnavailableBody checks that a 503 explains itself: a JSON error with
// a message a person can act on, not the generic "internal error".
func checkUnavailableBody(t *testing.T, r reply) {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want JSON", ct)
	}
	if msg := r.message(); msg == "" || msg == "internal error" {
		t.Errorf("message %q does not say what is wrong", msg)
	}
}

// expectRecovery waits for /readyz to say ready, then checks that the
// service works again at once: the receipt refused during the outage goes
// through when retried with its key (it was not stored, so it runs afresh),
// reads answer, and the never-used token authenticates.
func expectRecovery(t *testing.T, c *client, auditor, tag string) {
	start := time.Now()
	deadline := start.Add(recoverWithin)
	for {
		r, err := c.do("GET", "/readyz", nil, "")
		if err == nil && r.Status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still not 200 %v after the database came back: %d %s %v", recoverWithin, r.Status, r.Body, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("ready again %v after the database came back", time.Since(start).Round(time.Millisecond))

	r := c.must(t, "POST", "/v1/funds/CG/receipts", receiptBody("CG", 100_00, tag), tag+"-receipt", 201)
	if r.replayed() {
		t.Errorf("the receipt refused with 503 was replayed, so the refusal was stored: %s", r.Body)
	}
	c.must(t, "GET", "/v1/funds/CG", nil, "", 200)
	c.as(auditor).must(t, "GET", "/v1/districts", nil, "", 200)
}

// issueTokenRun issues a token through run, as `renofund token issue` does.
func issueTokenRun(t *testing.T, env map[string]string, role, name string) string {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), []string{"token", "issue", "--role", role, "--name", name},
		func(k string) string { return env[k] }, &out, io.Discard)
	if err != nil {
		t.Fatalf("token issue: %v", err)
	}
	return lastLine(t, out.Bytes())
}

// inProcess is `renofund serve` running inside the test.
type inProcess struct {
	base string
	log  *addrWatcher // its stderr (the JSON request log)
}

// startInProcess runs serve through run in a goroutine and waits until it
// listens; it is stopped (as by SIGINT) when the test ends.
func startInProcess(t *testing.T, env map[string]string) *inProcess {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := newAddrWatcher(), newAddrWatcher()
	stopped := make(chan struct{})
	var runErr error
	go func() {
		defer close(stopped)
		runErr = run(ctx, []string{"serve"}, func(k string) string { return env[k] }, stdout, stderr)
	}()
	t.Cleanup(func() {
		began := time.Now()
		cancel()
		select {
		case <-stopped:
			if runErr != nil {
				t.Errorf("serve: %v", runErr)
			}
			t.Logf("serve stopped in %v", time.Since(began).Round(time.Millisecond))
		case <-time.After(30 * time.Second):
			t.Errorf("serve did not stop within 30s of its context ending")
		}
	})
	select {
	case base := <-stdout.found:
		return &inProcess{base: base, log: stderr}
	case <-stopped:
		t.Fatalf("serve returned before listening: %v\n%s", runErr, stderr)
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not listen within 60s\n%s", stderr)
	}
	return nil
}

// proxyFor starts a proxy to the PostgreSQL server of dbURL and returns it
// with the same URL pointed at the proxy (same user, database and schema).
func proxyFor(t *testing.T, dbURL string) (*dbProxy, string) {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	if u.Port() == "" {
		target = net.JoinHostPort(u.Hostname(), "5432")
	}
	p := newDBProxy(t, target)
	u.Host = p.addr
	return p, u.String()
}

// dbProxy forwards TCP connections from a port on 127.0.0.1 to the
// database, and can take the database away in two ways: down (the port
// refuses connections and open ones are cut, as when the server stops) and
// partition (connections are accepted but nothing comes back, and open ones
// fall silent, as when the network drops packets).
type dbProxy struct {
	t      testing.TB
	target string
	addr   string // kept across down and up, so the service's URL stays valid

	mu      sync.Mutex
	ln      net.Listener
	stalled bool                  // partitioned: hold connections, forward nothing
	links   map[*link]struct{}    // forwarded connections
	held    map[net.Conn]struct{} // silent connections while partitioned
	wg      sync.WaitGroup
}

type link struct{ client, server net.Conn }

func newDBProxy(t testing.TB, target string) *dbProxy {
	t.Helper()
	p := &dbProxy{t: t, target: target, links: map[*link]struct{}{}, held: map[net.Conn]struct{}{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.close)
	return p
}

// serve accepts connections on ln until it is closed.
func (p *dbProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Add(1)
			go p.handle(conn)
		}
	}()
}

// handle forwards one connection both ways, or holds it silent while the
// proxy is partitioned.
func (p *dbProxy) handle(client net.Conn) {
	defer p.wg.Done()
	p.mu.Lock()
	if p.stalled {
		p.held[client] = struct{}{}
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		client.Close()
		return
	}
	l := &link{client, server}
	p.mu.Lock()
	p.links[l] = struct{}{}
	p.mu.Unlock()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		io.Copy(server, client)
		server.Close()
	}()
	go func() {
		defer wg.Done()
		io.Copy(client, server)
		// The database side ended. Cut the client too, unless the proxy
		// is partitioned: then the client keeps a connection that says
		// nothing more.
		p.mu.Lock()
		_, silent := p.held[client]
		p.mu.Unlock()
		if !silent {
			client.Close()
		}
	}()
	wg.Wait()
	p.mu.Lock()
	delete(p.links, l)
	p.mu.Unlock()
}

// down stops listening, so connecting is refused, and cuts every connection.
func (p *dbProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopListening()
	for l := range p.links {
		l.client.Close()
		l.server.Close()
	}
	p.releaseHeld()
}

// partition keeps accepting connections but forwards nothing: new
// connections and open ones alike get no answer.
func (p *dbProxy) partition() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stalled = true
	for l := range p.links {
		p.held[l.client] = struct{}{}
		l.server.Close()
	}
}

// up brings the database back on the same port; connections held silent by
// a partition are cut (the database has long forgotten them).
func (p *dbProxy) up() {
	p.mu.Lock()
	p.stalled = false
	p.releaseHeld()
	listening := p.ln != nil
	p.mu.Unlock()
	if listening {
		return
	}
	var ln net.Listener
	var err error
	for range 100 { // the port may take a moment to become free again
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		p.t.Fatalf("proxy: listen again on %s: %v", p.addr, err)
	}
	p.serve(ln)
}

// close ends everything and waits for the proxy's goroutines.
func (p *dbProxy) close() {
	p.down()
	p.wg.Wait()
}

// stopListening closes the listener; the caller holds mu.
func (p *dbProxy) stopListening() {
	if p.ln != nil {
		if err := p.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			p.t.Errorf("proxy: %v", err)
		}
		p.ln = nil
	}
}

// releaseHeld cuts the silent connections; the caller holds mu.
func (p *dbProxy) releaseHeld() {
	for c := range p.held {
		c.Close()
	}
	clear(p.held)
}
