package harness

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/funding/works"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
)

// Expenditures.

type part struct {
	Fund   string
	Amount int64
}

type spendIn struct {
	project  string
	category string
	amount   int64
	date     string
	funding  []part // nil: automatic attribution
	force    string
	actor    *access.Actor
	contract string // paid under this contract (its payee)
	// retention pays out of the contract's quality retention: a release to
	// its payee, or a repair paid to repairer.
	retention bool
	repairer  *movement.Party
}

// funds are the funds the expenditure names (none when attributed automatically).
func (in spendIn) funds() []string {
	var codes []string
	for _, p := range in.funding {
		codes = append(codes, p.Fund)
	}
	return codes
}

func (in spendIn) String() string {
	how := "automatically"
	if in.funding != nil {
		how = fmt.Sprint("from ", in.funding)
	}
	s := fmt.Sprintf("spend %d fen on %s at %s on %s %s", in.amount, in.category, in.project, in.date, how)
	if in.force != "" {
		s += " (forced)"
	}
	if in.contract != "" {
		s += " under contract " + in.contract
	}
	if in.retention && in.repairer == nil {
		s += " releasing retention"
	} else if in.retention {
		s += " repairing from retention"
	}
	return s + actorSuffix(in.actor)
}

func (w *worker) newSpend() spendIn {
	p := w.pickProject()
	in := spendIn{project: p.Code, category: funding.Categories[w.rng.IntN(3)], date: w.date()}
	holder := "project:" + p.Code
	bal := w.h.model.balances()
	if w.rng.IntN(2) == 0 {
		var avail int64
		for _, f := range w.h.world.funds {
			if f.eligible(in.category) && !f.expired(in.date) {
				avail += max(0, bal[hkey{f.Code, holder}])
			}
		}
		in.amount = w.upTo(avail, 8)
	} else {
		// Explicit funding: mostly funds the project holds, sometimes any.
		var held []*fundInfo
		for _, f := range w.h.world.funds {
			if bal[hkey{f.Code, holder}] > 0 {
				held = append(held, f)
			}
		}
		n := 1 + w.rng.IntN(3)
		in.funding = []part{}
		for range n {
			f := w.pickFund(nil)
			if len(held) > 0 && w.rng.IntN(100) < 80 {
				f = held[w.rng.IntN(len(held))]
			}
			if slices.ContainsFunc(in.funding, func(p part) bool { return p.Fund == f.Code }) {
				continue
			}
			amt := w.upTo(bal[hkey{f.Code, holder}], 4)
			in.funding = append(in.funding, part{f.Code, amt})
			in.amount += amt
		}
	}
	switch r := w.rng.IntN(100); {
	case r < 2:
		in.category = "luxury"
	case r < 4 && in.funding != nil:
		in.amount++ // funding no longer sums to the amount
	case r < 6 && in.funding != nil:
		in.funding = append(in.funding, in.funding[0])
		in.amount += in.funding[0].Amount
	case r < 10 && in.funding != nil:
		in.force = "经市财政局批准扩大开支范围"
	case r < 17:
		in.actor = w.someDistrict()
	}
	return in
}

// staticRefusal predicts the refusals decided before any balance is read,
// in the order the service checks them.
func (in spendIn) staticRefusal(wd *world, a access.Actor) error {
	if in.amount <= 0 {
		return errs.ErrInvalidAmount
	}
	if !slices.Contains(funding.Categories, in.category) {
		return errs.ErrInvalidRequest
	}
	if in.funding != nil {
		seen := map[string]bool{}
		var sum int64
		for _, p := range in.funding {
			if p.Amount <= 0 {
				return errs.ErrInvalidAmount
			}
			if seen[p.Fund] {
				return errs.ErrInvalidRequest
			}
			seen[p.Fund] = true
			sum += p.Amount
		}
		if sum != in.amount {
			return errs.ErrInvalidRequest
		}
	}
	if in.force != "" && a.Role != access.Finance {
		return errs.ErrForbidden
	}
	p := wd.project(in.project)
	if p == nil || !a.Sees(p.District) {
		return errs.ErrNotFound
	}
	if !a.Writes(p.District) {
		return errs.ErrForbidden
	}
	for _, part := range in.funding {
		f := wd.fund(part.Fund)
		switch {
		case f == nil || !wd.sees(a, f):
			return errs.ErrNotFound
		case !f.eligible(in.category) && in.force == "":
			return funding.ErrCategoryNotEligible
		case f.expired(in.date):
			return funding.ErrFundExpired
		}
	}
	return nil
}

