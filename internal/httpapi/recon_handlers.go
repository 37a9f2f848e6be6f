package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"renofund/internal/recon/reconcile"
	"renofund/internal/web"
)

func (s *Server) createBankAccount(ctx context.Context, in reconcile.AccountIn) (any, int, error) {
	a, err := s.Recon.CreateAccount(ctx, in)
	return a, 0, err
}

func (s *Server) matchManually(c *gin.Context) {
	var in reconcile.ManualIn
	if err := web.Decode(c, &in); err != nil {
		s.Fail(c, err)
		return
	}
	s.Write(c, http.StatusCreated, func(ctx context.Context) (any, int, error) {
		r, err := s.Recon.MatchManually(ctx, c.Param("id"), in)
		return r, 0, err
	})
}

func (s *Server) unmatch(c *gin.Context) {
	var in reconcile.UnmatchIn
	if err := web.Decode(c, &in); err != nil {
		s.Fail(c, err)
		return
	}
	s.Write(c, http.StatusOK, func(ctx context.Context) (any, int, error) {
		r, err := s.Recon.Unmatch(ctx, c.Param("id"), c.Param("match"), in)
		return r, 0, err
	})
}

// balanceStatement answers JSON or, with ?format=xlsx, the workbook
// (?format=csv: its first sheet).
func (s *Server) balanceStatement(c *gin.Context) {
	format, err := web.TableFormat(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	b, err := s.Recon.Statement(c.Request.Context(), c.Param("id"), c.Query("month"))
	if err != nil {
		s.Fail(c, err)
		return
	}
	web.SendDocument(c, format, "balance-statement-"+b.Reconciliation+"-"+b.Month, b)
}

// statementStep signs or reviews a balance statement for ?month=.
func (s *Server) statementStep(status int, step func(ctx context.Context, id, month string) (*reconcile.BalanceStatement, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, month := c.Param("id"), c.Query("month")
		s.Write(c, status, func(ctx context.Context) (any, int, error) {
			b, err := step(ctx, id, month)
			return b, 0, err
		})
	}
}
