package harness

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
)

// batchItem is one item of a batch: a receipt, an allocation, an
// expenditure, or (to provoke a refusal) an item of an unknown type.
type batchItem struct {
	kind string // ledger.TypeReceipt, ledger.TypeAllocation, ledger.TypeExpenditure or "gift"
	r    receiptIn
	a    allocIn
	s    spendIn
}

func (it batchItem) String() string {
	switch it.kind {
	case ledger.TypeReceipt:
		return it.r.String()
	case ledger.TypeAllocation:
		return it.a.String()
	case ledger.TypeExpenditure:
		return it.s.String()
	}
	return it.kind
}

func (it batchItem) request(payee movement.Party, purpose string) movement.BatchItem {
	switch it.kind {
	case ledger.TypeReceipt:
		return movement.BatchItem{Type: it.kind, Fund: it.r.fund, Amount: money.Amount(it.r.amount), ReceivedOn: it.r.date,
			Payer: &movement.Party{Name: "居民出资 " + it.r.date}}
	case ledger.TypeAllocation:
		return movement.BatchItem{Type: it.kind, Fund: it.a.fund, From: it.a.from, To: it.a.to,
			Amount: money.Amount(it.a.amount), AllocatedOn: it.a.date}
	case ledger.TypeExpenditure:
		e := it.s.request(payee, purpose)
		return movement.BatchItem{Type: it.kind, Project: e.Project, Category: e.Category, Amount: e.Amount,
			Payee: &e.Payee, PaidOn: e.PaidOn, Purpose: e.Purpose, Funding: e.Funding}
	}
	return movement.BatchItem{Type: it.kind, Amount: 100}
}

// staticRefusal is the item's refusal that does not depend on balances.
func (it batchItem) staticRefusal(wd *world, a access.Actor) error {
	switch it.kind {
	case ledger.TypeReceipt:
		return it.r.refusal(wd, a)
	case ledger.TypeAllocation:
		return it.a.staticRefusal(wd, a)
	case ledger.TypeExpenditure:
		return it.s.staticRefusal(wd, a)
	}
	return errs.ErrInvalidRequest
}

func (w *worker) newBatch() []batchItem {
	if w.rng.IntN(100) < 30 {
		return w.newChain()
	}
	n := 1 + w.rng.IntN(6)
	items := make([]batchItem, n)
	for i := range items {
		switch r := w.rng.IntN(10); {
		case r < 3:
			items[i] = batchItem{kind: ledger.TypeReceipt, r: w.newReceipt()}
			items[i].r.actor = nil
		case r < 6:
			items[i] = batchItem{kind: ledger.TypeAllocation, a: w.newAllocation()}
			items[i].a.actor = nil
		default:
			items[i] = batchItem{kind: ledger.TypeExpenditure, s: w.newSpend()}
			items[i].s.actor, items[i].s.force = nil, ""
		}
	}
	if w.rng.IntN(100) < 12 {
		i := w.rng.IntN(n)
		switch w.rng.IntN(3) {
		case 0:
			items[i] = batchItem{kind: ledger.TypeReceipt, r: receiptIn{fund: "F-CTY", amount: 0, date: w.date()}}
		case 1:
			items[i] = batchItem{kind: "gift"}
		default:
			s := w.newSpend()
			s.actor, s.force, s.category = nil, "", funding.Upgrade
			s.funding = []part{{"F-BND", 100}} // pays for basic only
			s.amount = 100
			items[i] = batchItem{kind: ledger.TypeExpenditure, s: s}
		}
	}
	return items
}

// newChain makes a batch whose items feed each other: money received at
// the city, allocated to a district, on to one of its projects, and spent
// there by automatic attribution, which must see the balances the earlier
// items leave.
func (w *worker) newChain() []batchItem {
	f := w.pickFund(func(f *fundInfo) bool { return f.Holder == "city" })
	p := w.pickProject()
	amt := w.rng.Int64N(200_000_00) + 1
	date := w.date()
	cat := f.Cats[w.rng.IntN(len(f.Cats))]
	items := []batchItem{
		{kind: ledger.TypeReceipt, r: receiptIn{fund: f.Code, amount: amt, date: date}},
		{kind: ledger.TypeAllocation, a: allocIn{fund: f.Code, from: "city", to: "district:" + p.District, amount: amt}},
		{kind: ledger.TypeAllocation, a: allocIn{fund: f.Code, from: "district:" + p.District, to: "project:" + p.Code,
			amount: amt - w.rng.Int64N(amt)}},
		{kind: ledger.TypeExpenditure, s: spendIn{project: p.Code, category: cat, date: w.date(),
			amount: w.rng.Int64N(amt) + 1}},
	}
	if w.rng.IntN(3) == 0 {
		// Spend more than the chain brought: the project's other money, or a refusal.
		items[3].s.amount += w.rng.Int64N(50_000_00)
	}
	return items
}

// batchPrediction is what a batch should do: refuse at item index with
// want, or post the given postings per item.
type batchPrediction struct {
	index int // of the refused item, -1 when it should succeed
	want  error
	racy  bool
	posts [][]post
	parts [][]part // expenditure splits, per item
	// static lists every item's refusal that does not depend on balances:
	// under concurrency an automatic split predicted short may succeed,
	// and a later item's refusal is then the answer.
	static []error
}

