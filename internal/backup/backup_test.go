package backup_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/app"
	"renofund/internal/app/apptest"
	"renofund/internal/backup"
	"renofund/internal/field"
	"renofund/internal/ledger/proof"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// books registers a fund held by the city and a community, and returns a
// writer that receives ¥1.00 into the fund and passes ¥0.40 of it down to
// the community: two transfers, two holdings' chains.
func books(t *testing.T, db *store.DB) (write func() error) {
	t.Helper()
	svc, ctx := apptest.New(t, db)
	apptest.Community(t, svc, ctx, "HZ-001")
	apptest.Must(t)(svc.Registry.CreateFund(ctx, funding.Fund{Code: "CG", Kind: "central_grant", Name: "中央补助资金",
		Holder: "city", FiscalYear: 2026, EligibleCategories: funding.Categories}))
	return func() error { return receiveAndAllocate(ctx, svc) }
}

func receiveAndAllocate(ctx context.Context, svc *app.Services) error {
	today := field.Today()
	if _, err := svc.Movements.Receive(ctx, movement.Receipt{Fund: "CG", Amount: money.MustParse("1.00"), ReceivedOn: today,
		Payer: movement.Party{Name: "江苏省财政厅"}}); err != nil {
		return err
	}
	_, err := svc.Movements.Allocate(ctx, movement.Allocation{Fund: "CG", From: "city", To: "project:HZ-001",
		Amount: money.MustParse("0.40"), AllocatedOn: today})
	return err
}