// split is automatic attribution over the given balances: the project's
// eligible, unexpired holdings, earliest expiry first (none last), then by
// fund code, each giving what it holds. ok is false when they fall short.
func (wd *world) split(bal map[hkey]int64, in spendIn) (parts []part, ok bool) {
	holder := "project:" + in.project
	var cs []*fundInfo
	for _, f := range wd.funds {
		if bal[hkey{f.Code, holder}] > 0 && f.eligible(in.category) && !f.expired(in.date) {
			cs = append(cs, f)
		}
	}
	slices.SortStableFunc(cs, attributionOrder)
	left := in.amount
	for _, f := range cs {
		if left == 0 {
			break
		}
		take := min(left, bal[hkey{f.Code, holder}])
		parts = append(parts, part{f.Code, take})
		left -= take
	}
	return parts, left == 0
}

// attributionOrder orders funds as automatic attribution takes them.
func attributionOrder(a, b *fundInfo) int {
	switch {
	case a.Expires == b.Expires:
		return strings.Compare(a.Code, b.Code)
	case a.Expires == "":
		return 1
	case b.Expires == "":
		return -1
	}
	return strings.Compare(a.Expires, b.Expires)
}

// posts is what paying the parts posts.
func (in spendIn) posts(parts []part) []post {
	var out []post
	for _, p := range parts {
		out = append(out, post{p.Fund, "project:" + in.project, -p.Amount}, post{p.Fund, ledger.External, p.Amount})
	}
	return out
}

// short reports whether the parts overdraw the balances.
func (in spendIn) short(bal map[hkey]int64, parts []part) bool {
	for _, p := range parts {
		if bal[hkey{p.Fund, "project:" + in.project}] < p.Amount {
			return true
		}
	}
	return false
}

func (in spendIn) request(payee movement.Party, purpose string) movement.Expenditure {
	e := movement.Expenditure{Project: in.project, Category: in.category, Amount: money.Amount(in.amount), Payee: payee,
		PaidOn: in.date, Purpose: purpose, ForceReason: in.force, Contract: in.contract, Retention: in.retention}
	if in.funding != nil {
		e.Funding = []movement.Part{}
		for _, p := range in.funding {
			e.Funding = append(e.Funding, movement.Part{Fund: p.Fund, Amount: money.Amount(p.Amount)})
		}
	}
	return e
}

