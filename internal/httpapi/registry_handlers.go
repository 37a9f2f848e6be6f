package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"renofund/funding"
	"renofund/funding/importer"
	"renofund/funding/movement"
	"renofund/funding/report"
	"renofund/internal/money"
	"renofund/internal/web"
)

// projectEditIn is the body of PUT /v1/projects/{code}: the fields of POST
// /v1/projects. Code, district and budget may be sent back unchanged (a
// client may PUT what it got); changing them is refused.
type projectEditIn struct {
	Code        *string         `json:"code,omitempty"`
	Name        string          `json:"name"`
	District    *string         `json:"district,omitempty"`
	Households  int64           `json:"households"`
	FloorAreaM2 money.Rate      `json:"floor_area_m2"`
	Buildings   int64           `json:"buildings"`
	BuiltYear   int             `json:"built_year"`
	PlanYear    *int            `json:"plan_year,omitempty"`
	Budget      *funding.Budget `json:"budget,omitempty"`
	Status      *string         `json:"status,omitempty"` // sent back unchanged; changed only by POST …/status
}

type taxReversalIn struct {
	Reason string `json:"reason"`
}

func (s *Server) listFunds(c *gin.Context, after string, limit int) ([]report.FundSummary, error) {
	return s.Reports.Funds(c.Request.Context(), report.FundQuery{Kind: c.Query("kind"), Holder: c.Query("holder"),
		FiscalYear: c.Query("fiscal_year"), District: c.Query("district"), After: after, Limit: limit})
}

func (s *Server) listPlans(c *gin.Context, after string, limit int) ([]movement.PlanSummary, error) {
	return s.Movements.Plans(c.Request.Context(), movement.PlanFilter{Status: c.Query("status"), Fund: c.Query("fund"),
		After: after, Limit: limit})
}

func (s *Server) listImports(c *gin.Context, after string, limit int) ([]importer.Record, error) {
	return s.Import.History(c.Request.Context(), importer.HistoryFilter{Fund: c.Query("fund"), After: after, Limit: limit})
}

func (s *Server) listVersions(c *gin.Context, after string, limit int) ([]funding.ProjectVersion, error) {
	n, err := funding.VersionCursor(after)
	if err != nil {
		return nil, err
	}
	return s.Registry.ProjectVersions(c.Request.Context(), c.Param("code"), n, limit)
}

func (s *Server) listAmendments(c *gin.Context, after string, limit int) ([]funding.Amendment, error) {
	n, err := funding.VersionCursor(after)
	if err != nil {
		return nil, err
	}
	return s.Registry.Amendments(c.Request.Context(), c.Param("code"), n, limit)
}

func versionCursor(v funding.ProjectVersion) string { return strconv.Itoa(v.Version) }

func amendmentCursor(a funding.Amendment) string { return strconv.Itoa(a.Version) }

func (s *Server) updateProject(c *gin.Context) {
	var in projectEditIn
	if err := web.Decode(c, &in); err != nil {
		s.Fail(c, err)
		return
	}
	code := c.Param("code")
	s.Write(c, http.StatusOK, func(ctx context.Context) (any, int, error) {
		p, err := s.Registry.UpdateProject(ctx, code, funding.ProjectEdit{Name: in.Name, Households: in.Households,
			FloorAreaM2: in.FloorAreaM2, Buildings: in.Buildings, BuiltYear: in.BuiltYear, PlanYear: in.PlanYear, Code: in.Code,
			District: in.District, Budget: in.Budget, Status: in.Status})
		return p, 0, err
	})
}

func (s *Server) amendBudget(c *gin.Context) {
	var in funding.AmendmentIn
	if err := web.Decode(c, &in); err != nil {
		s.Fail(c, err)
		return
	}
	code := c.Param("code")
	s.Write(c, http.StatusCreated, func(ctx context.Context) (any, int, error) {
		a, err := s.Registry.AmendBudget(ctx, code, in)
		return a, 0, err
	})
}

func (s *Server) reverseTax(c *gin.Context) {
	var in taxReversalIn
	if err := web.Decode(c, &in); err != nil {
		s.Fail(c, err)
		return
	}
	id := c.Param("id")
	s.Write(c, http.StatusCreated, func(ctx context.Context) (any, int, error) {
		r, err := s.Tax.Reverse(ctx, id, in.Reason)
		return r, 0, err
	})
}
