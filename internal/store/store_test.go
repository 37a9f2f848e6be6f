package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"gorm.io/gorm"

	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

func TestMigrateTwiceAndConcurrently(t *testing.T) {
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			u := storetest.URL(t, d)
			var wg sync.WaitGroup
			errc := make(chan error, 4)
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					db, err := store.Open(context.Background(), u)
					if err != nil {
						errc <- err
						return
					}
					defer db.Close()
					errc <- db.Migrate(context.Background())
				}()
			}
			wg.Wait()
			close(errc)
			for err := range errc {
				if err != nil {
					t.Fatalf("concurrent migrate: %v", err)
				}
			}
		})
	}
}

func TestTxRetriesTransientFailures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var n int
		db.InjectFaults(func() error {
			n++
			if n <= 2 {
				return store.ErrSerialization
			}
			return nil
		})
		defer db.InjectFaults(nil)
		calls := 0
		err := db.Tx(context.Background(), func(ctx context.Context, tx *gorm.DB) error {
			calls++
			return tx.Exec("INSERT INTO districts (code, name, created_at) VALUES ('X', 'x', ?)", store.Now()).Error
		})
		if err != nil {
			t.Fatalf("Tx: %v", err)
		}
		if calls != 3 {
			t.Errorf("calls = %d, want 3", calls)
		}
		var count int64
		db.G.Raw("SELECT COUNT(*) FROM districts").Scan(&count)
		if count != 1 {
			t.Errorf("districts = %d, want 1 (rolled-back attempts must leave nothing)", count)
		}
	})
}

func TestTxDoesNotRetryOtherErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		boom := errors.New("boom")
		calls := 0
		err := db.Tx(context.Background(), func(ctx context.Context, tx *gorm.DB) error {
			calls++
			return boom
		})
		if !errors.Is(err, boom) || calls != 1 {
			t.Fatalf("err = %v, calls = %d; want boom once", err, calls)
		}
	})
}
