package bulletin_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"renofund/funding"
	"renofund/funding/bulletin"
	"renofund/funding/movement"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/errs"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

var fin = access.With(context.Background(), access.Actor{TokenID: "t", Role: access.Finance, Name: "clerk"})

// city is one district with one project and a grant received and
// allocated in September 2026 and spent in October.
func city(t *testing.T, db *store.DB) *app.Services {
	t.Helper()
	s := app.New(db, nil)
	t.Cleanup(s.Close)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.Registry.CreateDistrict(fin, funding.District{Code: "HZ", Name: "海州区"})
	must(err)
	_, err = s.Registry.CreateProject(fin, funding.Project{Code: "HZ-001", Name: "小区", District: "HZ", Households: 12,
		FloorAreaM2: money.MustRate("880.5"), BuiltYear: 1990})
	must(err)
	_, err = s.Registry.CreateFund(fin, funding.Fund{Code: "CG", Kind: "central_grant", Name: "中央补助", Holder: "city",
		FiscalYear: 2026, EligibleCategories: []string{funding.Basic}, DocumentNo: "财综〔2026〕1号"})
	must(err)
	_, err = s.Movements.Receive(fin, movement.Receipt{Fund: "CG", Amount: 900_000_00, ReceivedOn: "2026-09-01",
		Payer: movement.Party{Name: "江苏省财政厅"}})
	must(err)
	_, err = s.Movements.Allocate(fin, movement.Allocation{Fund: "CG", From: "city", To: "project:HZ-001",
		Amount: 600_000_00, AllocatedOn: "2026-09-05"})
	must(err)
	_, err = s.Movements.Spend(fin, movement.Expenditure{Project: "HZ-001", Category: funding.Basic, Amount: 150_000_00,
		PaidOn: "2026-10-08", Purpose: "管网改造", Payee: movement.Party{Name: "连云港市政工程有限公司",
			CreditCode: "91350100M000100Y43", BankAccount: "6222020000000001"}})
	must(err)
	return s
}

// TestSchedulerJob: on the 1st (China Standard Time) the job drafts the
// month before, as "scheduler", once: a second run and two instances
// running at once store one bulletin between them.
func TestSchedulerJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := city(t, db)
		// 00:10 on 1 November in Lianyungang is still 31 October in UTC.
		s.Bulletins.Now = func() time.Time { return time.Date(2026, 10, 31, 16, 10, 0, 0, time.UTC) }
		jobs := s.Bulletins.Jobs()
		specs, err := jobs.Specs(context.Background())
		if err != nil || specs[bulletin.JobName] != bulletin.JobSpec || len(specs) != 1 {
			t.Fatalf("Specs = %v, %v", specs, err)
		}
		var wg sync.WaitGroup
		did := make([]string, 3)
		errs := make([]error, 3)
		for i := range did {
			wg.Add(1)
			go func() {
				defer wg.Done()
				did[i], errs[i] = jobs.Run(context.Background(), bulletin.JobName)
			}()
		}
		wg.Wait()
		drafted := 0
		for i := range did {
			if errs[i] != nil {
				t.Errorf("run %d: %v", i, errs[i])
			}
			if did[i] == "bulletin 2026-10 drafted" {
				drafted++
			} else if did[i] != "" {
				t.Errorf("run %d did %q", i, did[i])
			}
		}
		if drafted != 1 {
			t.Errorf("%d runs drafted October, want 1: %q", drafted, did)
		}
		if did, err := jobs.Run(context.Background(), bulletin.JobName); did != "" || err != nil {
			t.Errorf("a later run: %q, %v; want nothing", did, err)
		}
		list, err := s.Bulletins.List(fin, "", 10)
		if err != nil || len(list) != 1 || list[0].Month != "2026-10" || list[0].DraftedBy != bulletin.Scheduler {
			t.Fatalf("stored: %+v, %v", list, err)
		}
		b, err := s.Bulletins.Get(fin, "2026-10")
		if err != nil {
			t.Fatal(err)
		}
		hz := b.Body.Spending.Districts[0]
		if hz.SpentMonth != 150_000_00 || hz.AllocatedYTD != 600_000_00 || hz.SpendingRate != "0.2500" || hz.Rank != 1 {
			t.Errorf("HZ in October: %+v", hz.Figures)
		}
		if _, err := jobs.Run(context.Background(), "other"); err == nil {
			t.Errorf("an unknown job ran")
		}
	})
}

// TestDraftRefusals: only the finance bureau drafts, a month once, and only
// after it has ended in China Standard Time; nothing is stored by a refusal.
func TestDraftRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := city(t, db)
		// 23:30 on 31 October in Lianyungang: October has not ended.
		s.Bulletins.Now = func() time.Time { return time.Date(2026, 10, 31, 15, 30, 0, 0, time.UTC) }
		hz := access.With(context.Background(), access.Actor{Role: access.District, District: "HZ", Name: "hz"})
		aud := access.With(context.Background(), access.Actor{Role: access.Auditor, Name: "a"})
		for _, c := range []struct {
			ctx   context.Context
			month string
			want  error
		}{
			{hz, "2026-09", errs.ErrForbidden}, {aud, "2026-09", errs.ErrForbidden},
			{fin, "2026-10", bulletin.ErrNotEnded}, {fin, "2027-01", bulletin.ErrNotEnded},
			{fin, "2026-00", errs.ErrInvalidRequest}, {fin, "202610", errs.ErrInvalidRequest}, {fin, "", errs.ErrInvalidRequest},
		} {
			if _, err := s.Bulletins.Draft(c.ctx, c.month); !errors.Is(err, c.want) {
				t.Errorf("Draft(%q) = %v, want %v", c.month, err, c.want)
			}
		}
		if list, _ := s.Bulletins.List(fin, "", 10); len(list) != 0 {
			t.Fatalf("refusals stored %+v", list)
		}
		b, err := s.Bulletins.Draft(fin, "2026-09")
		if err != nil || b.DraftedBy != "finance:clerk" {
			t.Fatalf("Draft(2026-09) = %+v, %v", b, err)
		}
		if _, err := s.Bulletins.Draft(fin, "2026-09"); !errors.Is(err, bulletin.ErrExists) {
			t.Errorf("second draft: %v, want ErrExists", err)
		}
		if _, err := s.Bulletins.Get(fin, "2026-08"); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("Get of a month not drafted: %v", err)
		}
		got, err := s.Bulletins.Get(hz, "2026-09")
		if err != nil || got.Scope != "HZ" || got.SHA256 != b.SHA256 {
			t.Errorf("HZ's view: %+v, %v", got, err)
		}
		// September: the city still held 300,000 of CG, received on the
		// 1st, 29 days before the month's end: not yet late.
		if len(b.Body.LatePassDown) != 0 {
			t.Errorf("late pass-down in September: %+v", b.Body.LatePassDown)
		}
	})
}
