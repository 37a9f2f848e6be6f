package harness

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
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
// it. Once the contract is settled with retention outstanding, half of them
// pay out of the retention: a release to the contractor, or a repair by
// another company. In the sequential phase gate is the refusal the
// contract's position predicts (nil when the gates admit it).
func (w *worker) underContract(ctx context.Context, in *spendIn) (gate error, err error) {
	if in.actor != nil || in.funding != nil || in.force != "" || in.amount <= 0 || w.rng.IntN(4) != 0 ||
		in.staticRefusal(w.h.world, w.finance()) != nil {
		return nil, nil
	}
	if in.contract = w.contractFor(ctx, *in); in.contract == "" {
		return nil, nil
	}
	c, err := w.h.app.Movements.Works.Contract(access.With(ctx, access.System), in.contract)
	if err != nil {
		return nil, w.fail("contract %s: %v", in.contract, err)
	}
	pos := c.Position
	if out := int64(pos.RetentionOutstanding); out > 0 && w.rng.IntN(2) == 0 {
		in.retention, in.amount = true, w.upTo(out, 8)
		if w.rng.IntN(2) == 0 {
			p := w.payee()
			in.repairer = &p
		}
		switch {
		case in.amount > out:
			return works.ErrOverSettlement, nil
		case in.repairer == nil && in.date < pos.LiabilityEnds:
			return works.ErrRetentionHeld, nil
		}
		return nil, nil
	}
	switch {
	case pos.Paid+money.Amount(in.amount) <= pos.Limit:
		return nil, nil
	case c.Settlement != nil:
		return works.ErrOverSettlement, nil
	}
	return works.ErrOverProgressCeiling, nil
}

// contractGates are the gates' refusals, any of which a payment under a
// contract may meet when other workers pay under it, accept or settle it.
var contractGates = []error{works.ErrOverProgressCeiling, works.ErrOverSettlement, works.ErrRetentionHeld}

// reserveRefusal predicts the retention reserve's refusal of a payment that
// is not itself made out of retention: the project's holdings, all funds
// together, may not fall below the retention it holds.
func (w *worker) reserveRefusal(in spendIn, bal map[hkey]int64) error {
	if in.retention {
		return nil
	}
	held := w.h.model.reserved(in.project)
	if held <= 0 {
		return nil
	}
	var total int64
	for k, b := range bal {
		if k.Holder == "project:"+in.project {
			total += b
		}
	}
	if total-in.amount < held {
		return works.ErrRetentionHeld
	}
	return nil
}

// opWorks moves one of the harness's contracts along its cycle: acceptance
// with the owners' representatives present (sometimes first without them,
// refused), then settlement (refused below what the contract has paid plus
// its retention, or dated before the acceptance). Payments under contracts,
// retention included, are opSpend's.
func (w *worker) opWorks(ctx context.Context) (result, error) {
	cs := &w.h.contracts
	cs.mu.Lock()
	ids := slices.Sorted(maps.Values(cs.ids))
	cs.mu.Unlock()
	if len(ids) == 0 {
		return w.opSpend(ctx)
	}
	id := ids[w.rng.IntN(len(ids))]
	c, err := w.h.app.Movements.Works.Contract(access.With(ctx, access.System), id)
	if err != nil {
		return result{desc: "contract " + id}, w.fail("contract %s: %v", id, err)
	}
	fin := access.With(ctx, w.finance())
	switch {
	case c.Position.AcceptedOn == "":
		return w.accept(fin, c)
	case c.Settlement == nil:
		return w.settle(fin, c)
	}
	return w.opSpend(ctx)
}

