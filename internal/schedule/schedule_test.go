package schedule

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeJobs is a source whose jobs count their runs; a job may block until
// released.
type fakeJobs struct {
	mu      sync.Mutex
	specs   map[string]string
	runs    atomic.Int32
	release chan struct{} // nil: runs return at once
}

func (f *fakeJobs) Specs(context.Context) (map[string]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]string{}
	for k, v := range f.specs {
		out[k] = v
	}
	return out, nil
}

func (f *fakeJobs) Run(ctx context.Context, name string) (string, error) {
	f.runs.Add(1)
	if f.release != nil {
		<-f.release
	}
	return "ran " + name, nil
}

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		spec string
		ok   bool
	}{
		{"0 2 1 * *", true}, {"@monthly", true}, {"@every 1h", true}, {"0 3 1 1,7 *", true},
		{"every tuesday", false}, {"", false}, {"0 2 1 *", false}, {"61 * * * *", false},
	} {
		if err := Check(c.spec); (err == nil) != c.ok {
			t.Errorf("Check(%q) = %v, want ok %v", c.spec, err, c.ok)
		}
	}
}

// TestRefusesBadSpec: a schedule that does not parse stops start-up with
// an error naming the job.
func TestRefusesBadSpec(t *testing.T) {
	jobs := &fakeJobs{specs: map[string]string{"good": "@monthly", "M": "every tuesday"}}
	err := New(jobs, nil).Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "M: schedule") {
		t.Fatalf("Start error = %v, want one naming job M", err)
	}
}

// TestRunsAndReloads: a job runs on its schedule; a reload drops a removed
// job and replaces a changed one.
func TestRunsAndReloads(t *testing.T) {
	jobs := &fakeJobs{specs: map[string]string{"M": "@every 1s"}}
	s := New(jobs, nil)
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() { <-s.Stop().Done() }()
	if got := s.Schedules(); got["M"] != "@every 1s" {
		t.Fatalf("Schedules = %v", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for jobs.runs.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the job never ran")
		}
		time.Sleep(20 * time.Millisecond)
	}
	jobs.mu.Lock()
	jobs.specs = map[string]string{"N": "@daily"}
	jobs.mu.Unlock()
	if err := s.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := s.Schedules(); len(got) != 1 || got["N"] != "@daily" {
		t.Errorf("after reload: %v", got)
	}
}

// TestSkipsOverlaps: a job still running when its next time comes is
// skipped, not started twice.
func TestSkipsOverlaps(t *testing.T) {
	jobs := &fakeJobs{specs: map[string]string{"M": "@daily"}, release: make(chan struct{})}
	s := New(jobs, nil)
	if err := s.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	job := s.cron.Entry(s.entries["M"].id).WrappedJob
	done := make(chan struct{})
	go func() { job.Run(); close(done) }()
	for jobs.runs.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	job.Run() // returns at once: skipped
	close(jobs.release)
	<-done
	if n := jobs.runs.Load(); n != 1 {
		t.Errorf("job ran %d times, want 1", n)
	}
}