// predictBatch mirrors the batch's two passes: first every item is built in
// order (validation, scoping, and automatic attribution over the project
// balances as the earlier items leave them), then the ledger checks every
// posting against the running balances.
func (w *worker) predictBatch(items []batchItem, a access.Actor) batchPrediction {
	wd := w.h.world
	bal := w.h.model.balances()
	view := maps.Clone(bal)
	pr := batchPrediction{index: -1}
	for _, it := range items {
		if err := it.staticRefusal(wd, a); err != nil {
			pr.static = append(pr.static, err)
		} else if it.kind == ledger.TypeExpenditure && w.needsApproval(it.s) {
			pr.static = append(pr.static, movement.ErrApprovalRequired)
		}
	}
	for i, it := range items {
		var err error
		var posts []post
		var parts []part
		switch it.kind {
		case ledger.TypeReceipt:
			if err = it.r.refusal(wd, a); err == nil {
				posts = it.r.posts(wd)
			}
		case ledger.TypeAllocation:
			if err = it.a.staticRefusal(wd, a); err == nil {
				posts = it.a.posts()
			}
		case ledger.TypeExpenditure:
			if err = it.s.staticRefusal(wd, a); err == nil {
				parts = it.s.funding
				if parts == nil {
					pr.racy = true
					var ok bool
					if parts, ok = wd.split(view, it.s); !ok {
						err = funding.ErrInsufficientFunds
					}
				}
				if err == nil {
					err = w.reserveRefusal(it.s, view)
				}
				if err == nil && w.needsApproval(it.s) {
					// A batch cannot file a payment for a second person.
					err = movement.ErrApprovalRequired
				}
				posts = it.s.posts(parts)
			}
		default:
			err = errs.ErrInvalidRequest
		}
		if err != nil {
			pr.index, pr.want = i, err
			return pr
		}
		for _, p := range posts {
			view[hkey{p.Fund, p.Holder}] += p.Amount
		}
		pr.posts = append(pr.posts, posts)
		pr.parts = append(pr.parts, parts)
	}
	pr.racy = true
	run := maps.Clone(bal)
	for i, posts := range pr.posts {
		for _, p := range posts {
			if p.Holder == ledger.External {
				continue
			}
			k := hkey{p.Fund, p.Holder}
			if run[k]+p.Amount < 0 {
				pr.index, pr.want = i, funding.ErrInsufficientFunds
				return pr
			}
			run[k] += p.Amount
		}
	}
	ds := make([]dated, len(items))
	for i, it := range items {
		ds[i] = dated{it.date(), pr.posts[i]}
	}
	if i := w.h.model.arrives(ds); i >= 0 {
		pr.index, pr.want = i, ledger.ErrBeforeArrival
	}
	return pr
}

// date is the item's booking date.
func (it batchItem) date() string {
	switch it.kind {
	case ledger.TypeReceipt:
		return it.r.date
	case ledger.TypeAllocation:
		return bookedDate(it.a.date)
	}
	return it.s.date
}

func (w *worker) opBatch(ctx context.Context) (result, error) {
	items := w.newBatch()
	var actor *access.Actor
	if w.rng.IntN(100) < 6 {
		actor = w.someDistrict()
	}
	a := w.actor(actor)
	descs := make([]string, len(items))
	for i, it := range items {
		descs[i] = it.String()
	}
	res := result{desc: fmt.Sprintf("batch%s [%s]", actorSuffix(actor), strings.Join(descs, "; "))}
	pr := w.predictBatch(items, a)
	req := make([]movement.BatchItem, len(items))
	for i, it := range items {
		req[i] = it.request(w.payee(), "批量支付 "+w.name)
	}
	id, ts, err := w.h.app.Movements.Batch(access.With(ctx, a), req)
	res.refused = err
	racy, also := pr.racy, pr.static
	var funds []string
	for _, it := range items {
		funds = append(append(funds, it.r.fund, it.a.fund), it.s.funds()...)
	}
	if w.unsure(a, funds...) {
		racy, also = true, append(also, visibilityRefusals...)
	}
	if e := w.judge(err, pr.want, racy, also...); e != nil {
		return res, w.fail("%s: %v", res.desc, e)
	}
	if err != nil {
		// The refusal names the item at fault.
		if w.exact && len(items) > 1 && !strings.HasPrefix(err.Error(), fmt.Sprintf("items[%d]: ", pr.index)) {
			return res, w.fail("%s: refusal %q does not name items[%d]", res.desc, err, pr.index)
		}
		return res, nil
	}
	if len(ts) != len(items) {
		return res, w.fail("%s: %d transfers for %d items", res.desc, len(ts), len(items))
	}
	var recs []*rec
	for i, it := range items {
		var r *rec
		var e error
		t := ts[i]
		switch it.kind {
		case ledger.TypeReceipt:
			r, e = expectTransfer(t, it.kind, it.r.date, it.r.amount, w.h.world.fund(it.r.fund).District, it.r.posts(w.h.world))
		case ledger.TypeAllocation:
			toD, _, _ := w.h.world.holderDistrict(it.a.to)
			r, e = expectTransfer(t, it.kind, it.a.booked(), it.a.amount, toD, it.a.posts())
		case ledger.TypeExpenditure:
			var parts []part // the predicted split; under concurrency the prediction may have stopped short
			if i < len(pr.parts) {
				parts = pr.parts[i]
			}
			r, e = w.expectSpend(it.s, t, parts)
		default:
			e = errors.New("an item of unknown type was posted")
		}
		if e == nil && t.BatchID != id {
			e = fmt.Errorf("transfer %s has batch %q, want %q", t.ID, t.BatchID, id)
		}
		if e != nil {
			return res, w.fail("%s: items[%d]: %v", res.desc, i, e)
		}
		recs = append(recs, r)
	}
	w.h.model.add(recs...)
	return res, nil
}