func (w *worker) opSpend(ctx context.Context) (result, error) {
	in := w.newSpend()
	gate, err := w.underContract(ctx, &in)
	if err != nil {
		return result{desc: in.String()}, err
	}
	a := w.actor(in.actor)
	res := result{desc: in.String()}
	bal := w.h.model.balances()
	static := in.staticRefusal(w.h.world, a)
	if static == nil {
		static = gate // decided before any balance is read
	}
	want, racy, autoShort := static, false, false
	var parts []part
	if want == nil {
		racy = true
		parts = in.funding
		if parts == nil {
			var ok bool
			if parts, ok = w.h.world.split(bal, in); !ok {
				want, autoShort = funding.ErrInsufficientFunds, true
			}
		}
		if want == nil {
			want = w.reserveRefusal(in, bal)
		}
		if want == nil && in.short(bal, parts) {
			want = funding.ErrInsufficientFunds
		}
		if want == nil && w.h.model.arrives([]dated{{in.date, in.posts(parts)}}) >= 0 {
			want = ledger.ErrBeforeArrival
		}
	}
	var also []error
	if w.unsure(a, in.funds()...) {
		racy, also = true, visibilityRefusals
	}
	if in.contract != "" && !w.exact {
		racy, also = true, append(also, contractGates...) // other workers pay under it, settle it
	}
	payee := w.payee()
	if in.contract != "" {
		payee = movement.Party{} // the contract's
		if in.repairer != nil {
			payee = *in.repairer
		}
	}
	t, req, err := w.h.app.Movements.Pay(access.With(ctx, a), in.request(payee, "改造工程款 "+w.name))
	res.refused = err
	if w.needsApproval(in) {
		// Four eyes: filing checks the rules (and an automatic split); the
		// balances are those of the approval, by a second person.
		fileWant := static
		if autoShort || errors.Is(want, works.ErrRetentionHeld) {
			// Filing splits an automatic payment over the balances it
			// reads, and keeps the retention out of reach of any payment.
			fileWant = want
		}
		if e := w.judge(err, fileWant, racy && (fileWant == nil || fileWant != static), also...); e != nil {
			return res, w.fail("%s (filed): %v", in, e)
		}
		if err != nil {
			return res, nil
		}
		if t != nil || req == nil || req.Status != movement.Pending || req.PreparedBy != a.Label() {
			return res, w.fail("%s: paid %v / filed %+v, want a pending request prepared by %s", in, t, req, a.Label())
		}
		res.desc += " → filed " + req.ID
		if w.rng.IntN(8) == 0 {
			_, _, err := w.h.app.Movements.Approve(access.With(ctx, a), req.ID)
			if e := w.judge(err, access.ErrSamePerson, false); e != nil {
				return res, w.fail("%s approved by its preparer: %v", in, e)
			}
		}
		approver := w.reviewer()
		if a.Label() == approver.Label() {
			approver = w.finance()
		}
		_, t, err = w.h.app.Movements.Approve(access.With(ctx, approver), req.ID)
		res.refused = err
		res.desc += " → approved by " + approver.Name
		if e := w.judge(err, want, racy, also...); e != nil {
			return res, w.fail("%s: %v", res.desc, e)
		}
		if err == nil && (t.PreparedBy != a.Label() || t.ApprovedBy != approver.Label()) {
			return res, w.fail("%s: transfer %s prepared by %q approved by %q", res.desc, t.ID, t.PreparedBy, t.ApprovedBy)
		}
	} else if e := w.judge(err, want, racy, also...); e != nil {
		return res, w.fail("%s: %v", in, e)
	}
	if err != nil {
		return res, nil
	}
	r, e := w.expectSpend(in, t, parts)
	if e != nil {
		return res, w.fail("%s: %v", in, e)
	}
	r.Retention = in.retention
	w.h.model.add(r)
	return res, nil
}

// needsApproval: a forced payment, or one above the service's threshold,
// is filed by one person and paid when a second approves it.
func (w *worker) needsApproval(in spendIn) bool {
	above := int64(w.h.app.Movements.ApprovalAbove)
	return in.force != "" || above > 0 && in.amount > above
}

// expectSpend checks an expenditure's transfer. With explicit funding, or
// in the sequential phase, the split is known exactly; under concurrency an
// automatic split is checked for its shape: eligible, unexpired, distinct
// funds in attribution order, summing to the amount.
func (w *worker) expectSpend(in spendIn, t *ledger.Transfer, predicted []part) (*rec, error) {
	p := w.h.world.project(in.project)
	var want []post
	switch {
	case in.funding != nil:
		want = in.posts(in.funding)
	case w.exact:
		want = in.posts(predicted)
	}
	r, err := expectTransfer(t, ledger.TypeExpenditure, in.date, in.amount, p.District, want)
	if err != nil || want != nil {
		return r, err
	}
	var got []part
	for _, fp := range movement.PartsOf(t) {
		got = append(got, part{fp.Fund, int64(fp.Amount)})
	}
	if !samePosts(r.Postings, in.posts(got)) {
		return nil, fmt.Errorf("transfer %s posted %v, not a payment out of project %s", t.ID, r.Postings, in.project)
	}
	for i, g := range got {
		f := w.h.world.fund(g.Fund)
		switch {
		case f == nil || !f.eligible(in.category) || f.expired(in.date):
			return nil, fmt.Errorf("automatic split %v uses %s, not eligible for %s or expired on %s", got, g.Fund, in.category, in.date)
		case i > 0 && attributionOrder(w.h.world.fund(got[i-1].Fund), f) >= 0:
			return nil, fmt.Errorf("automatic split %v is not in attribution order", got)
		}
	}
	return r, nil
}

