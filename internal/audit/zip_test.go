package audit_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"renofund/internal/access"
	"renofund/internal/audit"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// unzip writes a ZIP file's entries under dir and returns their names.
func unzip(t *testing.T, b []byte, dir string) []string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a ZIP file: %v", err)
	}
	var names []string
	for _, zf := range zr.File {
		names = append(names, zf.Name)
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, filepath.FromSlash(zf.Name))
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, body, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return names
}

// TestExportZIP: the ZIP package holds the files ExportDir writes, unpacks
// into a folder that VerifyDir accepts, states the rows the manifest
// counts, and keeps a district's package to its own rows.
func TestExportZIP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.city()
		for _, c := range []struct {
			name     string
			district string
		}{{"city", ""}, {"HZ", "HZ"}} {
			ctx := f.ctx
			if c.district != "" {
				ctx = f.as(access.District, c.district)
			}
			var buf bytes.Buffer
			st, err := audit.Export(ctx, db, &buf, audit.ZIP, audit.Filter{})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			dir := t.TempDir()
			names := strings.Join(unzip(t, buf.Bytes(), dir), " ")
			for _, want := range []string{"trail.csv", "trail.jsonl", "trail.xlsx", "datapackage.json", "manifest.json"} {
				if !strings.Contains(names, want) {
					t.Errorf("%s: no %s in the package: %s", c.name, want, names)
				}
			}
			if err := audit.VerifyDir(dir); err != nil {
				t.Errorf("%s: the unpacked package does not verify: %v", c.name, err)
			}
			raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
			if err != nil {
				t.Fatal(err)
			}
			var m struct {
				Rows    int64
				Filters audit.Filter
			}
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			if m.Rows != st.Rows || m.Rows == 0 || m.Filters.District != c.district {
				t.Errorf("%s: manifest rows %d, filters %+v; Export said %d rows", c.name, m.Rows, m.Filters, st.Rows)
			}
			csv, _ := os.ReadFile(filepath.Join(dir, "trail.csv"))
			if c.district == "HZ" && strings.Contains(string(csv), "LY-001") {
				t.Errorf("HZ's package holds LY's rows")
			}
		}
		if got, err := audit.ParseFormat("zip"); err != nil || got != audit.ZIP || got.ContentType() != "application/zip" {
			t.Errorf("ParseFormat(zip) = %q, %v", got, err)
		}
	})
}
