package audit

import (
	"archive/zip"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"renofund/internal/money"
)

// sheetRows is the most rows one worksheet holds (header included); a longer
// trail continues on sheets trail_2, trail_3, … each with its own header.
// A variable only so that a test can make sheets short.
var sheetRows = excelize.TotalRows

// exactNumber bounds the amounts written as numbers: below 10^15 fen a
// two-decimal amount has at most 15 significant digits, which a spreadsheet
// number keeps exactly. Larger amounts are written as text.
const exactNumber = money.Amount(1_000_000_000_000_000)

// xlsxWriter streams the trail into an XLSX workbook with excelize's
// StreamWriter, which spills rows to a temporary file instead of holding
// them; close zips the workbook into the output.
type xlsxWriter struct {
	out    io.Writer
	f      *excelize.File
	sw     *excelize.StreamWriter
	sheets int
	row    int
	head   int // style of the header row
	money  int // style of amount cells: 0.00
	vals   []any
}

func newXLSX(w io.Writer) (*xlsxWriter, error) {
	f := excelize.NewFile()
	x := &xlsxWriter{out: w, f: f, vals: make([]any, len(columns))}
	var err error
	if x.head, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return nil, err
	}
	if x.money, err = f.NewStyle(&excelize.Style{NumFmt: 2}); err != nil {
		return nil, err
	}
	if err := f.SetSheetName(f.GetSheetName(0), "trail"); err != nil {
		return nil, err
	}
	return x, x.sheet()
}

// sheet starts the next worksheet with the header row.
func (x *xlsxWriter) sheet() error {
	name := "trail"
	if x.sheets++; x.sheets > 1 {
		if err := x.sw.Flush(); err != nil {
			return err
		}
		name = fmt.Sprintf("trail_%d", x.sheets)
		if _, err := x.f.NewSheet(name); err != nil {
			return err
		}
	}
	sw, err := x.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	x.sw, x.row = sw, 1
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, len(columns))
	for i, c := range columns {
		head[i] = c.Name
	}
	return sw.SetRow("A1", head, excelize.RowOpts{StyleID: x.head})
}

func (x *xlsxWriter) write(r *Row) error {
	if x.row == sheetRows {
		if err := x.sheet(); err != nil {
			return err
		}
	}
	x.row++
	for i, col := range columns {
		switch v := col.get(r).(type) {
		case string:
			x.vals[i] = nil // an empty cell
			if v != "" {
				x.vals[i] = v // inline text: a spreadsheet never evaluates it
			}
		case int64, bool:
			x.vals[i] = v
		case money.Amount:
			x.vals[i] = x.amount(v)
		case seq:
			x.vals[i] = nil
			if v != 0 {
				x.vals[i] = int64(v)
			}
		}
	}
	return x.sw.SetRow("A"+strconv.Itoa(x.row), x.vals)
}

// amount writes the decimal as a number cell formatted 0.00. The float is
// parsed from the exact decimal string (never computed) and, below
// exactNumber, is written back as that same decimal.
func (x *xlsxWriter) amount(a money.Amount) any {
	s := a.String()
	if a >= exactNumber || a <= -exactNumber {
		return s
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	return excelize.Cell{StyleID: x.money, Value: v}
}

// close finishes the last sheet and zips the workbook straight into the
// output: excelize's own WriteTo would first build the whole file in memory.
func (x *xlsxWriter) close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	x.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(x.out) })
	_, err := x.f.WriteToBuffer() // the buffer stays empty: the zip went to x.out
	return err
}
