package main

// Helpers shared by the end-to-end tests (crash_test.go, dbdown_test.go):
// building the real binary, starting and killing it, an HTTP client that
// keeps every answer, the city the tests work on, and the checks of the
// books made straight against the database.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"renofund/internal/ledger"
	"renofund/internal/ledger/proof"
	"renofund/internal/money"
	"renofund/internal/store"
)

// built is the binary the end-to-end tests share: built once, removed by
// TestMain.
var built struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// buildBinary compiles this command, once for all the tests of the run, and
// returns the path of the executable. It builds without -race: the binary
// is what operators run, and the build stays fast.
func buildBinary(t *testing.T) string {
	t.Helper()
	start := time.Now()
	built.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			built.err = fmt.Errorf("the go tool is not on PATH: %w", err)
			return
		}
		if built.dir, built.err = os.MkdirTemp("", "renofund-bin-"); built.err != nil {
			return
		}
		cmd := exec.Command(goTool, "build", "-o", filepath.Join(built.dir, "renofund"), ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	bin := filepath.Join(built.dir, "renofund")
	t.Logf("%s ready in %v", bin, time.Since(start).Round(time.Millisecond))
	return bin
}

// serviceEnv is the environment of a child process: ours without any
// RENOFUND_ setting (a developer's RENOFUND_RATE_LIMIT must not leak in),
// plus the database, a free port on the loopback interface and extra
// settings (NAME=value).
func serviceEnv(dbURL string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "RENOFUND_") {
			env = append(env, kv)
		}
	}
	return append(append(env, "RENOFUND_DATABASE_URL="+dbURL, "RENOFUND_ADDR=127.0.0.1:0"), extra...)
}

// issueTokenCmd runs `renofund token issue` as a child process and returns
// the secret, which is the last line of its standard output.
func issueTokenCmd(t *testing.T, bin, dbURL, role, name string) string {
	t.Helper()
	cmd := exec.Command(bin, "token", "issue", "--role", role, "--name", name)
	cmd.Env = serviceEnv(dbURL)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("renofund token issue: %v\n%s", err, stderr.String())
	}
	return lastLine(t, out)
}

// lastLine returns the last non-empty line of out.
func lastLine(t testing.TB, out []byte) string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	secret := strings.TrimSpace(lines[len(lines)-1])
	if !strings.HasPrefix(secret, "rf_") {
		t.Fatalf("token issue printed no token as its last line:\n%s", out)
	}
	return secret
}

// listenLine is what serve prints on stdout once it accepts connections.
var listenLine = regexp.MustCompile(`^listening on (http://\S+) \((\w+)\)$`)

// addrWatcher is the stdout of a server: it keeps the output and hands the
// base URL of the first "listening on" line to whoever waits on found.
type addrWatcher struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	found chan string
	sent  bool
}

func newAddrWatcher() *addrWatcher { return &addrWatcher{found: make(chan string, 1)} }

func (w *addrWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.sent {
		sc := bufio.NewScanner(bytes.NewReader(w.buf.Bytes()))
		for sc.Scan() {
			if m := listenLine.FindStringSubmatch(sc.Text()); m != nil {
				w.found <- m[1]
				w.sent = true
				break
			}
		}
	}
	return len(p), nil
}

func (w *addrWatcher) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// process is a `renofund serve` child process.
type process struct {
	t       testing.TB
	cmd     *exec.Cmd
	base    string        // http://127.0.0.1:PORT
	exited  chan struct{} // closed once the process has been waited for
	logPath string        // its stderr (the JSON request log)
	stdout  *addrWatcher
}

// startProcess starts `renofund serve` on dbURL, with extra settings
// (NAME=value), and waits until it listens. The process is killed and
// reaped when the test ends, whatever happens.
func startProcess(t testing.TB, bin, dbURL string, extra ...string) *process {
	t.Helper()
	logf, err := os.CreateTemp(t.TempDir(), "serve-*.log")
	if err != nil {
		t.Fatal(err)
	}
	p := &process{t: t, exited: make(chan struct{}), logPath: logf.Name(), stdout: newAddrWatcher()}
	p.cmd = exec.Command(bin, "serve")
	p.cmd.Env = serviceEnv(dbURL, extra...)
	p.cmd.Stdout = p.stdout
	p.cmd.Stderr = logf
	if err := p.cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start renofund serve: %v", err)
	}
	go func() {
		p.cmd.Wait()
		logf.Close()
		close(p.exited)
	}()
	t.Cleanup(p.kill)
	select {
	case p.base = <-p.stdout.found:
		return p
	case <-p.exited:
		t.Fatalf("renofund serve exited before listening (%v)\nstdout: %s\nstderr: %s", p.cmd.ProcessState, p.stdout, p.logTail())
	case <-time.After(60 * time.Second):
		t.Fatalf("renofund serve did not print its address within 60s\nstderr: %s", p.logTail())
	}
	return nil
}

