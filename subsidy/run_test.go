package subsidy

import (
	"errors"
	"sync"
	"testing"
	"time"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// smallCity has three rated, managed projects and a monthly household scheme.
func smallCity(f *fixture, funds string) {
	f.districts("HZ", "LY")
	f.subsidyFund("WY", funds)
	for i, p := range []struct {
		code, district string
		households     int64
	}{{"P1", "HZ", 100}, {"P2", "HZ", 40}, {"P3", "LY", 75}} {
		f.project(p.code, p.district, p.households, "1000")
		f.manager(p.code, i+1)
		f.rate(p.code, "2021-07", "92")
	}
	f.scheme(Scheme{Code: "M", Name: "月度物业补贴", Fund: "WY", Basis: PerHouseholdMonth, Rate: money.MustRate("8"),
		Period: Month, Bands: standardBands(), ValidFrom: "2021-01-01"})
}

func TestApproveTwicePaysOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		smallCity(f, "100000")
		r, err := f.svc.CreateRun(f.ctx, "M", "2021-07")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := r.Total, money.MustParse("1720"); got != want { // 8 × (100 + 40 + 75)
			t.Fatalf("total = %s, want %s", got, want)
		}
		// Several approvals at once, then one more: exactly one pays.
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if got, err := f.svc.Approve(f.rev, r.ID); err != nil || got.Status != Paid {
					t.Errorf("Approve = %v, %v; want paid", got, err)
				}
			}()
		}
		wg.Wait()
		again, err := f.svc.Approve(f.rev, r.ID)
		if err != nil || again.Status != Paid || again.Total != r.Total {
			t.Fatalf("second Approve = %+v, %v", again, err)
		}
		if got, want := f.balance("WY", "city"), money.MustParse("98280"); got != want {
			t.Errorf("city balance = %s, want %s", got, want)
		}
		if n := f.count("SELECT COUNT(*) FROM transfers WHERE type = ? AND batch_id = ?", ledger.TypeSubsidy, r.ID); n != 3 {
			t.Errorf("subsidy transfers = %d, want 3", n)
		}
		tr, err := ledger.New(db).List(f.ctx, ledger.Filter{Project: "P3", Type: ledger.TypeSubsidy, Limit: 10})
		if err != nil || len(tr) != 1 {
			t.Fatalf("transfers of P3 = %v, %v", tr, err)
		}
		if got := tr[0]; got.Amount != money.MustParse("600") || got.PayeeCreditCode != code(3) ||
			got.District != "LY" || got.From != "city" || got.Fund != "WY" || got.BatchID != r.ID {
			t.Errorf("transfer = %+v", got)
		}
		if _, err := f.svc.Cancel(f.ctx, r.ID); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("Cancel(paid) error = %v, want conflict", err)
		}
	})
}

func TestSecondDraftIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		smallCity(f, "100000")
		first, err := f.svc.CreateRun(f.ctx, "M", "2021-07")
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.CreateRun(f.ctx, "M", "2021-07")
		if !errors.Is(err, ErrRunExists) || errs.Classify(err).Code != "run_exists" {
			t.Fatalf("second CreateRun error = %v, want run_exists", err)
		}
		if _, err := f.svc.CreateRun(f.ctx, "M", "2021-Q3"); !errors.Is(err, errs.ErrInvalidRequest) {
			t.Errorf("CreateRun for a quarter of a monthly scheme: error = %v, want invalid_request", err)
		}
		if c, err := f.svc.Cancel(f.ctx, first.ID); err != nil || c.Status != Cancelled {
			t.Fatalf("Cancel = %v, %v", c, err)
		}
		second, err := f.svc.CreateRun(f.ctx, "M", "2021-07")
		if err != nil {
			t.Fatalf("CreateRun after cancel: %v", err)
		}
		if _, err := f.svc.Approve(f.rev, first.ID); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("Approve(cancelled) error = %v, want conflict", err)
		}
		if _, err := f.svc.Approve(f.rev, second.ID); err != nil {
			t.Fatal(err)
		}
		// After payment a new run pays only differences: here none.
		third, err := f.svc.CreateRun(f.ctx, "M", "2021-07")
		if err != nil {
			t.Fatal(err)
		}
		if third.Total != 0 || third.PaidBefore != 1 {
			t.Errorf("third run total = %s, paid_before = %d; want 0, 1", third.Total, third.PaidBefore)
		}
		for _, l := range third.Lines {
			if l.Status != Skipped || l.Reason != ReasonAlreadyPaid {
				t.Errorf("line %s = %s/%s, want skipped/already_paid", l.Project, l.Status, l.Reason)
			}
		}
		if _, err := f.svc.Approve(f.rev, third.ID); err != nil {
			t.Fatal(err)
		}
		if got, want := f.paidTo("P1"), money.MustParse("800"); got != want {
			t.Errorf("paid to P1 = %s, want %s", got, want)
		}
	})
}

