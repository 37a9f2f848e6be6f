package harness

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/subsidy"
)

// Ratings and property managers.

func (w *worker) opRate(ctx context.Context) (result, error) {
	p := w.pickProject()
	period := w.h.world.periods[w.rng.IntN(len(w.h.world.periods))]
	score := 40_00 + w.rng.Int64N(60_01)
	if w.rng.IntN(100) < 50 {
		score -= score % 100 // whole points, so band edges (60, 80, 90) come up
	}
	if w.rng.IntN(100) < 3 {
		score = 100_01 // out of range
	}
	var actor *access.Actor
	if w.rng.IntN(100) < 10 {
		actor = w.someDistrict()
	}
	w.asActor = actor
	defer func() { w.asActor = nil }()
	return w.rate(ctx, p.Code, period, score)
}

// rate records a rating and the model's view of it.
func (w *worker) rate(ctx context.Context, project, period string, score int64) (result, error) {
	a := w.actor(w.asActor)
	res := result{desc: fmt.Sprintf("rate %s for %s at %s%s", project, period, subsidy.Score(score), actorSuffix(w.asActor))}
	var want error
	switch {
	case score > 100_00:
		want = errs.ErrInvalidRequest
	case !a.Sees(w.h.world.project(project).District):
		want = errs.ErrNotFound // another district's project does not exist for a district
	case !a.Writes(w.h.world.project(project).District):
		want = errs.ErrForbidden
	}
	s := subsidy.Score(score)
	r, err := w.h.app.Subsidy.RecordRating(access.With(ctx, a), subsidy.Rating{Project: project, Period: period, Score: &s,
		Components: map[string]subsidy.Score{"cleaning": s}, Assessors: []string{"评价组 " + w.name}, OwnerReps: 3})
	res.refused = err
	if e := w.judge(err, want, false); e != nil {
		return res, w.fail("%s: %v", res.desc, e)
	}
	if err != nil {
		return res, nil
	}
	m := w.h.model
	m.mu.Lock()
	defer m.mu.Unlock()
	k := ratingKey(project, period)
	if w.exact && r.Version != m.scores[k].Version+1 {
		return res, w.fail("%s: version %d, want %d", res.desc, r.Version, m.scores[k].Version+1)
	}
	if r.Version > m.scores[k].Version {
		m.scores[k] = versioned{Version: r.Version, Value: score}
	}
	m.ratings++
	return res, nil
}

func (w *worker) opManager(ctx context.Context) (result, error) {
	return w.setManager(ctx, w.pickProject().Code)
}

