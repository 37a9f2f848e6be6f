package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/ledger"
	"renofund/internal/ledger/proof"
	"renofund/internal/web"
)

func (s *Server) createDistrict(ctx context.Context, in districtIn) (any, int, error) {
	d, err := s.Registry.CreateDistrict(ctx, funding.District{Code: in.Code, Name: in.Name})
	return d, 0, err
}

func (s *Server) createProject(ctx context.Context, in projectIn) (any, int, error) {
	p, err := s.Registry.CreateProject(ctx, funding.Project{
		Code: in.Code, Name: in.Name, District: in.District, Households: in.Households,
		FloorAreaM2: in.FloorAreaM2, Buildings: in.Buildings, BuiltYear: in.BuiltYear, PlanYear: in.PlanYear, Budget: in.Budget,
	})
	return p, 0, err
}

func (s *Server) getProject(c *gin.Context) {
	p, err := s.Registry.Project(c.Request.Context(), c.Param("code"))
	web.Respond(s.Server, c, p, err)
}

func (s *Server) createFund(ctx context.Context, in fundIn) (any, int, error) {
	f, err := s.Registry.CreateFund(ctx, funding.Fund{
		Code: in.Code, Kind: in.Kind, Name: in.Name, Holder: in.Holder, FiscalYear: in.FiscalYear,
		DocumentNo: in.DocumentNo, BudgetSubject: in.BudgetSubject, Direct: in.Direct,
		EligibleCategories: in.EligibleCategories, ExpiresOn: in.ExpiresOn, Repayable: in.Repayable, Vote: in.Vote,
	})
	return f, 0, err
}

func (s *Server) getFund(c *gin.Context) {
	w, err := queryWindow(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	v, err := s.Reports.FundView(c.Request.Context(), c.Param("code"), w)
	web.Respond(s.Server, c, v, err)
}

func (s *Server) receive(c *gin.Context) {
	var in movement.Receipt
	if err := web.Decode(c, &in); err != nil {
		s.Fail(c, err)
		return
	}
	in.Fund = c.Param("code")
	s.Write(c, http.StatusCreated, func(ctx context.Context) (any, int, error) {
		return posted(s.Movements.Receive(web.Deferred(ctx), in))
	})
}

func (s *Server) allocate(ctx context.Context, in movement.Allocation) (any, int, error) {
	return posted(s.Movements.Allocate(web.Deferred(ctx), in))
}

// spend pays, or files a payment that needs a second person (202).
func (s *Server) spend(ctx context.Context, in movement.Expenditure) (any, int, error) {
	t, r, err := s.Movements.Pay(ctx, in)
	if r != nil {
		return web.WithStatus{Code: http.StatusAccepted, Body: r}, 0, nil
	}
	return posted(t, err)
}

type rejectIn struct {
	Note string `json:"note"`
}

// approvePayment pays a pending request; the answer is the request with the
// transfer it made.
func (s *Server) approvePayment(c *gin.Context) {
	id := c.Param("id")
	s.Write(c, http.StatusCreated, func(ctx context.Context) (any, int, error) {
		r, t, err := s.Movements.Approve(ctx, id)
		if err != nil {
			return nil, 0, err
		}
		return approvedPayment{PaymentRequest: r, Transfer: toTransfer(t)}, 1, nil
	})
}

type approvedPayment struct {
	*movement.PaymentRequest
	Transfer transferDTO `json:"transfer"`
}

func (s *Server) rejectPayment(c *gin.Context) {
	var in rejectIn
	if err := web.Decode(c, &in); err != nil {
		s.Fail(c, err)
		return
	}
	id := c.Param("id")
	s.Write(c, http.StatusOK, func(ctx context.Context) (any, int, error) {
		r, err := s.Movements.Reject(ctx, id, in.Note)
		return r, 0, err
	})
}

func (s *Server) reverse(c *gin.Context) {
	var in reversalIn
	if err := web.Decode(c, &in); err != nil {
		s.Fail(c, err)
		return
	}
	id := c.Param("id")
	s.Write(c, http.StatusCreated, func(ctx context.Context) (any, int, error) {
		return posted(s.Movements.Reverse(ctx, id, in.Reason))
	})
}

func posted(t *ledger.Transfer, err error) (any, int, error) {
	if err != nil {
		return nil, 0, err
	}
	return web.Later(func() any { return toTransfer(t) }), 1, nil
}

func (s *Server) getTransfer(c *gin.Context) {
	t, err := s.Reports.Transfer(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.Fail(c, err)
		return
	}
	web.SendJSON(c, http.StatusOK, toTransfer(t))
}

func (s *Server) projectFunding(c *gin.Context) {
	w, err := queryWindow(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	v, err := s.Reports.ProjectFunding(c.Request.Context(), c.Param("code"), w)
	if err != nil {
		s.Fail(c, err)
		return
	}
	t, err := s.Tax.Project(c.Request.Context(), c.Param("code"))
	web.Respond(s.Server, c, projectFundingView{ProjectFunding: v, TaxExpenditure: t.Total}, err)
}

func (s *Server) verify(c *gin.Context) {
	r, err := s.Proof.Verify(c.Request.Context(), proof.ModeOf(c.Query("full")))
	web.Respond(s.Server, c, r, err)
}
