package clawback_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/creditcode"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
	"renofund/subsidy"
	"renofund/subsidy/clawback"
)

var (
	fin = access.With(context.Background(), access.Actor{Role: access.Finance, Name: "t"})
	rev = access.With(context.Background(), access.Actor{Role: access.Finance, Name: "r"})
)

func districtCtx(d string) context.Context {
	return access.With(context.Background(), access.Actor{Role: access.District, District: d, Name: "d-" + d})
}

func code(n int) string { return creditcode.Complete(fmt.Sprintf("9132070%010d", n)) }

// fixture is a small city whose July subsidy run was paid, then corrected
// downwards for P2 (HZ) and P3 (LY) and paid again: the second run requests
// 160.00 back from P2's company and 60.00 from P3's.
type fixture struct {
	t   *testing.T
	svc *app.Services
	run *subsidy.Run // the second, clawing back
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) rate(project, score string) {
	f.t.Helper()
	s, err := subsidy.ParseScore(score)
	f.must(err)
	_, err = f.svc.Subsidy.RecordRating(fin, subsidy.Rating{Project: project, Period: "2021-07", Score: &s})
	f.must(err)
}

func (f *fixture) pay() *subsidy.Run {
	f.t.Helper()
	r, err := f.svc.Subsidy.CreateRun(fin, "M", "2021-07")
	f.must(err)
	paid, err := f.svc.Subsidy.Approve(rev, r.ID)
	f.must(err)
	return paid
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{t: t, svc: app.New(db, nil)}
	t.Cleanup(f.svc.Close)
	reg := f.svc.Registry
	for _, d := range []string{"HZ", "LY"} {
		_, err := reg.CreateDistrict(fin, funding.District{Code: d, Name: "区 " + d})
		f.must(err)
	}
	_, err := reg.CreateFund(fin, funding.Fund{Code: "WY", Kind: "city_fiscal", Name: "物业补贴资金", Holder: "city",
		FiscalYear: 2021, EligibleCategories: []string{funding.Basic}})
	f.must(err)
	_, err = f.svc.Movements.Receive(fin, movement.Receipt{Fund: "WY", Amount: money.MustParse("100000"),
		ReceivedOn: "2021-01-05", Payer: movement.Party{Name: "连云港市财政局"}})
	f.must(err)
	for i, p := range []struct {
		code, district string
		households     int64
	}{{"P1", "HZ", 100}, {"P2", "HZ", 40}, {"P3", "LY", 75}} {
		_, err := reg.CreateProject(fin, funding.Project{Code: p.code, Name: "小区 " + p.code, District: p.district,
			Households: p.households, FloorAreaM2: money.MustRate("1000"), Buildings: 3, BuiltYear: 1995})
		f.must(err)
		_, err = f.svc.Subsidy.SetPropertyManager(fin, p.code, subsidy.PropertyManager{Name: fmt.Sprintf("物业公司 %d", i+1),
			CreditCode: code(i + 1), BankAccount: fmt.Sprintf("6222%012d", i+1), From: "2021-01-01"})
		f.must(err)
		f.rate(p.code, "92")
	}
	_, err = f.svc.Subsidy.CreateScheme(fin, subsidy.Scheme{Code: "M", Name: "月度物业补贴", Fund: "WY",
		Basis: subsidy.PerHouseholdMonth, Rate: money.MustRate("8"), Period: subsidy.Month, ValidFrom: "2021-01-01",
		Bands: []subsidy.Band{{MinScore: 9000, Ratio: money.MustRate("1")}, {MinScore: 8000, Ratio: money.MustRate("0.9")},
			{MinScore: 6000, Ratio: money.MustRate("0.5")}}})
	f.must(err)
	f.pay()
	f.rate("P2", "65") // 0.5: 160.00 of 320.00
	f.rate("P3", "85") // 0.9: 540.00 of 600.00
	if f.run = f.pay(); f.run.Clawback != -220_00 {
		t.Fatalf("second run claws back %s, want -220.00", f.run.Clawback)
	}
	return f
}

func (f *fixture) settlements() int {
	f.t.Helper()
	var n int
	f.must(f.svc.DB.G.Raw("SELECT COUNT(*) FROM subsidy_clawback_settlements").Scan(&n).Error)
	return n
}

