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
	"renofund/internal/ledger"
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
			_, err = f.svc.Approve(f.ctx, r.ID)
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
				svc := NewService(dbs[i%2], ledger.New(dbs[i%2]))
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

func TestSchedulerRefusesBadSpec(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		scheduledCity(f)
		// A bad spec cannot come in through CreateScheme; plant one as an
		// older release or a hand edit might have.
		f.must(db.G.Exec("UPDATE subsidy_schemes SET schedule = 'every tuesday' WHERE code = 'M'").Error)
		err := NewScheduler(f.svc, nil).Start(context.Background())
		if err == nil || !strings.Contains(err.Error(), "scheme M") {
			t.Fatalf("Start error = %v, want one naming scheme M", err)
		}
	})
}

func TestSchedulerDraftsAndSkipsOverlaps(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	f := newFixture(t, db)
	scheduledCity(f)
	f.svc.now = func() time.Time { return aug1 }
	f.must(db.G.Exec("UPDATE subsidy_schemes SET schedule = '@every 1s' WHERE code = 'M'").Error)
	s := NewScheduler(f.svc, nil)
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := s.Schedules(); got["M"] != "@every 1s" {
		t.Fatalf("Schedules = %v", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for f.count("SELECT COUNT(*) FROM subsidy_runs WHERE period = '2021-07'") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the scheduler drafted no run")
		}
		time.Sleep(50 * time.Millisecond)
	}
	<-s.Stop().Done()

	// A job still running when its next time comes is skipped.
	var calls atomic.Int32
	release := make(chan struct{})
	s = NewScheduler(f.svc, nil)
	s.work = func(context.Context, string) { calls.Add(1); <-release }
	f.must(s.Load(context.Background()))
	job := s.cron.Entry(s.jobs["M"].id).WrappedJob
	done := make(chan struct{})
	go func() { job.Run(); close(done) }()
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	job.Run() // returns at once: skipped
	close(release)
	<-done
	if calls.Load() != 1 {
		t.Errorf("job ran %d times, want 1", calls.Load())
	}
	if _, err := f.svc.Scheme(context.Background(), "nope", 0); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("unknown scheme: error = %v, want not found", err)
	}
}
