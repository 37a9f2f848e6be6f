package httpapi

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"

	"renofund/internal/money"
	"renofund/internal/sheet"
)

// wantsCSV reports whether the client asked for ?format=csv.
func wantsCSV(c *gin.Context) bool { return c.Query("format") == "csv" }

// writeCSV writes a slice of flat structs as CSV with a header made of their
// json names (embedded structs are flattened).
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