func TestConcurrentCreateRunMakesOneDraft(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		smallCity(f, "100000")
		const n = 8
		errc := make(chan error, n)
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.svc.CreateRun(f.ctx, "M", "2021-07")
				errc <- err
			}()
		}
		wg.Wait()
		close(errc)
		ok := 0
		for err := range errc {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, ErrRunExists):
				t.Errorf("CreateRun: %v, want nil or run_exists", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d drafts created, want 1", ok)
		}
		if got := f.count("SELECT COUNT(*) FROM subsidy_runs"); got != 1 {
			t.Errorf("runs stored = %d, want 1", got)
		}
	})
}

func TestInsufficientFundsLeavesDraft(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		smallCity(f, "1719.99") // one fen short of 1720.00
		r, err := f.svc.CreateRun(f.ctx, "M", "2021-07")
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Approve(f.rev, r.ID)
		if !errors.Is(err, ledger.ErrInsufficientFunds) || errs.Classify(err).Kind != errs.Rule {
			t.Fatalf("Approve error = %v, want insufficient_funds", err)
		}
		got, err := f.svc.Run(f.ctx, r.ID)
		if err != nil || got.Status != Draft || got.ApprovedAt != "" {
			t.Fatalf("run after refusal = %+v, %v; want draft", got, err)
		}
		if n := f.count("SELECT COUNT(*) FROM transfers WHERE type = ?", ledger.TypeSubsidy); n != 0 {
			t.Errorf("%d subsidy transfers posted, want 0", n)
		}
		if b := f.balance("WY", "city"); b != money.MustParse("1719.99") {
			t.Errorf("balance = %s, want 1719.99", b)
		}
		// Topped up, the same draft pays.
		f.receive("WY", "0.01")
		if paid, err := f.svc.Approve(f.rev, r.ID); err != nil || paid.Status != Paid {
			t.Fatalf("Approve after top-up = %v, %v", paid, err)
		}
		if b := f.balance("WY", "city"); b != 0 {
			t.Errorf("balance = %s, want 0", b)
		}
	})
}

func TestStaleDraftIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		smallCity(f, "100000")
		first, err := f.svc.CreateRun(f.ctx, "M", "2021-07")
		f.must(err)
		_, err = f.svc.Approve(f.rev, first.ID)
		f.must(err)
		second, err := f.svc.CreateRun(f.ctx, "M", "2021-07")
		f.must(err)
		// As if the second had been drafted before the first was paid.
		f.must(db.G.Exec("UPDATE subsidy_runs SET paid_before = 0 WHERE id = ?", second.ID).Error)
		if _, err := f.svc.Approve(f.rev, second.ID); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("Approve(stale) error = %v, want conflict", err)
		}
		if got, want := f.paidTo("P1"), money.MustParse("800"); got != want {
			t.Errorf("paid to P1 = %s, want %s", got, want)
		}
	})
}

