package harness

import (
	"context"
	"fmt"
	"slices"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/ledger/proof"
	"renofund/internal/money"
)

// Factor plans.

// planWeights are the year's factor weights: area 40%, households 30%,
// buildings 20%, communities 10%.
var planWeights = movement.PlanWeights{Area: money.MustRate("0.4"), Households: money.MustRate("0.3"),
	Buildings: money.MustRate("0.2"), Communities: money.MustRate("0.1")}

// recipient gives a holder below the plan's source its factor values: a
// project's own, or the sum over a district's projects.
func (wd *world) recipient(holder string) movement.PlanRecipient {
	r := movement.PlanRecipient{To: holder}
	var ps []*projectInfo
	if d := holderDistrict(holder); d != "" {
		ps = wd.projectsOf(d)
	} else if p := wd.project(holderProject(holder)); p != nil {
		ps = []*projectInfo{p}
	} else {
		ps = wd.projects[:1] // "city": as big as the first project
	}
	var area int64
	for _, p := range ps {
		area += p.AreaM2
		r.Households += p.Households
		r.Buildings += p.Buildings
		r.Communities++
	}
	r.AreaM2 = money.MustRate(fmt.Sprint(area))
	return r
}

func (w *worker) opPlan(ctx context.Context) (result, error) {
	wd := w.h.world
	in := movement.PlanInput{Weights: planWeights, Memo: "因素法分配 " + w.name}
	var to []string
	d := wd.districts[w.rng.IntN(len(wd.districts))]
	if w.rng.IntN(100) < 60 {
		in.Fund = w.pickFund(func(f *fundInfo) bool { return f.Holder == "city" }).Code
		in.From = "city"
		if w.rng.IntN(100) < 70 {
			for _, x := range wd.districts {
				to = append(to, "district:"+x)
			}
			to = to[:2+w.rng.IntN(2)]
		} else {
			for _, p := range wd.projects {
				if w.rng.IntN(2) == 0 || len(to) < 2 {
					to = append(to, "project:"+p.Code)
				}
			}
		}
	} else {
		in.Fund = w.pickFund(func(f *fundInfo) bool { return f.Holder == "city" || f.Holder == "district:"+d }).Code
		in.From = "district:" + d
		for _, p := range wd.projectsOf(d) {
			to = append(to, "project:"+p.Code)
		}
	}
	bad := w.rng.IntN(100) < 5
	if bad {
		// Not below the source: the city itself, or another district's project.
		if in.From == "city" {
			to = append(to, "city")
		} else {
			to = append(to, "project:P1")
			if d == "D1" {
				to[len(to)-1] = "project:P6"
			}
		}
	}
	for _, h := range to {
		in.Recipients = append(in.Recipients, wd.recipient(h))
	}
	in.Total = money.Amount(max(w.upTo(w.h.model.balance(hkey{in.Fund, in.From}), 10), 10_000_00))
	if w.rng.IntN(2) == 0 {
		in.AllocatedOn = w.date()
	}
	res := result{desc: fmt.Sprintf("plan %d fen of %s from %s to %v", in.Total, in.Fund, in.From, to)}
	var want error
	if bad {
		want = errs.ErrInvalidRequest
	}
	p, err := w.h.app.Movements.CreatePlan(access.With(ctx, w.finance()), in)
	res.refused = err
	if e := w.judge(err, want, false); e != nil {
		return res, w.fail("%s: %v", res.desc, e)
	}
	if err != nil {
		return res, nil
	}
	pr := &planRec{ID: p.ID, Fund: in.Fund, From: in.From, Total: int64(in.Total), Date: in.AllocatedOn, Status: "draft",
		CreatedBy: p.CreatedBy}
	var sum int64
	for i, sh := range p.Shares {
		if i >= len(to) || sh.To != to[i] || sh.Amount < 0 {
			return res, w.fail("%s: plan %s has shares %+v for recipients %v", res.desc, p.ID, p.Shares, to)
		}
		pr.Shares = append(pr.Shares, share{sh.To, int64(sh.Amount)})
		sum += int64(sh.Amount)
	}
	if len(p.Shares) != len(to) || sum != int64(in.Total) || p.Status != "draft" {
		return res, w.fail("%s: plan %s (%s) shares %+v sum to %d, want %d over %d recipients", res.desc, p.ID,
			p.Status, p.Shares, sum, in.Total, len(to))
	}
	m := w.h.model
	m.mu.Lock()
	m.plans = append(m.plans, pr)
	m.planByID[pr.ID] = pr
	m.mu.Unlock()
	res.desc += " → " + p.ID
	if err := w.settled(ctx); err != nil {
		return res, err
	}
	// Usually execute it now, sometimes twice, sometimes later (plan-again).
	switch r := w.rng.IntN(100); {
	case r < 70:
		return w.execute(ctx, *pr, res.desc)
	case r < 85:
		if res, err := w.execute(ctx, *pr, res.desc); err != nil || res.refused != nil {
			return res, err
		}
		if err := w.settled(ctx); err != nil {
			return res, err
		}
		return w.execute(ctx, *m.planByIDCopy(pr.ID), res.desc+" (again)")
	}
	return res, nil
}

