package recon

import (
	"fmt"
	"io"
	"strings"
	"time"

	"renofund/internal/money"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// maxUnzip bounds the unpacked size of an XLSX statement (a zip bomb guard);
// MaxLines rows of four cells fit in a small part of it.
const maxUnzip = 256 << 20

// ParseXLSX reads a statement from the first sheet of an XLSX workbook with
// the same four columns as ParseCSV, the header in the first non-empty row.
// Empty rows are skipped and line numbers are spreadsheet row numbers.
//
// Cells are read as stored, not as displayed. Besides the text forms ParseCSV
// accepts, a date may be a date cell (an Excel serial number; a time of day
// is dropped) and an amount may be a number cell: its stored value is rounded
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
	date := excelDate(props.Date1904 != nil && *props.Date1904)
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, fmt.Errorf("%w: cannot read sheet %q: %v", ErrInvalid, sheets[0], err)
	}
	defer rows.Close()
	var (
		lines  = []BankLine{}
		errs   []LineError
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
				return nil, &LineErrors{Errors: []LineError{le}}
			}
			header = true
			continue
		}
		if count++; count > MaxLines {
			return nil, ErrTooManyLines
		}
		if len(cells) > len(columns) {
			errs = append(errs, LineError{Line: row, Reason: fmt.Sprintf("has %d columns, want %d (%s)", len(cells), len(columns), HeaderLine)})
			continue
		}
		for len(cells) < len(columns) {
			cells = append(cells, "") // empty trailing cells are not stored
		}
		if bl, ok := parseLine(row, cells, date, excelAmount, &errs); ok {
			lines = append(lines, bl)
		}
	}
	if err := rows.Error(); err != nil {
		return nil, fmt.Errorf("%w: cannot read sheet %q: %v", ErrInvalid, sheets[0], err)
	}
	if !header {
		return nil, &LineErrors{Errors: []LineError{{Line: 1, Reason: "empty sheet: the header " + HeaderLine + " is required"}}}
	}
	if len(errs) > 0 {
		return nil, &LineErrors{Errors: errs}
	}
	return lines, nil
}

func trimTrailingEmpty(cells []string) []string {
	for len(cells) > 0 && strings.TrimSpace(cells[len(cells)-1]) == "" {
		cells = cells[:len(cells)-1]
	}
	return cells
}

// excelNumber reads a number cell's stored value ("44378", "-1234.5599999999999",
// "1E+3"). Exponents are bounded so that no input can make decimal arithmetic
// build enormous powers of ten.
func excelNumber(s string) (decimal.Decimal, bool) {
	if s == "" || len(s) > 40 || strings.ContainsAny(s, " \t\r\n") {
		return decimal.Decimal{}, false
	}
	d, err := decimal.NewFromString(s)
	if err != nil || d.Exponent() < -40 || d.Exponent() > 20 {
		return decimal.Decimal{}, false
	}
	return d, true
}

// excelAmount reads an amount as ParseCSV does or, failing that, as the
// stored value of a number cell rounded to 15 significant digits.
func excelAmount(s string) (money.Amount, string) {
	a, reason := parseAmount(s)
	if reason == "" {
		return a, ""
	}
	d, ok := excelNumber(s)
	if !ok {
		return 0, reason
	}
	d = roundSignificant(d, 15)
	if !d.Equal(d.Truncate(2)) {
		return 0, reason
	}
	fen := d.Shift(2)
	if fen.Abs().GreaterThan(decimal.NewFromInt(int64(money.Max))) {
		return 0, reason
	}
	return money.Amount(fen.IntPart()), ""
}

// roundSignificant rounds d half away from zero to n significant digits.
func roundSignificant(d decimal.Decimal, n int32) decimal.Decimal {
	if d.IsZero() {
		return d
	}
	digits := int32(len(d.Coefficient().Text(10)))
	if d.Sign() < 0 {
		digits-- // the minus sign
	}
	// The leading digit sits at 10^(digits-1+exp); keep n digits from it.
	return d.Round(n - digits - d.Exponent())
}

// excelDate reads a date as ParseCSV does or, failing that, as an Excel
// serial day number in the workbook's date system.
func excelDate(date1904 bool) func(string) (time.Time, string) {
	return func(s string) (time.Time, string) {
		t, reason := parseDate(s)
		if reason == "" {
			return t, ""
		}
		d, ok := excelNumber(s)
		if !ok || d.Sign() < 0 {
			return time.Time{}, reason
		}
		days := d.Floor()
		if days.GreaterThan(decimal.NewFromInt(3_000_000)) {
			return time.Time{}, reason
		}
		n := int(days.IntPart())
		if date1904 {
			t = time.Date(1904, time.January, 1+n, 0, 0, 0, 0, time.UTC)
		} else {
			// Serial 1 is 1900-01-01 and Excel counts a 1900-02-29 that
			// never was (serial 60); from serial 61 on, day 0 is 1899-12-30.
			if n < 61 {
				return time.Time{}, quote(s) + " is before 1900-03-01"
			}
			t = time.Date(1899, time.December, 30+n, 0, 0, 0, 0, time.UTC)
		}
		if t.Year() > 9999 {
			return time.Time{}, reason
		}
		return t, ""
	}
}
