package audit_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"renofund/funding/evidence"
	"renofund/internal/audit"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestExportCarriesAttachments: the export directory carries each evidence
// document of its area once under its SHA-256, the manifest lists every
// attachment with its subject, hash and size, VerifyDir accepts the
// directory as written and names the attachment (or file) altered after.
func TestExportCarriesAttachments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		pay := f.city()
		add := func(subject, content string) {
			t.Helper()
			in := evidence.Upload{Subject: subject, Kind: "invoice", FileName: "发票.pdf", Content: []byte(content)}
			if _, err := f.svc.Movements.Evidence.Add(f.ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		add("transfer:"+pay.ID, "发票 甲")
		add("transfer:"+pay.ID, "发票 甲") // the same content again
		add(evidence.Pending, "未付款的发票") // waits for its payment: not carried

		dir := t.TempDir()
		m, err := audit.ExportDir(f.ctx, f.db, f.l, dir, audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Attachments) != 2 || m.Attachments[0].Subject != "transfer:"+pay.ID || m.Attachments[0].SHA256 != m.Attachments[1].SHA256 {
			t.Fatalf("manifest attachments: %+v", m.Attachments)
		}
		if files, _ := os.ReadDir(filepath.Join(dir, audit.AttachmentsDir)); len(files) != 1 {
			t.Errorf("attachment files: %d, want the one content once", len(files))
		}
		if !m.Verify.OK || m.Verify.Attachments != 3 {
			t.Errorf("the export's verification: %+v", m.Verify)
		}
		if err := audit.VerifyDir(dir); err != nil {
			t.Fatalf("VerifyDir on the export as written: %v", err)
		}
		// Another district's export carries none of HZ's documents.
		other, err := audit.ExportDir(f.ctx, f.db, f.l, t.TempDir(), audit.Filter{District: "LY"})
		if err != nil || len(other.Attachments) != 0 {
			t.Errorf("LY's export: %+v, %v", other.Attachments, err)
		}

		doc := filepath.Join(dir, filepath.FromSlash(m.Attachments[0].Path))
		b, _ := os.ReadFile(doc)
		b[0] ^= 1
		if err := os.WriteFile(doc, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := audit.VerifyDir(dir); err == nil || !strings.Contains(err.Error(), m.Attachments[0].ID) {
			t.Errorf("a tampered attachment: %v", err)
		}
		b[0] ^= 1
		_ = os.WriteFile(doc, b, 0o600)
		_ = os.WriteFile(filepath.Join(dir, "trail.csv"), []byte("altered"), 0o600)
		if err := audit.VerifyDir(dir); err == nil || !strings.Contains(err.Error(), "trail.csv") {
			t.Errorf("a tampered trail file: %v", err)
		}
	})
}
