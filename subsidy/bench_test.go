package subsidy

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"gorm.io/gorm"

	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// seedCity writes n projects spread over ten districts, each with a
// property manager and a July 2021 rating, in bulk, plus a fund holding
// enough for many runs. Household counts average about 186, as in the
// Lianyungang plan (74,365 households in 399 communities).
func seedCity(tb testing.TB, db *store.DB, n int) *fixture {
	tb.Helper()
	f := newFixture(tb, db)
	ds := []string{"HZ", "LY", "GY", "DH", "GUY", "GN", "KFQ", "XW", "GX", "YTS"}
	f.districts(ds...)
	f.subsidyFund("WY", "1000000000000")
	now := store.Now()
	var projects, managers, ratings [][]any
	for i := range n {
		code := fmt.Sprintf("LYG%06d", i+1)
		households := int64(60 + (i*37)%253)
		projects = append(projects, []any{code, "小区 " + code, ds[i%len(ds)], households,
			fmt.Sprintf("%d.%02d", households*92, i%100), 4, 1990, 0, 0, 0, now})
		if i%50 != 49 { // one in fifty has no property manager yet
			managers = append(managers, []any{code, 1, "物业 " + code, creditCodeFor(i), fmt.Sprintf("6222%012d", i),
				now, "finance:seed"})
		}
		if i%40 != 39 { // one in forty is not rated
			ratings = append(ratings, []any{fmt.Sprintf("r-%d", i), code, "2021-07", 1, int64(5500 + (i*131)%4501),
				nil, nil, 3, "finance:seed", now})
		}
	}
	err := db.Tx(context.Background(), func(ctx context.Context, tx *gorm.DB) error {
		if err := store.InsertMany(tx, "projects", []string{"code", "name", "district_code", "households",
			"floor_area_m2", "buildings", "built_year", "budget_basic", "budget_improvement", "budget_upgrade",
			"created_at"}, projects); err != nil {
			return err
		}
		if err := store.InsertMany(tx, "subsidy_property_managers", []string{"project_code", "version", "name",
			"credit_code", "bank_account", "effective_from", "recorded_by"}, managers); err != nil {
			return err
		}
		return store.InsertMany(tx, "subsidy_ratings", []string{"id", "project_code", "period", "version",
			"score_x100", "components", "assessors", "owner_reps", "recorded_by", "recorded_at"}, ratings)
	})
	f.must(err)
	return f
}

func creditCodeFor(i int) string { return code(i + 1) }

// benchRuns drafts and approves one run per iteration, each of a fresh
// scheme so that every run pays in full.
func benchRuns(b *testing.B, f *fixture, n int) {
	var create, approve time.Duration
	var total money.Amount
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		code := fmt.Sprintf("B%d", i)
		f.scheme(Scheme{Code: code, Name: "bench", Fund: "WY", Basis: PerHouseholdMonth, Rate: money.MustRate("8.333"),
			Period: Month, Bands: standardBands(), ValidFrom: "2021-01-01"})
		b.StartTimer()
		t0 := time.Now()
		r, err := f.svc.CreateRun(f.ctx, code, "2021-07")
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		paid, err := f.svc.Approve(f.rev, r.ID)
		if err != nil {
			b.Fatal(err)
		}
		create, approve = create+t1.Sub(t0), approve+time.Since(t1)
		if len(paid.Lines) != n {
			b.Fatalf("lines = %d, want %d", len(paid.Lines), n)
		}
		total = paid.Total
	}
	b.ReportMetric(create.Seconds()/float64(b.N), "create-s/op")
	b.ReportMetric(approve.Seconds()/float64(b.N), "approve-s/op")
	b.Logf("%d projects: run total %s, create %.3fs, approve %.3fs per run", n, total,
		create.Seconds()/float64(b.N), approve.Seconds()/float64(b.N))
}

// BenchmarkRun399 drafts and approves a run over the demo city's 399 projects.
func BenchmarkRun399(b *testing.B) {
	for _, d := range storetest.Engines() {
		b.Run(string(d), func(b *testing.B) {
			benchRuns(b, seedCity(b, storetest.Open(b, d), 399), 399)
		})
	}
}

// BenchmarkRun220k drafts and approves a run over 220,000 generated
// projects, the national scale. It runs only with RENOFUND_BENCH_220K=1:
//
//	RENOFUND_BENCH_220K=1 go test -run '^$' -bench Run220k -benchtime 1x ./subsidy/
func BenchmarkRun220k(b *testing.B) {
	if os.Getenv("RENOFUND_BENCH_220K") == "" {
		b.Skip("set RENOFUND_BENCH_220K=1 to run")
	}
	for _, d := range storetest.Engines() {
		b.Run(string(d), func(b *testing.B) {
			t0 := time.Now()
			f := seedCity(b, storetest.Open(b, d), 220_000)
			b.Logf("seeded 220,000 projects in %s", time.Since(t0).Round(time.Millisecond))
			benchRuns(b, f, 220_000)
		})
	}
}
