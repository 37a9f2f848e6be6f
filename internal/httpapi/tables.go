package httpapi

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"

	"renofund/internal/errs"
	"renofund/internal/money"
	"renofund/internal/sheet"
)

// Table formats a report may be asked for with ?format=.
const (
	asJSON = "json"
	asCSV  = "csv"
	asXLSX = "xlsx"
)

// tableFormat reads ?format= for a report: json (the default), csv or xlsx.
// Handlers read it before any work, so a bad format costs nothing.
func tableFormat(c *gin.Context) (string, error) {
	switch f := c.Query("format"); f {
	case "", asJSON:
		return asJSON, nil
	case asCSV, asXLSX:
		return f, nil
	default:
		return "", fmt.Errorf("%w: format must be json, csv or xlsx, got %q", errs.ErrInvalidRequest, f)
	}
}

// writeTable writes a slice of flat structs as CSV or XLSX, with a header
// made of their json names (embedded structs are flattened).
func writeTable(c *gin.Context, format, name string, rows any) {
	if format == asXLSX {
		writeXLSX(c, name, rows)
		return
	}
	writeCSV(c, name, rows)
}

func writeCSV(c *gin.Context, name string, rows any) {
	v := reflect.ValueOf(rows)
	t := v.Type().Elem()
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, name))
	c.Status(http.StatusOK)
	w := csv.NewWriter(c.Writer)
	w.Write(csvHeader(t))
	for i := range v.Len() {
		w.Write(csvRow(v.Index(i)))
	}
	w.Flush()
}

// writeXLSX writes the rows as one worksheet: amounts as numbers shown with
// two decimals, counts as numbers, text as text a spreadsheet never runs.
func writeXLSX(c *gin.Context, name string, rows any) {
	v := reflect.ValueOf(rows)
	c.Header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.xlsx"`, name))
	c.Status(http.StatusOK)
	wb := sheet.NewWorkbook(c.Writer)
	if err := wb.Sheet(name, csvHeader(v.Type().Elem())); err != nil {
		return
	}
	for i := range v.Len() {
		if wb.Row(xlsxRow(v.Index(i), nil)) != nil {
			return
		}
	}
	wb.Close()
}

func xlsxRow(v reflect.Value, r []sheet.Value) []sheet.Value {
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Anonymous {
			r = xlsxRow(v.Field(i), r)
			continue
		}
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name == "-" {
			continue
		}
		switch x := v.Field(i).Interface().(type) {
		case money.Amount:
			r = append(r, sheet.Decimal(x.String()))
		case string:
			r = append(r, sheet.Text(x))
		case int, int64:
			r = append(r, sheet.Int(v.Field(i).Int()))
		case bool:
			r = append(r, sheet.Bool(x))
		default:
			r = append(r, sheet.Text(fmt.Sprint(x)))
		}
	}
	return r
}

func csvHeader(t reflect.Type) []string {
	var h []string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			h = append(h, csvHeader(f.Type)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "-" {
			h = append(h, name)
		}
	}
	return h
}

func csvRow(v reflect.Value) []string {
	var r []string
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Anonymous {
			r = append(r, csvRow(v.Field(i))...)
			continue
		}
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name == "-" {
			continue
		}
		switch x := v.Field(i).Interface().(type) {
		case money.Amount:
			r = append(r, x.String())
		case string:
			r = append(r, CSVSafe(x))
		default:
			r = append(r, fmt.Sprint(x))
		}
	}
	return r
}

// CSVSafe defuses text that a spreadsheet would run as a formula.
func CSVSafe(s string) string { return sheet.Cell(s) }
