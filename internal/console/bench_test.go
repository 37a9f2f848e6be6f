package console_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"renofund/internal/access"
	"renofund/internal/console/consoletest"
	"renofund/internal/demo"
	"renofund/internal/store"
)

// BenchmarkConsolePages loads the demo city (Lianyungang's scale: 399
// communities, 81,000 transfers) into a fresh embedded database and opens
// every console page, as the finance bureau and as a district, timing each.
// It reports the slowest page's 95th percentile (p95-ms) beside ns/op (one
// op: every page once for each user). Each page's time includes every API
// call behind it, which the console makes in the same process.
//
//	go test -run '^$' -bench ConsolePages -benchtime 20x ./internal/console/
func BenchmarkConsolePages(b *testing.B) {
	db, err := store.Open(context.Background(), "sqlite:"+filepath.Join(b.TempDir(), "demo.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	s := consoletest.Bare(b, db)
	if _, err := demo.Load(context.Background(), s.App); err != nil {
		b.Fatal(err)
	}
	s.IssueAll()
	w := &world{s}
	type page struct{ who, path string }
	var pages []page
	for _, r := range pageRoutes(s) {
		if r.Method != http.MethodGet {
			continue
		}
		path := r.Path
		if sm := samples[r.Method+" "+r.Path]; sm != nil {
			path = sm(w, "HZ")
		}
		for who, role := range map[string]access.Role{"finance": access.Finance, "hz": access.District} {
			if slices.Contains(r.Roles, role) {
				pages = append(pages, page{who, path})
			}
		}
	}
	browsers := map[string]*consoletest.Browser{"finance": s.SignIn("finance"), "hz": s.SignIn("hz")}
	times := map[page][]time.Duration{}
	b.ResetTimer()
	for range b.N {
		for _, p := range pages {
			start := time.Now()
			got := browsers[p.who].Get(p.path)
			times[p] = append(times[p], time.Since(start))
			if got.Status != http.StatusOK && got.Status != http.StatusSeeOther {
				b.Fatalf("%s as %s: %d", p.path, p.who, got.Status)
			}
		}
	}
	b.StopTimer()
	type result struct {
		page
		p95 time.Duration
	}
	var results []result
	for p, ds := range times {
		slices.Sort(ds)
		results = append(results, result{p, ds[(len(ds)*95+99)/100-1]})
	}
	sort.Slice(results, func(i, j int) bool { return results[i].p95 > results[j].p95 })
	var lines []string
	for _, r := range results {
		lines = append(lines, fmt.Sprintf("%8s  %-7s %s", r.p95.Round(100*time.Microsecond), r.who, r.path))
	}
	b.Logf("p95 per page (%d pages, %d samples each):\n%s", len(pages), b.N, strings.Join(lines, "\n"))
	b.ReportMetric(float64(results[0].p95.Microseconds())/1000, "p95-ms")
}
