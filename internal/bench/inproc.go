package bench

import (
	"context"

	"renofund/funding/movement"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/ledger"
	"renofund/internal/money"
)

// inprocBatches submits batches by calling the movement service's batch
// operation directly, as the HTTP handler does after decoding the body and
// claiming the idempotency key: the figure is the service's own, without
// HTTP, JSON or the idempotency record.
type inprocBatches struct {
	svc  *app.Services
	size int
}

func inproc(svc *app.Services, size int) *inprocBatches {
	return &inprocBatches{svc: svc, size: size}
}

var benchActor = access.Actor{TokenID: "bench", Role: access.Finance, Name: "bench"}

// batch sends size receipts per call, spread over the funds.
func (b *inprocBatches) batch(funds []string) func(context.Context, int, int) (int, error) {
	payer := &movement.Party{Name: "bench"}
	return func(ctx context.Context, _, i int) (int, error) {
		items := make([]movement.BatchItem, b.size)
		for k := range items {
			items[k] = movement.BatchItem{Type: ledger.TypeReceipt, Fund: funds[(i*b.size+k)%len(funds)],
				Amount: money.Amount(100), ReceivedOn: "2026-06-01", Payer: payer}
		}
		_, ts, err := b.svc.Movements.Batch(access.With(ctx, benchActor), items)
		return len(ts), err
	}
}
