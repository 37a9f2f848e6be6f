package sheet_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"renofund/internal/sheet"
)

// TestWorkbookReadsBack writes two sheets with every kind of cell, more than
// 26 columns and text that needs escaping, and reads them back with excelize.
func TestWorkbookReadsBack(t *testing.T) {
	var buf bytes.Buffer
	wb := sheet.NewWorkbook(&buf)
	header := make([]string, 30)
	for i := range header {
		header[i] = fmt.Sprintf("col%d", i)
	}
	if err := wb.Sheet("明细 & <one>", header); err != nil {
		t.Fatal(err)
	}
	row := make([]sheet.Value, 30)
	row[0] = sheet.Text(`<a href="x">&amp;</a>`)
	row[1] = sheet.Int(-42)
	row[2] = sheet.Bool(true)
	row[3] = sheet.Decimal("1234.50")
	row[4] = sheet.Text("=1+1")
	row[5] = sheet.Text("行一\n行二\t制表")
	row[27] = sheet.Decimal("-0.01")
	row[29] = sheet.Text("bad \x01 byte")
	if err := wb.Row(row); err != nil {
		t.Fatal(err)
	}
	if wb.Rows() != 2 {
		t.Errorf("rows %d, want 2", wb.Rows())
	}
	if err := wb.Sheet("second", []string{"only"}); err != nil {
		t.Fatal(err)
	}
	if err := wb.Row([]sheet.Value{sheet.Empty}); err != nil {
		t.Fatal(err)
	}
	if err := wb.Close(); err != nil {
		t.Fatal(err)
	}

	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), "|"); got != "明细 & <one>|second" {
		t.Fatalf("sheets %q", got)
	}
	cells := []struct{ ref, want string }{
		{"A1", "col0"}, {"AD1", "col29"},
		{"A2", `<a href="x">&amp;</a>`}, {"B2", "-42"}, {"C2", "TRUE"}, {"D2", "1234.50"},
		{"E2", "=1+1"}, {"F2", "行一\n行二\t制表"}, {"AB2", "-0.01"}, {"AD2", "bad  byte"}, {"Z2", ""},
	}
	for _, c := range cells {
		got, err := f.GetCellValue("明细 & <one>", c.ref)
		if err != nil || got != c.want {
			t.Errorf("%s = %q (%v), want %q", c.ref, got, err, c.want)
		}
	}
	if formula, _ := f.GetCellFormula("明细 & <one>", "E2"); formula != "" {
		t.Errorf("text became formula %q", formula)
	}
	if typ, _ := f.GetCellType("明细 & <one>", "D2"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("decimal cell type %v", typ)
	}
	if rows, _ := f.GetRows("second"); len(rows) != 1 || rows[0][0] != "only" {
		t.Errorf("second sheet %q", rows)
	}
}

func TestWorkbookRefusals(t *testing.T) {
	var buf bytes.Buffer
	wb := sheet.NewWorkbook(&buf)
	if err := wb.Row([]sheet.Value{sheet.Int(1)}); err == nil {
		t.Error("a row before any sheet was accepted")
	}
	if err := sheet.NewWorkbook(&buf).Close(); err == nil {
		t.Error("a workbook without sheets closed")
	}
}
