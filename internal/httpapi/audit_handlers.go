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
	"strings"

	"github.com/gin-gonic/gin"

	"renofund/internal/errs"
	"renofund/internal/events"
	"renofund/internal/recon/reconcile"
	"renofund/internal/web"
)

func (s *Server) listEvents(c *gin.Context) {
	after, limit, err := web.Paging(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	evs, err := s.Events.List(c.Request.Context(), events.Filter{TokenName: c.Query("token_name"), Route: c.Query("route"),
		Method: c.Query("method"), After: after, Limit: limit})
	if err != nil {
		s.Fail(c, err)
		return
	}
	web.SendJSON(c, http.StatusOK, web.NewList(evs, limit, func(e events.Stored) string { return e.ID }))
}

// reconcile takes a multipart form (district, account, file, window_days)
// or a raw CSV/XLSX body with ?district=, ?account= and ?window_days=.
func (s *Server) reconcile(c *gin.Context) {
	body, err := web.ReadBody(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	district, account, window, file := c.Query("district"), c.Query("account"), c.Query("window_days"), body
	mt, params, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if strings.HasPrefix(mt, "multipart/") {
		form, err := multipart.NewReader(bytes.NewReader(body), params["boundary"]).ReadForm(MaxUpload)
		if err != nil {
			s.Fail(c, fmt.Errorf("%w: multipart form: %v", errs.ErrInvalidRequest, err))
			return
		}
		defer form.RemoveAll()
		district, window = first(form.Value["district"], district), first(form.Value["window_days"], window)
		account = first(form.Value["account"], account)
		fhs := form.File["file"]
		if len(fhs) != 1 {
			s.Fail(c, fmt.Errorf("%w: send exactly one file in the field \"file\"", errs.ErrInvalidRequest))
			return
		}
		f, err := fhs[0].Open()
		if err != nil {
			s.Fail(c, err)
			return
		}
		file, err = io.ReadAll(f)
		f.Close()
		if err != nil {
			s.Fail(c, err)
			return
		}
	}
	days := 3
	if window != "" {
		if days, err = strconv.Atoi(window); err != nil {
			s.Fail(c, fmt.Errorf("%w: window_days must be an integer", errs.ErrInvalidRequest))
			return
		}
	}
	if district == "" && account == "" {
		if a, _ := web.Actor(c); a.District != "" {
			district = a.District
		}
	}
	s.Write(c, http.StatusCreated, func(ctx context.Context) (any, int, error) {
		r, err := s.Recon.Reconcile(ctx, reconcile.Upload{District: district, Account: account, File: file, Window: days})
		return r, 0, err
	})
}

func first(vs []string, def string) string {
	if len(vs) > 0 {
		return vs[0]
	}
	return def
}

// MaxUpload bounds uploaded statements and import files.
const MaxUpload = 32 << 20

func (s *Server) getReconciliation(c *gin.Context) {
	r, err := s.Recon.GetReconciliation(c.Request.Context(), c.Param("id"))
	web.Respond(s.Server, c, r, err)
}