// kill sends SIGKILL (the process gets no chance to clean up) and waits
// until it is gone. Killing an exited process is harmless.
func (p *process) kill() {
	select {
	case <-p.exited:
		return
	default:
	}
	p.cmd.Process.Kill()
	<-p.exited
}

// stop asks the process to shut down gracefully (SIGINT, as Ctrl-C does),
// and kills it when it has not gone within 20 s.
func (p *process) stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		p.t.Errorf("renofund serve ignored SIGINT for 20s; killing it")
		p.kill()
	}
}

// logTail returns the end of the process's stderr, for failure messages.
func (p *process) logTail() string {
	b, _ := os.ReadFile(p.logPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// reply is one HTTP answer.
type reply struct {
	Status int
	Body   []byte
	Header http.Header
}

// code returns the error code of an error body, or "".
func (r reply) code() string {
	var b struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	json.Unmarshal(r.Body, &b)
	return b.Error.Code
}

// message returns the error message of an error body, or "".
func (r reply) message() string {
	var b struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	json.Unmarshal(r.Body, &b)
	return b.Error.Message
}

// replayed reports whether the answer is a stored idempotent response.
func (r reply) replayed() bool { return r.Header.Get("Idempotent-Replayed") == "true" }

// client talks to one server as one token.
type client struct {
	base  string
	token string
	hc    *http.Client
}

// newClient returns a client whose every request gives up after timeout.
func newClient(base, token string, timeout time.Duration) *client {
	tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}
	return &client{base: base, token: token, hc: &http.Client{Transport: tr, Timeout: timeout}}
}

// as returns a client for the same server with another token.
func (c *client) as(token string) *client { cc := *c; cc.token = token; return &cc }

// do sends one request. body is sent as is (nil for none); key, when not
// empty, is sent as the Idempotency-Key. An error means no answer arrived.
func (c *client) do(method, path string, body []byte, key string) (reply, error) {
	return c.doCtx(context.Background(), method, path, body, key)
}

// doCtx is do with a context: a client that gives up early cancels it.
func (c *client) doCtx(ctx context.Context, method, path string, body []byte, key string) (reply, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return reply{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, err
	}
	return reply{Status: resp.StatusCode, Body: b, Header: resp.Header}, nil
}

// must sends a request and fails the test unless it is answered with want.
func (c *client) must(t testing.TB, method, path string, body any, key string, want int) reply {
	t.Helper()
	var raw []byte
	if body != nil {
		raw = mustJSON(t, body)
	}
	r, err := c.do(method, path, raw, key)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if r.Status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The city the end-to-end tests work on: district HZ with two projects,
// and two funds held by the city, both eligible for basic works so that an
// expenditure without explicit funding may be split over both.
const (
	district = "HZ"
	payee    = "91350100M000100Y43" // a valid unified social credit code
)

var projects = []string{"HZ-001", "HZ-002"}

// fundCodes are the city's funds: CG (central grant) and PG (provincial grant).
var fundCodes = []string{"CG", "PG"}

// seedCity registers the city over HTTP and puts opening money into both
// funds. Every write carries an Idempotency-Key so that every transfer in the
// database is accounted for by a stored key.
func seedCity(t testing.TB, c *client) {
	t.Helper()
	c.must(t, "POST", "/v1/districts", map[string]any{"code": district, "name": "海州区"}, "seed-district", 201)
	for _, p := range projects {
		c.must(t, "POST", "/v1/projects", map[string]any{
			"code": p, "name": "小区 " + p, "district": district, "households": 320,
			"floor_area_m2": "21500.50", "buildings": 8, "built_year": 1996,
			"budget": map[string]any{"basic": "90000000.00", "improvement": "1200000.00", "upgrade": "500000.00"},
		}, "seed-project-"+p, 201)
	}
	kinds := map[string]string{"CG": "central_grant", "PG": "provincial_grant"}
	for _, f := range fundCodes {
		c.must(t, "POST", "/v1/funds", map[string]any{
			"code": f, "kind": kinds[f], "name": "fund " + f, "holder": "city", "fiscal_year": 2026,
			"document_no": "财建〔2026〕1号", "eligible_categories": []string{"basic", "improvement"},
		}, "seed-fund-"+f, 201)
		c.must(t, "POST", "/v1/funds/"+f+"/receipts", receiptBody(f, 500_000_00, "seed"), "seed-receipt-"+f, 201)
	}
}

// receiptBody is a receipt of amount fen.
func receiptBody(fund string, amount int64, ref string) map[string]any {
	return map[string]any{
		"amount": money.Amount(amount).String(), "received_on": "2026-03-01",
		"payer": map[string]any{"name": "江苏省财政厅"}, "reference": ref,
	}
}

// allocationBody moves amount fen of fund from the city to a project.
func allocationBody(fund, project string, amount int64) map[string]any {
	return map[string]any{"fund": fund, "from": "city", "to": "project:" + project, "amount": money.Amount(amount).String(),
		"allocated_on": "2026-03-02"}
}

// expenditureBody pays amount fen of basic works out of a project, split
// automatically over its funds.
func expenditureBody(project string, amount int64) map[string]any {
	return map[string]any{
		"project": project, "category": "basic", "amount": money.Amount(amount).String(), "paid_on": "2026-04-02",
		"purpose": "雨污分流管网改造",
		"payee":   map[string]any{"name": "连云港市政工程有限公司", "credit_code": payee, "bank_account": "6222020000000001"},
	}
}

// openStore opens the database directly (alongside a running server: the
// SQLite file is in WAL mode), closed when the test ends.
func openStore(t testing.TB, dbURL string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// count runs a COUNT query.
func count(t testing.TB, db *store.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.G.Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// checkBooks asserts what must hold after anything at all happened: no
// partial transfer (each has at least two postings that sum to zero and move
// exactly its amount), money conserved (what the outside world paid in, net,
// is what the holdings hold), every holding equal to the sum of its postings
// and none below zero, and every hash link, checkpoint and voucher number
// verifying.
func checkBooks(t testing.TB, db *store.DB) {
	t.Helper()
	var partial []struct {
		ID       string
		Postings int64
		Sum      int64
		Moved    int64
		Amount   int64
	}
	err := db.G.Raw(`SELECT t.id, COUNT(p.line) AS postings, COALESCE(SUM(p.amount), 0) AS sum,
			COALESCE(SUM(CASE WHEN p.amount > 0 THEN p.amount ELSE 0 END), 0) AS moved, t.amount
		FROM transfers t LEFT JOIN postings p ON p.transfer_id = t.id
		GROUP BY t.id, t.amount
		HAVING COUNT(p.line) < 2 OR COALESCE(SUM(p.amount), 0) <> 0
			OR COALESCE(SUM(CASE WHEN p.amount > 0 THEN p.amount ELSE 0 END), 0) <> t.amount`).Scan(&partial).Error
	if err != nil {
		t.Fatalf("partial transfers: %v", err)
	}
	for _, p := range partial {
		t.Errorf("partial transfer %s: %d postings summing to %d, moving %d of its %d", p.ID, p.Postings, p.Sum, p.Moved, p.Amount)
	}
	orphans := count(t, db, `SELECT COUNT(*) FROM postings p WHERE NOT EXISTS (SELECT 1 FROM transfers t WHERE t.id = p.transfer_id)`)
	if orphans != 0 {
		t.Errorf("%d postings belong to no transfer", orphans)
	}

	external := count(t, db, "SELECT COALESCE(SUM(amount), 0) FROM postings WHERE holder = ?", ledger.External)
	held := count(t, db, "SELECT COALESCE(SUM(balance), 0) FROM holdings")
	if -external != held {
		t.Errorf("money not conserved: the outside world paid in %s net, the holdings hold %s",
			money.Amount(-external), money.Amount(held))
	}
	if n := count(t, db, "SELECT COUNT(*) FROM holdings WHERE balance < 0"); n != 0 {
		t.Errorf("%d holdings below zero", n)
	}
	var drift []struct {
		FundCode, Holder string
		Balance, Posted  int64
	}
	err = db.G.Raw(`SELECT h.fund_code, h.holder, h.balance,
			(SELECT COALESCE(SUM(p.amount), 0) FROM postings p WHERE p.fund_code = h.fund_code AND p.holder = h.holder) AS posted
		FROM holdings h`).Scan(&drift).Error
	if err != nil {
		t.Fatalf("holdings: %v", err)
	}
	for _, h := range drift {
		if h.Balance != h.Posted {
			t.Errorf("holding %s/%s: balance %s but its postings sum to %s", h.FundCode, h.Holder, money.Amount(h.Balance), money.Amount(h.Posted))
		}
	}

	r, err := proof.New(db).Verify(context.Background(), proof.Full)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !r.OK {
		t.Errorf("hash links do not verify: at %s: %s", r.Where, r.Problem)
	}
}

// verifyOverHTTP asks the server to recompute every hash link.
func verifyOverHTTP(t testing.TB, c *client) {
	t.Helper()
	r := c.must(t, "GET", "/v1/audit/verify", nil, "", 200)
	var v struct {
		OK      bool   `json:"ok"`
		Checked int64  `json:"checked"`
		Problem string `json:"problem"`
		Where   string `json:"where"`
	}
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("GET /v1/audit/verify: %v: %s", err, r.Body)
	}
	if !v.OK || v.Checked == 0 {
		t.Errorf("GET /v1/audit/verify: ok=%v checked=%d: %s at %s", v.OK, v.Checked, v.Problem, v.Where)
	}
}