func TestClawbackList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		run, svc := f.run, f.svc.Clawbacks
		all, err := svc.List(fin, clawback.Filter{Status: clawback.Open})
		if err != nil || len(all) != 2 {
			t.Fatalf("open clawbacks = %+v, %v; want 2", all, err)
		}
		p2 := all[0]
		if p2.ID != run.ID+".2" || p2.Project != "P2" || p2.Amount.String() != "160.00" || p2.Status != clawback.Open ||
			p2.Payee == nil || p2.Payee.CreditCode != code(2) || p2.Scheme != "M" || p2.Period != "2021-07" ||
			p2.Requested != run.ApprovedAt {
			t.Errorf("clawback = %+v", p2)
		}
		hz, err := svc.List(districtCtx("HZ"), clawback.Filter{})
		if err != nil || len(hz) != 1 || hz[0].District != "HZ" {
			t.Errorf("HZ sees %+v, %v; want its one clawback", hz, err)
		}
		page, err := svc.List(fin, clawback.Filter{Limit: 1, After: p2.ID})
		if err != nil || len(page) != 1 || page[0].Project != "P3" {
			t.Errorf("page after %s = %+v, %v; want P3's", p2.ID, page, err)
		}
		if _, err := svc.List(fin, clawback.Filter{Status: "closed"}); !errors.Is(err, errs.ErrInvalidRequest) {
			t.Errorf("status closed: error = %v, want invalid_request", err)
		}
		if _, err := svc.List(fin, clawback.Filter{After: "nope"}); !errors.Is(err, errs.ErrInvalidRequest) {
			t.Errorf("bad cursor: error = %v, want invalid_request", err)
		}
		admin := access.With(context.Background(), access.Actor{Role: access.Admin, Name: "a"})
		if _, err := svc.List(admin, clawback.Filter{}); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("admin: error = %v, want forbidden", err)
		}
	})
}

func TestSettleClawback(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		run, svc := f.run, f.svc.Clawbacks
		id := run.ID + ".2"
		today := time.Now().In(subsidy.Zone)
		on := today.Format(time.DateOnly)
		refusals := []struct {
			name string
			ctx  context.Context
			id   string
			in   clawback.Settlement
			want error
		}{
			{"district", districtCtx("HZ"), id, clawback.Settlement{SettledOn: on}, errs.ErrForbidden},
			{"auditor", access.With(context.Background(), access.Actor{Role: access.Auditor}), id, clawback.Settlement{SettledOn: on},
				errs.ErrForbidden},
			{"bad date", fin, id, clawback.Settlement{SettledOn: "2021-02-30"}, errs.ErrInvalidRequest},
			{"no date", fin, id, clawback.Settlement{}, errs.ErrInvalidRequest},
			{"long note", fin, id, clawback.Settlement{SettledOn: on, Note: strings.Repeat("退", 501)}, errs.ErrInvalidRequest},
			{"tomorrow", fin, id, clawback.Settlement{SettledOn: today.AddDate(0, 0, 1).Format(time.DateOnly)}, ledger.ErrFutureDate},
			{"before the request", fin, id, clawback.Settlement{SettledOn: "2021-08-01"}, errs.ErrRuleViolation},
			{"unknown", fin, run.ID + ".9", clawback.Settlement{SettledOn: on}, errs.ErrNotFound},
			{"a paying line", fin, run.ID + ".1", clawback.Settlement{SettledOn: on}, errs.ErrNotFound},
			{"not an id", fin, "x", clawback.Settlement{SettledOn: on}, errs.ErrNotFound},
		}
		for _, tt := range refusals {
			if _, err := svc.Settle(tt.ctx, tt.id, tt.in); !errors.Is(err, tt.want) {
				t.Errorf("%s: error = %v, want %v", tt.name, err, tt.want)
			}
		}
		if n := f.settlements(); n != 0 {
			t.Fatalf("%d settlements after refusals, want 0", n)
		}
		got, err := svc.Settle(fin, id, clawback.Settlement{SettledOn: on, Note: "已退回 银行回单 0815"})
		if err != nil || got.Status != clawback.Settled || got.SettledOn != on || got.SettledBy != "finance:t" || got.Note == "" {
			t.Fatalf("SettleClawback = %+v, %v", got, err)
		}
		if _, err := svc.Settle(fin, id, clawback.Settlement{SettledOn: on}); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("second settlement: error = %v, want conflict", err)
		}
		open, err := svc.List(fin, clawback.Filter{Status: clawback.Open})
		if err != nil || len(open) != 1 || open[0].Project != "P3" {
			t.Errorf("open after settling = %+v, %v; want P3's", open, err)
		}
		settled, err := svc.List(districtCtx("HZ"), clawback.Filter{Status: clawback.Settled})
		if err != nil || len(settled) != 1 || settled[0].ID != id || settled[0].Note != got.Note {
			t.Errorf("settled = %+v, %v", settled, err)
		}
		// Settling records the refund and moves no money: the next run has nothing to do.
		next, err := f.svc.Subsidy.CreateRun(fin, "M", "2021-07")
		if err != nil || next.Total != 0 || next.Clawback != 0 {
			t.Errorf("next run = %+v, %v; want nothing to do", next, err)
		}
	})
}
