package harness

import (
	"context"
	"fmt"
	"strings"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
)

// Receipts.

type receiptIn struct {
	fund   string
	amount int64
	date   string
	actor  *access.Actor
}

func (in receiptIn) String() string {
	return fmt.Sprintf("receive %d fen into %s on %s%s", in.amount, in.fund, in.date, actorSuffix(in.actor))
}

func actorSuffix(a *access.Actor) string {
	if a == nil {
		return ""
	}
	return " as " + a.Label()
}

func (w *worker) newReceipt() receiptIn {
	in := receiptIn{fund: w.pickFund(nil).Code, amount: w.rng.Int64N(800_000_00) + 1, date: w.date()}
	switch r := w.rng.IntN(100); {
	case r < 3:
		in.amount = 0
	case r < 5:
		in.fund = "F-NONE"
	case r < 12:
		in.actor = w.someDistrict()
	}
	return in
}

// refusal predicts the refusal of a receipt; receipts do not depend on
// balances, so it is never racy.
func (in receiptIn) refusal(wd *world, a access.Actor) error {
	if in.amount <= 0 {
		return errs.ErrInvalidAmount
	}
	f := wd.fund(in.fund)
	if f == nil || !wd.sees(a, f) {
		return errs.ErrNotFound
	}
	if !a.Writes(f.District) {
		return errs.ErrForbidden
	}
	return nil
}

// posts is what a receipt posts.
func (in receiptIn) posts(wd *world) []post {
	f := wd.fund(in.fund)
	return []post{{f.Code, f.Holder, in.amount}, {f.Code, ledger.External, -in.amount}}
}

func (w *worker) opReceipt(ctx context.Context) (result, error) {
	return w.receive(ctx, w.newReceipt())
}

func (w *worker) receive(ctx context.Context, in receiptIn) (result, error) {
	a := w.actor(in.actor)
	res := result{desc: in.String()}
	t, err := w.h.app.Movements.Receive(access.With(ctx, a), movement.Receipt{Fund: in.fund, Amount: money.Amount(in.amount),
		ReceivedOn: in.date, Payer: movement.Party{Name: "连云港市财政局"}, Reference: w.name})
	res.refused = err
	if e := w.judge(err, in.refusal(w.h.world, a), w.unsure(a, in.fund), visibilityRefusals...); e != nil {
		return res, w.fail("%s: %v", in, e)
	}
	if err != nil {
		return res, nil
	}
	r, e := expectTransfer(t, ledger.TypeReceipt, in.date, in.amount, w.h.world.fund(in.fund).District, in.posts(w.h.world))
	if e != nil {
		return res, w.fail("%s: %v", in, e)
	}
	w.h.model.add(r)
	return res, nil
}

// Allocations.

type allocIn struct {
	fund, from, to string
	amount         int64
	date           string // "" books today
	actor          *access.Actor
}

func (in allocIn) String() string {
	return fmt.Sprintf("allocate %d fen of %s from %s to %s on %q%s", in.amount, in.fund, in.from, in.to, in.date,
		actorSuffix(in.actor))
}

func (w *worker) newAllocation() allocIn {
	wd := w.h.world
	f := w.pickFund(func(f *fundInfo) bool { return !strings.HasPrefix(f.Holder, "project:") })
	in := allocIn{fund: f.Code}
	if f.Holder == "city" {
		d := wd.districts[w.rng.IntN(len(wd.districts))]
		ps := wd.projectsOf(d)
		switch w.rng.IntN(3) {
		case 0:
			in.from, in.to = "city", "district:"+d
		case 1:
			in.from, in.to = "district:"+d, "project:"+ps[w.rng.IntN(len(ps))].Code
		default:
			in.from, in.to = "city", "project:"+w.pickProject().Code
		}
	} else {
		ps := wd.projectsOf(f.District)
		in.from, in.to = f.Holder, "project:"+ps[w.rng.IntN(len(ps))].Code
	}
	if w.rng.IntN(100) < 5 {
		// Against the tree: upwards, sideways into another district, or to itself.
		switch w.rng.IntN(3) {
		case 0:
			in.from, in.to = in.to, in.from
		case 1:
			in.from, in.to = "district:D1", "project:P5"
		default:
			in.to = in.from
		}
	}
	in.amount = w.upTo(w.h.model.balance(hkey{in.fund, in.from}), 8)
	if w.rng.IntN(2) == 0 {
		in.date = w.date()
	}
	if w.rng.IntN(100) < 8 {
		in.actor = w.someDistrict()
	}
	return in
}

// staticRefusal predicts the refusals that do not depend on balances.
func (in allocIn) staticRefusal(wd *world, a access.Actor) error {
	if in.amount <= 0 {
		return errs.ErrInvalidAmount
	}
	if f := wd.fund(in.fund); f == nil || !wd.sees(a, f) {
		return errs.ErrNotFound
	}
	fromD, fromP, ok1 := wd.holderDistrict(in.from)
	toD, toP, ok2 := wd.holderDistrict(in.to)
	if !ok1 || !ok2 || fromP != "" && !a.Sees(fromD) || toP != "" && !a.Sees(toD) {
		return errs.ErrNotFound // another district's project does not exist for a district
	}
	below := (in.from == "city" && in.to != "city") || (fromP == "" && fromD != "" && toP != "" && toD == fromD)
	if !below {
		return errs.ErrInvalidRequest
	}
	if !a.Writes(fromD) {
		return errs.ErrForbidden
	}
	return nil
}

func (in allocIn) posts() []post {
	return []post{{in.fund, in.from, -in.amount}, {in.fund, in.to, in.amount}}
}

// booked is the allocation's booking date: the one given, or today.
func (in allocIn) booked() string {
	if in.date == "" {
		return today
	}
	return in.date
}

func (w *worker) opAllocate(ctx context.Context) (result, error) {
	in := w.newAllocation()
	a := w.actor(in.actor)
	res := result{desc: in.String()}
	want, racy := in.staticRefusal(w.h.world, a), false
	if want == nil {
		racy = true
		if w.h.model.balance(hkey{in.fund, in.from}) < in.amount {
			want = funding.ErrInsufficientFunds
		} else if w.h.model.arrives([]dated{{bookedDate(in.date), in.posts()}}) >= 0 {
			want = ledger.ErrBeforeArrival
		}
	}
	t, err := w.h.app.Movements.Allocate(access.With(ctx, a), movement.Allocation{Fund: in.fund, From: in.from, To: in.to,
		Amount: money.Amount(in.amount), AllocatedOn: in.date, Memo: w.name})
	res.refused = err
	var also []error
	if w.unsure(a, in.fund) {
		racy, also = true, visibilityRefusals
	}
	if e := w.judge(err, want, racy, also...); e != nil {
		return res, w.fail("%s: %v", in, e)
	}
	if err != nil {
		return res, nil
	}
	toD, _, _ := w.h.world.holderDistrict(in.to)
	r, e := expectTransfer(t, ledger.TypeAllocation, in.booked(), in.amount, toD, in.posts())
	if e != nil {
		return res, w.fail("%s: %v", in, e)
	}
	w.h.model.add(r)
	return res, nil
}
