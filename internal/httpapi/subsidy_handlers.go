package httpapi

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"renofund/internal/errs"
	"renofund/internal/money"
	"renofund/internal/web"
	"renofund/subsidy"
	"renofund/subsidy/clawback"
)

type managerIn struct {
	Name        string `json:"name"`
	CreditCode  string `json:"credit_code"`
	BankAccount string `json:"bank_account"`
	From        string `json:"from,omitempty"` // first day of the contract; absent: today, or since the start for a first contract
	To          string `json:"to,omitempty"`   // last day; absent: open-ended
}

type settleIn struct {
	SettledOn string `json:"settled_on"`
	Note      string `json:"note,omitempty"`
}

type schemeIn struct {
	Code      string           `json:"code"`
	Name      string           `json:"name"`
	Fund      string           `json:"fund"`
	Holder    string           `json:"holder,omitempty"`
	Basis     string           `json:"basis"`
	Rate      money.Rate       `json:"rate"`
	Period    string           `json:"period"`
	Bands     []subsidy.Band   `json:"bands"`
	Formula   *subsidy.Formula `json:"formula,omitempty"`
	Cap       *money.Amount    `json:"cap,omitempty"`
	Category  string           `json:"category,omitempty"`
	ValidFrom string           `json:"valid_from"`
	ValidTo   string           `json:"valid_to,omitempty"`
	Schedule  string           `json:"schedule,omitempty"`
}

type ratingIn struct {
	Project    string                   `json:"project"`
	Period     string                   `json:"period"`
	Score      *subsidy.Score           `json:"score"`
	Components map[string]subsidy.Score `json:"components,omitempty"`
	Assessors  []string                 `json:"assessors,omitempty"`
	OwnerReps  int                      `json:"owner_reps,omitempty"`
}

type runIn struct {
	Scheme string `json:"scheme"`
	Period string `json:"period"`
}

func (s *Server) setManager(ctx context.Context, code string, in managerIn) (any, error) {
	return s.Subsidy.SetPropertyManager(ctx, code, subsidy.PropertyManager{Name: in.Name, CreditCode: in.CreditCode,
		BankAccount: in.BankAccount, From: in.From, To: in.To})
}

func (s *Server) getManager(c *gin.Context) {
	m, err := s.Subsidy.Management(c.Request.Context(), c.Param("code"))
	web.Respond(s.Server, c, m, err)
}

func (s *Server) settleClawback(ctx context.Context, id string, in settleIn) (any, error) {
	return s.Clawbacks.Settle(ctx, id, clawback.Settlement{SettledOn: in.SettledOn, Note: in.Note})
}

func (s *Server) createScheme(ctx context.Context, in schemeIn) (any, int, error) {
	sc, err := s.Subsidy.CreateScheme(ctx, subsidy.Scheme{Code: in.Code, Name: in.Name, Fund: in.Fund, Holder: in.Holder,
		Basis: in.Basis, Rate: in.Rate, Period: in.Period, Bands: in.Bands, Formula: in.Formula, Cap: in.Cap,
		Category: in.Category, ValidFrom: in.ValidFrom, ValidTo: in.ValidTo, Schedule: in.Schedule})
	return sc, 0, err
}

func (s *Server) getScheme(c *gin.Context) {
	vs, err := s.Subsidy.SchemeVersions(c.Request.Context(), c.Param("code"))
	web.Respond(s.Server, c, gin.H{"versions": vs}, err)
}

func (s *Server) rate(ctx context.Context, in ratingIn) (any, int, error) {
	r, err := s.Subsidy.RecordRating(ctx, subsidy.Rating{Project: in.Project, Period: in.Period, Score: in.Score,
		Components: in.Components, Assessors: in.Assessors, OwnerReps: in.OwnerReps})
	return r, 0, err
}

func (s *Server) createRun(ctx context.Context, in runIn) (any, int, error) {
	r, err := s.Subsidy.CreateRun(ctx, in.Scheme, in.Period)
	return r, 0, err
}

func (s *Server) runAction(action func(ctx context.Context, id string) (*subsidy.Run, error), counts bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.Param("id")
		s.Write(c, http.StatusOK, func(ctx context.Context) (any, int, error) {
			r, err := action(ctx, id)
			if err != nil || !counts {
				return r, 0, err
			}
			n := 0
			for _, l := range r.Lines {
				if l.Amount > 0 && r.Status == subsidy.Paid {
					n++
				}
			}
			return r, n, nil
		})
	}
}

func (s *Server) getRun(c *gin.Context) {
	format := c.Query("format")
	if format != "" && format != web.AsJSON && format != web.AsCSV {
		s.Fail(c, fmt.Errorf("%w: format must be json or csv (the payment list), got %q", errs.ErrInvalidRequest, format))
		return
	}
	r, err := s.Subsidy.Run(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.Fail(c, err)
		return
	}
	if format == web.AsCSV {
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", `attachment; filename="subsidy-run-`+r.ID+`.csv"`)
		c.Status(http.StatusOK)
		if err := r.WriteCSV(c.Writer); err != nil {
			s.Log.Error("run csv", "err", err)
		}
		return
	}
	web.SendJSON(c, http.StatusOK, r)
}
