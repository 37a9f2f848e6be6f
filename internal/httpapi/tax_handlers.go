package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"renofund/funding/report"
	"renofund/internal/money"
	"renofund/internal/taxbook"
	"renofund/internal/web"
)

func (s *Server) serviceRelief(ctx context.Context, in taxbook.ReliefIn) (any, int, error) {
	r, err := s.Tax.ServiceRelief(ctx, in)
	return r, 0, err
}

func (s *Server) utilityAsset(ctx context.Context, in taxbook.AssetIn) (any, int, error) {
	a, err := s.Tax.UtilityAsset(ctx, in)
	return a, 0, err
}

func (s *Server) projectTax(c *gin.Context) {
	v, err := s.Tax.Project(c.Request.Context(), c.Param("code"))
	web.Respond(s.Server, c, v, err)
}

func (s *Server) taxReport(c *gin.Context) {
	format, w, err := reportQuery(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	r, err := s.Tax.Report(c.Request.Context(), w)
	if err != nil {
		s.Fail(c, err)
		return
	}
	if format != web.AsJSON {
		web.WriteTable(c, format, "tax-expenditure", append(r.Lines, taxbook.Line{District: "total", Kind: "all", Total: r.Total}))
		return
	}
	web.SendJSON(c, http.StatusOK, r)
}

// projectFundingView is the funding view with tax expenditure shown beside
// the cash (never inside any cash total).
type projectFundingView struct {
	*report.ProjectFunding
	TaxExpenditure money.Amount `json:"tax_expenditure"`
}
