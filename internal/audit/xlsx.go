package audit

import (
	"fmt"
	"io"

	"renofund/internal/money"
	"renofund/internal/sheet"
)

// sheetRows is the most rows one worksheet holds (header included); a longer
// trail continues on sheets trail_2, trail_3, … each with its own header.
// A variable only so that a test can make sheets short.
var sheetRows = sheet.MaxRows

// xlsxWriter streams the trail into an XLSX workbook as rows come, so the
// download starts with the first row.
type xlsxWriter struct {
	wb     *sheet.Workbook
	sheets int
	cells  []sheet.Value
}

func newXLSX(w io.Writer) (*xlsxWriter, error) {
	x := &xlsxWriter{wb: sheet.NewWorkbook(w), cells: make([]sheet.Value, len(columns))}
	return x, x.sheet()
}

// sheet starts the next worksheet with the header row.
func (x *xlsxWriter) sheet() error {
	name := "trail"
	if x.sheets++; x.sheets > 1 {
		name = fmt.Sprintf("trail_%d", x.sheets)
	}
	return x.wb.Sheet(name, header())
}

func (x *xlsxWriter) write(r *Row) error {
	if x.wb.Rows() == sheetRows {
		if err := x.sheet(); err != nil {
			return err
		}
	}
	for i, col := range columns {
		switch v := col.get(r).(type) {
		case string:
			x.cells[i] = sheet.Text(v) // inline text: a spreadsheet never evaluates it
		case int64:
			x.cells[i] = sheet.Int(v)
		case bool:
			x.cells[i] = sheet.Bool(v)
		case money.Amount:
			x.cells[i] = sheet.Amount(v)
		case seq:
			x.cells[i] = sheet.Empty
			if v != 0 {
				x.cells[i] = sheet.Int(int64(v))
			}
		}
	}
	return x.wb.Row(x.cells)
}

func (x *xlsxWriter) close() error { return x.wb.Close() }
