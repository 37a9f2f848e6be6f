package bench

import (
	"context"
	"flag"
	"io"
	"testing"
	"time"

	"renofund/internal/demo"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

var reportsDivisor = flag.Int("reports.divisor", 1, "BenchmarkReports: load a demo city 1/N the size (1: the whole city)")

// BenchmarkReports times, on the demo city of each engine, what a console
// page waits for: the funding report (whole and for the demo's fiscal year),
// the budget report, one project's funding view and the exceptions list over
// HTTP, and the books' verification in process (whole: there is no
// since-checkpoint mode yet). Each sub-benchmark reports its p50 and p95:
//
//	go test -run '^$' -bench Reports -benchtime 20x ./internal/bench/
//
// Loading the whole city takes about a minute per engine; -reports.divisor
// takes a smaller one.
func BenchmarkReports(b *testing.B) {
	for _, d := range storetest.Engines() {
		b.Run(string(d), func(b *testing.B) {
			ctx := context.Background()
			u := ""
			if d == store.Postgres {
				u = storetest.URL(b, d)
			}
			cy, err := openCity(ctx, u, *reportsDivisor, 1, io.Discard)
			if err != nil {
				b.Fatal(err)
			}
			defer cy.close()
			rs, err := reports(ctx, cy.svc, demo.Year)
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range rs {
				b.Run(r.name, func(b *testing.B) {
					var lats []time.Duration
					for b.Loop() {
						t0 := time.Now()
						var err error
						if r.run != nil {
							err = r.run(ctx)
						} else {
							err = cy.client.get(ctx, r.path)
						}
						if err != nil {
							b.Fatal(err)
						}
						lats = append(lats, time.Since(t0))
					}
					b.ReportMetric(ms(percentile(lats, 50)), "p50-ms")
					b.ReportMetric(ms(percentile(lats, 95)), "p95-ms")
				})
			}
		})
	}
}
