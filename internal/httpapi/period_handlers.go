package httpapi

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"renofund/internal/access"
	"renofund/internal/period"
	"renofund/internal/web"
)

type reopenIn struct {
	Reason string `json:"reason"`
}

// periodStep answers a workflow step on the period in the path, recording
// what it did in the call's audit event.
func (s *Server) periodStep(status int, step func(ctx context.Context, p string) (*period.Period, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := c.Param("period")
		s.Write(c, status, func(ctx context.Context) (any, int, error) {
			got, err := step(ctx, p)
			if err == nil {
				web.Detail(c, periodDetail(got))
			}
			return got, 0, err
		})
	}
}

func periodDetail(p *period.Period) string {
	d := fmt.Sprintf("period %s %s", p.Period, p.Status)
	if p.Seal != nil {
		d += fmt.Sprintf("; seal %s, checkpoint %d, closing total %s", p.Seal.ID, p.Seal.CheckpointSeq, p.Seal.Total)
	}
	if p.Reason != nil && (p.Status == period.ReopenRequested || p.Status == period.Open) {
		d += "; reason: " + *p.Reason
	}
	return d
}

func (s *Server) requestReopen(c *gin.Context) {
	var in reopenIn
	if err := web.Decode(c, &in); err != nil {
		s.Fail(c, err)
		return
	}
	s.periodStep(http.StatusAccepted, func(ctx context.Context, p string) (*period.Period, error) {
		return s.Periods.RequestReopen(ctx, p, in.Reason)
	})(c)
}

func (s *Server) listPeriods(c *gin.Context) {
	b, err := s.Periods.List(c.Request.Context())
	web.Respond(s.Server, c, b, err)
}

// carryForward is the year's 结转 report; a district sees its own holdings.
func (s *Server) carryForward(c *gin.Context) {
	format, err := web.TableFormat(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	r, err := s.Periods.CarryForward(ctx, c.Query("fiscal_year"))
	if err != nil {
		s.Fail(c, err)
		return
	}
	if a := access.From(ctx); a.Role == access.District {
		r = r.For(a.District)
	}
	if format != web.AsJSON {
		web.WriteTable(c, format, fmt.Sprintf("carry-forward-%d", r.FiscalYear), r.Items)
		return
	}
	web.SendJSON(c, http.StatusOK, r)
}
