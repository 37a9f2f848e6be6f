package audit_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"

	"renofund/internal/access"
	"renofund/internal/audit"
	"renofund/internal/demo"
	"renofund/internal/ledger/proof"
	"renofund/internal/period"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// exportDir runs ExportDir and checks the manifest against the files: every
// hash and size recomputed, the same number of rows in all three formats,
// the amounts in agreement, the checkpoint the newest one.
func exportDir(t *testing.T, ctx context.Context, f *fixture, filter audit.Filter) (*audit.Manifest, trail) {
	t.Helper()
	dir := t.TempDir()
	m, err := audit.ExportDir(ctx, f.db, f.l, dir, filter)
	if err != nil {
		t.Fatalf("export dir: %v", err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var onDisk struct { // amounts in it may be negative, which money.Amount refuses to parse
		Rows       int64
		Files      []audit.File
		Checkpoint struct {
			Seq  int64
			Hash string
		}
	}
	if err := json.Unmarshal(raw, &onDisk); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	if len(onDisk.Files) != 4 || onDisk.Rows != m.Rows || onDisk.Checkpoint.Hash != m.Checkpoint.Hash {
		t.Fatalf("manifest.json %+v", onDisk)
	}
	for _, file := range onDisk.Files {
		b, err := os.ReadFile(filepath.Join(dir, file.Path))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != file.SHA256 || int64(len(b)) != file.Bytes {
			t.Errorf("%s: sha256 %x (%d bytes), manifest %s (%d)", file.Path, sum, len(b), file.SHA256, file.Bytes)
		}
		if file.Rows != nil && *file.Rows != m.Rows {
			t.Errorf("%s: %d rows, csv %d", file.Path, *file.Rows, m.Rows)
		}
	}
	latest, err := proof.New(f.l.DB()).Latest(context.Background())
	if err != nil || latest == nil || latest.Seq != m.Checkpoint.Seq || latest.Hash != m.Checkpoint.Hash ||
		!m.Verify.OK || m.Verify.Head != m.Checkpoint.Hash {
		t.Errorf("checkpoint %+v verify %+v latest %+v %v", m.Checkpoint, m.Verify, latest, err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "trail.csv"))
	rows := parseCSV(t, b)
	if int64(len(rows)) != m.Rows {
		t.Fatalf("trail.csv has %d rows, manifest %d", len(rows), m.Rows)
	}
	checkJSONL(t, filepath.Join(dir, "trail.jsonl"), rows)
	checkXLSX(t, filepath.Join(dir, "trail.xlsx"), rows)
	checkDataPackage(t, filepath.Join(dir, "datapackage.json"), onDisk.Files)
	return m, rows
}

func checkJSONL(t *testing.T, path string, rows trail) {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<20)
	n := 0
	for ; sc.Scan(); n++ {
		var obj map[string]any
		if err := json.Unmarshal(sc.Bytes(), &obj); err != nil {
			t.Fatalf("jsonl line %d: %v", n+1, err)
		}
		if n < len(rows) && (obj["amount"] != rows[n]["amount"] || obj["transfer_id"] != rows[n]["transfer_id"]) {
			t.Errorf("jsonl line %d: %v %v, csv %s %s", n+1, obj["transfer_id"], obj["amount"], rows[n]["transfer_id"], rows[n]["amount"])
		}
	}
	if n != len(rows) {
		t.Errorf("jsonl has %d lines, csv %d rows", n, len(rows))
	}
}

func checkXLSX(t *testing.T, path string, rows trail) {
	t.Helper()
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("open xlsx: %v", err)
	}
	defer x.Close()
	got, err := x.GetRows("trail")
	if err != nil {
		t.Fatal(err)
	}
	if len(got)-1 != len(rows) {
		t.Fatalf("xlsx has %d rows, csv %d", len(got)-1, len(rows))
	}
	head := got[0]
	for i, r := range got[1:] {
		cells := map[string]string{}
		for j, v := range r {
			cells[head[j]] = v
		}
		if cells["amount"] != rows[i]["amount"] || cells["transfer_id"] != rows[i]["transfer_id"] {
			t.Errorf("xlsx row %d: %s %s, csv %s %s", i+2, cells["transfer_id"], cells["amount"], rows[i]["transfer_id"], rows[i]["amount"])
		}
		if p := rows[i]["payee_name"]; len(p) > 1 && p[0] == '\'' && cells["payee_name"] != p[1:] {
			t.Errorf("xlsx payee %q, want the text as recorded %q", cells["payee_name"], p[1:])
		}
	}
}

