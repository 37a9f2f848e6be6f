package audit_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"renofund/internal/audit"
	"renofund/internal/ledger"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// BenchmarkExport1M exports 1,000,000 movements as CSV to io.Discard on each
// engine and reports the time and how much the process's resident memory
// and Go heap grew while it ran; the target is under 100 MiB of growth. The
// movements are bulk-inserted straight into the tables (hashes look right
// but do not verify). It runs only with RENOFUND_BENCH_1M=1;
// RENOFUND_BENCH_ROWS changes the number of movements.
func BenchmarkExport1M(b *testing.B) {
	if os.Getenv("RENOFUND_BENCH_1M") != "1" {
		b.Skip("set RENOFUND_BENCH_1M=1 to insert 1,000,000 movements and export them")
	}
	n := 1_000_000
	if s := os.Getenv("RENOFUND_BENCH_ROWS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	for _, d := range storetest.Engines() {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			start := time.Now()
			if err := generate(db, n); err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: inserted %d movements in %s", d, n, time.Since(start).Round(time.Millisecond))
			ctx := context.Background()
			runtime.GC()
			debug.FreeOSMemory()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			rss0 := vmRSS()
			var peak atomic.Int64
			peak.Store(rss0)
			stop := make(chan struct{})
			done := make(chan struct{})
			go sampleRSS(&peak, stop, done)
			b.ResetTimer()
			var st audit.Stats
			for b.Loop() {
				var err error
				if st, err = audit.Export(ctx, db, io.Discard, audit.CSV, audit.Filter{}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			close(stop)
			<-done
			runtime.ReadMemStats(&after)
			if st.Rows != int64(n) {
				b.Fatalf("exported %d rows, want %d", st.Rows, n)
			}
			const mib = 1 << 20
			growth := float64(peak.Load()-rss0) / mib
			b.ReportMetric(growth, "MiB-rss-growth")
			b.ReportMetric(float64(int64(after.Sys)-int64(before.Sys))/mib, "MiB-sys-growth")
			b.ReportMetric(float64(after.HeapInuse)/mib, "MiB-heap-inuse")
			b.ReportMetric(float64(n)/b.Elapsed().Seconds()*float64(b.N), "rows/s")
			b.Logf("%s: rss %.1f MiB before, peak %.1f MiB (+%.1f); Go sys %+.1f MiB, heap in use %.1f MiB after",
				d, float64(rss0)/mib, float64(peak.Load())/mib, growth,
				float64(int64(after.Sys)-int64(before.Sys))/mib, float64(after.HeapInuse)/mib)
			if growth > 100 {
				b.Errorf("resident memory grew %.1f MiB exporting %d rows, want < 100 MiB", growth, n)
			}
		})
	}
}

// vmRSS reads the process's resident set size in bytes from /proc.
func vmRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func sampleRSS(peak *atomic.Int64, stop, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			if r := vmRSS(); r > peak.Load() {
				peak.Store(r)
			}
		}
	}
}

