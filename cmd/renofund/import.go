package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"renofund/funding/importer"
	"renofund/internal/access"
	"renofund/internal/sheet"
)

// importCmd: renofund import receipts --fund CODE FILE [--partial] [--rejects OUT.csv]
func importCmd(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "receipts" {
		return usageError{"import: want receipts --fund CODE FILE [--partial] [--rejects OUT.csv]"}
	}
	fs := flag.NewFlagSet("import receipts", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fund := fs.String("fund", "", "fund code")
	partial := fs.Bool("partial", false, "import the good rows and return the bad ones as a rejects file")
	rejects := fs.String("rejects", "", "where to write the rejects CSV (with --partial)")
	formatName := fs.String("format", "", "csv or xlsx (default: detected)")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err.Error()}
	}
	// Flags may also follow the file name.
	rest := fs.Args()
	if len(rest) > 0 {
		path := rest[0]
		if err := fs.Parse(rest[1:]); err != nil {
			return usageError{err.Error()}
		}
		rest = append([]string{path}, fs.Args()...)
	}
	if *fund == "" || len(rest) != 1 {
		return usageError{"import receipts: --fund CODE and one FILE are required"}
	}
	format, err := importer.ParseFormat(*formatName)
	if err != nil {
		return usageError{err.Error()}
	}
	f, err := os.Open(rest[0])
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	a := wire(db, cfg, nil)
	defer a.Close()
	imp := a.Import
	ctx = asCLI(ctx, access.Finance)
	res, err := imp.Import(ctx, *fund, f, format, importer.Options{Partial: *partial, FileName: filepath.Base(rest[0]),
		Progress: importer.TerminalProgress(stderr)})
	var re *sheet.LineErrors
	if errors.As(err, &re) {
		for _, r := range re.Rows {
			fmt.Fprintln(stderr, r.String())
		}
		return fmt.Errorf("%d bad row(s); nothing imported (use --partial to import the good ones)", len(re.Rows))
	}
	if err != nil {
		return err
	}
	if len(res.RejectsCSV) > 0 {
		if *rejects != "" {
			if err := os.WriteFile(*rejects, res.RejectsCSV, 0o644); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(stderr, "%d row(s) rejected; pass --rejects FILE to keep them\n", res.Rejected)
		}
	}
	out, _ := json.MarshalIndent(res, "", "  ")
	fmt.Fprintln(stdout, string(out))
	return nil
}