func checkDataPackage(t *testing.T, path string, files []audit.File) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var dp struct {
		Profile   string
		Resources []struct {
			Path, Format, Hash string
			Schema             struct {
				Fields []struct{ Name, Type, Title string }
			}
		}
		Model struct {
			Measures map[string]struct{ Source, Currency string }
		}
	}
	if err := json.Unmarshal(raw, &dp); err != nil {
		t.Fatal(err)
	}
	if dp.Profile != "fiscal-data-package" || len(dp.Resources) != 3 || dp.Model.Measures["amount"].Currency != "CNY" {
		t.Fatalf("datapackage %+v", dp)
	}
	for i, r := range dp.Resources {
		if r.Path != files[i].Path || r.Hash != "sha256:"+files[i].SHA256 || len(r.Schema.Fields) != 48 ||
			r.Schema.Fields[19].Name != "amount" || r.Schema.Fields[19].Type != "number" {
			t.Errorf("resource %+v", r)
		}
	}
}

func TestExportDirManifest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.city()
		m, rows := exportDir(t, f.ctx, f, audit.Filter{})
		if !m.Reconciled || !m.Snapshot.SealedByCheckpoint || m.Ledger.Available == nil {
			t.Errorf("manifest: reconciled %v, snapshot %+v, ledger %+v", m.Reconciled, m.Snapshot, m.Ledger)
		}
		var st audit.Stats
		st.Rows, st.Funds = m.Rows, m.Totals
		checkTotals(t, db, rows, st)

		// A district's export: only its rows, totals still reconciled with
		// the ledger's for the same selection.
		m, rows = exportDir(t, f.as(access.District, "HZ"), f, audit.Filter{From: "2026-02-01"})
		if !m.Reconciled || m.Filters.District != "HZ" || m.Ledger.Available != nil || len(rows) == 0 {
			t.Errorf("district manifest %+v", m)
		}
		for _, r := range rows {
			if r["district"] != "HZ" || r["booked_on"] < "2026-02-01" {
				t.Errorf("district export row %v", r)
			}
		}

		// A period closed and reopened: the manifest carries its steps and
		// the reason for the reopening.
		ps := period.New(f.l)
		wang, li := f.person(access.Finance, "wang"), f.person(access.Finance, "li")
		_, err := ps.RequestClose(wang, "2026-01")
		f.must(err)
		_, err = ps.ConfirmClose(li, "2026-01")
		f.must(err)
		_, err = ps.RequestReopen(f.person(access.Admin, "root"), "2026-01", "补记一月漏记的收款")
		f.must(err)
		_, err = ps.ConfirmReopen(wang, "2026-01")
		f.must(err)
		m, _ = exportDir(t, f.ctx, f, audit.Filter{})
		if m.Periods == nil || len(m.Periods.Items) != 1 {
			t.Fatalf("manifest periods: %+v", m.Periods)
		}
		h := m.Periods.Items[0].History
		if len(h) != 4 || h[3].Action != "reopen" || h[3].Reason == nil || *h[3].Reason != "补记一月漏记的收款" {
			t.Errorf("the manifest's history of 2026-01: %+v", h)
		}
	})
}

func (f *fixture) person(role access.Role, name string) context.Context {
	return access.With(context.Background(), access.Actor{Role: role, Name: name})
}

// TestDemoCityExport: on the demo city the CSV amounts per fund add up to the
// ledger's totals to the fen and the manifest's hashes match the files.
func TestDemoCityExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		if _, err := demo.LoadScaled(context.Background(), f.svc, 40); err != nil {
			t.Fatal(err)
		}
		m, rows := exportDir(t, f.ctx, f, audit.Filter{})
		if !m.Reconciled || m.Rows < 1000 {
			t.Errorf("demo export: %d rows, reconciled %v", m.Rows, m.Reconciled)
		}
		var st audit.Stats
		st.Rows, st.Funds = m.Rows, m.Totals
		checkTotals(t, db, rows, st)
	})
}
