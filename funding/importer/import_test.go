package importer_test

import (
	"bytes"
	"slices"
	"sync"
	"testing"

	"renofund/funding/importer"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// importTwice imports a generated file of n rows twice: the first posts every
// row, the second nothing.
func importTwice(t *testing.T, f *fixture, n int) {
	t.Helper()
	data, total := generate(n)
	var calls [][2]int
	res, err := f.importCSV(resident, data, importer.Options{FileName: "rc.csv",
		Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }})
	if err != nil {
		t.Fatalf("first import: %v", err)
	}
	if res.Rows != n || res.Imported != n || res.Duplicates != 0 || res.Total != total {
		t.Fatalf("first import: got %+v, want %d rows imported totalling %s", res, n, total)
	}
	checkProgress(t, calls, n)
	if got := f.transfers(t, resident); got != int64(n) {
		t.Errorf("transfers = %d, want %d", got, n)
	}
	if got := f.balance(t, resident); got != total {
		t.Errorf("balance = %s, want %s", got, total)
	}
	again, err := f.importCSV(resident, data, importer.Options{})
	if err != nil {
		t.Fatalf("second import: %v", err)
	}
	if again.Imported != 0 || again.Duplicates != n || again.Total != 0 {
		t.Errorf("second import: got imported %d, duplicates %d, total %s; want 0, %d, 0.00",
			again.Imported, again.Duplicates, again.Total, n)
	}
	if got := f.transfers(t, resident); got != int64(n) {
		t.Errorf("transfers after the second import = %d, want %d", got, n)
	}
	if got := f.balance(t, resident); got != total {
		t.Errorf("balance after the second import = %s, want %s", got, total)
	}
	if again.FileSHA256 != res.FileSHA256 || again.ID == res.ID {
		t.Errorf("file hashes %s / %s should match and ids %s / %s differ", res.FileSHA256, again.FileSHA256, res.ID, again.ID)
	}
}

func TestImport10kTwiceAddsNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		importTwice(t, setup(t, db), 10_000)
	})
}

func TestReorderedFileDedupesAndIdenticalRowsBothImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		rows := goodRows(3)
		rows = append(rows, rows[1]) // a second, identical receipt: both are real
		res, err := f.importCSV(resident, csvOf(rows...), importer.Options{})
		if err != nil || res.Imported != 4 {
			t.Fatalf("import: %+v, %v; want 4 imported", res, err)
		}
		// The same receipts in another order, with amounts written differently
		// and one more row.
		re := [][]string{rows[0], rows[4], rows[3], rows[2], rows[1]}
		re[1] = slices.Clone(re[1])
		re[1][1] = "100.5" // was "100.50": the same amount
		re = append(re, []string{"9-9-9", "7", "2024-06-01", "新住户", "", ""})
		res, err = f.importCSV(resident, csvOf(re...), importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Imported != 1 || res.Duplicates != 4 || res.Total != money.MustParse("7") {
			t.Errorf("reordered import: got %+v, want 1 imported (7.00), 4 duplicates", res)
		}
		if got := f.transfers(t, resident); got != 5 {
			t.Errorf("transfers = %d, want 5", got)
		}
	})
}

func TestConcurrentImportsOfOneFileWriteOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		data, total := generate(2000)
		var wg sync.WaitGroup
		results := make([]*importer.Result, 3)
		errs := make([]error, 3)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = f.importCSV(resident, bytes.Clone(data), importer.Options{})
			}()
		}
		wg.Wait()
		imported := 0
		for i, err := range errs {
			if err != nil {
				t.Fatalf("import %d: %v", i, err)
			}
			imported += results[i].Imported
		}
		if imported != 2000 {
			t.Errorf("rows imported over three concurrent imports = %d, want 2000", imported)
		}
		if got := f.transfers(t, resident); got != 2000 {
			t.Errorf("transfers = %d, want 2000", got)
		}
		if got := f.balance(t, resident); got != total {
			t.Errorf("balance = %s, want %s", got, total)
		}
		if got := f.count(t, "imports", ""); got != 3 {
			t.Errorf("imports recorded = %d, want 3", got)
		}
	})
}

// checkProgress wants calls from 0 to done == total == n, never going back,
// with a step for every chunk of 5,000 rows.
func checkProgress(t *testing.T, calls [][2]int, n int) {
	t.Helper()
	if len(calls) != 2+(n-1)/5000 || calls[0] != [2]int{0, n} || calls[len(calls)-1] != [2]int{n, n} {
		t.Errorf("progress calls = %v, want 0 to %d in steps of 5000", calls, n)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] < calls[i-1][0] || calls[i][1] != n {
			t.Errorf("progress went from %v to %v", calls[i-1], calls[i])
		}
	}
}
