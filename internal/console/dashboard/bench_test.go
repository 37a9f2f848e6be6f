//go:build unix

package dashboard_test

import (
	"context"
	"fmt"
	"net/http"
	"syscall"
	"testing"
	"time"

	"renofund/internal/console/consoletest"
	"renofund/internal/demo"
	"renofund/internal/store/storetest"
)

// BenchmarkDashboard loads the demo city (10 districts, 399 projects, about
// 81,000 transfers) on each engine and measures the dashboard as the
// finance bureau and as a district, over HTTP, and each API call behind it
// (in process, as the page makes them). Run with
//
//	go test -run '^$' -bench Dashboard -benchtime 10x ./internal/console/dashboard/
//
// and read ns/op: the page makes its calls two phases at a time, so it
// takes about as long as the slowest call plus the bulletins. cpu-ms/op is
// the process's CPU time per page or call (on SQLite, the database's too):
// on a machine other work keeps busy, it tells what wall time would on an
// idle one.
func BenchmarkDashboard(b *testing.B) {
	for _, d := range storetest.Engines() {
		b.Run(string(d), func(b *testing.B) {
			s := consoletest.Bare(b, storetest.Open(b, d))
			if _, err := demo.Load(context.Background(), s.App); err != nil {
				b.Fatal(err)
			}
			s.IssueAll()
			page := fmt.Sprintf("/console/dashboard?fiscal_year=%d", demo.Year)
			for _, who := range []string{"finance", "hz"} {
				br := s.SignIn(who)
				b.Run("page/"+who, func(b *testing.B) {
					defer cpu(b)()
					for b.Loop() {
						if p := br.Get(page); p.Status != http.StatusOK {
							b.Fatalf("%d %.300s", p.Status, p.Body)
						}
					}
				})
			}
			for name, path := range map[string]string{
				"funding":    fmt.Sprintf("/v1/reports/funding?fiscal_year=%d", demo.Year),
				"budget":     fmt.Sprintf("/v1/reports/budget?to=%d-12-31", demo.Year),
				"exceptions": "/v1/audit/exceptions?format=csv",
				"bulletin":   fmt.Sprintf("/v1/bulletins/%d-10", demo.Year),
				"bulletins":  "/v1/bulletins?limit=1000",
			} {
				b.Run("api/"+name, func(b *testing.B) {
					defer cpu(b)()
					for b.Loop() {
						api(b, s, "finance", http.MethodGet, path, nil, http.StatusOK, nil)
					}
				})
			}
		})
	}
}

// cpu reports the process's CPU time (user and system) per op when the
// function it returns is called.
func cpu(b *testing.B) func() {
	used := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	start := used()
	return func() {
		b.ReportMetric(float64((used()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
}
