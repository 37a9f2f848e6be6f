// Package bench is the standard load behind `renofund bench`: the real HTTP
// server on 127.0.0.1 over the demo city's holdings, N concurrent clients
// sending single transfers and batches, spread over many holdings and all on
// one hot holding; the same batches submitted in process, straight to the
// movement service; and, in the same run, a raw-SQL baseline at the
// database's limit (raw.go) with as many connections as clients, against
// which every figure is given as a ratio. Before the load it times the
// reports a console page asks for on the demo city (reports.go). Every loop
// is bounded in count and in time.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/demo"
	"renofund/internal/ledger/proof"
	"renofund/internal/store"
)

// Config sets the load.
type Config struct {
	// DatabaseURL is a scratch database for the run: "" makes a temporary
	// SQLite file; a PostgreSQL URL must name an empty database or one
	// holding only the demo city.
	DatabaseURL string
	Clients     int           // concurrent clients (default 32)
	Duration    time.Duration // per workload (default 5s)
	MaxOps      int           // per workload, whichever comes first (default 100,000 transfers)
	BatchSize   int           // transfers per batch (default 1000)
	// ReportRuns is how many times each report is requested (default 20),
	// within ReportBudget per report (default 20s), whichever comes first.
	ReportRuns   int
	ReportBudget time.Duration
	// DemoDivisor loads a demo city 1/DemoDivisor the size (default 1, the
	// whole city); tests use a small one.
	DemoDivisor int
	// Only, when set, runs just the workloads whose name contains it (and
	// skips the report timings): a quicker loop while working on one path.
	Only string
	Out  io.Writer // the human-readable table
}

func (c *Config) defaults() {
	if c.Clients <= 0 {
		c.Clients = 32
	}
	if c.Duration <= 0 {
		c.Duration = 5 * time.Second
	}
	if c.MaxOps <= 0 {
		c.MaxOps = 100_000
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 1000
	}
	if c.ReportRuns <= 0 {
		c.ReportRuns = 20
	}
	if c.ReportBudget <= 0 {
		c.ReportBudget = 20 * time.Second
	}
	if c.DemoDivisor <= 0 {
		c.DemoDivisor = 1
	}
	if c.Out == nil {
		c.Out = io.Discard
	}
}

// Result is one workload's figures.
type Result struct {
	Name      string // stable key, e.g. http_single_spread
	Label     string // what the table prints
	Clients   int
	Transfers int
	Requests  int
	Errors    int
	Elapsed   time.Duration
	P50, P99  time.Duration
}

// PerSecond is the throughput in transfers per second.
func (r Result) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Transfers) / r.Elapsed.Seconds()
}

// MarshalJSON writes durations as seconds and milliseconds.
func (r Result) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name      string  `json:"name"`
		Label     string  `json:"label"`
		Clients   int     `json:"clients"`
		Transfers int     `json:"transfers"`
		Requests  int     `json:"requests"`
		Errors    int     `json:"errors"`
		Elapsed   float64 `json:"elapsed_s"`
		PerSecond float64 `json:"per_second"`
		P50       float64 `json:"p50_ms"`
		P99       float64 `json:"p99_ms"`
	}{r.Name, r.Label, r.Clients, r.Transfers, r.Requests, r.Errors, r.Elapsed.Seconds(), r.PerSecond(), ms(r.P50), ms(r.P99)})
}

// Summary is a whole run: what `renofund bench --json` writes.
type Summary struct {
	Dialect     string             `json:"dialect"`
	Clients     int                `json:"clients"`
	BatchSize   int                `json:"batch_size"`
	DurationS   float64            `json:"duration_s"` // per workload at most
	MaxOps      int                `json:"max_transfers"`
	DemoDivisor int                `json:"demo_divisor"` // 1: the whole demo city
	Workloads   []Result           `json:"workloads"`
	Ratios      map[string]float64 `json:"ratios"`
	Reports     []Timing           `json:"reports"`
	Verified    bool               `json:"verified"`         // the books verify after the run, in full
	Checked     int64              `json:"postings_checked"` // by that verification
	// After the run, with everything the load wrote since the checkpoint
	// the reports were timed after: the verification since it (postings
	// it checked, milliseconds) and the full one's milliseconds.
	CheckedSince  int64   `json:"postings_checked_since_checkpoint"`
	VerifySinceMs float64 `json:"verify_since_checkpoint_ms"`
	VerifyFullMs  float64 `json:"verify_full_ms"`
}