func (w *worker) opPlanAgain(ctx context.Context) (result, error) {
	m := w.h.model
	m.mu.Lock()
	if len(m.plans) == 0 {
		m.mu.Unlock()
		return w.opPlan(ctx)
	}
	pr := *m.plans[w.rng.IntN(len(m.plans))]
	m.mu.Unlock()
	return w.execute(ctx, pr, fmt.Sprintf("execute plan %s (%s)", pr.ID, pr.Status))
}

// execute executes a plan (four eyes: as the worker's reviewer, or now and
// then as the worker's clerk, refused when the clerk computed it) and, when
// this call is the one that executed it, records its allocations.
func (w *worker) execute(ctx context.Context, pr planRec, desc string) (result, error) {
	res := result{desc: desc}
	var want error
	racy := pr.Status == "draft"
	a := w.reviewer()
	if w.rng.IntN(10) == 0 {
		a = w.finance()
	}
	switch {
	case racy && pr.CreatedBy == a.Label():
		want = access.ErrSamePerson
		res.desc += " by its creator"
	case racy && w.h.model.balance(hkey{pr.Fund, pr.From}) < pr.Total:
		want = funding.ErrInsufficientFunds
	case racy && w.h.model.arrives(pr.allocations()) >= 0:
		want = ledger.ErrBeforeArrival
	}
	p, err := w.h.app.Movements.ExecutePlan(access.With(ctx, a), pr.ID)
	res.refused = err
	if e := w.judge(err, want, racy); e != nil {
		return res, w.fail("%s: %v", desc, e)
	}
	if err != nil {
		return res, nil
	}
	var paying []share
	for _, sh := range pr.Shares {
		if sh.Amount > 0 {
			paying = append(paying, sh)
		}
	}
	if p.Status != "executed" || len(p.Transfers) != len(paying) {
		return res, w.fail("%s: plan is %q with %d transfers, want executed with %d", desc, p.Status, len(p.Transfers), len(paying))
	}
	m := w.h.model
	m.mu.Lock()
	cur := m.planByID[pr.ID]
	mine := cur.Status == "draft" && p.ExecutedBy == a.Label()
	if mine {
		cur.Status = "executed" // claimed under the lock: no other worker records it
	}
	m.mu.Unlock()
	if w.exact && !mine && pr.Status == "draft" {
		return res, w.fail("%s: executed by %q, not by this call", desc, p.ExecutedBy)
	}
	if !mine {
		return res, nil
	}
	var recs []*rec
	for _, id := range p.Transfers {
		t, err := w.h.ledger.Get(ctx, id)
		if err != nil {
			return res, w.fail("%s: read transfer %s: %v", desc, id, err)
		}
		i := slices.IndexFunc(paying, func(s share) bool { return s.To == t.To })
		if i < 0 || t.PlanID != pr.ID {
			return res, w.fail("%s: transfer %s to %s (plan %q) is not one of the shares %v", desc, id, t.To, t.PlanID, paying)
		}
		if t.PreparedBy != pr.CreatedBy || t.ApprovedBy != a.Label() {
			return res, w.fail("%s: transfer %s prepared by %q, approved by %q; want the plan's creator %q and executor %q",
				desc, id, t.PreparedBy, t.ApprovedBy, pr.CreatedBy, a.Label())
		}
		sh := paying[i]
		booked := today
		if d := p.Inputs.AllocatedOn; d != "" {
			booked = d
		}
		toD, _, _ := w.h.world.holderDistrict(sh.To)
		r, e := expectTransfer(t, ledger.TypeAllocation, booked, sh.Amount, toD,
			[]post{{pr.Fund, pr.From, -sh.Amount}, {pr.Fund, sh.To, sh.Amount}})
		if e != nil {
			return res, w.fail("%s: %v", desc, e)
		}
		recs = append(recs, r)
	}
	m.add(recs...)
	return res, nil
}

// allocations are the transfers executing the plan posts.
func (pr planRec) allocations() []dated {
	var ds []dated
	for _, sh := range pr.Shares {
		if sh.Amount > 0 {
			ds = append(ds, dated{bookedDate(pr.Date), []post{{pr.Fund, pr.From, -sh.Amount}, {pr.Fund, sh.To, sh.Amount}}})
		}
	}
	return ds
}

// Checkpoints.

// opCheckpoint seals the chain heads; concurrent workers may seal at once
// (see TestCheckpointsConcurrently).
func (w *worker) opCheckpoint(ctx context.Context) (result, error) {
	res := result{desc: "checkpoint"}
	cp, err := proof.New(w.h.ledger.DB()).Checkpoint(access.With(ctx, w.finance()))
	res.refused = err
	if err != nil {
		return res, w.fail("checkpoint: %v", err)
	}
	m := w.h.model
	m.mu.Lock()
	m.checkpts++
	m.mu.Unlock()
	res.desc = fmt.Sprintf("checkpoint %d", cp.Seq)
	return res, nil
}
