package harness

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/funding/works"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/subsidy"
)

// worker runs one seeded sequence of operations. In exact mode (the
// sequential phase) it predicts every outcome from the model and requires
// it; otherwise it requires only what cannot depend on the other workers.
type worker struct {
	h     *harness
	id    int
	name  string
	rng   *rand.Rand
	exact bool
	steps int
	trail []string

	// asActor, when set, is who the next rating is recorded as.
	asActor *access.Actor
	// before is the database as the sequential phase last saw it settled:
	// taken before each step, and again inside a composite step once a
	// part of it has succeeded, so that a later refusal in the same step is
	// checked against what that part left.
	before *snapshot
}

// result is what one step did.
type result struct {
	desc    string // the request, for failure messages
	refused error  // the service's refusal; nil when it succeeded
}

// An op is one kind of step with its weight in the random mix.
type op struct {
	name   string
	weight int
	run    func(w *worker, ctx context.Context) (result, error)
}

var ops = []op{
	{"receipt", 12, (*worker).opReceipt},
	{"allocation", 18, (*worker).opAllocate},
	{"expenditure", 22, (*worker).opSpend},
	{"works", 4, (*worker).opWorks},
	{"reversal", 12, (*worker).opReverse},
	{"batch", 9, (*worker).opBatch},
	{"plan", 6, (*worker).opPlan},
	{"plan-again", 3, (*worker).opPlanAgain},
	{"subsidy-run", 5, (*worker).opRun},
	{"subsidy-run-again", 3, (*worker).opRunAgain},
	{"rating", 6, (*worker).opRate},
	{"scheme-version", 1, (*worker).opSchemeVersion},
	{"manager", 1, (*worker).opManager},
	{"checkpoint", 1, (*worker).opCheckpoint},
	{"period", 2, (*worker).opPeriod},
}

var totalWeight = func() int {
	n := 0
	for _, o := range ops {
		n += o.weight
	}
	return n
}()

// step runs one random operation.
func (w *worker) step(ctx context.Context) (result, error) {
	w.steps++
	r := w.rng.IntN(totalWeight)
	var o op
	for _, o = range ops {
		if r < o.weight {
			break
		}
		r -= o.weight
	}
	start := time.Now()
	res, err := o.run(w, ctx)
	outcome := "ok"
	if res.refused != nil {
		outcome = "refused: " + res.refused.Error()
	}
	line := fmt.Sprintf("#%d %s %s → %s", w.steps, o.name, res.desc, outcome)
	w.h.count(o.name, res.refused, time.Since(start), line)
	w.remember(line)
	if res.refused != nil && errors.Is(res.refused, errs.ErrUnavailable) {
		w.h.mu.Lock()
		w.h.stats.Gave = append(w.h.stats.Gave, w.name+" "+line)
		w.h.mu.Unlock()
	}
	return res, err
}

// runUntil runs steps until the deadline, checking after each what holds
// under concurrency.
func (w *worker) runUntil(ctx context.Context, until time.Time) error {
	for time.Now().Before(until) && !w.h.stop.Load() {
		if _, err := w.step(ctx); err != nil {
			w.h.stop.Store(true)
			return err
		}
		if w.steps%3 == 0 {
			if err := w.h.quickCheck(ctx); err != nil {
				w.h.stop.Store(true)
				return w.fail("%v", err)
			}
		}
	}
	return nil
}

func (w *worker) remember(s string) {
	const keep = 30
	if len(w.trail) == keep {
		copy(w.trail, w.trail[1:])
		w.trail = w.trail[:keep-1]
	}
	w.trail = append(w.trail, s)
}

// settled marks a point inside a composite step (create, then execute or
// approve) where what has succeeded so far is recorded in the model.
func (w *worker) settled(ctx context.Context) error {
	if !w.exact {
		return nil
	}
	s, err := w.h.snapshot(ctx)
	if err != nil {
		return w.fail("snapshot: %v", err)
	}
	w.before = s
	return nil
}

// fail reports an invariant violation at the worker's current step.
func (w *worker) fail(format string, args ...any) error {
	phase := fmt.Sprintf("concurrent phase %d", w.h.cycle)
	if w.exact {
		phase = fmt.Sprintf("sequential phase %d", w.h.cycle)
	}
	return &Failure{Seed: w.h.cfg.Seed, Where: fmt.Sprintf("%s, worker %s, step %d", phase, w.name, w.steps),
		Msg: fmt.Sprintf(format, args...), Trail: slices.Clone(w.trail)}
}

// Actors. Each worker acts as its own finance clerk, so that a plan or run
// response tells which worker's call executed it; some steps act as a
// district, to exercise scoping.

func (w *worker) finance() access.Actor {
	return access.Actor{TokenID: w.name, Role: access.Finance, Name: w.name}
}

// reviewer is the worker's second finance person, who approves what its
// clerk (finance) prepared.
func (w *worker) reviewer() access.Actor {
	return access.Actor{TokenID: w.name + "-reviewer", Role: access.Finance, Name: w.name + "-reviewer"}
}

