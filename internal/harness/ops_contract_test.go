package harness

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"renofund/funding/works"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/money"
)

// Works contracts: some automatically attributed payments by the bureau are
// made under a contract of their project and category, whose progress
// ceiling the service enforces under the contract's lock. The sequential
// phase predicts the ceiling's refusal from the contract's position; the
// concurrent phase allows it; checkContracts holds every contract's
// payments within its ceiling.

// contracts are the harness's contracts, one per project and category,
// created when first needed.
type contracts struct {
	mu    sync.Mutex
	payee string            // the registered payee every contract pays
	ids   map[string]string // project/category → contract id
}

// contractFor returns the contract of in's project and category, creating
// it (and the payee) the first time; "" when the service refused to (an
// injected fault), in which case the payment is made without one.
func (w *worker) contractFor(ctx context.Context, in spendIn) string {
	cs := &w.h.contracts
	cs.mu.Lock()
	defer cs.mu.Unlock()
	key := in.project + "/" + in.category
	if id, ok := cs.ids[key]; ok {
		return id
	}
	fin := access.With(ctx, access.System)
	if cs.payee == "" {
		p, err := w.h.app.Movements.Works.CreatePayee(fin, works.Payee{Name: "总包单位", CreditCode: creditCode(999),
			BankAccount: "6217000000000999"})
		if errors.Is(err, errs.ErrConflict) {
			ps, lerr := w.h.app.Movements.Works.Payees(fin, works.PayeeFilter{CreditCode: creditCode(999), Limit: 1})
			if lerr != nil || len(ps) == 0 {
				return ""
			}
			cs.payee = ps[0].ID
		} else if err != nil {
			return ""
		} else {
			cs.payee = p.ID
		}
	}
	sum := money.Amount(w.upTo(2_000_000_00, 1) + 1)
	c, err := w.h.app.Movements.Works.CreateContract(fin, in.project, works.ContractIn{Payee: cs.payee,
		Category: in.category, Sum: sum, SignedOn: "2000-01-03"})
	if err != nil {
		return ""
	}
	if cs.ids == nil {
		cs.ids = map[string]string{}
	}
	cs.ids[key] = c.ID
	return c.ID
}

// underContract decides whether in is paid under a contract: only a
// bureau's automatically attributed, unforced payment that no static rule
// refuses, so that the contract's gate is the first thing that can refuse
// it. In the sequential phase gate is the refusal the contract's position
// predicts (nil when it fits under the ceiling).
func (w *worker) underContract(ctx context.Context, in *spendIn) (gate error, err error) {
	if in.actor != nil || in.funding != nil || in.force != "" || in.amount <= 0 || w.rng.IntN(4) != 0 ||
		in.staticRefusal(w.h.world, w.finance()) != nil {
		return nil, nil
	}
	if in.contract = w.contractFor(ctx, *in); in.contract == "" || !w.exact {
		return nil, nil
	}
	c, err := w.h.app.Movements.Works.Contract(access.With(ctx, access.System), in.contract)
	if err != nil {
		return nil, w.fail("contract %s: %v", in.contract, err)
	}
	if c.Position.Paid+money.Amount(in.amount) > c.Position.Limit {
		return works.ErrOverProgressCeiling, nil
	}
	return nil, nil
}

// checkContracts holds every contract's payments, net of reversals, within
// its ceiling and never below zero.
func (h *harness) checkContracts(ctx context.Context) error {
	h.contracts.mu.Lock()
	ids := make([]string, 0, len(h.contracts.ids))
	for _, id := range h.contracts.ids {
		ids = append(ids, id)
	}
	h.contracts.mu.Unlock()
	for _, id := range ids {
		c, err := h.app.Movements.Works.Contract(access.With(ctx, access.System), id)
		if err != nil {
			return err
		}
		if p := c.Position; p.Paid < 0 || p.Paid > p.Limit {
			return fmt.Errorf("contract %s of %s: paid %s, limit %s", id, c.Project, p.Paid, p.Limit)
		}
	}
	return nil
}
