package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"renofund/internal/access"
	"renofund/internal/auth"
	"renofund/internal/demo"
)

// demoUsers are the console users the demo command issues tokens for: a
// finance clerk and a second finance person for four-eyes approvals, an
// auditor and a district clerk.
var demoUsers = []struct {
	name     string
	role     access.Role
	district string
}{
	{"财政局经办", access.Finance, ""}, {"财政局复核", access.Finance, ""},
	{"审计局", access.Auditor, ""}, {"海州区经办", access.District, "HZ"},
}

// demoTokenTTL is how long the demo's sign-in tokens live.
const demoTokenTTL = 30 * 24 * time.Hour

func demoCmd(ctx context.Context, cfg config, stdout io.Writer) error {
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	a := wire(db, cfg, nil)
	defer a.Close()
	sum, err := demo.Load(ctx, a)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s (%.1fs)\n", sum.Message, time.Since(start).Seconds())
	return demoTokens(ctx, a.Tokens, cfg.Addr, stdout)
}

// demoTokens issues the demo users' tokens and says where to sign in.
func demoTokens(ctx context.Context, tokens *auth.Tokens, addr string, stdout io.Writer) error {
	fmt.Fprintf(stdout, "\nStart the service (go run ./cmd/renofund serve) and sign in at http://%s/console/\n", addr)
	fmt.Fprintf(stdout, "with one of these tokens, shown once and valid for %d days (run demo again for new ones):\n", int(demoTokenTTL.Hours()/24))
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, u := range demoUsers {
		secret, _, err := tokens.Issue(ctx, u.role, u.district, u.name, demoTokenTTL)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "  %s\t%s %s\t%s\n", u.name, u.role, u.district, secret)
	}
	return tw.Flush()
}
