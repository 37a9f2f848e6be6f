package sheet

import (
	"encoding/csv"
	"fmt"
	"io"
	"reflect"
	"strings"

	"renofund/internal/money"
)

// A table is a slice of flat structs: one row each, one column per field
// named by its json tag (embedded structs flattened, "-" fields left out).
// Reports are written as CSV or XLSX from the same structs their JSON comes
// from, so the three always agree.

// exactNumber bounds the amounts written as numbers: below 10^15 fen a
// two-decimal amount has at most 15 significant digits, which a spreadsheet
// number keeps exactly. Larger amounts are written as text.
const exactNumber = money.Amount(1_000_000_000_000_000)

// Amount is a number cell formatted 0.00 holding the exact decimal, or text
// for an amount a spreadsheet number cannot hold exactly.
func Amount(a money.Amount) Value {
	if a >= exactNumber || a <= -exactNumber {
		return Text(a.String())
	}
	return Decimal(a.String())
}

// Header is the header of a table of struct type t.
func Header(t reflect.Type) []string {
	var h []string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			h = append(h, Header(f.Type)...)
			continue
		}
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "-" {
			h = append(h, name)
		}
	}
	return h
}

// fields calls fn with each column's value of the struct v, in Header order.
func fields(v reflect.Value, fn func(any)) {
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Anonymous {
			fields(v.Field(i), fn)
			continue
		}
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "-" {
			fn(v.Field(i).Interface())
		}
	}
}

// WriteCSV writes rows, a table, as CSV with a header: amounts with two
// decimals, text guarded against formulas (Cell).
func WriteCSV(w io.Writer, rows any) error {
	v := reflect.ValueOf(rows)
	cw := csv.NewWriter(w)
	if err := cw.Write(Header(v.Type().Elem())); err != nil {
		return err
	}
	for i := range v.Len() {
		var rec []string
		fields(v.Index(i), func(x any) {
			switch x := x.(type) {
			case money.Amount:
				rec = append(rec, x.String())
			case string:
				rec = append(rec, Cell(x))
			default:
				rec = append(rec, fmt.Sprint(x))
			}
		})
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes rows, a table, as a workbook of one sheet named name:
// amounts as numbers shown with two decimals, counts as numbers, text as
// text a spreadsheet never runs.
func WriteXLSX(w io.Writer, name string, rows any) error {
	v := reflect.ValueOf(rows)
	wb := NewWorkbook(w)
	if err := wb.Sheet(name, Header(v.Type().Elem())); err != nil {
		return err
	}
	for i := range v.Len() {
		var row []Value
		fields(v.Index(i), func(x any) {
			switch x := x.(type) {
			case money.Amount:
				row = append(row, Amount(x))
			case string:
				row = append(row, Text(x))
			case int:
				row = append(row, Int(int64(x)))
			case int64:
				row = append(row, Int(x))
			case bool:
				row = append(row, Bool(x))
			default:
				row = append(row, Text(fmt.Sprint(x)))
			}
		})
		if err := wb.Row(row); err != nil {
			return err
		}
	}
	return wb.Close()
}
