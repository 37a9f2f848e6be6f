package funding_test

import (
	"errors"
	"strings"
	"testing"

	"renofund/funding"
	"renofund/internal/errs"
)

func TestParseHolder(t *testing.T) {
	for _, tc := range []struct {
		name   string
		want   funding.Holder
		wantOK bool
	}{
		{"city", funding.Holder{Name: "city"}, true},
		{"district:HZ", funding.Holder{Name: "district:HZ", District: "HZ"}, true},
		{"project:HZ-001", funding.Holder{Name: "project:HZ-001", Project: "HZ-001"}, true},
		{"district:", funding.Holder{}, false},
		{"project:", funding.Holder{}, false},
		{"City", funding.Holder{}, false},
		{"HZ", funding.Holder{}, false},
		{"external", funding.Holder{}, false},
		{"", funding.Holder{}, false},
	} {
		got, ok := funding.ParseHolder(tc.name)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("ParseHolder(%q) = %+v, %v; want %+v, %v", tc.name, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestHolderBelow(t *testing.T) {
	city := funding.Holder{Name: "city"}
	hz := funding.Holder{Name: "district:HZ", District: "HZ"}
	ly := funding.Holder{Name: "district:LY", District: "LY"}
	hz1 := funding.Holder{Name: "project:HZ-001", District: "HZ", Project: "HZ-001"}
	hz2 := funding.Holder{Name: "project:HZ-002", District: "HZ", Project: "HZ-002"}
	ly1 := funding.Holder{Name: "project:LY-001", District: "LY", Project: "LY-001"}
	for _, tc := range []struct {
		from, to funding.Holder
		want     bool
	}{
		{city, hz, true},
		{city, hz1, true},
		{hz, hz1, true},
		{hz, hz2, true},
		{city, city, false},
		{hz, city, false},
		{hz, ly, false},
		{hz, hz, false},
		{hz, ly1, false},
		{hz1, hz2, false},
		{hz1, hz, false},
		{hz1, city, false},
	} {
		if got := tc.from.Below(tc.to); got != tc.want {
			t.Errorf("%s.Below(%s) = %v, want %v", tc.from.Name, tc.to.Name, got, tc.want)
		}
	}
}

// TestRegistryHolder: a district learns nothing of another district's
// project, not even that it exists; districts themselves are public.
func TestRegistryHolder(t *testing.T) {
	eachCity(t, func(t *testing.T, c *city) {
		for _, tc := range []struct {
			actor string // finance, or a district code
			name  string
			want  funding.Holder
			err   error
		}{
			{"finance", "city", funding.Holder{Name: "city"}, nil},
			{"finance", "project:LY-001", funding.Holder{Name: "project:LY-001", District: "LY", Project: "LY-001"}, nil},
			{"HZ", "project:HZ-001", funding.Holder{Name: "project:HZ-001", District: "HZ", Project: "HZ-001"}, nil},
			{"HZ", "district:LY", funding.Holder{Name: "district:LY", District: "LY"}, nil},
			{"HZ", "project:LY-001", funding.Holder{}, errs.ErrNotFound},
			{"HZ", "project:HZ-404", funding.Holder{}, errs.ErrNotFound},
			{"finance", "project:HZ-404", funding.Holder{}, errs.ErrNotFound},
			{"finance", "district:ZZ", funding.Holder{}, errs.ErrNotFound},
			{"finance", "county:HZ", funding.Holder{}, errs.ErrInvalidRequest},
		} {
			got, err := c.registry.Holder(c.actor(tc.actor), tc.name)
			if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Errorf("%s: Holder(%q) = %+v, %v; want %+v, %v", tc.actor, tc.name, got, err, tc.want, tc.err)
			}
		}
		_, hidden := c.registry.Holder(c.actor("HZ"), "project:LY-001")
		_, missing := c.registry.Holder(c.actor("HZ"), "project:LY-404")
		if hidden == nil || missing == nil {
			t.Fatalf("errors = %v, %v; want both not found", hidden, missing)
		}
		if got, want := hidden.Error(), strings.ReplaceAll(missing.Error(), "LY-404", "LY-001"); got != want {
			t.Errorf("another district's project: %q, a missing one says %q", got, want)
		}
	})
}
