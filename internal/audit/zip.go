package audit

import (
	"archive/zip"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"renofund/internal/ledger"
	"renofund/internal/store"
)

// exportZIP writes the package ExportDir makes (the trail as CSV, JSONL and
// XLSX from one snapshot, datapackage.json, manifest.json with the sealed
// checkpoint and the verification, the evidence documents and the signed
// balance statements) as one ZIP file, every file at the path the manifest
// gives it, so that the unpacked folder passes `renofund export verify`.
// The package is built in a temporary directory first: a refusal or a
// failure comes before the first byte, and the directory is removed after.
func exportZIP(ctx context.Context, db *store.DB, w io.Writer, f Filter) (Stats, error) {
	dir, err := os.MkdirTemp("", "renofund-trail-*")
	if err != nil {
		return Stats{}, err
	}
	defer os.RemoveAll(dir)
	m, err := ExportDir(ctx, db, ledger.New(db), dir, f)
	if err != nil {
		return Stats{}, err
	}
	zw := zip.NewWriter(w)
	now := time.Now()
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		out, err := zw.CreateHeader(&zip.FileHeader{Name: filepath.ToSlash(rel), Method: zip.Deflate, Modified: now})
		if err != nil {
			return err
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		_, err = io.Copy(out, in)
		return err
	})
	if err != nil {
		return Stats{}, err
	}
	return Stats{Rows: m.Rows, Funds: m.Totals}, zw.Close()
}
