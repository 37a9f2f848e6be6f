package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"renofund/internal/errs"
	"renofund/internal/sheet"
)

// The columns of a receipts file; the first four are required.
const (
	colHousehold = iota
	colAmount
	colReceivedOn
	colPayerName
	colPayerCreditCode
	colReference
	colShare
	numCols
)

// Columns names the columns a receipts file may have, in their usual order.
var Columns = [numCols]string{"household", "amount", "received_on", "payer_name", "payer_credit_code", "reference", "share"}

const required = colPayerName + 1

// maxUnzip bounds the unpacked size of a workbook (a zip bomb guard).
const maxUnzip = 1 << 30

var bom = []byte{0xEF, 0xBB, 0xBF}

// table is a file's header and data records, before any value is checked.
type table struct {
	header     []string // as written in the file
	headerLine int
	col        [numCols]int // each column's index in header, -1 when absent
	records    []record
	cells      sheet.Source // how the cells hold numbers and dates
}

// record is one data row. Line numbers are the file's: physical lines of a
// CSV (where the record starts), sheet row numbers of an XLSX.
type record struct {
	line  int
	cells []string
	bad   string // why the record could not be read at all
}

func readTable(data []byte, format Format) (*table, error) {
	var t *table
	var err error
	if format == XLSX {
		t, err = readXLSX(data)
	} else {
		t, err = readCSV(data)
	}
	if err != nil {
		return nil, err
	}
	if t.header == nil {
		return nil, &sheet.LineErrors{Rows: []sheet.LineError{{Line: 1, Code: codeInvalid, Reason: "empty file: a header row naming the columns is required"}}}
	}
	if len(t.records) == 0 {
		return nil, fmt.Errorf("%w: the file has a header but no data rows", errs.ErrInvalidRequest)
	}
	return t, nil
}

func readCSV(data []byte) (*table, error) {
	data = bytes.TrimPrefix(data, bom)
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: the file is not UTF-8 text (save it as CSV UTF-8)", errs.ErrInvalidRequest)
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1 // a wrong field count is reported per row
	t := &table{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			if t.header == nil {
				return nil, &sheet.LineErrors{Rows: []sheet.LineError{{Line: pe.StartLine, Code: codeInvalid, Reason: "unreadable header: " + pe.Err.Error()}}}
			}
			if err := t.add(record{line: pe.StartLine, cells: rec, bad: "unreadable CSV: " + pe.Err.Error()}); err != nil {
				return nil, err
			}
			continue
		} else if err != nil {
			return nil, fmt.Errorf("%w: reading the file: %v", errs.ErrInvalidRequest, err)
		}
		line, _ := cr.FieldPos(0)
		if err := t.row(line, rec, false); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func readXLSX(data []byte) (*table, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnzip})
	if err != nil {
		return nil, fmt.Errorf("%w: not a readable XLSX workbook: %v", errs.ErrInvalidRequest, err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fmt.Errorf("%w: the workbook has no sheet", errs.ErrInvalidRequest)
	}
	t := &table{cells: sheet.Source{XLSX: true}}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		t.cells.Date1904 = *props.Date1904
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, fmt.Errorf("%w: cannot read sheet %q: %v", errs.ErrInvalidRequest, sheets[0], err)
	}
	defer rows.Close()
	for line := 1; rows.Next(); line++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("%w: cannot read row %d of sheet %q: %v", errs.ErrInvalidRequest, line, sheets[0], err)
		}
		if err := t.row(line, cells, true); err != nil {
			return nil, err
		}
	}
	if err := rows.Error(); err != nil {
		return nil, fmt.Errorf("%w: cannot read sheet %q: %v", errs.ErrInvalidRequest, sheets[0], err)
	}
	return t, nil
}

// row takes one row of the file: the header if none was seen yet, else a
// data record. Blank rows are skipped, and so are empty cells past the
// header's width (spreadsheets leave them behind). A spreadsheet stores no
// trailing empty cells, so there a short row is padded; in a CSV it is an
// error.
func (t *table) row(line int, cells []string, pad bool) error {
	if blank(cells) {
		return nil
	}
	if t.header == nil {
		return t.setHeader(line, cells)
	}
	r := record{line: line, cells: cells}
	for len(r.cells) > len(t.header) && strings.TrimSpace(r.cells[len(r.cells)-1]) == "" {
		r.cells = r.cells[:len(r.cells)-1]
	}
	for pad && len(r.cells) < len(t.header) {
		r.cells = append(r.cells, "")
	}
	if len(r.cells) != len(t.header) {
		r.bad = fmt.Sprintf("has %d fields, the header has %d", len(r.cells), len(t.header))
	}
	return t.add(r)
}

func (t *table) add(r record) error {
	if len(t.records) == MaxRows {
		return fmt.Errorf("%w: the file has more than %d data rows; split it", errs.ErrTooLarge, MaxRows)
	}
	t.records = append(t.records, r)
	return nil
}

// setHeader maps the header's names (case-insensitive, surrounding spaces
// ignored) to the known columns; unknown, repeated and missing required
// columns refuse the file.
func (t *table) setHeader(line int, cells []string) error {
	cells = trimTrailing(cells)
	t.header, t.headerLine = cells, line
	for i := range t.col {
		t.col[i] = -1
	}
	var bad []sheet.LineError
	for i, h := range cells {
		name := strings.ToLower(strings.TrimSpace(h))
		c := indexOf(name)
		switch {
		case name == "":
			bad = append(bad, sheet.LineError{Line: line, Code: codeInvalid, Reason: fmt.Sprintf("header field %d is empty", i+1)})
		case c < 0:
			bad = append(bad, sheet.LineError{Line: line, Column: h, Code: codeInvalid,
				Reason: "unknown column; the columns are " + strings.Join(Columns[:], ", ")})
		case t.col[c] >= 0:
			bad = append(bad, sheet.LineError{Line: line, Column: name, Code: codeInvalid, Reason: "column appears twice"})
		default:
			t.col[c] = i
		}
	}
	for c := range required {
		if t.col[c] < 0 {
			bad = append(bad, sheet.LineError{Line: line, Column: Columns[c], Code: codeInvalid, Reason: "required column is missing"})
		}
	}
	if len(bad) > 0 {
		return &sheet.LineErrors{Rows: bad}
	}
	return nil
}

func indexOf(name string) int {
	for i, c := range Columns {
		if c == name {
			return i
		}
	}
	return -1
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func trimTrailing(cells []string) []string {
	for len(cells) > 0 && strings.TrimSpace(cells[len(cells)-1]) == "" {
		cells = cells[:len(cells)-1]
	}
	return cells
}