// setManager appoints a new property manager for a project: its first
// from the start of 2024, a later one up to two months after the latest
// contract's start, which ends that contract the day before (two versions).
// Every counted day stays managed, so a project's lines sum to what the
// model predicts. Concurrent appointments to one project may overlap.
func (w *worker) setManager(ctx context.Context, project string) (result, error) {
	n := 100 + w.rng.IntN(900)
	m := w.h.model
	m.mu.Lock()
	from := "2024-01-01"
	if last, ok := m.mgrFrom[project]; ok {
		t, _ := time.Parse(time.DateOnly, last)
		from = t.AddDate(0, 0, 1+w.rng.IntN(60)).Format(time.DateOnly)
	}
	m.mu.Unlock()
	res := result{desc: fmt.Sprintf("property manager %d for %s from %s", n, project, from)}
	pm, err := w.h.app.Subsidy.SetPropertyManager(access.With(ctx, w.finance()), project, subsidy.PropertyManager{
		Name: fmt.Sprintf("物业公司 %d", n), CreditCode: creditCode(n), BankAccount: fmt.Sprintf("6222%012d", n), From: from})
	res.refused = err
	if e := w.judge(err, nil, true, subsidy.ErrContractOverlap); e != nil {
		return res, w.fail("%s: %v", res.desc, e)
	}
	if err != nil {
		return res, nil
	}
	rows := 2 // the contract ended and the new one
	if pm.Version == 1 {
		rows = 1
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if w.exact && pm.Version != m.managers[project]+rows {
		return res, w.fail("%s: version %d, want %d", res.desc, pm.Version, m.managers[project]+rows)
	}
	m.managers[project] = max(m.managers[project], pm.Version)
	m.mgrFrom[project] = max(m.mgrFrom[project], pm.From)
	m.mgrRows += int64(rows)
	return res, nil
}

// Scheme versions.

func (w *worker) opSchemeVersion(ctx context.Context) (result, error) {
	sc := w.h.world.schemes[w.rng.IntN(len(w.h.world.schemes))]
	return w.schemeVersion(ctx, sc, []int64{250, 300}[w.rng.IntN(2)])
}

// schemeVersion records a version of a scheme paying rate fen per household
// and month for the quarter, by score band 60 / 80 / 90 → 50% / 80% / 100%.
// A later run of a period pays the difference the new rate makes.
func (w *worker) schemeVersion(ctx context.Context, sc *schemeInfo, rate int64) (result, error) {
	res := result{desc: fmt.Sprintf("scheme %s at %d fen per household-month", sc.Code, rate)}
	got, err := w.h.app.Subsidy.CreateScheme(access.With(ctx, w.finance()), subsidy.Scheme{Code: sc.Code,
		Name: "物业补贴 " + sc.Code, Fund: sc.Fund, Holder: sc.Holder, Basis: subsidy.PerHouseholdMonth,
		Rate: money.RateFromDecimal(decimal.New(rate, -2)), Period: subsidy.Quarter,
		Bands: []subsidy.Band{{MinScore: 60_00, Ratio: money.MustRate("0.5")}, {MinScore: 80_00, Ratio: money.MustRate("0.8")},
			{MinScore: 90_00, Ratio: money.MustRate("1")}},
		ValidFrom: "2024-01-01"})
	res.refused = err
	if e := w.judge(err, nil, false); e != nil {
		return res, w.fail("%s: %v", res.desc, e)
	}
	m := w.h.model
	m.mu.Lock()
	defer m.mu.Unlock()
	cur := m.rates[sc.Code]
	if w.exact && got.Version != cur.Version+1 {
		return res, w.fail("%s: version %d, want %d", res.desc, got.Version, cur.Version+1)
	}
	if got.Version > cur.Version {
		m.rates[sc.Code] = versioned{Version: got.Version, Value: rate}
	}
	return res, nil
}

// Subsidy runs.

func (w *worker) opRun(ctx context.Context) (result, error) {
	wd := w.h.world
	sc := wd.schemes[w.rng.IntN(len(wd.schemes))]
	period := wd.periods[w.rng.IntN(len(wd.periods))]
	res := result{desc: fmt.Sprintf("subsidy run %s %s", sc.Code, period)}
	if w.rng.IntN(100) < 25 {
		// A rating correction first, so the run pays (or claws back) the difference.
		var scope []*projectInfo
		for _, p := range wd.projects {
			if sc.District == "" || p.District == sc.District {
				scope = append(scope, p)
			}
		}
		p := scope[w.rng.IntN(len(scope))]
		r, err := w.rate(ctx, p.Code, period, 50_00+w.rng.Int64N(50_01))
		if err != nil || r.refused != nil {
			return r, err
		}
		if err := w.settled(ctx); err != nil {
			return res, err
		}
		res.desc = r.desc + ", then " + res.desc
	}
	m := w.h.model
	m.mu.Lock()
	_, drafted := m.drafts[runKey(sc.Code, period)]
	m.mu.Unlock()
	var want error
	if drafted {
		want = subsidy.ErrRunExists
	}
	predicted := m.predictRun(wd, sc, period)
	r, err := w.h.app.Subsidy.CreateRun(access.With(ctx, w.finance()), sc.Code, period)
	res.refused = err
	if e := w.judge(err, want, true); e != nil {
		return res, w.fail("%s: %v", res.desc, e)
	}
	if err != nil {
		return res, nil
	}
	rr := &runRec{ID: r.ID, Scheme: sc.Code, Period: period, Status: subsidy.Draft, Lines: map[string]int64{},
		Paid: map[string]int64{}, CreatedBy: w.finance().Label(), LineCount: len(r.Lines)}
	for _, l := range r.Lines {
		rr.Lines[l.Project] += int64(l.Amount)
		if l.Amount > 0 {
			rr.Total += int64(l.Amount)
			rr.Paid[l.Project] += int64(l.Amount)
			rr.Paying++
		}
		p := wd.project(l.Project)
		switch {
		case p == nil || sc.District != "" && p.District != sc.District:
			return res, w.fail("%s: line for %s, outside the scheme's scope", res.desc, l.Project)
		case l.Amount > 0 && l.Payee == nil:
			return res, w.fail("%s: line for %s pays %d fen to nobody", res.desc, l.Project, l.Amount)
		}
	}
	for p, net := range rr.Lines {
		if w.exact && net != predicted[p] {
			return res, w.fail("%s: lines for %s pay %d fen, want %d (lines %+v)", res.desc, p, net, predicted[p], r.Lines)
		}
	}
	if len(rr.Lines) != len(predicted) || int64(r.Total) != rr.Total || r.Status != subsidy.Draft {
		return res, w.fail("%s: run %s (%s) has %d lines totalling %d, want %d lines totalling %d", res.desc, r.ID,
			r.Status, len(r.Lines), r.Total, len(predicted), rr.Total)
	}
	m.mu.Lock()
	m.runs = append(m.runs, rr)
	m.runByID[rr.ID] = rr
	m.drafts[runKey(sc.Code, period)] = rr.ID
	m.mu.Unlock()
	res.desc += fmt.Sprintf(" → %s paying %d fen", r.ID, rr.Total)
	if err := w.settled(ctx); err != nil {
		return res, err
	}
	// Usually approve it now (sometimes twice), sometimes cancel it, sometimes leave it.
	switch x := w.rng.IntN(100); {
	case x < 60:
		return w.approve(ctx, *rr, res.desc)
	case x < 72:
		if res, err := w.approve(ctx, *rr, res.desc); err != nil || res.refused != nil {
			return res, err
		}
		if err := w.settled(ctx); err != nil {
			return res, err
		}
		return w.approve(ctx, *m.runByIDCopy(rr.ID), res.desc+" (again)")
	case x < 80:
		return w.cancel(ctx, *rr, res.desc)
	}
	return res, nil
}

func (w *worker) opRunAgain(ctx context.Context) (result, error) {
	m := w.h.model
	m.mu.Lock()
	if len(m.runs) == 0 {
		m.mu.Unlock()
		return w.opRun(ctx)
	}
	rr := *m.runs[w.rng.IntN(len(m.runs))]
	m.mu.Unlock()
	desc := fmt.Sprintf("run %s %s %s (%s)", rr.ID, rr.Scheme, rr.Period, rr.Status)
	if w.rng.IntN(100) < 20 {
		return w.cancel(ctx, rr, desc)
	}
	return w.approve(ctx, rr, desc)
}

func (w *worker) scheme(code string) *schemeInfo {
	for _, sc := range w.h.world.schemes {
		if sc.Code == code {
			return sc
		}
	}
	return nil
}

// approve approves a run and, when this call is the one that paid it,
// records its payments and what they settled.
func (w *worker) approve(ctx context.Context, rr runRec, desc string) (result, error) {
	res := result{desc: "approve " + desc}
	sc := w.scheme(rr.Scheme)
	var want error
	racy := rr.Status == subsidy.Draft
	a := w.reviewer() // four eyes: sometimes the drafter tries, and is refused
	if w.rng.IntN(10) == 0 {
		a = w.finance()
	}
	switch {
	case rr.Status == subsidy.Cancelled:
		want = errs.ErrConflict
	case racy && rr.CreatedBy == a.Label():
		want = access.ErrSamePerson
	case racy && w.h.model.balance(hkey{sc.Fund, sc.Holder}) < rr.Total:
		want = funding.ErrInsufficientFunds
	}
	r, err := w.h.app.Subsidy.Approve(access.With(ctx, a), rr.ID)
	res.refused = err
	if e := w.judge(err, want, racy); e != nil {
		return res, w.fail("%s: %v", res.desc, e)
	}
	if err != nil {
		return res, nil
	}
	if r.Status != subsidy.Paid || int64(r.Total) != rr.Total {
		return res, w.fail("%s: run is %q paying %d, want paid paying %d", res.desc, r.Status, r.Total, rr.Total)
	}
	m := w.h.model
	m.mu.Lock()
	cur := m.runByID[rr.ID]
	mine := cur.Status == subsidy.Draft && r.ApprovedBy == a.Label()
	if mine {
		cur.Status = subsidy.Paid
		if m.drafts[runKey(rr.Scheme, rr.Period)] == rr.ID {
			delete(m.drafts, runKey(rr.Scheme, rr.Period))
		}
		for p, amt := range cur.Lines {
			m.settled[settleKey(rr.Scheme, rr.Period, p)] += amt
		}
	}
	m.mu.Unlock()
	if w.exact && !mine && rr.Status == subsidy.Draft {
		return res, w.fail("%s: approved by %q, not by this call", res.desc, r.ApprovedBy)
	}
	if !mine {
		return res, nil
	}
	recs, err := w.payments(ctx, rr, sc)
	if err != nil {
		return res, w.fail("%s: %v", res.desc, err)
	}
	m.add(recs...)
	return res, nil
}

// payments reads back the subsidy transfers of a paid run and checks each
// against its line.
func (w *worker) payments(ctx context.Context, rr runRec, sc *schemeInfo) ([]*rec, error) {
	var ids []string
	if err := w.h.db.G.WithContext(ctx).Raw("SELECT id FROM transfers WHERE batch_id = ? AND type = ? ORDER BY id",
		rr.ID, ledger.TypeSubsidy).Scan(&ids).Error; err != nil {
		return nil, err
	}
	if len(ids) != rr.Paying {
		return nil, fmt.Errorf("run %s posted %d payments for %d paying lines", rr.ID, len(ids), rr.Paying)
	}
	var recs []*rec
	paid := map[string]int64{}
	for _, id := range ids {
		t, err := w.h.ledger.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		if _, ok := rr.Paid[t.Project]; !ok {
			return nil, fmt.Errorf("payment %s to %q is not one of the run's lines", id, t.Project)
		}
		amt := int64(t.Amount)
		paid[t.Project] += amt
		r, err := expectTransfer(t, ledger.TypeSubsidy, today, amt, w.h.world.project(t.Project).District,
			[]post{{sc.Fund, sc.Holder, -amt}, {sc.Fund, ledger.External, amt}})
		if err != nil {
			return nil, err
		}
		if t.PreparedBy != rr.CreatedBy || t.ApprovedBy == rr.CreatedBy {
			return nil, fmt.Errorf("payment %s prepared by %q, approved by %q: want the drafter %q and another",
				id, t.PreparedBy, t.ApprovedBy, rr.CreatedBy)
		}
		recs = append(recs, r)
	}
	for p, amt := range rr.Paid {
		if paid[p] != amt {
			return nil, fmt.Errorf("run %s paid %d fen for %s, want %d", rr.ID, paid[p], p, amt)
		}
	}
	return recs, nil
}

// cancel cancels a run.
func (w *worker) cancel(ctx context.Context, rr runRec, desc string) (result, error) {
	res := result{desc: "cancel " + desc}
	var want error
	racy := rr.Status == subsidy.Draft
	if rr.Status == subsidy.Paid {
		want = errs.ErrConflict
	}
	a := w.finance()
	r, err := w.h.app.Subsidy.Cancel(access.With(ctx, a), rr.ID)
	res.refused = err
	if e := w.judge(err, want, racy); e != nil {
		return res, w.fail("%s: %v", res.desc, e)
	}
	if err != nil {
		return res, nil
	}
	if r.Status != subsidy.Cancelled {
		return res, w.fail("%s: run is %q after cancelling", res.desc, r.Status)
	}
	m := w.h.model
	m.mu.Lock()
	defer m.mu.Unlock()
	if cur := m.runByID[rr.ID]; cur.Status == subsidy.Draft && r.CancelledBy == a.Label() {
		cur.Status = subsidy.Cancelled
		if m.drafts[runKey(rr.Scheme, rr.Period)] == rr.ID {
			delete(m.drafts, runKey(rr.Scheme, rr.Period))
		}
	}
	return res, nil
}
