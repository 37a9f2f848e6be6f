package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"renofund/funding"
	"renofund/funding/report"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/money"
	"renofund/internal/web"
	"renofund/internal/window"
)

// ruleQ are the query parameters that set the exception rules (see
// exceptionRules); every route that names a finding takes them, so a
// finding found under non-default rules can be looked at and reviewed.
var ruleQ = []string{"as_of", "idle_days", "idle_min", "duplicate_days", "late_days", "bank_days"}

// queryInt reads an integer query parameter, def when it is absent.
func queryInt(c *gin.Context, name string, def int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%w: %s must be an integer", errs.ErrInvalidRequest, name)
	}
	return n, nil
}

// queryAsOf reads ?as_of= (YYYY-MM-DD), def when it is absent.
func queryAsOf(c *gin.Context, def time.Time) (time.Time, error) {
	if v := c.Query("as_of"); v != "" {
		return funding.ParseDate("as_of", v)
	}
	return def, nil
}

// exceptionRules reads the rules the checks run under: ?as_of= (today in
// the booking zone), ?idle_days=, ?idle_min= (yuan), ?duplicate_days=,
// ?late_days= and ?bank_days=, each defaulting to the standard rule.
func exceptionRules(c *gin.Context) (report.Rules, error) {
	asOf, err := queryAsOf(c, time.Now().In(field.Zone))
	if err != nil {
		return report.Rules{}, err
	}
	r := report.DefaultRules(asOf)
	for _, p := range []struct {
		name string
		dst  *int
	}{{"idle_days", &r.IdleDays}, {"duplicate_days", &r.DuplicateDays}, {"late_days", &r.LateDays}, {"bank_days", &r.BankDays}} {
		if *p.dst, err = queryInt(c, p.name, *p.dst); err != nil {
			return r, err
		}
	}
	if v := c.Query("idle_min"); v != "" {
		if r.IdleMin, err = money.Parse(v); err != nil {
			return r, fmt.Errorf("%w: idle_min %q must be an amount in yuan", errs.ErrInvalidAmount, v)
		}
	}
	return r, nil
}

// findingWindow reads the window the list's findings are dated in:
// ?period= (2026, 2026-H2, 2026-Q3, 2026-07), or ?fiscal_year= or ?from=
// and ?to=, not both forms.
func findingWindow(c *gin.Context) (window.Window, error) {
	p := c.Query("period")
	if p == "" {
		return queryWindow(c)
	}
	if c.Query("fiscal_year") != "" || c.Query("from") != "" || c.Query("to") != "" {
		return window.Window{}, fmt.Errorf("%w: give period, fiscal_year or from/to, only one", errs.ErrInvalidRequest)
	}
	return window.Period(p)
}

// exceptionQuery reads the list's query: the rules, the filters, the page.
func exceptionQuery(c *gin.Context) (report.ExceptionQuery, error) {
	var q report.ExceptionQuery
	var err error
	if q.Rules, err = exceptionRules(c); err != nil {
		return q, err
	}
	if q.Window, err = findingWindow(c); err != nil {
		return q, err
	}
	q.Kind, q.Severity, q.District, q.Status = c.Query("kind"), c.Query("severity"), c.Query("district"), c.Query("status")
	q.After, q.Limit, err = web.Paging(c)
	return q, err
}

// exceptionList is a page of findings and the date they were found as of.
type exceptionList struct {
	AsOf string `json:"as_of"`
	web.List[report.Exception]
}

// exceptions lists findings a page at a time; as CSV or XLSX, every
// finding the filters select.
func (s *Server) exceptions(c *gin.Context) {
	format, err := web.TableFormat(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	q, err := exceptionQuery(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	limit := q.Limit
	if format != web.AsJSON {
		q.Limit = 0
	}
	items, err := s.Reports.ExceptionList(c.Request.Context(), q)
	if err != nil {
		s.Fail(c, err)
		return
	}
	if format != web.AsJSON {
		web.WriteTable(c, format, "exceptions", items)
		return
	}
	web.SendJSON(c, http.StatusOK, exceptionList{AsOf: q.AsOf.Format(time.DateOnly),
		List: web.NewList(items, limit, func(e report.Exception) string { return e.ID })})
}

// finding answers one finding with its reviews.
func (s *Server) finding(c *gin.Context) {
	r, err := exceptionRules(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	f, err := s.Reports.Finding(c.Request.Context(), c.Param("id"), r)
	web.Respond(s.Server, c, f, err)
}

// reviewFinding appends a review step. The finding is looked for before the
// write transaction (the checks read much); the transaction only appends
// the step, and a replayed request is answered before the lookup's result
// is used.
func (s *Server) reviewFinding(c *gin.Context) {
	var in report.ReviewIn
	if err := web.Decode(c, &in); err != nil {
		s.Fail(c, err)
		return
	}
	if err := in.Check(); err != nil {
		s.Fail(c, err)
		return
	}
	r, err := exceptionRules(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	f, ferr := s.Reports.Finding(c.Request.Context(), c.Param("id"), r)
	s.Write(c, http.StatusCreated, func(ctx context.Context) (any, int, error) {
		if ferr != nil {
			return nil, 0, ferr
		}
		out, err := s.Reports.Review(ctx, f, in)
		return out, 0, err
	})
}
