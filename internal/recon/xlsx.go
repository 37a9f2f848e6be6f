package recon

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"renofund/internal/sheet"
)

// maxUnzip bounds the unpacked size of an XLSX statement (a zip bomb guard);
// MaxLines rows of four cells fit in a small part of it.
const maxUnzip = 256 << 20

// ParseXLSX reads a statement from the first sheet of an XLSX workbook with
// the same four columns as ParseCSV, the header in the first non-empty row.
// Empty rows are skipped and line numbers are spreadsheet row numbers.
//
// Cells are read as stored, not as displayed. Besides the text forms ParseCSV
// accepts, a date may be a date cell (an Excel serial number in the
// workbook's 1900 or 1904 date system, up to 9999-12-31; a time of day is
// dropped) and an amount may be a number cell: its stored value is rounded
// to Excel's 15 significant digits (so 1234.5599999999999 reads as 1234.56)
// and must then have at most two decimals.
//
// Errors are as for ParseCSV; a file that is not a readable workbook is
// refused with an error matching ErrInvalid.
func ParseXLSX(r io.Reader) ([]BankLine, error) {
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: maxUnzip})
	if err != nil {
		return nil, fmt.Errorf("%w: not a readable XLSX workbook: %v", ErrInvalid, err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fmt.Errorf("%w: the workbook has no sheet", ErrInvalid)
	}
	props, err := f.GetWorkbookProps()
	if err != nil {
		return nil, fmt.Errorf("%w: not a readable XLSX workbook: %v", ErrInvalid, err)
	}
	src := sheet.Source{XLSX: true, Date1904: props.Date1904 != nil && *props.Date1904}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, fmt.Errorf("%w: cannot read sheet %q: %v", ErrInvalid, sheets[0], err)
	}
	defer rows.Close()
	var (
		lines  = []BankLine{}
		bad    []sheet.LineError
		header bool
		count  int
		row    int
	)
	for rows.Next() {
		row++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("%w: cannot read row %d of sheet %q: %v", ErrInvalid, row, sheets[0], err)
		}
		cells = trimTrailingEmpty(cells)
		if len(cells) == 0 {
			continue
		}
		if !header {
			if le, ok := checkHeader(row, cells); !ok {
				return nil, refuse(le)
			}
			header = true
			continue
		}
		if count++; count > MaxLines {
			return nil, ErrTooManyLines
		}
		if len(cells) > len(columns) {
			bad = append(bad, sheet.LineError{Line: row, Code: codeInvalid, Reason: fmt.Sprintf("has %d columns, want %d (%s)", len(cells), len(columns), HeaderLine)})
			continue
		}
		for len(cells) < len(columns) {
			cells = append(cells, "") // empty trailing cells are not stored
		}
		if bl, ok := parseLine(row, cells, src, &bad); ok {
			lines = append(lines, bl)
		}
	}
	if err := rows.Error(); err != nil {
		return nil, fmt.Errorf("%w: cannot read sheet %q: %v", ErrInvalid, sheets[0], err)
	}
	if !header {
		return nil, refuse(sheet.LineError{Line: 1, Code: codeInvalid, Reason: "empty sheet: the header " + HeaderLine + " is required"})
	}
	if len(bad) > 0 {
		return nil, refuse(bad...)
	}
	return lines, nil
}

func trimTrailingEmpty(cells []string) []string {
	for len(cells) > 0 && strings.TrimSpace(cells[len(cells)-1]) == "" {
		cells = cells[:len(cells)-1]
	}
	return cells
}
