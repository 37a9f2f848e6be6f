package bench

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"time"

	"renofund/internal/app"
	"renofund/internal/ledger/proof"
)

// Timing is one report's answer times, requested one after another.
type Timing struct {
	Name     string  `json:"name"`
	Label    string  `json:"label"`
	Path     string  `json:"path,omitempty"` // the GET request; empty for in-process work
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	P50      float64 `json:"p50_ms"`
	P95      float64 `json:"p95_ms"`
	Max      float64 `json:"max_ms"`
	Error    string  `json:"error,omitempty"` // the first failure, if any
}

// report is one thing a console page waits for.
type report struct {
	name, label, path string
	// run does it once; nil means GET path over HTTP.
	run func(ctx context.Context) error
}

// reports lists what is timed on the demo city: the funding report whole and
// for one fiscal year, the budget report, one project's funding view, the
// exceptions list, and the books' verification in both modes after a fresh
// checkpoint: since it (the fixed cost: grouped sums, vouchers, evidence)
// and in full.
func reports(ctx context.Context, svc *app.Services, year int) ([]report, error) {
	var project string
	if err := svc.DB.G.WithContext(ctx).Raw("SELECT code FROM projects ORDER BY code LIMIT 1").Scan(&project).Error; err != nil {
		return nil, err
	}
	if project == "" {
		return nil, fmt.Errorf("bench: the demo city has no project")
	}
	if _, err := svc.Proof.Checkpoint(ctx); err != nil {
		return nil, err
	}
	return []report{
		{name: "funding", label: "GET funding report", path: "/v1/reports/funding"},
		{name: "funding_year", label: fmt.Sprintf("GET funding report, fiscal year %d", year),
			path: fmt.Sprintf("/v1/reports/funding?fiscal_year=%d", year)},
		{name: "budget", label: "GET budget report", path: "/v1/reports/budget"},
		{name: "project_funding", label: "GET project " + project + " funding",
			path: "/v1/projects/" + url.PathEscape(project) + "/funding"},
		{name: "exceptions", label: "GET audit exceptions", path: "/v1/audit/exceptions"},
		{name: "audit_verify", label: "audit verify (since the checkpoint)", run: verifyRun(svc, proof.SinceCheckpoint)},
		{name: "audit_verify_full", label: "audit verify --full (the whole books)", run: verifyRun(svc, proof.Full)},
	}, nil
}

// verifyRun verifies the books in mode and fails unless they verify.
func verifyRun(svc *app.Services, mode proof.Mode) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		r, err := svc.Proof.Verify(ctx, mode)
		if err == nil && (!r.OK || r.Mode != mode) {
			err = fmt.Errorf("verification (%s) failed at %s: %s", r.Mode, r.Where, r.Problem)
		}
		return err
	}
}

// timeReports requests each report n times one after another, or until
// budget has passed for it (at least once), and prints p50 and p95.
func timeReports(ctx context.Context, svc *app.Services, c *client, year, n int, budget time.Duration, out io.Writer) ([]Timing, error) {
	rs, err := reports(ctx, svc, year)
	if err != nil {
		return nil, err
	}
	var res []Timing
	for _, r := range rs {
		t := timeOne(ctx, c, r, n, budget)
		res = append(res, t)
		fmt.Fprintf(out, "%-58s %3d requests  p50 %8.1fms  p95 %8.1fms  errors %d\n", t.Label, t.Requests, t.P50, t.P95, t.Errors)
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
	}
	return res, nil
}

func timeOne(ctx context.Context, c *client, r report, n int, budget time.Duration) Timing {
	t := Timing{Name: r.name, Label: r.label, Path: r.path}
	var lats []time.Duration
	start := time.Now()
	for i := 0; i < n && ctx.Err() == nil && (i == 0 || time.Since(start) < budget); i++ {
		t0 := time.Now()
		var err error
		if r.run != nil {
			err = r.run(ctx)
		} else {
			err = c.get(ctx, r.path)
		}
		if err != nil {
			if t.Errors == 0 {
				t.Error = err.Error()
			}
			t.Errors++
			continue
		}
		lats = append(lats, time.Since(t0))
	}
	t.Requests = len(lats) + t.Errors
	t.P50, t.P95, t.Max = ms(percentile(lats, 50)), ms(percentile(lats, 95)), ms(percentile(lats, 100))
	return t
}
