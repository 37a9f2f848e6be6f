package harness

import (
	"context"
	"errors"
	"fmt"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/ledger/proof"
	"renofund/internal/period"
)

// Periods. A close is asked for by the worker's clerk and confirmed by its
// reviewer (the clerk confirming is refused); its seal must hold the model's
// balances as of the month's last day; a year whose December closes may
// close too, its carry-forward closing equal to the model's balances. Then
// an administrator asks, with a reason, to reopen the books from their first
// month and the clerk confirms, so later steps book into open months again.
// Closed months refuse bookings, which other workers could not predict, so
// periods close only in the sequential phase; concurrent workers seal a
// checkpoint instead.
func (w *worker) opPeriod(ctx context.Context) (result, error) {
	if !w.exact {
		return w.opCheckpoint(ctx)
	}
	ps := w.h.app.Periods
	clerk, reviewer := access.With(ctx, w.finance()), access.With(ctx, w.reviewer())
	month := w.date()[:7]
	res := result{desc: "close " + month}
	_, err := ps.RequestClose(clerk, month)
	var want error
	if month == todayCST()[:7] {
		want = period.ErrNotEnded
	}
	res.refused = err
	if e := w.judge(err, want, false); e != nil || err != nil {
		if e != nil {
			return res, w.fail("%s: %v", res.desc, e)
		}
		return res, nil
	}
	if w.rng.IntN(4) == 0 {
		_, err := ps.ConfirmClose(clerk, month)
		if e := w.judge(err, access.ErrSamePerson, false); e != nil {
			return res, w.fail("%s confirmed by its requester: %v", res.desc, e)
		}
	}
	closed, err := ps.ConfirmClose(reviewer, month)
	if err != nil {
		return res, w.fail("%s: confirm: %v", res.desc, err)
	}
	w.h.model.sealed()
	if err := w.sealHolds(ctx, closed.Seal); err != nil {
		return res, w.fail("%s: %v", res.desc, err)
	}
	if year := month[:4]; month[5:] == "12" {
		res.desc += ", close " + year
		if _, err := ps.RequestClose(reviewer, year); err != nil {
			return res, w.fail("%s: %v", res.desc, err)
		}
		y, err := ps.ConfirmClose(clerk, year)
		if err != nil {
			return res, w.fail("%s: %v", res.desc, err)
		}
		w.h.model.sealed()
		if err := w.sealHolds(ctx, y.Seal); err != nil {
			return res, w.fail("%s: %v", res.desc, err)
		}
		if err := w.carryHolds(ctx, year); err != nil {
			return res, w.fail("%s: %v", res.desc, err)
		}
	}
	rep, err := proof.New(w.h.ledger.DB()).Verify(ctx, proof.Full)
	if err != nil || !rep.OK || rep.Seals == 0 {
		return res, w.fail("%s: verify with the seal in force: %v %+v", res.desc, err, rep)
	}
	const first = "2000-01"
	res.desc += ", reopen from " + first
	admin := access.With(ctx, access.Actor{TokenID: "admin", Role: access.Admin, Name: "admin"})
	if _, err := ps.RequestReopen(admin, first, ""); !errors.Is(err, errs.ErrInvalidRequest) {
		return res, w.fail("%s without a reason: %v", res.desc, err)
	}
	if _, err := ps.RequestReopen(admin, first, "harness "+w.name); err != nil {
		return res, w.fail("%s: %v", res.desc, err)
	}
	if _, err := ps.ConfirmReopen(clerk, first); err != nil {
		return res, w.fail("%s: %v", res.desc, err)
	}
	if through, err := w.h.ledger.ClosedThrough(ctx); err != nil || through != "" {
		return res, w.fail("%s: the books are still closed through %q (%v)", res.desc, through, err)
	}
	return res, nil
}

// sealed counts the checkpoint a period's seal takes.
func (m *model) sealed() {
	m.mu.Lock()
	m.checkpts++
	m.mu.Unlock()
}

// asOf is the model's balance of every holding at the end of day.
func (m *model) asOf(day string) map[hkey]int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[hkey]int64{}
	for k, byDate := range m.dated {
		if k.Holder == ledger.External {
			continue
		}
		for d, a := range byDate {
			if d <= day {
				out[k] += a
			}
		}
	}
	return out
}

// sealHolds checks a seal's balances against the model's as of its last day.
func (w *worker) sealHolds(ctx context.Context, s *proof.Seal) error {
	if s == nil {
		return fmt.Errorf("no seal")
	}
	bs, err := proof.New(w.h.ledger.DB()).SealBalances(ctx, s.ID)
	if err != nil {
		return err
	}
	return sameBalances("seal of "+s.Period, w.h.model.asOf(s.LastDay), func(yield func(hkey, int64)) {
		for _, b := range bs {
			yield(hkey{b.Fund, b.Holder}, int64(b.Balance))
		}
	})
}

// carryHolds checks the carry-forward report's closing balances against
// the model's at the year's end, and its opening against the year before.
func (w *worker) carryHolds(ctx context.Context, year string) error {
	cf, err := w.h.app.Periods.CarryForward(access.With(ctx, w.finance()), year)
	if err != nil {
		return err
	}
	if cf.MatchesSeal == nil || !*cf.MatchesSeal {
		return fmt.Errorf("carry-forward %s does not match its seal", year)
	}
	var prev int
	fmt.Sscan(year, &prev)
	if err := sameBalances("carry-forward closing "+year, w.h.model.asOf(year+"-12-31"), func(yield func(hkey, int64)) {
		for _, l := range cf.Items {
			yield(hkey{l.Fund, l.Holder}, int64(l.Closing))
		}
	}); err != nil {
		return err
	}
	return sameBalances("carry-forward opening "+year, w.h.model.asOf(fmt.Sprintf("%d-12-31", prev-1)), func(yield func(hkey, int64)) {
		for _, l := range cf.Items {
			yield(hkey{l.Fund, l.Holder}, int64(l.Opening))
		}
	})
}

// sameBalances compares non-zero balances the service reports with the model's.
func sameBalances(what string, want map[hkey]int64, got func(yield func(hkey, int64))) error {
	seen := map[hkey]int64{}
	got(func(k hkey, v int64) { seen[k] += v })
	for k, v := range want {
		if seen[k] != v {
			return fmt.Errorf("%s: %s at %s is %d, the model says %d", what, k.Fund, k.Holder, seen[k], v)
		}
	}
	for k, v := range seen {
		if v != 0 && want[k] != v {
			return fmt.Errorf("%s: %s at %s is %d, the model says %d", what, k.Fund, k.Holder, v, want[k])
		}
	}
	return nil
}
