package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestBenchJSON: `renofund bench --json` writes one JSON document and
// nothing else to stdout (the table goes to stderr), with every workload,
// ratio and report. A tiny city and a dozen transfers per workload keep it
// short; the shape is checked in detail by internal/bench.
func TestBenchJSON(t *testing.T) {
	var stdout, stderr bytes.Buffer
	args := []string{"bench", "--json", "--demo-divisor", "80", "--clients", "2", "--max", "8", "--batch", "4",
		"--duration", "2m", "--reports", "1"}
	if err := run(context.Background(), args, func(string) string { return "" }, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var got struct {
		Dialect   string             `json:"dialect"`
		Workloads []json.RawMessage  `json:"workloads"`
		Ratios    map[string]float64 `json:"ratios"`
		Reports   []json.RawMessage  `json:"reports"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, stdout.String())
	}
	if got.Dialect != "sqlite" || len(got.Workloads) != 8 || len(got.Ratios) != 10 || len(got.Reports) != 7 {
		t.Errorf("dialect %q, %d workloads, %d ratios, %d reports; want sqlite, 8, 10, 7",
			got.Dialect, len(got.Workloads), len(got.Ratios), len(got.Reports))
	}
	if !strings.Contains(stderr.String(), "http single / raw SQL, spread:") {
		t.Errorf("the table is not on stderr:\n%s", stderr.String())
	}
}