// generate inserts n single-fund movements over 10 districts, 400 projects
// and 20 city funds: one in ten a receipt at the city, two in ten
// allocations (city → district, district → project), the rest payments.
func generate(db *store.DB, n int) error {
	var fundRows, districtRows, projectRows [][]any
	now := store.Now()
	for d := range 10 {
		districtRows = append(districtRows, []any{fmt.Sprintf("D%d", d), fmt.Sprintf("区%d", d), now})
	}
	for p := range 400 {
		projectRows = append(projectRows, []any{fmt.Sprintf("P%03d", p), "小区", fmt.Sprintf("D%d", p%10), 300, "20000", 8, 1995, 0, 0, 0, now})
	}
	kinds := []string{"central_grant", "provincial_grant", "special_bond", "city_fiscal"}
	var holdingRows [][]any
	for f := range 20 {
		code := fmt.Sprintf("F%02d", f)
		fundRows = append(fundRows, []any{code, kinds[f%4], "资金", "city", 2026, "财预〔2026〕1号", "2210108", f%4 == 0, "basic,improvement,upgrade", false, "bench", now})
		holdingRows = append(holdingRows, []any{code, "city", nil, nil, 0, 0, ""})
		for d := range 10 {
			holdingRows = append(holdingRows, []any{code, fmt.Sprintf("district:D%d", d), fmt.Sprintf("D%d", d), nil, 0, 0, ""})
		}
		for p := range 400 {
			holdingRows = append(holdingRows, []any{code, fmt.Sprintf("project:P%03d", p), fmt.Sprintf("D%d", p%10), fmt.Sprintf("P%03d", p), 0, 0, ""})
		}
	}
	err := db.Tx(context.Background(), func(_ context.Context, tx *gorm.DB) error {
		return firstErr(
			store.InsertMany(tx, "districts", []string{"code", "name", "created_at"}, districtRows),
			store.InsertMany(tx, "projects", []string{"code", "name", "district_code", "households", "floor_area_m2", "buildings", "built_year", "budget_basic", "budget_improvement", "budget_upgrade", "created_at"}, projectRows),
			store.InsertMany(tx, "funds", []string{"code", "kind", "name", "holder", "fiscal_year", "document_no", "budget_subject", "direct", "eligible_categories", "repayable", "created_by", "created_at"}, fundRows),
			store.InsertMany(tx, "holdings", []string{"fund_code", "holder", "district_code", "project_code", "balance", "chain_seq", "chain_head"}, holdingRows))
	})
	if err != nil {
		return err
	}
	const chunk = 20_000
	for start := 0; start < n; start += chunk {
		var ts, ps [][]any
		for i := start; i < min(start+chunk, n); i++ {
			t, p := benchMovement(i, now)
			ts, ps = append(ts, t), append(ps, p...)
		}
		err := db.Tx(context.Background(), func(_ context.Context, tx *gorm.DB) error {
			return firstErr(store.InsertMany(tx, "transfers", transferCols, ts), store.InsertMany(tx, "postings", postingCols, ps))
		})
		if err != nil {
			return err
		}
	}
	return nil
}

var transferCols = strings.Fields(`id fiscal_year voucher_seq voucher_no type base_type fund_code from_holder to_holder
	district_code project_code category amount booked_on payer_name payee_name payee_credit_code payee_bank_account
	purpose document_no recorded_by recorded_at hash`)

var postingCols = []string{"transfer_id", "line", "fund_code", "holder", "amount", "chain_seq", "prev_hash", "hash"}

// benchMovement builds transfer i and its two postings.
func benchMovement(i int, now string) ([]any, [][]any) {
	fund, p, d := fmt.Sprintf("F%02d", i%20), i%400, i%10
	project, district := fmt.Sprintf("P%03d", p), fmt.Sprintf("D%d", p%10)
	amount := int64(10_000 + (i*7919)%9_000_000)
	typ, from, to := ledger.TypeExpenditure, "project:"+project, ledger.External
	var payer, payee, code, account, category, purpose, doc any
	switch i % 10 {
	case 0:
		typ, from, to, district, project = ledger.TypeReceipt, ledger.External, "city", "", ""
		payer, doc = "财政部", "财预〔2026〕1号"
	case 1:
		typ, from, to, district, project = ledger.TypeAllocation, "city", fmt.Sprintf("district:D%d", d), fmt.Sprintf("D%d", d), ""
		doc = "连财建〔2026〕9号"
	case 2:
		typ, from, to = ledger.TypeAllocation, "district:"+district, "project:"+project
	default:
		payee, code, account, category, purpose = "连云港市政工程有限公司", "91320700MA1X00033L", "3220000123456", "basic", "雨污分流管网改造"
	}
	id := fmt.Sprintf("bench-%09d", i)
	sum := sha256.Sum256([]byte(id))
	h := hex.EncodeToString(sum[:])
	t := []any{id, 2026, i + 1, ledger.VoucherNo(2026, int64(i+1)), typ, typ, fund, holderOrNull(from), holderOrNull(to),
		store.Null(district), store.Null(project), category, amount, fmt.Sprintf("2026-%02d-%02d", 1+i%12, 1+i%28),
		payer, payee, code, account, purpose, doc, "finance:bench", now, h}
	side := func(line int, holder string, a int64) []any {
		if holder == ledger.External {
			return []any{id, line, fund, holder, a, nil, nil, nil}
		}
		return []any{id, line, fund, holder, a, 2*i + line, h, h}
	}
	return t, [][]any{side(1, from, -amount), side(2, to, amount)}
}

// holderOrNull stores the outside world as NULL, as the ledger does.
func holderOrNull(h string) any {
	if h == ledger.External {
		return nil
	}
	return h
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
