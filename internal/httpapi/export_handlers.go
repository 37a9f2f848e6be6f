package httpapi

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"renofund/internal/audit"
	"renofund/internal/field"
	"renofund/internal/web"
)

// exportTrail streams the fund trail. Refusals (bad filters, another
// district) are answered before the first byte; a failure mid-stream cuts
// the download off rather than appending an error to a file.
func (s *Server) exportTrail(c *gin.Context) {
	ctx := c.Request.Context()
	format, err := audit.ParseFormat(c.Query("format"))
	if err != nil {
		s.Fail(c, err)
		return
	}
	f, err := audit.Scope(ctx, audit.Filter{District: c.Query("district"), Project: c.Query("project"),
		Fund: c.Query("fund"), FiscalYear: c.Query("fiscal_year"), From: c.Query("from"), To: c.Query("to")})
	if err != nil {
		s.Fail(c, err)
		return
	}
	c.Header("Content-Type", format.ContentType())
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="trail-%s.%s"`,
		time.Now().In(field.Zone).Format("20060102"), format))
	c.Status(http.StatusOK)
	if _, err := audit.Export(ctx, s.DB, c.Writer, format, f); err != nil {
		if !c.Writer.Written() {
			c.Writer.Header().Del("Content-Disposition")
			s.Fail(c, err)
			return
		}
		s.Log.Error("trail export broke mid-stream", "request_id", web.RequestID(c), "err", err)
		panic(http.ErrAbortHandler)
	}
}

func (s *Server) traceExpenditure(c *gin.Context) {
	t, err := audit.TraceExpenditure(c.Request.Context(), s.DB, c.Param("id"))
	web.Respond(s.Server, c, t, err)
}

func (s *Server) traceFund(c *gin.Context) {
	t, err := audit.TraceFund(c.Request.Context(), s.DB, c.Param("code"))
	web.Respond(s.Server, c, t, err)
}
