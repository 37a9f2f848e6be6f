package audit

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/xuri/excelize/v2"

	"renofund/internal/money"
)

// TestXLSXSheetsAndCells: a trail longer than a sheet continues on the next
// sheet with its own header; amounts are exact numbers, text is never a
// formula, and an amount too large for a spreadsheet number stays text.
func TestXLSXSheetsAndCells(t *testing.T) {
	defer func(n int) { sheetRows = n }(sheetRows)
	sheetRows = 3 // a header and two rows per sheet
	var buf bytes.Buffer
	x, err := newXLSX(&buf)
	if err != nil {
		t.Fatal(err)
	}
	amounts := []money.Amount{123456, -7000000, 1, 99999999999999, 1_000_000_000_000_000, 5, 6}
	for i, a := range amounts {
		r := &Row{VoucherNo: fmt.Sprintf("2026-%08d", i+1), Amount: a, PayeeName: "=1+1", FromChainSeq: seq(i)}
		if err := x.write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := fmt.Sprint(f.GetSheetList()); got != "[trail trail_2 trail_3 trail_4]" {
		t.Fatalf("sheets %s", got)
	}
	var got []string
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil || rows[0][0] != "voucher_no" {
			t.Fatalf("%s: %v %v", sheet, rows, err)
		}
		for _, r := range rows[1:] {
			got = append(got, r[19])
			if r[22] != "=1+1" {
				t.Errorf("payee cell %q", r[22])
			}
		}
	}
	want := "[1234.56 -70000.00 0.01 999999999999.99 10000000000000.00 0.05 0.06]"
	if fmt.Sprint(got) != want {
		t.Errorf("amounts %v, want %s", got, want)
	}
	if typ, _ := f.GetCellType("trail_3", "T2"); typ != excelize.CellTypeInlineString {
		t.Errorf("amount at the limit is a %v cell, want text", typ)
	}
	if formula, _ := f.GetCellFormula("trail", "W2"); formula != "" {
		t.Errorf("payee became formula %q", formula)
	}
}