func TestDistrictHolderPaysItsOwnProjects(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		smallCity(f, "1000")
		_, err := f.fund.Allocate(f.ctx, movement.Allocation{Fund: "WY", From: "city", To: "district:LY",
			Amount: money.MustParse("700"), AllocatedOn: "2021-02-01"})
		f.must(err)
		f.scheme(Scheme{Code: "LYM", Name: "连云区物业补贴", Fund: "WY", Holder: "district:LY", Basis: PerHouseholdMonth,
			Rate: money.MustRate("8"), Period: Month, Bands: standardBands(), ValidFrom: "2021-01-01",
			Category: funding.Improvement})
		r, err := f.svc.CreateRun(f.ctx, "LYM", "2021-07")
		f.must(err)
		if len(r.Lines) != 1 || r.Lines[0].Project != "P3" || r.Total != money.MustParse("600") {
			t.Fatalf("run = %+v, want one line for P3 paying 600.00", r)
		}
		_, err = f.svc.Approve(f.rev, r.ID)
		f.must(err)
		if got := f.balance("WY", "district:LY"); got != money.MustParse("100") {
			t.Errorf("district balance = %s, want 100.00", got)
		}
		if got := f.balance("WY", "city"); got != money.MustParse("300") {
			t.Errorf("city balance = %s, want 300.00", got)
		}
		var category string
		f.must(db.G.Raw("SELECT category FROM transfers WHERE batch_id = ?", r.ID).Scan(&category).Error)
		if category != funding.Improvement {
			t.Errorf("category = %q, want improvement", category)
		}
		// LY's own run is LY's and the bureau's to read, not HZ's: to HZ it
		// does not exist, in a list or by its id.
		if got, err := f.svc.Run(districtCtx("LY"), r.ID); err != nil || len(got.Lines) != 1 {
			t.Errorf("LY reads its run: %+v, %v", got, err)
		}
		if _, err := f.svc.Run(districtCtx("HZ"), r.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("HZ reads LY's run: error = %v, want not found", err)
		}
		if list, err := f.svc.Runs(districtCtx("HZ"), RunFilter{}); err != nil || len(list) != 0 {
			t.Errorf("HZ's list = %+v, %v; want no run", list, err)
		}
		if list, err := f.svc.Runs(districtCtx("LY"), RunFilter{}); err != nil || len(list) != 1 {
			t.Errorf("LY's list = %+v, %v; want its run", list, err)
		}
	})
}

func TestExpiredFundPaysNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		smallCity(f, "100000")
		_, err := f.reg.CreateFund(f.ctx, funding.Fund{Code: "OLD", Kind: "city_fiscal", Name: "过期资金", Holder: "city",
			FiscalYear: 2021, EligibleCategories: []string{funding.Basic}, ExpiresOn: "2021-12-31"})
		f.must(err)
		f.receive("OLD", "100000")
		f.scheme(Scheme{Code: "X", Name: "x", Fund: "OLD", Basis: PerCommunityPeriod, Rate: money.MustRate("100"),
			Period: Month, Bands: bands("0", "1"), ValidFrom: "2021-01-01"})
		r, err := f.svc.CreateRun(f.ctx, "X", "2021-07")
		f.must(err)
		if _, err := f.svc.Approve(f.rev, r.ID); !errors.Is(err, ErrFundExpired) {
			t.Fatalf("Approve error = %v, want fund_expired", err)
		}
		if got, _ := f.svc.Run(f.ctx, r.ID); got.Status != Draft {
			t.Errorf("status = %s, want draft", got.Status)
		}
		f.svc.now = func() time.Time { return time.Date(2021, 12, 31, 23, 0, 0, 0, Zone) }
		if paid, err := f.svc.Approve(f.rev, r.ID); err != nil || paid.Total != money.MustParse("300") {
			t.Fatalf("Approve on the last valid day = %v, %v", paid, err)
		}
		var booked string
		f.must(db.G.Raw("SELECT MIN(booked_on) FROM transfers WHERE batch_id = ?", r.ID).Scan(&booked).Error)
		if booked != "2021-12-31" {
			t.Errorf("booked on %s, want 2021-12-31", booked)
		}
	})
}
