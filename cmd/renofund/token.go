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

func verifyCmd(ctx context.Context, cfg config, stdout io.Writer) error {
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := proof.New(db).Verify(ctx)
	if err != nil {
		return err
	}
	out, _ := json.MarshalIndent(r, "", "  ")
	fmt.Fprintln(stdout, string(out))
	if !r.OK {
		return fmt.Errorf("verification failed at %s: %s", r.Where, r.Problem)
	}
	return nil
}
