package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"renofund/internal/access"
	"renofund/internal/audit"
	"renofund/internal/ledger"
)

// exportCmd: renofund export trail --out DIR [--district --project --fund --fiscal-year | --from --to]
// writes trail.csv, trail.jsonl, trail.xlsx, datapackage.json and manifest.json.
//
// renofund export verify DIR checks an export directory against its
// manifest (audit.VerifyDir): every file and evidence document.
func exportCmd(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) == 2 && args[0] == "verify" {
		if err := audit.VerifyDir(args[1]); err != nil {
			return fmt.Errorf("export verify: %w", err)
		}
		fmt.Fprintln(stdout, "ok: every file and attachment matches manifest.json")
		return nil
	}
	if len(args) == 0 || args[0] != "trail" {
		return usageError{"export: want trail --out DIR [--district --project --fund --fiscal-year | --from --to]"}
	}
	fs := flag.NewFlagSet("export trail", flag.ContinueOnError)
	out := fs.String("out", "", "directory to write into (created if missing)")
	var f audit.Filter
	fs.StringVar(&f.District, "district", "", "district code")
	fs.StringVar(&f.Project, "project", "", "project code")
	fs.StringVar(&f.Fund, "fund", "", "fund code")
	fs.StringVar(&f.FiscalYear, "fiscal-year", "", "booked in this fiscal year (YYYY), instead of --from and --to")
	fs.StringVar(&f.From, "from", "", "booked on or after (YYYY-MM-DD)")
	fs.StringVar(&f.To, "to", "", "booked on or before (YYYY-MM-DD)")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err.Error()}
	}
	if *out == "" {
		return usageError{"export trail: --out is required"}
	}
	db, err := openBooks(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = asCLI(ctx, access.Auditor)
	m, err := audit.ExportDir(ctx, db, ledger.New(db), *out, f)
	if err != nil {
		return err
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	fmt.Fprintln(stdout, string(b))
	if m.Verify != nil && !m.Verify.OK {
		return fmt.Errorf("exported, but verification failed at %s: %s", m.Verify.Where, m.Verify.Problem)
	}
	return nil
}
