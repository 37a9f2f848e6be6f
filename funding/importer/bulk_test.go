//go:build !race

// The 100,000-row runs are left out under the race detector, which slows
// them several times over on a small machine; TestImport10kTwiceAddsNothing
// covers the same path under -race.

package importer_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"renofund/funding/importer"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

func TestImport100kTwiceAddsNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		start := time.Now()
		importTwice(t, setup(t, db), 100_000)
		t.Logf("%s: 100,000 rows imported, then imported again as duplicates, in %s", db.Dialect, time.Since(start).Round(time.Millisecond))
	})
}

// BenchmarkImport100k imports a fresh 100,000-row file into a fresh database
// per iteration and reports rows per second.
func BenchmarkImport100k(b *testing.B) {
	const n = 100_000
	data, _ := generate(n)
	for _, d := range storetest.Engines() {
		b.Run(string(d), func(b *testing.B) {
			var elapsed time.Duration
			for b.Loop() {
				b.StopTimer()
				f := setup(b, storetest.Open(b, d))
				b.StartTimer()
				start := time.Now()
				res, err := f.im.Import(context.Background(), resident, bytes.NewReader(data), importer.CSV, importer.Options{})
				elapsed += time.Since(start)
				if err != nil || res.Imported != n {
					b.Fatalf("import: %+v, %v", res, err)
				}
			}
			b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "rows/s")
		})
	}
}

// BenchmarkReimport100k imports a 100,000-row file again into a database
// that already holds it (every row a duplicate) and reports rows per second.
func BenchmarkReimport100k(b *testing.B) {
	const n = 100_000
	data, _ := generate(n)
	for _, d := range storetest.Engines() {
		b.Run(string(d), func(b *testing.B) {
			f := setup(b, storetest.Open(b, d))
			if _, err := f.importCSV(resident, data, importer.Options{}); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				res, err := f.importCSV(resident, data, importer.Options{})
				if err != nil || res.Duplicates != n {
					b.Fatalf("re-import: %+v, %v", res, err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
