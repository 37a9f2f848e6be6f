package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"renofund/internal/app"
	"renofund/internal/schedule"
	"renofund/internal/store"
)

// wire builds every service on db (internal/app); the caller closes it.
func serve(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", cfg.Addr, "listen address")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if cfg.ReadURL != "" {
		if err := db.AttachReplica(cfg.ReadURL, cfg.ReadMaxLag); err != nil {
			return err
		}
	}
	a := wire(db, cfg, log)
	api := a.API(log, cfg.RateLimit)
	defer api.Close()

	// Schedules are parsed before listening: a bad one stops start-up. The
	// subsidy schemes' runs and the monthly bulletin share one scheduler.
	sched := schedule.New(schedule.Sources{a.Subsidy.Schedules(), a.Bulletins.Jobs()}, log)
	if err := sched.Start(ctx); err != nil {
		return err
	}
	defer func() { <-sched.Stop().Done() }()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: api.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	// The actual address goes to stdout so that tests and scripts can use port 0.
	fmt.Fprintf(stdout, "listening on http://%s (%s)\n", ln.Addr(), db.Dialect)
	log.Info("serving", "addr", ln.Addr().String(), "database", string(db.Dialect))

	stopJobs := startJobs(ctx, a, log)
	defer stopJobs()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// startJobs runs the background work: periodic checkpoints of the hash
// chains, and fresh planner statistics on the embedded database (which,
// unlike PostgreSQL's autovacuum, gathers none by itself).
func startJobs(ctx context.Context, a *app.Services, log *slog.Logger) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	analyze := func() {
		if a.DB.Dialect == store.SQLite {
			if err := a.DB.Analyze(ctx); err != nil && ctx.Err() == nil {
				log.Error("planner statistics", "err", err)
			}
		}
	}
	go func() {
		defer close(done)
		analyze()
		t := time.NewTicker(10 * time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if _, err := a.Proof.Checkpoint(ctx); err != nil && ctx.Err() == nil {
					log.Error("checkpoint failed", "err", err)
				}
				analyze()
			}
		}
	}()
	return func() { cancel(); <-done }
}