// Reversals.

func (w *worker) opReverse(ctx context.Context) (result, error) {
	m := w.h.model
	var orig *rec
	r := w.rng.IntN(100)
	switch {
	case r < 4:
		orig = &rec{ID: ledger.NewID()} // unknown
	default:
		// Mostly live transfers; sometimes reversed ones or reversals.
		wantKind := 0
		if r >= 84 {
			wantKind = 1 + w.rng.IntN(2)
		}
		for range 25 {
			c := m.pickRec(w.rng.IntN)
			if c == nil {
				break
			}
			orig = c
			kind := 0
			if c.Reversed {
				kind = 1
			}
			if c.Type == ledger.TypeReversal {
				kind = 2
			}
			if kind == wantKind {
				break
			}
		}
	}
	if orig == nil {
		return w.opReceipt(ctx)
	}
	var actor *access.Actor
	if w.rng.IntN(100) < 8 {
		actor = w.someDistrict()
	}
	reason := "冲销 " + w.name
	if w.rng.IntN(100) < 2 {
		reason = ""
	}
	a := w.actor(actor)
	res := result{desc: fmt.Sprintf("reverse %s %s %v%s", orig.Type, orig.ID, orig.Postings, actorSuffix(actor))}
	want, racy := w.reversalRefusal(orig, a, reason)
	t, err := w.h.app.Movements.Reverse(access.With(ctx, a), orig.ID, reason)
	res.refused = err
	if e := w.judge(err, want, racy); e != nil {
		return res, w.fail("%s: %v", res.desc, e)
	}
	if err != nil {
		return res, nil
	}
	var neg []post
	for _, p := range orig.Postings {
		neg = append(neg, post{p.Fund, p.Holder, -p.Amount})
	}
	rr, e := expectTransfer(t, ledger.TypeReversal, today, orig.Amount, orig.District, neg)
	if rr != nil {
		rr.Retention = orig.Retention
	}
	if e == nil && (rr.ReversalOf != orig.ID || rr.Base != orig.Base) {
		e = fmt.Errorf("reversal %s records reversal_of %q base %q, want %q %q", rr.ID, rr.ReversalOf, rr.Base, orig.ID, orig.Base)
	}
	if e != nil {
		return res, w.fail("%s: %v", res.desc, e)
	}
	w.h.model.add(rr)
	return res, nil
}

// reversalRefusal predicts a reversal's refusal, in the service's order.
func (w *worker) reversalRefusal(orig *rec, a access.Actor, reason string) (error, bool) {
	if reason == "" {
		return errs.ErrInvalidRequest, false
	}
	if orig.Type == "" {
		return errs.ErrNotFound, false
	}
	if !a.Sees(orig.District) {
		return errs.ErrNotFound, false
	}
	owner := orig.District
	if orig.Base == ledger.TypeAllocation {
		owner = holderDistrict(orig.From)
	}
	if !a.Writes(owner) || orig.Forced && a.Role != access.Finance {
		return errs.ErrForbidden, false
	}
	if orig.Type == ledger.TypeReversal || orig.Type == ledger.TypeSubsidy {
		return errs.ErrConflict, false // subsidies are corrected by a new rating and run
	}
	if cur := w.h.model.rec(orig.ID); cur != nil && cur.Reversed {
		return funding.ErrAlreadyReversed, false
	}
	bal := w.h.model.balances()
	for _, p := range orig.Postings {
		// Taking back money that came into a project: its holdings keep the
		// retention outstanding.
		if project, ok := strings.CutPrefix(p.Holder, "project:"); ok && p.Amount > 0 {
			if err := w.reserveRefusal(spendIn{project: project, amount: p.Amount}, bal); err != nil {
				return err, true
			}
		}
	}
	for _, p := range orig.Postings {
		if p.Holder != ledger.External && bal[hkey{p.Fund, p.Holder}] < p.Amount {
			return funding.ErrInsufficientFunds, true
		}
	}
	return nil, true
}
