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
// spread and on one hot account, under concurrency; the money moved adds up
// to nothing, every transfer has its two entries, and every account's chain
// head is its last entry's hash at a position equal to its entry count.
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
			accounts := []string{"A", "B", "C", "D"}
			r, err := newRaw(ctx, main, u, accounts, 4)
			if err != nil {
				t.Fatal(err)
			}
			defer r.close()
			for name, op := range map[string]func(context.Context, int, int) (int, error){
				"spread": r.spread(accounts), "hot": r.hot(accounts)} {
				res := load(ctx, name, 4, 30*time.Second, 60, op)
				if res.Errors != 0 || res.Transfers != 60 {
					t.Fatalf("%s: %+v", name, res)
				}
			}
			var total, n, transfers, hot int64
			r.db.G.Raw("SELECT COALESCE(SUM(balance), 0) FROM raw_accounts").Scan(&total)
			r.db.G.Raw("SELECT COUNT(*) FROM raw_entries").Scan(&n)
			r.db.G.Raw("SELECT COUNT(*) FROM raw_transfers").Scan(&transfers)
			r.db.G.Raw("SELECT balance FROM raw_accounts WHERE code = 'A'").Scan(&hot)
			if total != int64(len(accounts))*rawStart || n != 240 || transfers != 120 {
				t.Errorf("total %d, entries %d, transfers %d; want %d, 240, 120", total, n, transfers, int64(len(accounts))*rawStart)
			}
			if hot <= rawStart {
				t.Errorf("the hot account holds %d, want more than its opening %d", hot, int64(rawStart))
			}
			var badChain int64
			r.db.G.Raw(`SELECT COUNT(*) FROM raw_accounts a WHERE a.chain_seq <>
				(SELECT COUNT(*) FROM raw_entries e WHERE e.account = a.code)
				OR a.chain_head <> (SELECT e.hash FROM raw_entries e WHERE e.account = a.code AND e.chain_seq = a.chain_seq)`).Scan(&badChain)
			if badChain != 0 {
				t.Errorf("%d accounts whose chain head is not their last entry", badChain)
			}
			var broken int64
			r.db.G.Raw(`SELECT COUNT(*) FROM raw_entries e JOIN raw_entries p
				ON p.account = e.account AND p.chain_seq = e.chain_seq - 1 WHERE e.prev_hash <> p.hash`).Scan(&broken)
			if broken != 0 {
				t.Errorf("%d entries whose previous hash is not the entry before them", broken)
			}
		})
	}
}
