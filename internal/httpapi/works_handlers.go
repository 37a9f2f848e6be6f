package httpapi

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"renofund/funding/movement"
	"renofund/funding/works"
	"renofund/internal/money"
	"renofund/internal/web"
)

// releaseIn is the body of POST /v1/contracts/{id}/retention-release: the
// amount (the whole retention outstanding when absent) and the payment date.
type releaseIn struct {
	Amount     *money.Amount `json:"amount,omitempty"`
	ReleasedOn string        `json:"released_on"`
	Purpose    string        `json:"purpose,omitempty"`
}

func (s *Server) listPayees(c *gin.Context, after string, limit int) ([]works.Payee, error) {
	return s.Works.Payees(c.Request.Context(), works.PayeeFilter{CreditCode: c.Query("credit_code"), After: after, Limit: limit})
}

func (s *Server) createPayee(ctx context.Context, in works.Payee) (any, int, error) {
	p, err := s.Works.CreatePayee(ctx, in)
	return p, 0, err
}

func (s *Server) listContracts(c *gin.Context, after string, limit int) ([]*works.Contract, error) {
	return s.Works.Contracts(c.Request.Context(), c.Param("code"), after, limit)
}

// onParam decodes a body into In and runs a state-changing call on the
// object the path parameter param names, answering status.
func onParam[In, Out any](s *Server, param string, status int, fn func(ctx context.Context, key string, in In) (Out, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in In
		if err := web.Decode(c, &in); err != nil {
			s.Fail(c, err)
			return
		}
		key := c.Param(param)
		s.Write(c, status, func(ctx context.Context) (any, int, error) {
			out, err := fn(ctx, key, in)
			return out, 0, err
		})
	}
}

func (s *Server) getContract(c *gin.Context) {
	ct, err := s.Works.Contract(c.Request.Context(), c.Param("id"))
	web.Respond(s.Server, c, ct, err)
}

// releaseRetention pays the contractor what is outstanding of its retention
// (or the amount given), as an expenditure out of retention; the gates
// refuse it before the defect-liability period ends.
func (s *Server) releaseRetention(c *gin.Context) {
	var in releaseIn
	if err := web.Decode(c, &in); err != nil {
		s.Fail(c, err)
		return
	}
	id := c.Param("id")
	s.Write(c, http.StatusCreated, func(ctx context.Context) (any, int, error) {
		ct, err := s.Works.Contract(ctx, id)
		if err != nil {
			return nil, 0, err
		}
		e := movement.Expenditure{Project: ct.Project, Contract: ct.ID, Retention: true, PaidOn: in.ReleasedOn,
			Amount: ct.Position.RetentionOutstanding, Purpose: in.Purpose}
		if e.Purpose == "" {
			e.Purpose = "质保金退还 quality retention released"
		}
		if in.Amount != nil {
			e.Amount = *in.Amount
		} else if e.Amount <= 0 {
			return nil, 0, fmt.Errorf("%w: contract %s has no retention outstanding", works.ErrOverSettlement, ct.ID)
		}
		return s.spend(ctx, e)
	})
}

func (s *Server) finalAccounts(c *gin.Context) {
	format, err := web.TableFormat(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	fa, err := s.Works.FinalAccounts(c.Request.Context(), c.Param("code"))
	if err != nil {
		s.Fail(c, err)
		return
	}
	if format != web.AsJSON {
		web.WriteTable(c, format, "final-accounts-"+fa.Project, fa.Lines())
		return
	}
	web.SendJSON(c, http.StatusOK, fa)
}

// closedProject is the answer to closing a project: its final accounts and
// the transfers that returned its remainders.
type closedProject struct {
	*works.FinalAccounts
	Returns []transferDTO `json:"returns"`
}

func (s *Server) closeProject(c *gin.Context) {
	var in works.CloseIn
	if err := web.Decode(c, &in); err != nil {
		s.Fail(c, err)
		return
	}
	code := c.Param("code")
	s.Write(c, http.StatusOK, func(ctx context.Context) (any, int, error) {
		fa, ts, err := s.Works.Close(ctx, code, in)
		if err != nil {
			return nil, 0, err
		}
		out := closedProject{FinalAccounts: fa, Returns: []transferDTO{}}
		for _, t := range ts {
			out.Returns = append(out.Returns, toTransfer(t))
		}
		return out, len(ts), nil
	})
}
