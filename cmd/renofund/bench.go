package main

import (
	"context"
	"flag"
	"io"
	"os"
	"runtime/pprof"

	"renofund/internal/bench"
)

// benchCmd runs the standard load. It needs a scratch database: by default a
// temporary SQLite file; --database-url names a PostgreSQL database that is
// empty or holds only the demo city (never the production one).
func benchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := bench.Config{Out: stdout}
	fs.StringVar(&cfg.DatabaseURL, "database-url", "", "scratch database (default: a temporary SQLite file)")
	fs.IntVar(&cfg.Clients, "clients", 32, "concurrent clients")
	fs.DurationVar(&cfg.Duration, "duration", 0, "time per workload (default 5s)")
	fs.IntVar(&cfg.MaxOps, "max", 0, "transfers per workload at most (default 100000)")
	fs.IntVar(&cfg.BatchSize, "batch", 1000, "transfers per batch")
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
	_, err := bench.Run(ctx, cfg)
	return err
}
