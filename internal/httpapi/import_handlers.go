package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/gin-gonic/gin"

	"renofund/funding/importer"
	"renofund/internal/errs"
	"renofund/internal/web"
)

// importReceipts takes household receipts as CSV or XLSX: a multipart form
// with the file in the field "file", or the file itself as the body.
// ?partial=true imports the good rows and returns the bad ones as a rejects
// file; otherwise one bad row refuses the whole file.
func (s *Server) importReceipts(c *gin.Context) {
	body, err := web.ReadBody(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	format, err := importer.ParseFormat(c.Query("format"))
	if err != nil {
		s.Fail(c, err)
		return
	}
	partial := c.Query("partial") == "true"
	fund := c.Param("code")
	mt, params, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	s.Write(c, http.StatusCreated, func(ctx context.Context) (any, int, error) {
		// A fresh reader on every attempt: the transaction may be retried.
		rd, name, err := uploaded(body, mt, params["boundary"])
		if err != nil {
			return nil, 0, err
		}
		res, err := s.Import.Import(ctx, fund, rd, format, importer.Options{Partial: partial, FileName: name})
		if err != nil {
			return nil, 0, err
		}
		return res, res.Imported, nil
	})
}

// uploaded returns the file in a multipart body's "file" field, or the body.
func uploaded(body []byte, mediaType, boundary string) (io.Reader, string, error) {
	if mediaType != "multipart/form-data" {
		return bytes.NewReader(body), "", nil
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, "", fmt.Errorf("%w: the form has no field \"file\"", errs.ErrInvalidRequest)
		}
		if err != nil {
			return nil, "", fmt.Errorf("%w: multipart form: %v", errs.ErrInvalidRequest, err)
		}
		if part.FormName() == "file" {
			return part, part.FileName(), nil
		}
	}
}
