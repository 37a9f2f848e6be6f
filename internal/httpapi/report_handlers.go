package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"renofund/funding/report"
	"renofund/internal/taxbook"
	"renofund/internal/web"
	"renofund/internal/window"
)

// queryWindow reads a report's window: ?fiscal_year= or ?from= and ?to=.
func queryWindow(c *gin.Context) (window.Window, error) {
	return window.Parse(c.Query("fiscal_year"), c.Query("from"), c.Query("to"))
}

// reportQuery reads a report's ?format= and its window, refusing either
// before any work.
func reportQuery(c *gin.Context) (string, window.Window, error) {
	format, err := web.TableFormat(c)
	if err != nil {
		return "", window.Window{}, err
	}
	w, err := queryWindow(c)
	return format, w, err
}

func (s *Server) fundingReport(c *gin.Context) {
	format, w, err := reportQuery(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	r, err := s.Reports.FundingReport(c.Request.Context(), w)
	if err != nil {
		s.Fail(c, err)
		return
	}
	if format != web.AsJSON {
		lines := append(r.Lines, report.FundingLine{District: "total", Kind: "all", Flow: r.Totals})
		web.WriteTable(c, format, "funding", lines)
		return
	}
	tx, err := s.Tax.Report(c.Request.Context(), w)
	if err != nil {
		s.Fail(c, err)
		return
	}
	web.SendJSON(c, http.StatusOK, fundingReportView{FundingReport: r, TaxExpenditure: tx})
}

func (s *Server) budgetReport(c *gin.Context) {
	format, w, err := reportQuery(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	r, err := s.Reports.BudgetReport(c.Request.Context(), c.Query("district"), w)
	if err != nil {
		s.Fail(c, err)
		return
	}
	if format != web.AsJSON {
		web.WriteTable(c, format, "budget", r)
		return
	}
	web.SendJSON(c, http.StatusOK, gin.H{"items": r})
}

func (s *Server) idleReport(c *gin.Context) {
	format, w, err := reportQuery(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	days, err := queryInt(c, "days", report.IdleDays)
	if err != nil {
		s.Fail(c, err)
		return
	}
	asOf, err := queryAsOf(c, time.Now().UTC())
	if err != nil {
		s.Fail(c, err)
		return
	}
	r, err := s.Reports.IdleReport(c.Request.Context(), days, asOf, w)
	if err != nil {
		s.Fail(c, err)
		return
	}
	if format != web.AsJSON {
		web.WriteTable(c, format, "idle", r)
		return
	}
	web.SendJSON(c, http.StatusOK, gin.H{"days": days, "as_of": asOf.Format(time.DateOnly), "items": r})
}

func (s *Server) directReport(c *gin.Context) {
	format, err := web.TableFormat(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	month := c.Query("month")
	if month == "" {
		month = time.Now().UTC().AddDate(0, -1, 0).Format("2006-01")
	}
	r, err := s.Reports.DirectReport(c.Request.Context(), month)
	if err != nil {
		s.Fail(c, err)
		return
	}
	if format != web.AsJSON {
		web.WriteTable(c, format, "direct-"+month, r.Lines)
		return
	}
	web.SendJSON(c, http.StatusOK, r)
}

// fundingReportView adds tax expenditure beside the cash report.
type fundingReportView struct {
	*report.FundingReport
	TaxExpenditure *taxbook.Report `json:"tax_expenditure"`
}
