package bench

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestRunSmall runs the whole bench on a small demo city on each engine,
// bounded by count (the duration is only a backstop), and checks what
// `renofund bench --json` writes: every workload with its figures, every
// ratio present and positive, every report timed, and the books verified.
// No figure is compared with a time.
func TestRunSmall(t *testing.T) {
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			u := ""
			if d == store.Postgres {
				u = storetest.URL(t, d)
			}
			var out strings.Builder
			sum, err := Run(context.Background(), Config{DatabaseURL: u, Clients: 3, Duration: 2 * time.Minute,
				MaxOps: 12, BatchSize: 4, ReportRuns: 2, DemoDivisor: 50, Out: &out})
			if err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			raw, err := json.Marshal(sum)
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Dialect   string           `json:"dialect"`
				Clients   int              `json:"clients"`
				Workloads []map[string]any `json:"workloads"`
				Ratios    map[string]any   `json:"ratios"`
				Reports   []map[string]any `json:"reports"`
				Verified  bool             `json:"verified"`
			}
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatal(err)
			}
			if got.Dialect != string(d) || got.Clients != 3 || !got.Verified {
				t.Errorf("dialect %q, clients %d, verified %v; want %q, 3, true", got.Dialect, got.Clients, got.Verified, d)
			}
			wantWorkloads := []string{"http_single_spread", "raw_single_spread", "http_single_hot", "raw_single_hot",
				"http_batch_spread", "http_batch_hot", "inproc_batch_spread", "inproc_batch_hot"}
			if len(got.Workloads) != len(wantWorkloads) {
				t.Fatalf("%d workloads, want %d:\n%s", len(got.Workloads), len(wantWorkloads), raw)
			}
			for i, w := range got.Workloads {
				if w["name"] != wantWorkloads[i] {
					t.Errorf("workload %d is %v, want %s", i, w["name"], wantWorkloads[i])
				}
				for _, k := range []string{"label", "clients", "transfers", "requests", "errors", "elapsed_s", "per_second", "p50_ms", "p99_ms"} {
					if _, ok := w[k]; !ok {
						t.Errorf("workload %v has no %s", w["name"], k)
					}
				}
				if w["errors"] != 0.0 || w["transfers"] != 12.0 {
					t.Errorf("workload %v: %v errors, %v transfers; want 0 and 12", w["name"], w["errors"], w["transfers"])
				}
			}
			for _, q := range ratios {
				v, ok := got.Ratios[q.name].(float64)
				if !ok || v <= 0 {
					t.Errorf("ratio %s = %v, want a positive number", q.name, got.Ratios[q.name])
				}
				if !strings.Contains(out.String(), q.label) {
					t.Errorf("the table does not print %q", q.label)
				}
			}
			wantReports := []string{"funding", "funding_year", "budget", "project_funding", "exceptions", "audit_verify", "audit_verify_full"}
			if len(got.Reports) != len(wantReports) {
				t.Fatalf("%d reports, want %d:\n%s", len(got.Reports), len(wantReports), raw)
			}
			for i, r := range got.Reports {
				if r["name"] != wantReports[i] || r["requests"] != 2.0 || r["errors"] != 0.0 {
					t.Errorf("report %d: %v", i, r)
				}
				if v, _ := r["p95_ms"].(float64); v <= 0 {
					t.Errorf("report %v: p95_ms %v", r["name"], r["p95_ms"])
				}
			}
		})
	}
}