func (w *worker) district(d string) access.Actor {
	return access.Actor{TokenID: w.name + "-" + d, Role: access.District, District: d, Name: w.name + "-" + d}
}

// someDistrict returns a district actor for a random district.
func (w *worker) someDistrict() *access.Actor {
	a := w.district(w.h.world.districts[w.rng.IntN(len(w.h.world.districts))])
	return &a
}

func (w *worker) actor(a *access.Actor) access.Actor {
	if a == nil {
		return w.finance()
	}
	return *a
}

// unsure says whether, in the concurrent phase, the service may see one of
// the funds for district actor a where the model does not yet: a fund
// becomes visible to a district once money first reaches it there, which
// another worker's allocation may have committed and not yet recorded.
func (w *worker) unsure(a access.Actor, funds ...string) bool {
	if w.exact || a.Role != access.District {
		return false
	}
	for _, code := range funds {
		if f := w.h.world.fund(code); f != nil && !w.h.world.sees(a, f) {
			return true
		}
	}
	return false
}

// visibilityRefusals are the refusals a fund's visibility decides between:
// an unseen fund is not found; a seen one goes on to the other checks.
var visibilityRefusals = []error{errs.ErrNotFound, errs.ErrForbidden, errs.ErrInvalidRequest,
	funding.ErrCategoryNotEligible, funding.ErrFundExpired}

// stateRefusals are the refusals that depend on what other workers did:
// balances, reversals, plan and run states.
var stateRefusals = []error{funding.ErrInsufficientFunds, funding.ErrAlreadyReversed, errs.ErrConflict,
	subsidy.ErrRunExists, ledger.ErrBeforeArrival, works.ErrRetentionHeld}

// judge checks the service's answer against the prediction want (nil for
// success, else the sentinel the refusal must wrap). racy says the outcome
// depends on state other workers change; in the concurrent phase such a
// step may also succeed or be refused for a state reason.
// In that case any of also is accepted too.
func (w *worker) judge(got, want error, racy bool, also ...error) error {
	if got != nil {
		e := errs.Classify(got)
		switch {
		case e.Kind == errs.Internal:
			return fmt.Errorf("internal error: %v", got)
		case errors.Is(got, errs.ErrUnavailable):
			// Retries exhausted: only contention can cause that, so it is a
			// refusal under concurrency (listed in Stats.Gave) and a failure
			// when the worker is alone.
			if w.exact {
				return fmt.Errorf("unavailable after retries: %v", got)
			}
			return nil
		}
	}
	if !w.exact && racy {
		if got == nil || want != nil && errors.Is(got, want) {
			return nil
		}
		for _, s := range append(also, stateRefusals...) {
			if errors.Is(got, s) {
				return nil
			}
		}
		return fmt.Errorf("refused with %v; want success or a state refusal", got)
	}
	switch {
	case want == nil && got != nil:
		return fmt.Errorf("refused with %v; want success", got)
	case want != nil && got == nil:
		return fmt.Errorf("succeeded; want refusal %q", code(want))
	case want != nil && !errors.Is(got, want):
		return fmt.Errorf("refused with %v; want %q", got, code(want))
	}
	return nil
}

// code is the stable code of an error.
func code(err error) string {
	if err == nil {
		return ""
	}
	return errs.Classify(err).Code
}

// Random inputs.

// upTo returns an amount for taking from a balance: usually part of it,
// sometimes all of it, sometimes more than it (to provoke a refusal).
func (w *worker) upTo(bal int64, overPct int) int64 {
	r := w.rng.IntN(100)
	switch {
	case bal <= 0:
		return w.rng.Int64N(100_000_00) + 1
	case r < overPct:
		return bal + 1 + w.rng.Int64N(max(1, bal/4))
	case r < overPct+12:
		return bal
	case r < overPct+40:
		return w.rng.Int64N(min(bal, 1000_00)) + 1
	}
	return w.rng.Int64N(bal) + 1
}

// date returns a booking date from 2024 to yesterday, sometimes right on or
// just after a fund's expiry date.
func (w *worker) date() string {
	if w.rng.IntN(100) < 15 {
		var exp []string
		for _, f := range w.h.world.funds {
			if f.Expires != "" {
				exp = append(exp, f.Expires)
			}
		}
		d, _ := time.Parse(time.DateOnly, exp[w.rng.IntN(len(exp))])
		if d = d.AddDate(0, 0, w.rng.IntN(2)); d.After(yesterday()) {
			d = yesterday()
		}
		return d.Format(time.DateOnly)
	}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	days := int(yesterday().Sub(start).Hours() / 24)
	return start.AddDate(0, 0, w.rng.IntN(days+1)).Format(time.DateOnly)
}

// today stands for the service's booking date in steps that book today
// (reversals, subsidy payments, allocations without a date).
const today = "today"

