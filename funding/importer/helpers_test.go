package importer_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"renofund/funding"
	"renofund/funding/importer"
	"renofund/internal/app"
	"renofund/internal/creditcode"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/sheet"
	"renofund/internal/store"
)

// fixture is a city with one district (HZ), one project (P1: 4 households,
// a budget of 10,000.00 in all) and funds of several kinds held by it.
type fixture struct {
	db  *store.DB
	svc *app.Services
	led *ledger.Ledger
	im  *importer.Importer
}

const (
	resident  = "RC-P1"
	provident = "PF-P1"
	grant     = "CG-P1"
)

func setup(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	svc := app.New(db, nil)
	t.Cleanup(svc.Close)
	if _, err := svc.Registry.CreateDistrict(ctx, funding.District{Code: "HZ", Name: "海州区"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Registry.CreateDistrict(ctx, funding.District{Code: "LY", Name: "连云区"}); err != nil {
		t.Fatal(err)
	}
	_, err := svc.Registry.CreateProject(ctx, funding.Project{Code: "P1", Name: "新浦小区", District: "HZ", Households: 4,
		FloorAreaM2: money.MustRate("3000"), Buildings: 2, BuiltYear: 1995,
		Budget: funding.Budget{Basic: money.MustParse("6000"), Improvement: money.MustParse("3000"), Upgrade: money.MustParse("1000")}})
	if err != nil {
		t.Fatal(err)
	}
	for code, kind := range map[string]string{resident: "resident_contribution", provident: "provident_fund", grant: "central_grant"} {
		_, err := svc.Registry.CreateFund(ctx, funding.Fund{Code: code, Kind: kind, Name: kind, Holder: "project:P1",
			FiscalYear: 2024, DocumentNo: "连财建〔2024〕1号", EligibleCategories: []string{funding.Basic}})
		if err != nil {
			t.Fatal(err)
		}
	}
	return &fixture{db: db, svc: svc, led: svc.Ledger, im: svc.Import}
}

// generate writes n distinct receipts for fund RC-P1 as CSV (with a BOM and
// mixed-case header) and returns the file and its total.
func generate(n int) ([]byte, money.Amount) {
	var b bytes.Buffer
	b.WriteString("\ufeffHousehold,Amount,received_on,payer_name,payer_credit_code,reference\n")
	var total money.Amount
	for i := range n {
		a := money.Amount(100 + i%50000)
		total += a
		code := ""
		if i%10 == 0 {
			code = creditcode.Complete(fmt.Sprintf("9132070000%07d", i))
		}
		fmt.Fprintf(&b, "%d-%d-%d,%s,2024-%02d-%02d,住户%d,%s,R%d\n",
			i/1000+1, i/10%100+1, i%10+1, a, i%12+1, i%28+1, i, code, i)
	}
	return b.Bytes(), total
}

// csvOf builds a CSV file from rows of cells.
func csvOf(rows ...[]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.WriteAll(rows)
	return b.Bytes()
}

var header = []string{"household", "amount", "received_on", "payer_name", "payer_credit_code", "reference"}

// goodRows returns n valid rows for the header above.
func goodRows(n int) [][]string {
	rows := [][]string{header}
	for i := range n {
		rows = append(rows, []string{fmt.Sprintf("1-1-%d", i+1), fmt.Sprintf("%d.50", 100+i), "2024-05-01",
			fmt.Sprintf("住户%d", i+1), "", fmt.Sprintf("R%d", i+1)})
	}
	return rows
}

func (f *fixture) count(t testing.TB, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := f.db.G.Raw("SELECT COUNT(*) FROM "+table+" "+where, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) transfers(t testing.TB, fund string) int64 {
	return f.count(t, "transfers", "WHERE fund_code = ?", fund)
}

func (f *fixture) balance(t testing.TB, fund string) money.Amount {
	t.Helper()
	b, err := f.led.Balance(context.Background(), fund, "project:P1")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *fixture) importCSV(fund string, data []byte, opt importer.Options) (*importer.Result, error) {
	return f.im.Import(context.Background(), fund, bytes.NewReader(data), importer.Detect, opt)
}

func lines(errs []sheet.LineError) string {
	var s []string
	for _, e := range errs {
		s = append(s, fmt.Sprintf("%d/%s/%s", e.Line, e.Column, e.Code))
	}
	return strings.Join(s, " ")
}
