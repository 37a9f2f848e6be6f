package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"renofund/internal/access"
	"renofund/subsidy"
)

// subsidyCmd: `renofund subsidy run --scheme CODE --period P` drafts the run
// the scheduler would (period default: the one just ended); `--due` drafts
// every scheduled scheme's due run.
func subsidyCmd(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "run" {
		return usageError{"subsidy: want run --scheme CODE [--period P] | run --due"}
	}
	fs := flag.NewFlagSet("subsidy run", flag.ContinueOnError)
	scheme := fs.String("scheme", "", "scheme code")
	period := fs.String("period", "", "period such as 2026-07, 2026-Q3, 2026-H2 or 2026 (default: the one just ended)")
	due := fs.Bool("due", false, "draft every scheduled scheme's run for the period just ended")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err.Error()}
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	a := wire(db, cfg, nil)
	defer a.Close()
	svc := a.Subsidy
	ctx = asCLI(ctx, access.Finance)
	if *due {
		ids, err := svc.RunDue(ctx, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "drafted %d run(s): %v\n", len(ids), ids)
		return nil
	}
	if *scheme == "" {
		return usageError{"subsidy run: --scheme is required"}
	}
	if *period == "" {
		sc, err := svc.Scheme(ctx, *scheme, 0)
		if err != nil {
			return err
		}
		*period = subsidy.LastEnded(sc.Period, time.Now()).String()
	}
	r, err := svc.CreateRun(ctx, *scheme, *period)
	if err != nil {
		return err
	}
	out, _ := json.MarshalIndent(r.RunSummary, "", "  ")
	fmt.Fprintln(stdout, string(out))
	return nil
}
