package bench

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestRawBaseline: the baseline ledger takes every transfer it is given,
// under concurrency, and its accounts end at exactly what was posted, with
// continuous voucher numbers and one chain position per entry.
func TestRawBaseline(t *testing.T) {
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			u := storetest.URL(t, d)
			if d == store.SQLite {
				u = "sqlite:" + filepath.Join(t.TempDir(), "bench.db")
			}
			main, err := store.Open(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			defer main.Close()
			funds := []string{"A", "B", "C"}
			r, err := newRaw(ctx, main, u, funds)
			if err != nil {
				t.Fatal(err)
			}
			defer r.close()
			res := load(ctx, "raw", 4, 30*time.Second, 60, r.single(funds))
			if res.Errors != 0 || res.Transfers != 60 {
				t.Fatalf("%+v", res)
			}
			var total, n, maxSeq int64
			r.db.G.Raw("SELECT COALESCE(SUM(balance), 0) FROM raw_accounts").Scan(&total)
			r.db.G.Raw("SELECT COUNT(*) FROM raw_entries").Scan(&n)
			r.db.G.Raw("SELECT MAX(voucher_seq) FROM raw_transfers").Scan(&maxSeq)
			if total != 60*100 || n != 120 || maxSeq != 60 {
				t.Errorf("balance %d, entries %d, last voucher %d; want 6000, 120, 60", total, n, maxSeq)
			}
			var badChain int64
			r.db.G.Raw(`SELECT COUNT(*) FROM raw_accounts a WHERE a.chain_seq <>
				(SELECT COUNT(*) FROM raw_entries e WHERE e.account = a.code)`).Scan(&badChain)
			if badChain != 0 {
				t.Errorf("%d accounts whose chain head is not their last entry", badChain)
			}
		})
	}
}
