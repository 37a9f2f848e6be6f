package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

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
	file, v, err := web.ReadUpload(c, MaxUpload, "district", "account", "window_days")
	if err != nil {
		s.Fail(c, err)
		return
	}
	days := 3
	if v["window_days"] != "" {
		if days, err = strconv.Atoi(v["window_days"]); err != nil {
			s.Fail(c, fmt.Errorf("%w: window_days must be an integer", errs.ErrInvalidRequest))
			return
		}
	}
	district := v["district"]
	if district == "" && v["account"] == "" {
		if a, _ := web.Actor(c); a.District != "" {
			district = a.District
		}
	}
	s.Write(c, http.StatusCreated, func(ctx context.Context) (any, int, error) {
		r, err := s.Recon.Reconcile(ctx, reconcile.Upload{District: district, Account: v["account"], File: file, Window: days})
		return r, 0, err
	})
}

// MaxUpload bounds uploaded statements and import files.
const MaxUpload = 32 << 20

func (s *Server) getReconciliation(c *gin.Context) {
	r, err := s.Recon.GetReconciliation(c.Request.Context(), c.Param("id"))
	web.Respond(s.Server, c, r, err)
}