// Run executes every workload, prints the table to cfg.Out and returns the
// figures.
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	cfg.defaults()
	cy, err := openCity(ctx, cfg.DatabaseURL, cfg.DemoDivisor, cfg.Clients, cfg.Out)
	if err != nil {
		return nil, err
	}
	defer cy.close()
	db, svc, c, funds, url := cy.db, cy.svc, cy.client, cy.funds, cy.url
	sum := &Summary{Dialect: string(db.Dialect), Clients: cfg.Clients, BatchSize: cfg.BatchSize,
		DurationS: cfg.Duration.Seconds(), MaxOps: cfg.MaxOps, DemoDivisor: cfg.DemoDivisor}

	if cfg.Only == "" {
		fmt.Fprintf(cfg.Out, "reports on the demo city, %d requests each (at most %s), one after another:\n", cfg.ReportRuns, cfg.ReportBudget)
		sum.Reports, err = timeReports(ctx, svc, c, demo.Year, cfg.ReportRuns, cfg.ReportBudget, cfg.Out)
		if err != nil {
			return nil, err
		}
	}

	fmt.Fprintf(cfg.Out, "\nserver on %s, %d clients, %s or %d transfers per workload\n",
		cy.addr, cfg.Clients, cfg.Duration, cfg.MaxOps)
	raw, err := newRaw(ctx, db, url, funds, cfg.Clients)
	if err != nil {
		return nil, err
	}
	defer raw.close()
	fmt.Fprintf(cfg.Out, "raw SQL: the baseline, a plain SQL ledger at its best: %s\n", raw.describe(cfg.Clients))
	hot := funds[:1]
	// Batches are big requests: a few clients keep the server busy, more
	// only queue behind the same locks.
	batchClients := min(cfg.Clients, 4)
	batches := max(1, cfg.MaxOps/cfg.BatchSize)
	in := inproc(svc, cfg.BatchSize)
	runs := []struct {
		name, label string
		op          func(ctx context.Context, worker, i int) (int, error)
		max         int
		clients     int
	}{
		{"http_single_spread", "http single, spread", c.single(funds), cfg.MaxOps, cfg.Clients},
		{"raw_single_spread", "raw SQL single, spread", raw.spread(funds), cfg.MaxOps, cfg.Clients},
		{"http_single_hot", "http single, one hot holding", c.single(hot), cfg.MaxOps, cfg.Clients},
		{"raw_single_hot", "raw SQL single, one hot holding", raw.hot(funds), cfg.MaxOps, cfg.Clients},
		{"http_batch_spread", fmt.Sprintf("http batch of %d, spread", cfg.BatchSize), c.batch(funds, cfg.BatchSize), batches, batchClients},
		{"http_batch_hot", fmt.Sprintf("http batch of %d, one hot holding", cfg.BatchSize), c.batch(hot, cfg.BatchSize), batches, batchClients},
		{"inproc_batch_spread", fmt.Sprintf("in-process batch of %d, spread", cfg.BatchSize), in.batch(funds), batches, batchClients},
		{"inproc_batch_hot", fmt.Sprintf("in-process batch of %d, one hot holding", cfg.BatchSize), in.batch(hot), batches, batchClients},
	}
	by := map[string]Result{}
	for _, r := range runs {
		if !strings.Contains(r.name, cfg.Only) {
			continue
		}
		res := load(ctx, fmt.Sprintf("%s (%d clients)", r.label, r.clients), r.clients, cfg.Duration, r.max, r.op)
		res.Name, res.Label, res.Clients = r.name, res.Name, r.clients
		by[r.name] = res
		sum.Workloads = append(sum.Workloads, res)
		fmt.Fprintf(cfg.Out, "%-56s %9d transfers %7.2fs %10.0f transfers/s  p50 %7.1fms  p99 %7.1fms  errors %d\n",
			res.Label, res.Transfers, res.Elapsed.Seconds(), res.PerSecond(), ms(res.P50), ms(res.P99), res.Errors)
		if ctx.Err() != nil {
			return sum, ctx.Err()
		}
	}
	sum.Ratios = map[string]float64{}
	fmt.Fprintln(cfg.Out)
	for _, q := range ratios {
		_, of := by[q.of]
		_, against := by[q.against]
		if !of || !against {
			continue // left out by --only
		}
		v := ratio(by[q.of], by[q.against])
		sum.Ratios[q.name] = v
		fmt.Fprintf(cfg.Out, "%-58s %6.2f\n", q.label+":", v)
	}
	t0 := time.Now()
	since, err := svc.Proof.Verify(ctx, proof.SinceCheckpoint)
	if err != nil {
		return sum, err
	}
	sum.CheckedSince, sum.VerifySinceMs = since.Checked, ms(time.Since(t0))
	t0 = time.Now()
	r, err := svc.Proof.Verify(ctx, proof.Full)
	if err != nil {
		return sum, err
	}
	sum.Verified, sum.Checked, sum.VerifyFullMs = r.OK && since.OK, r.Checked, ms(time.Since(t0))
	fmt.Fprintf(cfg.Out, "\nbooks verify (%s): %v (%d postings checked, %.0fms)\nbooks verify (full): %v (%d postings checked, %.0fms)\n",
		since.Mode, since.OK, since.Checked, sum.VerifySinceMs, r.OK, r.Checked, sum.VerifyFullMs)
	for _, r := range []*proof.Report{since, r} {
		if !r.OK {
			return sum, fmt.Errorf("verification (%s) failed at %s: %s", r.Mode, r.Where, r.Problem)
		}
	}
	return sum, nil
}

