package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"renofund/internal/errs"
	"renofund/internal/sheet"
)

// AsJSON, AsCSV and AsXLSX are the formats a report may be asked for with ?format=.
const (
	AsJSON = "json"
	AsCSV  = "csv"
	AsXLSX = "xlsx"
)

// TableFormat reads ?format= for a report: json (the default), csv or xlsx.
// Handlers read it before any work, so a bad format costs nothing.
func TableFormat(c *gin.Context) (string, error) {
	switch f := c.Query("format"); f {
	case "", AsJSON:
		return AsJSON, nil
	case AsCSV, AsXLSX:
		return f, nil
	default:
		return "", fmt.Errorf("%w: format must be json, csv or xlsx, got %q", errs.ErrInvalidRequest, f)
	}
}

// WriteTable writes a slice of flat structs as CSV or XLSX, with a header
// made of their json names (embedded structs are flattened).
func WriteTable(c *gin.Context, format, name string, rows any) {
	if format == AsXLSX {
		writeXLSX(c, name, rows)
		return
	}
	writeCSV(c, name, rows)
}

func writeCSV(c *gin.Context, name string, rows any) {
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, name))
	c.Status(http.StatusOK)
	sheet.WriteCSV(c.Writer, rows) // a write error is a client gone
}

func writeXLSX(c *gin.Context, name string, rows any) {
	c.Header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.xlsx"`, name))
	c.Status(http.StatusOK)
	sheet.WriteXLSX(c.Writer, name, rows)
}
