package subsidy

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// clawbackCity pays smallCity's July run, corrects P2's and P3's ratings
// downwards and pays the next run, which requests 160.00 back from P2's
// company (HZ) and 60.00 from P3's (LY).
func clawbackCity(f *fixture) *Run {
	smallCity(f, "100000")
	f.approveRun()
	f.rate("P2", "2021-07", "65") // 0.5: 160.00 of 320.00
	f.rate("P3", "2021-07", "85") // 0.9: 540.00 of 600.00
	second := f.approveRun()
	if second.Clawback != -220_00 {
		f.t.Fatalf("second run claws back %s, want -220.00", second.Clawback)
	}
	return second
}

func TestClawbackList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		run := clawbackCity(f)
		all, err := f.svc.Clawbacks(f.ctx, ClawbackFilter{Status: Open})
		if err != nil || len(all) != 2 {
			t.Fatalf("open clawbacks = %+v, %v; want 2", all, err)
		}
		p2 := all[0]
		if p2.ID != run.ID+".2" || p2.Project != "P2" || p2.Amount.String() != "160.00" || p2.Status != Open ||
			p2.Payee == nil || p2.Payee.CreditCode != code(2) || p2.Scheme != "M" || p2.Period != "2021-07" ||
			p2.Requested != run.ApprovedAt {
			t.Errorf("clawback = %+v", p2)
		}
		hz, err := f.svc.Clawbacks(districtCtx("HZ"), ClawbackFilter{})
		if err != nil || len(hz) != 1 || hz[0].District != "HZ" {
			t.Errorf("HZ sees %+v, %v; want its one clawback", hz, err)
		}
		page, err := f.svc.Clawbacks(f.ctx, ClawbackFilter{Limit: 1, After: p2.ID})
		if err != nil || len(page) != 1 || page[0].Project != "P3" {
			t.Errorf("page after %s = %+v, %v; want P3's", p2.ID, page, err)
		}
		if _, err := f.svc.Clawbacks(f.ctx, ClawbackFilter{Status: "closed"}); !errors.Is(err, errs.ErrInvalidRequest) {
			t.Errorf("status closed: error = %v, want invalid_request", err)
		}
		if _, err := f.svc.Clawbacks(f.ctx, ClawbackFilter{After: "nope"}); !errors.Is(err, errs.ErrInvalidRequest) {
			t.Errorf("bad cursor: error = %v, want invalid_request", err)
		}
		admin := access.With(context.Background(), access.Actor{Role: access.Admin, Name: "a"})
		if _, err := f.svc.Clawbacks(admin, ClawbackFilter{}); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("admin: error = %v, want forbidden", err)
		}
	})
}

func TestSettleClawback(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		run := clawbackCity(f)
		id := run.ID + ".2"
		today := time.Now().In(Zone)
		on := today.Format(time.DateOnly)
		refusals := []struct {
			name string
			ctx  context.Context
			id   string
			in   Settlement
			want error
		}{
			{"district", districtCtx("HZ"), id, Settlement{SettledOn: on}, errs.ErrForbidden},
			{"auditor", access.With(context.Background(), access.Actor{Role: access.Auditor}), id, Settlement{SettledOn: on},
				errs.ErrForbidden},
			{"bad date", f.ctx, id, Settlement{SettledOn: "2021-02-30"}, errs.ErrInvalidRequest},
			{"no date", f.ctx, id, Settlement{}, errs.ErrInvalidRequest},
			{"long note", f.ctx, id, Settlement{SettledOn: on, Note: strings.Repeat("退", 501)}, errs.ErrInvalidRequest},
			{"tomorrow", f.ctx, id, Settlement{SettledOn: today.AddDate(0, 0, 1).Format(time.DateOnly)}, ledger.ErrFutureDate},
			{"before the request", f.ctx, id, Settlement{SettledOn: "2021-08-01"}, errs.ErrRuleViolation},
			{"unknown", f.ctx, run.ID + ".9", Settlement{SettledOn: on}, errs.ErrNotFound},
			{"a paying line", f.ctx, run.ID + ".1", Settlement{SettledOn: on}, errs.ErrNotFound},
			{"not an id", f.ctx, "x", Settlement{SettledOn: on}, errs.ErrNotFound},
		}
		for _, tt := range refusals {
			if _, err := f.svc.SettleClawback(tt.ctx, tt.id, tt.in); !errors.Is(err, tt.want) {
				t.Errorf("%s: error = %v, want %v", tt.name, err, tt.want)
			}
		}
		if n := f.count("SELECT COUNT(*) FROM subsidy_clawback_settlements"); n != 0 {
			t.Fatalf("%d settlements after refusals, want 0", n)
		}
		got, err := f.svc.SettleClawback(f.ctx, id, Settlement{SettledOn: on, Note: "已退回 银行回单 0815"})
		if err != nil || got.Status != Settled || got.SettledOn != on || got.SettledBy != "finance:t" || got.Note == "" {
			t.Fatalf("SettleClawback = %+v, %v", got, err)
		}
		if _, err := f.svc.SettleClawback(f.ctx, id, Settlement{SettledOn: on}); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("second settlement: error = %v, want conflict", err)
		}
		open, err := f.svc.Clawbacks(f.ctx, ClawbackFilter{Status: Open})
		if err != nil || len(open) != 1 || open[0].Project != "P3" {
			t.Errorf("open after settling = %+v, %v; want P3's", open, err)
		}
		settled, err := f.svc.Clawbacks(districtCtx("HZ"), ClawbackFilter{Status: Settled})
		if err != nil || len(settled) != 1 || settled[0].ID != id || settled[0].Note != got.Note {
			t.Errorf("settled = %+v, %v", settled, err)
		}
		// Settling records the refund and moves no money: the next run has nothing to do.
		next, err := f.svc.CreateRun(f.ctx, "M", "2021-07")
		if err != nil || next.Total != 0 || next.Clawback != 0 {
			t.Errorf("next run = %+v, %v; want nothing to do", next, err)
		}
	})
}
