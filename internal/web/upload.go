package web

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"renofund/internal/errs"
)

// ReadUpload reads an uploaded file and the named values: from a multipart
// form, its one part "file" and its values (each falling back to the
// query's); otherwise the raw body and the query's values. maxMemory bounds
// what the form keeps in memory.
func ReadUpload(c *gin.Context, maxMemory int64, names ...string) ([]byte, map[string]string, error) {
	body, err := ReadBody(c)
	if err != nil {
		return nil, nil, err
	}
	values := make(map[string]string, len(names))
	for _, n := range names {
		values[n] = c.Query(n)
	}
	mt, params, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if !strings.HasPrefix(mt, "multipart/") {
		return body, values, nil
	}
	form, err := multipart.NewReader(bytes.NewReader(body), params["boundary"]).ReadForm(maxMemory)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: multipart form: %v", errs.ErrInvalidRequest, err)
	}
	defer form.RemoveAll()
	for _, n := range names {
		if vs := form.Value[n]; len(vs) > 0 {
			values[n] = vs[0]
		}
	}
	fhs := form.File["file"]
	if len(fhs) != 1 {
		return nil, nil, fmt.Errorf("%w: send exactly one file in the field \"file\"", errs.ErrInvalidRequest)
	}
	f, err := fhs[0].Open()
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	file, err := io.ReadAll(f)
	return file, values, err
}

// Document is a document a route answers as JSON, CSV or XLSX.
type Document interface {
	WriteCSV(w io.Writer) error
	WriteXLSX(w io.Writer) error
}

// SendDocument answers d in format (see TableFormat); the workbook is
// offered as name.xlsx.
func SendDocument(c *gin.Context, format, name string, d Document) {
	write := d.WriteCSV
	switch format {
	case AsJSON:
		SendJSON(c, http.StatusOK, d)
		return
	case AsXLSX:
		write = d.WriteXLSX
		c.Header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.xlsx"`, name))
	default:
		c.Header("Content-Type", "text/csv; charset=utf-8")
	}
	c.Status(http.StatusOK)
	if err := write(c.Writer); err != nil {
		_ = c.Error(err)
	}
}
