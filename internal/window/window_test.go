package window_test

import (
	"errors"
	"testing"

	"renofund/internal/errs"
	"renofund/internal/window"
)

func TestParse(t *testing.T) {
	tests := []struct {
		fy, from, to string
		want         window.Window
		bad          bool
	}{
		{"", "", "", window.Window{}, false},
		{"2026", "", "", window.Window{From: "2026-01-01", To: "2026-12-31"}, false},
		{"", "2026-04-01", "", window.Window{From: "2026-04-01"}, false},
		{"", "", "2026-04-30", window.Window{To: "2026-04-30"}, false},
		{"", "2026-04-01", "2026-04-01", window.Window{From: "2026-04-01", To: "2026-04-01"}, false},
		{"2026", "2026-04-01", "", window.Window{}, true},       // both forms
		{"2026", "", "2026-04-30", window.Window{}, true},       // both forms
		{"", "2026-05-01", "2026-04-30", window.Window{}, true}, // from after to
		{"", "2026-02-30", "", window.Window{}, true},
		{"", "", "26-04-30", window.Window{}, true},
		{"", "1999-12-31", "", window.Window{}, true},
		{"26", "", "", window.Window{}, true},
		{"1999", "", "", window.Window{}, true},
		{"+202", "", "", window.Window{}, true},
		{"2026x", "", "", window.Window{}, true},
	}
	for _, tc := range tests {
		got, err := window.Parse(tc.fy, tc.from, tc.to)
		if tc.bad {
			if !errors.Is(err, errs.ErrInvalidRequest) {
				t.Errorf("Parse(%q, %q, %q) = %v, %v; want invalid_request", tc.fy, tc.from, tc.to, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q, %q, %q) = %v, %v; want %v", tc.fy, tc.from, tc.to, got, err, tc.want)
		}
	}
}

func TestPeriod(t *testing.T) {
	tests := []struct {
		in   string
		want window.Window
	}{
		{"2026", window.Window{From: "2026-01-01", To: "2026-12-31"}},
		{"2026-H2", window.Window{From: "2026-07-01", To: "2026-12-31"}},
		{"2026-Q1", window.Window{From: "2026-01-01", To: "2026-03-31"}},
		{"2024-02", window.Window{From: "2024-02-01", To: "2024-02-29"}},
		{"2026-12", window.Window{From: "2026-12-01", To: "2026-12-31"}},
	}
	for _, tc := range tests {
		if got, err := window.Period(tc.in); err != nil || got != tc.want {
			t.Errorf("Period(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "2026-13", "2026-Q5", "2026-H3", "1999", "2026-7", "2026-q1"} {
		if _, err := window.Period(bad); !errors.Is(err, errs.ErrInvalidRequest) {
			t.Errorf("Period(%q): %v, want invalid_request", bad, err)
		}
	}
}

func TestContains(t *testing.T) {
	w := window.Window{From: "2026-04-01", To: "2026-04-30"}
	for date, want := range map[string]bool{"2026-03-31": false, "2026-04-01": true, "2026-04-30": true, "2026-05-01": false, "": false} {
		if got := w.Contains(date); got != want {
			t.Errorf("%v contains %q = %v, want %v", w, date, got, want)
		}
	}
	if !(window.Window{}).Contains("") || !(window.Window{To: "2026-04-30"}).Contains("2000-01-01") {
		t.Error("an open window or bound should contain what it does not exclude")
	}
	if b, ok := w.Before(); !ok || b != (window.Window{To: "2026-03-31"}) {
		t.Errorf("Before = %v, %v", b, ok)
	}
	if _, ok := (window.Window{To: "2026-04-30"}).Before(); ok {
		t.Error("Before of a window without a lower bound")
	}
	if got := w.Through(); got != (window.Window{To: "2026-04-30"}) {
		t.Errorf("Through = %v", got)
	}
}
