package httpapi_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"renofund/internal/store/storetest"
)

// BenchmarkTransfers compares the single-transfer path with batches, through
// the HTTP handler (no network), on each engine. Run with
//
//	go test -run '^$' -bench Transfers -benchtime 3s ./internal/httpapi/
//
// and read transfers/s.
func BenchmarkTransfers(b *testing.B) {
	for _, d := range storetest.Engines() {
		b.Run(string(d), func(b *testing.B) {
			e := newEnv(b, storetest.Open(b, d))
			e.Fund("CG", "central_grant", "city", "basic")
			var key atomic.Int64
			single := map[string]any{"amount": "1.00", "received_on": "2026-03-01", "payer": map[string]any{"name": "居民"}}
			b.Run("single", func(b *testing.B) {
				start := time.Now()
				b.SetParallelism(16) // 16 × GOMAXPROCS clients
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						r := e.Do("finance", "POST", "/v1/funds/CG/receipts", single,
							"Idempotency-Key", fmt.Sprint(key.Add(1)))
						if r.Status != 201 {
							b.Errorf("status %d: %s", r.Status, r.Body)
						}
					}
				})
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "transfers/s")
			})
			for _, size := range []int{1000, 10000} {
				b.Run(fmt.Sprintf("batch%d", size), func(b *testing.B) {
					items := make([]map[string]any, size)
					for i := range items {
						items[i] = receiptItem("CG", "1.00")
					}
					body := map[string]any{"items": items}
					start := time.Now()
					for b.Loop() {
						r := e.Do("finance", "POST", "/v1/batches", body)
						if r.Status != 201 {
							b.Fatalf("status %d: %.300s", r.Status, r.Body)
						}
					}
					b.ReportMetric(float64(b.N*size)/time.Since(start).Seconds(), "transfers/s")
				})
			}
		})
	}
}
