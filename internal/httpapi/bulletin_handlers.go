package httpapi

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"renofund/funding/bulletin"
	"renofund/internal/web"
)

// bulletinRoutes are the monthly bulletin's routes (月通报).
func (s *Server) bulletinRoutes() []web.Route {
	return []web.Route{
		{Method: "GET", Path: "/v1/bulletins", Roles: readers, Summary: "The months whose bulletin is drafted",
			Query: []string{"limit", "after"}, Resp: web.List[bulletin.Summary]{},
			Handle: web.Listed(s.Server, func(c *gin.Context, after string, limit int) ([]bulletin.Summary, error) {
				return s.Bulletins.List(c.Request.Context(), after, limit)
			}, func(b bulletin.Summary) string { return b.Month })},
		{Method: "GET", Path: "/v1/bulletins/:month", Roles: readers,
			Summary: "A month's stored bulletin (月通报); a district reads its rows and the city's totals (?format=xlsx: a sheet per section; csv: the sections one after another)",
			Query:   []string{"format"}, Resp: bulletin.Bulletin{}, Handle: s.getBulletin},
		{Method: "POST", Path: "/v1/bulletins/:month", Roles: finance,
			Summary: "Draft and store the bulletin of a month that has ended, once",
			Resp:    bulletin.Bulletin{}, Status: 201, Long: true, Handle: s.draftBulletin},
	}
}

func (s *Server) getBulletin(c *gin.Context) {
	format, err := web.TableFormat(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	b, err := s.Bulletins.Get(c.Request.Context(), c.Param("month"))
	if err != nil {
		s.Fail(c, err)
		return
	}
	name := "bulletin-" + b.Month + "-" + b.Scope
	switch format {
	case web.AsXLSX:
		c.Header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.xlsx"`, name))
		c.Status(http.StatusOK)
		_ = bulletin.WriteXLSX(c.Writer, b) // a write error is a client gone
	case web.AsCSV:
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, name))
		c.Status(http.StatusOK)
		_ = bulletin.WriteCSV(c.Writer, b)
	default:
		web.SendJSON(c, http.StatusOK, b)
	}
}

func (s *Server) draftBulletin(c *gin.Context) {
	m := c.Param("month")
	s.Write(c, http.StatusCreated, func(ctx context.Context) (any, int, error) {
		b, err := s.Bulletins.Draft(ctx, m)
		return b, 0, err
	})
}
