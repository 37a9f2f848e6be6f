package demo_test

import (
	"context"
	"testing"
	"time"

	"renofund/funding/report"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/demo"
)

// checkBank: every district has its account and one reconciled statement
// whose balance statement agrees, signed by the district and reviewed by
// the bureau, with two payments and two bank items outstanding; the fee
// the books lack is a bank finding of that district.
func checkBank(t *testing.T, svc *app.Services, sum *demo.Summary) {
	t.Helper()
	ctx := access.With(context.Background(), access.Actor{Role: access.Auditor, Name: "审计"})
	if sum.Statements != len(demo.Districts) {
		t.Errorf("%d statements reconciled, want one per district", sum.Statements)
	}
	var signed, reviewed int64
	svc.DB.G.Raw("SELECT COUNT(*) FROM balance_statements").Scan(&signed)
	svc.DB.G.Raw("SELECT COUNT(*) FROM balance_statement_reviews").Scan(&reviewed)
	if signed != int64(sum.Statements) || reviewed != signed {
		t.Errorf("%d balance statements signed, %d reviewed, want %d", signed, reviewed, sum.Statements)
	}
	rs, err := svc.Recon.Reconciliations(ctx, "", "", 100)
	if err != nil || len(rs) != sum.Statements {
		t.Fatalf("reconciliations: %d, %v", len(rs), err)
	}
	for _, r := range rs {
		bs, err := svc.Recon.Statement(ctx, r.ID, "")
		if err != nil || !bs.Agrees || bs.Signed == nil || bs.Reviewed == nil || len(bs.BankNotInBooks) != 2 ||
			len(bs.BooksNotInBank) > 2 {
			t.Errorf("%s's balance statement: %+v, %v", r.District, bs, err)
		}
	}
	ex, err := svc.Reports.ExceptionList(ctx, report.ExceptionQuery{Rules: report.DefaultRules(time.Now().AddDate(0, 0, 45)), Kind: report.ExBankUnbooked})
	if err != nil || len(ex) != sum.Statements {
		t.Errorf("bank debits unbooked: %d, %v; want the fee of each district", len(ex), err)
	}
}
