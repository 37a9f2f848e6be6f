package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"renofund/funding"
	"renofund/funding/report"
	"renofund/internal/errs"
	"renofund/internal/taxbook"
	"renofund/internal/web"
)

func (s *Server) fundingReport(c *gin.Context) {
	format, err := web.TableFormat(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	r, err := s.Reports.FundingReport(c.Request.Context())
	if err != nil {
		s.Fail(c, err)
		return
	}
	if format != web.AsJSON {
		lines := append(r.Lines, report.FundingLine{District: "total", Kind: "all", Flow: r.Totals})
		web.WriteTable(c, format, "funding", lines)
		return
	}
	tx, err := s.Tax.Report(c.Request.Context())
	if err != nil {
		s.Fail(c, err)
		return
	}
	web.SendJSON(c, http.StatusOK, fundingReportView{FundingReport: r, TaxExpenditure: tx})
}

func (s *Server) budgetReport(c *gin.Context) {
	format, err := web.TableFormat(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	r, err := s.Reports.BudgetReport(c.Request.Context(), c.Query("district"))
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
	format, err := web.TableFormat(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	days := 90
	if v := c.Query("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			s.Fail(c, fmt.Errorf("%w: days must be an integer", errs.ErrInvalidRequest))
			return
		}
		days = n
	}
	asOf := time.Now().UTC()
	if v := c.Query("as_of"); v != "" {
		t, err := funding.ParseDate("as_of", v)
		if err != nil {
			s.Fail(c, err)
			return
		}
		asOf = t
	}
	r, err := s.Reports.IdleReport(c.Request.Context(), days, asOf)
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
