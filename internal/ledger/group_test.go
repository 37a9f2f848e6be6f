package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"

	"gorm.io/gorm"

	"renofund/internal/ledger"
	"renofund/internal/ledger/proof"
	"renofund/internal/ledger/recount"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestGroupCommitHoldsAndWrites posts from many goroutines at once through
// group commit, the ledger's writes held for each group's flush: some
// allocations overdraw (their group falls back to member by member), some
// members read the ledger between posts (the group writes what it holds
// first), and two members of a group move the same holding. Afterwards every
// answer a caller saw is the one in the books: voucher numbers continuous,
// each accepted transfer numbered and hashed when its call returned, the
// balance the sum of what was accepted, and the books verify.
func TestGroupCommitHoldsAndWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l, ctx := fixture(t, db)
		if err := l.Post(ctx, receipt(money.MustParse("1000.00"), "2026-01-05")); err != nil {
			t.Fatal(err)
		}
		const workers, each = 8, 25
		var (
			mu       sync.Mutex
			accepted []*ledger.Transfer
			refused  int
			sawSelf  int
			worker   func(w int, overdraw bool)
		)
		// round runs the workers; in the second, every fifth allocation
		// asks for more than the city can ever hold.
		round := func(overdraw bool) {
			var wg sync.WaitGroup
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					worker(w, overdraw)
				}()
			}
			wg.Wait()
		}
		worker = func(w int, overdraw bool) {
			for i := range each {
				amount := money.Amount(100 + w*each + i)
				if overdraw && i%5 == 4 {
					amount = money.MustParse("5000.00")
				}
				district := []string{"HZ", "LY"}[i%2]
				tr := &ledger.Transfer{Type: ledger.TypeAllocation, Fund: "CG", From: "city", To: "district:" + district,
					District: district, Amount: amount, BookedOn: "2026-02-01", RecordedBy: "finance:wang",
					Postings: []ledger.Posting{
						{Fund: "CG", Holder: "city", Amount: -amount},
						{Fund: "CG", Holder: "district:" + district, Amount: amount, District: district},
					}}
				var seen bool
				err := db.Combine(ctx, func(ctx context.Context, _ *gorm.DB) error {
					if err := l.Post(store.AllowDeferred(ctx), tr); err != nil {
						return err
					}
					if i%7 == 3 {
						// A read of the ledger after a held post sees it.
						got, err := l.Get(ctx, tr.ID)
						if err != nil {
							return err
						}
						seen = got.Amount == amount
					}
					return nil
				})
				mu.Lock()
				switch {
				case errors.Is(err, ledger.ErrInsufficientFunds):
					refused++
				case err != nil:
					t.Error(err)
				default:
					accepted = append(accepted, tr)
					if seen {
						sawSelf++
					}
				}
				mu.Unlock()
			}
		}
		round(false)
		// No group fell back: members that read the ledger after a held
		// post found it written.
		if st := db.GroupStats(); st.FellBack != 0 || st.Groups == 0 {
			t.Errorf("%d of %d groups fell back with no refusal", st.FellBack, st.Groups)
		}
		round(true)
		if refused != workers*each/5 {
			t.Errorf("%d refused, want %d", refused, workers*each/5)
		}
		if want := 2 * workers * (each / 7); sawSelf < want {
			t.Errorf("%d members read their own held transfer, want %d", sawSelf, want)
		}
		sort.Slice(accepted, func(i, j int) bool { return accepted[i].VoucherSeq < accepted[j].VoucherSeq })
		moved := map[string]money.Amount{}
		for i, tr := range accepted {
			if tr.VoucherSeq != int64(i+2) || tr.VoucherNo != fmt.Sprintf("2026-%08d", i+2) || tr.Hash == "" {
				t.Fatalf("accepted transfer %d: voucher %d %q hash %q", i, tr.VoucherSeq, tr.VoucherNo, tr.Hash)
			}
			stored, err := l.Get(ctx, tr.ID)
			if err != nil || stored.Hash != tr.Hash || stored.VoucherNo != tr.VoucherNo {
				t.Fatalf("transfer %s as answered (%s %s) and as stored (%+v, %v)", tr.ID, tr.VoucherNo, tr.Hash, stored, err)
			}
			moved[tr.To] += tr.Amount
		}
		for _, d := range []string{"HZ", "LY"} {
			if got, _ := l.Balance(ctx, "CG", "district:"+d); got != moved["district:"+d] {
				t.Errorf("%s holds %s, accepted %s", d, got, moved["district:"+d])
			}
		}
		r, err := proof.New(db).Verify(ctx, proof.Full)
		if err != nil || !r.OK {
			t.Fatalf("verify: %+v %v", r, err)
		}
		if diff, err := recount.Check(db.G); err != nil || diff != "" {
			t.Fatalf("kept totals: %s %v", diff, err)
		}
	})
}
