package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"runtime/pprof"

	"renofund/internal/bench"
)

// benchCmd runs the standard load. It needs a scratch database: by default a
// temporary SQLite file; --database-url names a PostgreSQL database that is
// empty or holds only the demo city (never the production one). --json
// writes the figures as JSON to stdout and the table to stderr.
func benchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := bench.Config{Out: stdout}
	fs.StringVar(&cfg.DatabaseURL, "database-url", "", "scratch database (default: a temporary SQLite file)")
	fs.IntVar(&cfg.Clients, "clients", 32, "concurrent clients")
	fs.DurationVar(&cfg.Duration, "duration", 0, "time per workload (default 5s)")
	fs.IntVar(&cfg.MaxOps, "max", 0, "transfers per workload at most (default 100000)")
	fs.IntVar(&cfg.BatchSize, "batch", 1000, "transfers per batch")
	fs.IntVar(&cfg.ReportRuns, "reports", 20, "requests of each report timed on the demo city")
	fs.IntVar(&cfg.DemoDivisor, "demo-divisor", 1, "load a demo city 1/N the size (1: the whole city)")
	fs.StringVar(&cfg.Only, "only", "", "run only the workloads whose name contains this (e.g. batch), without the report timings")
	asJSON := fs.Bool("json", false, "write the results as JSON to stdout (the table goes to stderr)")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the whole run here (read it with go tool pprof)")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *asJSON {
		cfg.Out = stderr
	}
	sum, err := bench.Run(ctx, cfg)
	if *asJSON && sum != nil {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if jerr := enc.Encode(sum); jerr != nil && err == nil {
			err = jerr
		}
	}
	return err
}