// ratios are printed (and written) in this order: every figure against the
// raw baseline under the same contention, then one hot holding against
// spread holdings.
var ratios = []struct{ name, label, of, against string }{
	{"http_single_spread_vs_raw", "http single / raw SQL, spread", "http_single_spread", "raw_single_spread"},
	{"http_single_hot_vs_raw", "http single / raw SQL, one hot holding", "http_single_hot", "raw_single_hot"},
	{"http_batch_spread_vs_raw", "http batch / raw SQL per transfer, spread", "http_batch_spread", "raw_single_spread"},
	{"http_batch_hot_vs_raw", "http batch / raw SQL per transfer, one hot holding", "http_batch_hot", "raw_single_hot"},
	{"inproc_batch_spread_vs_raw", "in-process batch / raw SQL per transfer, spread", "inproc_batch_spread", "raw_single_spread"},
	{"inproc_batch_hot_vs_raw", "in-process batch / raw SQL per transfer, hot", "inproc_batch_hot", "raw_single_hot"},
	{"http_single_hot_vs_spread", "hot / spread, http single", "http_single_hot", "http_single_spread"},
	{"raw_single_hot_vs_spread", "hot / spread, raw SQL", "raw_single_hot", "raw_single_spread"},
	{"http_batch_hot_vs_spread", "hot / spread, http batch", "http_batch_hot", "http_batch_spread"},
	{"inproc_batch_hot_vs_spread", "hot / spread, in-process batch", "inproc_batch_hot", "inproc_batch_spread"},
}

func ratio(of, against Result) float64 {
	if against.PerSecond() == 0 {
		return 0
	}
	return of.PerSecond() / against.PerSecond()
}

// city is the demo city loaded into a scratch database, served on loopback.
type city struct {
	url    string
	db     *store.DB
	svc    *app.Services
	client *client
	addr   string
	funds  []string // the resident-contribution funds, by code
	closes []func()
}

func openCity(ctx context.Context, dbURL string, divisor, clients int, out io.Writer) (cy *city, err error) {
	cy = &city{}
	defer func() {
		if err != nil {
			cy.close()
		}
	}()
	u, cleanup, err := scratch(dbURL)
	if err != nil {
		return nil, err
	}
	cy.url = u
	cy.closes = append(cy.closes, cleanup)
	db, err := store.Open(ctx, u)
	if err != nil {
		return cy, err
	}
	cy.db = db
	cy.closes = append(cy.closes, func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		return cy, err
	}
	if err := checkScratch(ctx, db); err != nil {
		return cy, err
	}
	svc := app.New(db, nil)
	cy.svc = svc
	cy.closes = append(cy.closes, svc.Close)
	fmt.Fprintf(out, "loading the demo city (1/%d) on %s …\n", divisor, db.Dialect)
	if _, err := demo.LoadScaled(ctx, svc, divisor); err != nil {
		return cy, err
	}
	if err := db.G.WithContext(ctx).Raw("SELECT code FROM funds WHERE kind = 'resident_contribution' ORDER BY code").Scan(&cy.funds).Error; err != nil {
		return cy, err
	}
	if len(cy.funds) < 2 {
		return cy, fmt.Errorf("bench: the demo city has %d resident-contribution funds, want at least 2", len(cy.funds))
	}
	secret, _, err := svc.Tokens.Issue(ctx, access.Finance, "", "bench", 0)
	if err != nil {
		return cy, err
	}
	api := svc.API(nil, 0)
	cy.closes = append(cy.closes, func() { api.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return cy, err
	}
	srv := &http.Server{Handler: api.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	cy.closes = append(cy.closes, func() { srv.Shutdown(context.Background()) })
	cy.addr = ln.Addr().String()
	cy.client = newClient("http://"+cy.addr, secret, clients)
	return cy, nil
}

// close undoes openCity in reverse order.
func (cy *city) close() {
	for i := len(cy.closes) - 1; i >= 0; i-- {
		cy.closes[i]()
	}
	cy.closes = nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// scratch returns the database to use and how to remove it afterwards.
func scratch(url string) (string, func(), error) {
	if url != "" {
		return url, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "renofund-bench-")
	if err != nil {
		return "", nil, err
	}
	return "sqlite:" + filepath.Join(dir, "bench.db"), func() { os.RemoveAll(dir) }, nil
}

// checkScratch refuses a database that holds anything but the demo city.
func checkScratch(ctx context.Context, db *store.DB) error {
	var funds, demoFunds int64
	db.G.Raw("SELECT COUNT(*) FROM funds").Scan(&funds)
	db.G.Raw("SELECT COUNT(*) FROM funds WHERE code = 'CG-2026'").Scan(&demoFunds)
	if funds > 0 && demoFunds == 0 {
		return fmt.Errorf("bench writes thousands of transfers: give it an empty database or one holding only the demo city")
	}
	return nil
}

func percentiles(lat []time.Duration) (time.Duration, time.Duration) {
	return percentile(lat, 50), percentile(lat, 99)
}

// percentile is the nearest-rank percentile p of lat (sorting it).
func percentile(lat []time.Duration, p int) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	rank := (len(lat)*p + 99) / 100 // ceil(n·p/100), 1-based
	return lat[min(len(lat)-1, max(0, rank-1))]
}
