package importer_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"renofund/funding/importer"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/sheet"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// workbook builds an XLSX file whose first sheet holds rows, placed from row 1.
func workbook(t *testing.T, rows ...[]any) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	sheet := x.GetSheetName(0)
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow(sheet, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestImportXLSX(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		head := []any{"Household", "Amount", "Received_On", "Payer_Name", "Reference"}
		rows := [][]any{
			head,
			{101, 1234.56, time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC), "住户甲", "R1"}, // number and date cells
			{"1-2", "20.5", "2024-05-02", "住户乙", ""},
			{"1-3", 0.1 + 0.2, "2024-05-03", "住户丙", "R3"}, // 0.30000000000000004 reads as 0.30
			{},                               // a blank row is skipped
			{"1-4", -5, "2024-05-04", "住户丁"}, // sheet row 6: a negative amount
		}
		_, err := f.im.Import(t.Context(), resident, bytes.NewReader(workbook(t, rows...)), importer.Detect, importer.Options{})
		var re *sheet.LineErrors
		if !errors.As(err, &re) || lines(re.Rows) != "6/amount/invalid_amount" {
			t.Fatalf("err = %v, want sheet row 6 amount invalid_amount", err)
		}
		rows[5][1] = 5
		res, err := f.im.Import(t.Context(), resident, bytes.NewReader(workbook(t, rows...)), importer.XLSX, importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if want := money.MustParse("1260.36"); res.Imported != 4 || res.Total != want {
			t.Errorf("got %+v, want 4 rows totalling %s", res, want)
		}
		ts, err := f.svc.Reports.Transfers(t.Context(), ledgerFilter(resident))
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != 4 || ts[0].Household != "101" || ts[0].BookedOn != "2024-03-05" || ts[0].Amount != money.MustParse("1234.56") {
			t.Fatalf("first transfer = %+v, want household 101, 2024-03-05, 1234.56", ts[0])
		}
		// The same receipts as CSV are recognised as already imported.
		same := csvOf([]string{"household", "amount", "received_on", "payer_name", "reference"},
			[]string{"101", "1234.56", "2024-03-05", "住户甲", "R1"},
			[]string{"1-3", "0.30", "2024-05-03", "住户丙", "R3"})
		again, err := f.importCSV(resident, same, importer.Options{})
		if err != nil || again.Duplicates != 2 || again.Imported != 0 {
			t.Errorf("CSV of the same receipts: %+v, %v; want 2 duplicates", again, err)
		}
	})
}

func ledgerFilter(fund string) ledger.Filter { return ledger.Filter{Fund: fund, Limit: 100} }

func TestNotAWorkbook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		_, err := f.im.Import(t.Context(), resident, bytes.NewReader([]byte("PK\x03\x04 not really")), importer.Detect, importer.Options{})
		if err == nil || errors.As(err, new(*sheet.LineErrors)) {
			t.Errorf("err = %v, want a plain invalid request", err)
		}
	})
}
