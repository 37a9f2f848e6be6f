package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"renofund/internal/access"
	"renofund/internal/ledger/proof"
)

func tokenCmd(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError{"token: want issue or revoke"}
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	a := wire(db, cfg, nil)
	defer a.Close()
	switch args[0] {
	case "issue":
		fs := flag.NewFlagSet("token issue", flag.ContinueOnError)
		role := fs.String("role", "", "admin, finance, district or auditor")
		district := fs.String("district", "", "district code (district role only)")
		name := fs.String("name", "", "who or what holds the token")
		ttl := fs.Duration("ttl", 0, "lifetime, e.g. 720h (default: no expiry)")
		if err := fs.Parse(args[1:]); err != nil {
			return usageError{err.Error()}
		}
		r, err := access.ParseRole(*role)
		if err != nil {
			return usageError{err.Error()}
		}
		secret, tok, err := a.Tokens.Issue(ctx, r, *district, *name, *ttl)
		if err != nil {
			return err
		}
		meta, _ := json.Marshal(tok)
		fmt.Fprintf(stdout, "# %s\n%s\n", meta, secret)
		return nil
	case "revoke":
		if len(args) != 2 {
			return usageError{"token revoke ID_OR_NAME"}
		}
		n, err := a.Tokens.Revoke(ctx, args[1])
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("no active token with id or name %q", args[1])
		}
		fmt.Fprintf(stdout, "revoked %d token(s)\n", n)
		return nil
	}
	return usageError{"token: want issue or revoke"}
}

// verifyCmd is `audit verify [--full]`: since the newest checkpoint by
// default, everything with --full.
func verifyCmd(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	full := fs.Bool("full", false, "recompute everything, not only what was written since the newest checkpoint")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{"audit verify [--full]: unexpected " + fs.Arg(0)}
	}
	db, err := openBooks(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	mode := proof.SinceCheckpoint
	if *full {
		mode = proof.Full
	}
	r, err := proof.New(db).Verify(ctx, mode)
	if err != nil {
		return err
	}
	if err := printJSON(stdout, r); err != nil {
		return err
	}
	if !r.OK {
		return fmt.Errorf("verification failed at %s: %s", r.Where, r.Problem)
	}
	return nil
}
