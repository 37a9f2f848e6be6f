package console_test

import (
	"context"
	"errors"
	"net/url"
	"sync"

	"renofund/funding/bulletin"
	"renofund/internal/access"
	"renofund/internal/recon/reconcile"
)

// The bank and audit sections' objects for the access matrix: a
// reconciliation of each district (a statement the bank paid a fee on in
// March, so that it also raises a bank finding), that finding, and a
// month's bulletin, which is the city's (one cell per user).
func init() {
	rec := func(w *world, d string) string { return "/console/reconciliations/" + reconOf(w, d).id }
	for key, s := range map[string]sample{
		"GET /console/reconciliations/:id":                         rec,
		"POST /console/reconciliations/:id/matches":                func(w *world, d string) string { return rec(w, d) + "/matches" },
		"GET /console/reconciliations/:id/balance-statement":       func(w *world, d string) string { return rec(w, d) + "/balance-statement" },
		"POST /console/reconciliations/:id/balance-statement/sign": func(w *world, d string) string { return rec(w, d) + "/balance-statement/sign" },
		"POST /console/reconciliations/:id/balance-statement/review": func(w *world, d string) string {
			return rec(w, d) + "/balance-statement/review"
		},
		"POST /console/reconciliations/:id/matches/:match/unmatch": func(w *world, d string) string {
			return rec(w, d) + "/matches/01900000-0000-7000-8000-000000000000/unmatch" // no such match
		},
		"GET /console/exceptions/:id": func(w *world, d string) string {
			return "/console/exceptions/" + url.PathEscape(reconOf(w, d).finding)
		},
		"POST /console/exceptions/:id/reviews": func(w *world, d string) string {
			return "/console/exceptions/" + url.PathEscape(reconOf(w, d).finding) + "/reviews"
		},
		"GET /console/bulletins/:month": func(w *world, d string) string {
			if d != "HZ" {
				return "" // the city's: tried once
			}
			return "/console/bulletins/" + bulletinOf(w)
		},
	} {
		samples[key] = s
	}
}

// reconSample is a district's reconciliation and the finding it raises.
type reconSample struct{ id, finding string }

var (
	reconMu    sync.Mutex
	reconMade  = map[*world]map[string]reconSample{}
	bulletinMu sync.Mutex
	bulletins  = map[*world]string{}
)

// feeStatement is a statement whose 10.00 fee (line 3) no voucher books.
const feeStatement = "交易日期,摘要,借方发生额,贷方发生额,余额\n2026-03-01,上级拨款,,100.00,100.00\n2026-03-05,手续费,10.00,,90.00\n"

// reconOf makes, once per world, district d's reconciliation.
func reconOf(w *world, d string) reconSample {
	reconMu.Lock()
	defer reconMu.Unlock()
	if r, ok := reconMade[w][d]; ok {
		return r
	}
	ctx := access.With(context.Background(), access.Actor{Role: access.Finance, Name: "sample"})
	r, err := w.App.Recon.Reconcile(ctx, reconcile.Upload{District: d, File: []byte(feeStatement), Window: 3})
	if err != nil {
		w.T.Fatalf("sample reconciliation of %s: %v", d, err)
	}
	if reconMade[w] == nil {
		reconMade[w] = map[string]reconSample{}
	}
	s := reconSample{id: r.ID, finding: "bank_debit_unbooked:" + r.ID + "@3"}
	reconMade[w][d] = s
	return s
}

// bulletinOf drafts, once per world, January 2026's bulletin (a city that
// has one already keeps it).
func bulletinOf(w *world) string {
	bulletinMu.Lock()
	defer bulletinMu.Unlock()
	if m, ok := bulletins[w]; ok {
		return m
	}
	ctx := access.With(context.Background(), access.Actor{Role: access.Finance, Name: "sample"})
	if _, err := w.App.Bulletins.Draft(ctx, "2026-01"); err != nil && !errors.Is(err, bulletin.ErrExists) {
		w.T.Fatalf("sample bulletin: %v", err)
	}
	bulletins[w] = "2026-01"
	return "2026-01"
}
