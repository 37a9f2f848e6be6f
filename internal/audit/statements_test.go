package audit_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"renofund/internal/access"
	"renofund/internal/audit"
	"renofund/internal/recon/reconcile"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestExportListsBalanceStatements: LY's February balance statement, signed
// by the district and reviewed by finance, is in LY's export (and the
// city's) under its id with the digest stored at signing; HZ's export has
// none; VerifyDir names the statement when its file is altered.
func TestExportListsBalanceStatements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.city()
		ly := access.With(context.Background(), access.Actor{Role: access.District, District: "LY", Name: "连云区会计"})
		statement := "交易日期,摘要,收入金额,支出金额,余额\n2026-02-01,市级拨款,250000.00,,250000.00\n" +
			"2026-02-11,专项债券,300000.00,,550000.00\n"
		r, err := f.svc.Recon.Reconcile(ly, reconcile.Upload{District: "LY", File: []byte(statement), Window: 3})
		f.must(err)
		signed, err := f.svc.Recon.Sign(ly, r.ID, "2026-02")
		f.must(err)
		reviewer := access.With(context.Background(), access.Actor{Role: access.Finance, Name: "财政局复核"})
		_, err = f.svc.Recon.Review(reviewer, r.ID, "2026-02")
		f.must(err)

		dir := t.TempDir()
		m, err := audit.ExportDir(f.ctx, f.db, f.l, dir, audit.Filter{District: "LY"})
		f.must(err)
		if len(m.BalanceStatements) != 1 {
			t.Fatalf("LY's export lists %d balance statements: %+v", len(m.BalanceStatements), m.BalanceStatements)
		}
		b := m.BalanceStatements[0]
		if b.ID != signed.ID || b.SHA256 != signed.SHA256 || b.Month != "2026-02" || b.District != "LY" ||
			b.Reconciliation != r.ID || b.SignedBy != signed.Signed.By || b.ReviewedBy == "" || b.Path != "balance-statements/"+b.ID+".json" {
			t.Errorf("the listed statement %+v, signed %+v", b, signed)
		}
		if err := audit.VerifyDir(dir); err != nil {
			t.Fatalf("VerifyDir on the export as written: %v", err)
		}
		if hz, err := audit.ExportDir(f.ctx, f.db, f.l, t.TempDir(), audit.Filter{District: "HZ"}); err != nil || len(hz.BalanceStatements) != 0 {
			t.Errorf("HZ's export: %+v, %v", hz.BalanceStatements, err)
		}
		if city, err := audit.ExportDir(f.ctx, f.db, f.l, t.TempDir(), audit.Filter{}); err != nil || len(city.BalanceStatements) != 1 {
			t.Errorf("the city's export: %+v, %v", city.BalanceStatements, err)
		}
		path := filepath.Join(dir, filepath.FromSlash(b.Path))
		body, _ := os.ReadFile(path)
		f.must(os.WriteFile(path, []byte(strings.Replace(string(body), `"agrees":true`, `"agrees":false`, 1)), 0o600))
		if err := audit.VerifyDir(dir); err == nil || !strings.Contains(err.Error(), b.ID) {
			t.Errorf("an altered balance statement: %v", err)
		}
	})
}
