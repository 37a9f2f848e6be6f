package schedule

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestSourcesSpecsAndRun: the jobs of two sources are listed together and
// each runs in its own source; an unknown job and a name listed twice are
// errors.
func TestSourcesSpecsAndRun(t *testing.T) {
	a := &fakeJobs{specs: map[string]string{"A1": "@monthly", "A2": "@daily"}}
	b := &fakeJobs{specs: map[string]string{"bulletin:monthly": "0 0 1 * *"}}
	ss := Sources{a, b}
	specs, err := ss.Specs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A1": "@monthly", "A2": "@daily", "bulletin:monthly": "0 0 1 * *"}
	if len(specs) != len(want) {
		t.Fatalf("Specs = %v, want %v", specs, want)
	}
	for k, v := range want {
		if specs[k] != v {
			t.Errorf("Specs[%q] = %q, want %q", k, specs[k], v)
		}
	}
	did, err := ss.Run(context.Background(), "bulletin:monthly")
	if err != nil || did != "ran bulletin:monthly" || b.runs.Load() != 1 || a.runs.Load() != 0 {
		t.Errorf("Run(bulletin) = %q, %v; runs a=%d b=%d, want only b once", did, err, a.runs.Load(), b.runs.Load())
	}
	if _, err := ss.Run(context.Background(), "A2"); err != nil || a.runs.Load() != 1 || b.runs.Load() != 1 {
		t.Errorf("Run(A2): %v; runs a=%d b=%d", err, a.runs.Load(), b.runs.Load())
	}
	if _, err := ss.Run(context.Background(), "nope"); !errors.Is(err, ErrNoSuchJob) {
		t.Errorf("Run(nope) = %v, want ErrNoSuchJob", err)
	}
	if a.runs.Load()+b.runs.Load() != 2 {
		t.Errorf("an unknown job ran something")
	}

	dup := Sources{a, &fakeJobs{specs: map[string]string{"A1": "@hourly"}}}
	if _, err := dup.Specs(context.Background()); err == nil || !strings.Contains(err.Error(), `"A1"`) {
		t.Errorf("Specs with a name listed twice = %v, want an error naming A1", err)
	}
}

// TestSourcesScheduled: a scheduler over sources schedules the jobs of
// both.
func TestSourcesScheduled(t *testing.T) {
	a := &fakeJobs{specs: map[string]string{"A": "@monthly"}}
	b := &fakeJobs{specs: map[string]string{"B": "@every 1h"}}
	s := New(Sources{a, b}, nil)
	if err := s.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := s.Schedules(); len(got) != 2 || got["A"] != "@monthly" || got["B"] != "@every 1h" {
		t.Fatalf("Schedules = %v", got)
	}
}