// TestBackupUnderLoad copies the books while four clerks write (each a
// bounded number of times), restores the copy into a new path and verifies
// it: the restored books verify in full, hold what the backup said it
// copied, and are a prefix of the source's (every chain of the copy ends
// where the source's chain stood at that position), while the source went
// on past them.
func TestBackupUnderLoad(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	write := books(t, db)
	if err := write(); err != nil {
		t.Fatal(err)
	}
	if _, err := proof.New(db).Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	const clerks, most = 4, 400
	var written atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errc := make(chan error, clerks)
	for range clerks {
		wg.Go(func() {
			for range most {
				select {
				case <-stop:
					return
				default:
				}
				if err := write(); err != nil {
					errc <- err
					return
				}
				written.Add(1)
			}
		})
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	// waitFor waits until the clerks have written n rounds, or stopped.
	waitFor := func(n int64) {
		deadline := time.After(time.Minute)
		for written.Load() < n {
			select {
			case <-finished:
				return
			case <-deadline:
				t.Fatalf("the clerks wrote %d rounds in a minute, want %d", written.Load(), n)
			case <-time.After(time.Millisecond):
			}
		}
	}
	waitFor(20)
	out := filepath.Join(t.TempDir(), "copy.db")
	before := written.Load()
	res, err := backup.Backup(ctx, db, out)
	during := written.Load()
	t.Logf("rounds written: %d before the backup, %d while it ran", before, during-before)
	waitFor(during + 20)
	close(stop)
	<-finished
	close(errc)
	for err := range errc {
		t.Fatalf("a clerk: %v", err)
	}
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	copied := res.Books
	if copied.Transfers < 2+2*20 || res.Bytes == 0 {
		t.Fatalf("the copy holds %d transfers (%d bytes), want the first 20 rounds at least", copied.Transfers, res.Bytes)
	}
	source, err := proof.New(db).Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if source.Transfers <= copied.Transfers || source.Heads == copied.Heads {
		t.Errorf("the source (%d transfers) did not go on past the copy (%d) while it was taken", source.Transfers, copied.Transfers)
	}
	if copied.Checkpoint == nil || *copied.Checkpoint != *source.Checkpoint {
		t.Errorf("the copy's checkpoint %+v, the source's %+v", copied.Checkpoint, source.Checkpoint)
	}
	to := "sqlite:" + filepath.Join(t.TempDir(), "restored", "renofund.db")
	restored, err := backup.Restore(ctx, out, to, false)
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if !restored.Verify.OK || restored.Verify.Mode != proof.Full || restored.Verify.Transfers != copied.Transfers {
		t.Errorf("restored books: %+v", restored.Verify)
	}
	if !reflect.DeepEqual(restored.Books, copied) {
		t.Errorf("restored %+v, the backup copied %+v", restored.Books, copied)
	}
	rdb, err := store.OpenExisting(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	var receipts int64
	rdb.G.Raw("SELECT COUNT(*) FROM transfers WHERE base_type = 'receipt'").Scan(&receipts)
	if copied.Received != money.Amount(receipts*100) || copied.Held != copied.Received || copied.Spent != 0 {
		t.Errorf("the copy's totals are not those of its %d receipts of ¥1.00: %+v", receipts, copied)
	}
	prefix(t, rdb, db)
}

// prefix checks that each chain of the copy c ends at a hash the source's
// chain has at the same position, and that every transfer of c is the
// source's.
func prefix(t *testing.T, c, source *store.DB) {
	t.Helper()
	var heads []struct {
		FundCode, Holder, ChainHead string
		ChainSeq                    int64
	}
	if err := c.G.Raw("SELECT fund_code, holder, chain_seq, chain_head FROM holdings WHERE chain_seq > 0").Scan(&heads).Error; err != nil {
		t.Fatal(err)
	}
	if len(heads) != 2 {
		t.Fatalf("the copy has %d chains, want the city's and the community's", len(heads))
	}
	for _, h := range heads {
		var hash []string
		source.G.Raw("SELECT hash FROM postings WHERE fund_code = ? AND holder = ? AND chain_seq = ?", h.FundCode, h.Holder, h.ChainSeq).
			Scan(&hash)
		if len(hash) != 1 || hash[0] != h.ChainHead {
			t.Errorf("chain %s/%s of the copy ends at %d with %.12s; the source has %v there", h.FundCode, h.Holder, h.ChainSeq, h.ChainHead, hash)
		}
	}
	var ids []string
	c.G.Raw("SELECT id FROM transfers").Scan(&ids)
	var found int64
	source.G.Raw("SELECT COUNT(*) FROM transfers WHERE id IN ?", ids).Scan(&found)
	if found != int64(len(ids)) {
		t.Errorf("%d of the copy's %d transfers are in the source", found, len(ids))
	}
}

// TestBackupRefusesAnExistingFile: a backup never overwrites, and leaves
// no partial file behind.
func TestBackupRefusesAnExistingFile(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	dir := t.TempDir()
	out := filepath.Join(dir, "copy.db")
	if err := os.WriteFile(out, []byte("yesterday's copy"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Backup(context.Background(), db, out); !errors.Is(err, store.ErrFileExists) {
		t.Errorf("over an existing file: %v", err)
	}
	if b, _ := os.ReadFile(out); string(b) != "yesterday's copy" {
		t.Errorf("the existing file was changed: %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}

// TestRestoreRefuses: garbage, an empty file, a tampered copy and a copy of
// another schema are refused before anything is put in place; a non-empty
// database is replaced only when forced (and kept), and never while in use.
func TestRestoreRefuses(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	if err := books(t, db)(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	if _, err := backup.Backup(ctx, db, good); err != nil {
		t.Fatal(err)
	}
	variant := func(name string, change func(d *store.DB)) string {
		path := filepath.Join(dir, name)
		copyFile(t, good, path)
		d, err := store.Open(ctx, "sqlite:"+path)
		if err != nil {
			t.Fatal(err)
		}
		change(d)
		d.Close()
		return path
	}
	exec := func(d *store.DB, q string) {
		if err := d.G.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	garbage := filepath.Join(dir, "garbage.db")
	os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 100)), 0o600)
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o600)
	target := filepath.Join(dir, "live", "renofund.db")
	for _, c := range []struct {
		name, from string
		want       error
		says       string
	}{
		{"garbage", garbage, nil, "not a database"},
		{"empty", empty, store.ErrNoDatabase, "empty"},
		{"missing", filepath.Join(dir, "nothing.db"), os.ErrNotExist, ""},
		{"tampered", variant("tampered.db", func(d *store.DB) {
			exec(d, "UPDATE transfers SET payer_name = '某空壳公司' WHERE base_type = 'receipt'")
		}), backup.ErrVerify, "altered"},
		{"older schema", variant("older.db", func(d *store.DB) {
			exec(d, "DELETE FROM goose_db_version WHERE version_id = (SELECT MAX(version_id) FROM goose_db_version)")
		}), store.ErrSchemaBehind, "migrate"},
		{"newer schema", variant("newer.db", func(d *store.DB) {
			exec(d, "INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, 1)")
		}), store.ErrSchemaAhead, "99999"},
	} {
		_, err := backup.Restore(ctx, c.from, "sqlite:"+target, false)
		if err == nil || (c.want != nil && !errors.Is(err, c.want)) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want %v saying %q", c.name, err, c.want, c.says)
		}
		if entries, _ := os.ReadDir(filepath.Dir(target)); len(entries) != 0 {
			t.Fatalf("%s: left %v where the database would go", c.name, entries)
		}
	}
	if _, err := backup.Restore(ctx, good, "sqlite:"+target, false); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if _, err := backup.Restore(ctx, good, "sqlite:"+target, false); !errors.Is(err, store.ErrNotEmpty) {
		t.Errorf("over a database without --force: %v", err)
	}
	live, err := store.OpenExisting(ctx, "sqlite:"+target)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Restore(ctx, good, "sqlite:"+target, true); !errors.Is(err, store.ErrInUse) {
		t.Errorf("over a database in use: %v", err)
	}
	live.Close()
	res, err := backup.Restore(ctx, good, "sqlite:"+target, true)
	if err != nil || res.Kept == "" {
		t.Fatalf("forced: %+v %v", res, err)
	}
	if _, err := os.Stat(res.Kept); err != nil {
		t.Errorf("the replaced database was not kept: %v", err)
	}
	if _, err := backup.Restore(ctx, good, "postgres://127.0.0.1:5432/renofund", false); !errors.Is(err, backup.ErrNotSQLite) {
		t.Errorf("to a URL that is not SQLite: %v", err)
	}
}

// TestCheck checks a database restored by other means, on both engines: a
// PostgreSQL copy is checked where it lies; backup itself copies SQLite only.
func TestCheck(t *testing.T) {
	ctx := context.Background()
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			u := storetest.URL(t, d)
			db, err := store.Open(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := backup.Check(ctx, u); !errors.Is(err, store.ErrNoDatabase) {
				t.Errorf("an empty database: %v", err)
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			write := books(t, db)
			for range 3 {
				if err := write(); err != nil {
					t.Fatal(err)
				}
			}
			res, err := backup.Check(ctx, u)
			if err != nil || !res.Verify.OK || res.Books.Transfers != 6 || res.Books.Received != money.MustParse("3.00") {
				t.Fatalf("check: %+v %v", res, err)
			}
			if d == store.Postgres {
				if _, err := backup.Backup(ctx, db, filepath.Join(t.TempDir(), "x")); err == nil || !strings.Contains(err.Error(), "pg_dump") {
					t.Errorf("backup of PostgreSQL: %v", err)
				}
			}
			if err := db.G.Exec("UPDATE postings SET amount = amount + 1 WHERE holder = 'project:HZ-001'").Error; err != nil {
				t.Fatal(err)
			}
			if res, err := backup.Check(ctx, u); !errors.Is(err, backup.ErrVerify) || res == nil || res.Verify.OK {
				t.Errorf("a tampered database: %v", err)
			}
		})
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
