// Package bench is the standard load behind `renofund bench`: the real HTTP
// server on 127.0.0.1 over the demo city's holdings, N concurrent clients
// sending single transfers and batches, spread over many holdings and all on
// one hot holding, and, in the same run, a raw-SQL baseline that performs the
// same balance updates and inserts straight against the database with the
// same concurrency. Every loop is bounded in count and in time.
package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"time"

	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/demo"
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
	MaxOps      int           // per workload, whichever comes first (default 100,000 requests)
	BatchSize   int           // transfers per batch (default 1000)
	Out         io.Writer
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
	if c.Out == nil {
		c.Out = io.Discard
	}
}

// Result is one workload's figures.
type Result struct {
	Name      string
	Transfers int
	Requests  int
	Errors    int
	Elapsed   time.Duration
	P50, P99  time.Duration
}

// PerSecond is the throughput in transfers per second.
func (r Result) PerSecond() float64 { return float64(r.Transfers) / r.Elapsed.Seconds() }

// Run executes every workload and prints the table.
func Run(ctx context.Context, cfg Config) ([]Result, error) {
	cfg.defaults()
	url, cleanup, err := scratch(cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	db, err := store.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	if err := checkScratch(ctx, db); err != nil {
		return nil, err
	}
	svc := app.New(db, nil)
	defer svc.Close()
	fmt.Fprintf(cfg.Out, "loading the demo city on %s …\n", db.Dialect)
	if _, err := demo.Load(ctx, svc); err != nil {
		return nil, err
	}
	var funds []string
	if err := db.G.Raw("SELECT code FROM funds WHERE kind = 'resident_contribution' ORDER BY code").Scan(&funds).Error; err != nil {
		return nil, err
	}
	secret, _, err := svc.Tokens.Issue(ctx, access.Finance, "", "bench", 0)
	if err != nil {
		return nil, err
	}
	api := svc.API(nil, 0)
	defer api.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: api.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())
	c := newClient("http://"+ln.Addr().String(), secret, cfg.Clients)
	fmt.Fprintf(cfg.Out, "server on %s, %d clients, %s or %d requests per workload\n\n",
		ln.Addr(), cfg.Clients, cfg.Duration, cfg.MaxOps)

	raw, err := newRaw(ctx, db, url, funds)
	if err != nil {
		return nil, err
	}
	defer raw.close()
	hot := funds[:1]
	var results []Result
	// Batches are big requests: a few clients keep the server busy, more
	// only queue behind the same locks.
	batchClients := min(cfg.Clients, 4)
	runs := []struct {
		name    string
		op      func(ctx context.Context, worker, i int) (int, error)
		max     int
		clients int
	}{
		{"http single, spread", c.single(funds), cfg.MaxOps, cfg.Clients},
		{"raw SQL single, spread", raw.single(funds), cfg.MaxOps, cfg.Clients},
		{"http single, one hot holding", c.single(hot), cfg.MaxOps, cfg.Clients},
		{"raw SQL single, one hot holding", raw.single(hot), cfg.MaxOps, cfg.Clients},
		{fmt.Sprintf("http batch of %d, spread", cfg.BatchSize), c.batch(funds, cfg.BatchSize), max(1, cfg.MaxOps/cfg.BatchSize), batchClients},
		{fmt.Sprintf("http batch of %d, one hot holding", cfg.BatchSize), c.batch(hot, cfg.BatchSize), max(1, cfg.MaxOps/cfg.BatchSize), batchClients},
	}
	for _, r := range runs {
		res := load(ctx, fmt.Sprintf("%s (%d clients)", r.name, r.clients), r.clients, cfg.Duration, r.max, r.op)
		results = append(results, res)
		fmt.Fprintf(cfg.Out, "%-50s %9d transfers %7.2fs %10.0f transfers/s  p50 %6.1fms  p99 %6.1fms  errors %d\n",
			res.Name, res.Transfers, res.Elapsed.Seconds(), res.PerSecond(), ms(res.P50), ms(res.P99), res.Errors)
	}
	fmt.Fprintf(cfg.Out, "\nhttp/raw SQL, spread:   %.2f\n", results[0].PerSecond()/results[1].PerSecond())
	fmt.Fprintf(cfg.Out, "http/raw SQL, hot:      %.2f\n", results[2].PerSecond()/results[3].PerSecond())
	fmt.Fprintf(cfg.Out, "hot/spread, http:       %.2f\n", results[2].PerSecond()/results[0].PerSecond())
	r, err := svc.Proof.Verify(ctx)
	if err != nil {
		return results, err
	}
	fmt.Fprintf(cfg.Out, "books verify: %v (%d postings checked)\n", r.OK, r.Checked)
	if !r.OK {
		return results, fmt.Errorf("verification failed at %s: %s", r.Where, r.Problem)
	}
	return results, nil
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
	if len(lat) == 0 {
		return 0, 0
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return lat[len(lat)/2], lat[min(len(lat)-1, len(lat)*99/100)]
}
