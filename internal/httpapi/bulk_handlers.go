package httpapi

import (
	"context"

	"github.com/gin-gonic/gin"

	"renofund/funding/movement"
	"renofund/internal/ledger"
	"renofund/internal/ledger/batches"
	"renofund/internal/money"
	"renofund/internal/web"
)

type batchIn struct {
	Items []movement.BatchItem `json:"items"`
}

type batchItemOut struct {
	Index     int             `json:"index"`
	ID        string          `json:"id"`
	VoucherNo string          `json:"voucher_no"`
	Type      string          `json:"type"`
	Amount    money.Amount    `json:"amount"`
	Funding   []movement.Part `json:"funding"`
}

type batchOut struct {
	ID    string         `json:"id"`
	Count int            `json:"count"`
	Total money.Amount   `json:"total"`
	Items []batchItemOut `json:"items"`
}

// batch's idempotency record is a reference and a digest (see replayBatch).
func (s *Server) batch(ctx context.Context, in batchIn) (any, int, error) {
	id, ts, err := s.Movements.Batch(ctx, in.Items) // on an error, Write answers it and nothing else
	return web.Referenced{Body: batchAnswer(id, ts), Kind: "batch", Ref: batches.RefOf(id, ts)}, len(ts), err
}

func batchAnswer(id string, ts []*ledger.Transfer) batchOut {
	out := batchOut{ID: id, Count: len(ts), Items: make([]batchItemOut, len(ts))}
	for i, t := range ts {
		out.Items[i] = batchItemOut{Index: i, ID: t.ID, VoucherNo: t.VoucherNo, Type: t.Type, Amount: t.Amount, Funding: movement.FundingOf(t)}
		out.Total += t.Amount
	}
	return out
}

func (s *Server) replayBatch(ctx context.Context, ref []byte) (any, error) {
	id, ts, err := batches.Load(ctx, s.DB, ref)
	return batchAnswer(id, ts), err
}

func (s *Server) createPlan(ctx context.Context, in movement.PlanInput) (any, int, error) {
	p, err := s.Movements.CreatePlan(ctx, in)
	return p, 0, err
}

func (s *Server) executePlan(c *gin.Context) {
	id := c.Param("id")
	s.Write(c, 200, func(ctx context.Context) (any, int, error) {
		p, err := s.Movements.ExecutePlan(ctx, id)
		if err != nil {
			return nil, 0, err
		}
		return p, len(p.Transfers), nil
	})
}

func (s *Server) getPlan(c *gin.Context) {
	p, err := s.Movements.Plan(c.Request.Context(), c.Param("id"))
	web.Respond(s.Server, c, p, err)
}
