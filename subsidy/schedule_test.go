package subsidy

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"renofund/internal/errs"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// aug1 is 01:00 on 1 August 2021 in Lianyungang: July has just ended.
var aug1 = time.Date(2021, 8, 1, 1, 0, 0, 0, Zone)

func scheduledCity(f *fixture) {
	smallCity(f, "100000")
	sc, err := f.svc.Scheme(f.ctx, "M", 0)
	f.must(err)
	sc.Schedule = "0 2 1 * *"
	f.scheme(*sc)
}

func TestRunDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		scheduledCity(f)
		created, err := f.svc.RunDue(f.ctx, aug1)
		if err != nil || len(created) != 1 {
			t.Fatalf("RunDue = %v, %v; want one run", created, err)
		}
		r, err := f.svc.Run(f.ctx, created[0])
		if err != nil || r.Period != "2021-07" || r.Status != Draft || r.SchemeVersion != 2 {
			t.Fatalf("run = %+v, %v", r, err)
		}
		// Neither a draft, nor a paid run, is drafted again by the schedule.
		for _, step := range []string{"draft", "paid"} {
			if created, err := f.svc.RunDue(f.ctx, aug1.Add(time.Hour)); err != nil || len(created) != 0 {
				t.Errorf("RunDue with a %s run = %v, %v; want nothing", step, created, err)
			}
			_, err = f.svc.Approve(f.rev, r.ID)
			f.must(err)
		}
		// Outside the scheme's validity nothing is drafted.
		if created, err := f.svc.RunDue(f.ctx, time.Date(2021, 1, 2, 0, 0, 0, 0, Zone)); err != nil || len(created) != 0 {
			t.Errorf("RunDue for 2020-12 = %v, %v; want nothing", created, err)
		}
		if _, err := f.svc.RunDue(districtCtx("HZ"), aug1); err == nil {
			t.Error("a district may not run the schedule")
		}
	})
}

// TestTwoInstancesDraftOnce runs the schedule from two service instances,
// each with its own connection pool to one database, several times at once.
func TestTwoInstancesDraftOnce(t *testing.T) {
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			u := storetest.URL(t, d)
			var dbs [2]*store.DB
			for i := range dbs {
				db, err := store.Open(context.Background(), u)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				if err := db.Migrate(context.Background()); err != nil {
					t.Fatal(err)
				}
				dbs[i] = db
			}
			scheduledCity(newFixture(t, dbs[0]))
			var total atomic.Int64
			var wg sync.WaitGroup
			for i := range 6 {
				svc := newFixture(t, dbs[i%2]).svc
				wg.Add(1)
				go func() {
					defer wg.Done()
					created, err := svc.RunDue(context.Background(), aug1)
					if err != nil {
						t.Errorf("RunDue: %v", err)
					}
					total.Add(int64(len(created)))
				}()
			}
			wg.Wait()
			var drafts int
			dbs[1].G.Raw("SELECT COUNT(*) FROM subsidy_runs WHERE status = 'draft'").Scan(&drafts)
			if total.Load() != 1 || drafts != 1 {
				t.Errorf("created %d, drafts stored %d; want exactly one", total.Load(), drafts)
			}
		})
	}
}

// TestSchedules: the schemes with a schedule are the scheduler's jobs, and
// a job drafts the run for the period just ended, once.
func TestSchedules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		scheduledCity(f)
		f.svc.now = func() time.Time { return aug1 }
		specs, err := f.svc.Schedules().Specs(f.ctx)
		if err != nil || len(specs) != 1 || specs["M"] != "0 2 1 * *" {
			t.Fatalf("Specs = %v, %v", specs, err)
		}
		did, err := f.svc.Schedules().Run(f.ctx, "M")
		if err != nil || !strings.Contains(did, "drafted") {
			t.Fatalf("Run = %q, %v", did, err)
		}
		if n := f.count("SELECT COUNT(*) FROM subsidy_runs WHERE period = '2021-07'"); n != 1 {
			t.Errorf("%d runs for 2021-07, want 1", n)
		}
		if did, err := f.svc.Schedules().Run(f.ctx, "M"); err != nil || did != "" {
			t.Errorf("a second run of the job: %q, %v; want nothing done", did, err)
		}
		if _, err := f.svc.Schedules().Run(f.ctx, "nope"); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("unknown scheme: error = %v, want not found", err)
		}
	})
}
