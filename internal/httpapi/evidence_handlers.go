package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"renofund/funding/evidence"
	"renofund/internal/errs"
	"renofund/internal/web"
)

// attachmentForm documents the multipart form of POST /v1/attachments.
type attachmentForm struct {
	File    string `json:"file"`           // the document
	Subject string `json:"subject"`        // transfer:<id>, contract:<id>, acceptance:<id> or transfer:new
	Kind    string `json:"kind,omitempty"` // contract, invoice, acceptance_certificate, vote_minutes, rating_sheet, other
}

// addAttachment takes a document as a multipart form: the file in "file",
// its "subject" and optional "kind".
func (s *Server) addAttachment(c *gin.Context) {
	body, err := web.ReadBody(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	in, err := attachmentUpload(body, c.GetHeader("Content-Type"), s.Evidence.MaxBytes)
	if err != nil {
		s.Fail(c, err)
		return
	}
	s.Write(c, http.StatusCreated, func(ctx context.Context) (any, int, error) {
		a, err := s.Evidence.Add(ctx, in)
		return a, 1, err
	})
}

// attachmentUpload reads the form; a file over limit is refused before
// more of it is kept.
func attachmentUpload(body []byte, contentType string, limit int64) (evidence.Upload, error) {
	var in evidence.Upload
	mt, params, _ := mime.ParseMediaType(contentType)
	if mt != "multipart/form-data" {
		return in, fmt.Errorf("%w: send a multipart/form-data form with the fields file and subject", errs.ErrInvalidRequest)
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	files := 0
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return in, fmt.Errorf("%w: multipart form: %v", errs.ErrInvalidRequest, err)
		}
		v, err := io.ReadAll(io.LimitReader(part, limit+1))
		if err != nil {
			return in, fmt.Errorf("%w: multipart form: %v", errs.ErrInvalidRequest, err)
		}
		switch part.FormName() {
		case "file":
			files++
			in.Content, in.FileName = v, part.FileName()
		case "subject":
			in.Subject = string(v)
		case "kind":
			in.Kind = string(v)
		default:
			return in, fmt.Errorf("%w: unknown form field %q", errs.ErrInvalidRequest, part.FormName())
		}
	}
	if files != 1 {
		return in, fmt.Errorf("%w: send exactly one file in the field \"file\"", errs.ErrInvalidRequest)
	}
	if in.Subject == "" {
		return in, fmt.Errorf("%w: subject is required", errs.ErrInvalidRequest)
	}
	return in, nil
}

func (s *Server) listAttachments(c *gin.Context, after string, limit int) ([]evidence.Attachment, error) {
	return s.Evidence.List(c.Request.Context(), c.Query("subject"), after, limit)
}

// getAttachment downloads a document, with its SHA-256 in a header so that
// the recipient can check what it received.
func (s *Server) getAttachment(c *gin.Context) {
	a, content, err := s.Evidence.Content(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.Fail(c, err)
		return
	}
	name := a.FileName
	if name == "" {
		name = a.ID
	}
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	c.Header("X-Content-SHA256", a.SHA256)
	c.Header("Content-Length", strconv.Itoa(len(content)))
	c.Data(http.StatusOK, "application/octet-stream", content)
}