// bookedOn reports whether a transfer's booking date is the wanted one;
// "today" is the service's clock in China Standard Time, or the day before
// when the step ran across midnight.
func bookedOn(got, want string) bool {
	if want != today {
		return got == want
	}
	now := time.Now().In(field.Zone)
	return got == now.Format(time.DateOnly) || got == now.AddDate(0, 0, -1).Format(time.DateOnly)
}

func yearOf(date string) int {
	var y int
	fmt.Sscanf(date, "%d", &y)
	return y
}

func (w *worker) pickFund(ok func(*fundInfo) bool) *fundInfo {
	var fs []*fundInfo
	for _, f := range w.h.world.funds {
		if ok == nil || ok(f) {
			fs = append(fs, f)
		}
	}
	return fs[w.rng.IntN(len(fs))]
}

func (w *worker) pickProject() *projectInfo {
	return w.h.world.projects[w.rng.IntN(len(w.h.world.projects))]
}

func (w *worker) payee() movement.Party {
	n := 1 + w.rng.IntN(40)
	return movement.Party{Name: fmt.Sprintf("施工单位 %d", n), CreditCode: creditCode(1000 + n),
		BankAccount: fmt.Sprintf("6217%012d", n)}
}

// Checking what the service returned.

// expectTransfer checks a posted transfer against what the request implies
// (type, booking date and fiscal year, amount, district, voucher number,
// balanced postings) and turns it into a model record. want, when not nil, is the exact set of
// postings (in any order).
func expectTransfer(t *ledger.Transfer, typ, booked string, amount int64, district string, want []post) (*rec, error) {
	if t == nil {
		return nil, errors.New("success without a transfer")
	}
	switch {
	case t.Type != typ:
		return nil, fmt.Errorf("transfer %s has type %q, want %q", t.ID, t.Type, typ)
	case !bookedOn(t.BookedOn, booked) || t.FiscalYear != yearOf(t.BookedOn):
		return nil, fmt.Errorf("transfer %s booked on %s in fiscal year %d, want %s", t.ID, t.BookedOn, t.FiscalYear, booked)
	case int64(t.Amount) != amount:
		return nil, fmt.Errorf("transfer %s moves %d fen, want %d", t.ID, t.Amount, amount)
	case t.District != district:
		return nil, fmt.Errorf("transfer %s is in district %q, want %q", t.ID, t.District, district)
	case t.VoucherNo != ledger.VoucherNo(t.FiscalYear, t.VoucherSeq) || t.VoucherSeq <= 0:
		return nil, fmt.Errorf("transfer %s has voucher %q (seq %d)", t.ID, t.VoucherNo, t.VoucherSeq)
	}
	got := postsOf(t)
	if want != nil && !samePosts(got, want) {
		return nil, fmt.Errorf("transfer %s posted %v, want %v", t.ID, got, want)
	}
	var sum int64
	for _, p := range got {
		sum += p.Amount
	}
	if sum != 0 {
		return nil, fmt.Errorf("transfer %s does not balance: %v", t.ID, got)
	}
	base := t.BaseType
	if base == "" {
		base = t.Type
	}
	return &rec{ID: t.ID, Type: t.Type, Base: base, From: t.From, To: t.To, District: t.District, Amount: amount,
		Year: t.FiscalYear, Date: t.BookedOn, Postings: got, ReversalOf: t.ReversalOf, Forced: t.ForcedReason != ""}, nil
}

func postsOf(t *ledger.Transfer) []post {
	out := make([]post, len(t.Postings))
	for i, p := range t.Postings {
		out[i] = post{p.Fund, p.Holder, int64(p.Amount)}
	}
	return out
}

func samePosts(a, b []post) bool {
	if len(a) != len(b) {
		return false
	}
	sortPosts := func(ps []post) []post {
		ps = slices.Clone(ps)
		slices.SortFunc(ps, func(x, y post) int { return strings.Compare(x.String(), y.String()) })
		return ps
	}
	return slices.Equal(sortPosts(a), sortPosts(b))
}

// holderDistrict says where a holder sits: its district ("" for the city)
// and whether the harness's world knows it.
func (w *world) holderDistrict(holder string) (district, project string, known bool) {
	switch {
	case holder == "city":
		return "", "", true
	case strings.HasPrefix(holder, "district:"):
		d := holderDistrict(holder)
		return d, "", slices.Contains(w.districts, d)
	case strings.HasPrefix(holder, "project:"):
		p := w.project(holderProject(holder))
		if p == nil {
			return "", "", false
		}
		return p.District, p.Code, true
	}
	return "", "", false
}

// holderDistrict and holderProject read a holder's name ("district:X",
// "project:X"); the harness keeps its own, independent of the service's.
func holderDistrict(holder string) string {
	d, _ := strings.CutPrefix(holder, "district:")
	if d == holder {
		return ""
	}
	return d
}

func holderProject(holder string) string {
	p, _ := strings.CutPrefix(holder, "project:")
	if p == holder {
		return ""
	}
	return p
}