func (w *worker) accept(ctx context.Context, c *works.Contract) (result, error) {
	a := works.Acceptance{AcceptedOn: w.date(), Result: works.Passed, OwnerReps: 1,
		Participants: []works.Participant{{Name: "业主代表 " + w.name, Role: "业主代表"}, {Name: "监理", Role: "监理"}}}
	var want error
	if w.rng.IntN(6) == 0 {
		a.OwnerReps, want = 0, errs.ErrRuleViolation // a pass needs the owners present
	}
	res := result{desc: fmt.Sprintf("accept contract %s on %s with %d owners' representatives", c.ID, a.AcceptedOn, a.OwnerReps)}
	_, err := w.h.app.Movements.Works.RecordAcceptance(ctx, c.ID, a)
	res.refused = err
	if e := w.judge(err, want, want == nil); e != nil { // another worker may pass it first: conflict
		return res, w.fail("%s: %v", res.desc, e)
	}
	return res, nil
}

func (w *worker) settle(ctx context.Context, c *works.Contract) (result, error) {
	paid := c.Position.Paid
	amount := paid + money.Amount(w.rng.Int64N(int64(c.Sum)/4+1))
	if w.rng.IntN(5) == 0 {
		amount = paid // its retention would leave less than is paid, unless none is
	}
	in := works.SettlementIn{Amount: amount, ReviewRef: "财评 " + w.name, SettledOn: w.date()}
	retention := amount.Mul(c.RetentionRate)
	res := result{desc: fmt.Sprintf("settle contract %s (paid %s) at %s on %s", c.ID, paid, amount, in.SettledOn)}
	var want error
	switch {
	case amount <= 0:
		want = errs.ErrInvalidAmount
	case in.SettledOn < c.Position.AcceptedOn:
		want = errs.ErrRuleViolation
	case amount-retention < paid:
		want = works.ErrOverSettlement
	}
	st, err := w.h.app.Movements.Works.Settle(ctx, c.ID, in)
	res.refused = err
	racy := want == nil || errors.Is(want, works.ErrOverSettlement) // others pay under it, or settle it first
	if e := w.judge(err, want, racy, works.ErrOverSettlement); e != nil {
		return res, w.fail("%s: %v", res.desc, e)
	}
	if err != nil {
		return res, nil
	}
	if st.Retention != retention {
		return res, w.fail("%s: retention %s, want %s", res.desc, st.Retention, retention)
	}
	m := w.h.model
	m.mu.Lock()
	m.retained[c.Project] += int64(st.Retention)
	m.mu.Unlock()
	return res, nil
}

// checkContracts holds every contract within its gates: payments, net of
// reversals, within the ceiling or the settlement less retention and never
// below zero; at most one passed acceptance; what was paid out of retention
// within it; and each project's outstanding retention as the model has it.
func (h *harness) checkContracts(ctx context.Context) error {
	h.contracts.mu.Lock()
	ids := slices.Sorted(maps.Values(h.contracts.ids))
	h.contracts.mu.Unlock()
	outstanding := map[string]int64{}
	for _, id := range ids {
		c, err := h.app.Movements.Works.Contract(access.With(ctx, access.System), id)
		if err != nil {
			return err
		}
		p := c.Position
		if p.Paid < 0 || p.Paid > p.Limit {
			return fmt.Errorf("contract %s of %s: paid %s, limit %s", id, c.Project, p.Paid, p.Limit)
		}
		passed := 0
		for _, a := range c.Acceptances {
			if a.Result == works.Passed {
				passed++
			}
		}
		if passed > 1 {
			return fmt.Errorf("contract %s of %s passed acceptance %d times", id, c.Project, passed)
		}
		if p.RetentionUsed < 0 || p.RetentionOutstanding < 0 {
			return fmt.Errorf("contract %s of %s: retention %s, used %s", id, c.Project, p.Retention, p.RetentionUsed)
		}
		outstanding[c.Project] += int64(p.RetentionOutstanding)
	}
	h.model.mu.Lock()
	defer h.model.mu.Unlock()
	for project, held := range h.model.retained {
		if outstanding[project] != held {
			return fmt.Errorf("project %s: retention outstanding %d fen, the model holds %d", project, outstanding[project], held)
		}
	}
	for project, held := range outstanding {
		if h.model.retained[project] != held {
			return fmt.Errorf("project %s: retention outstanding %d fen, the model holds %d", project, held, h.model.retained[project])
		}
	}
	return nil
}
