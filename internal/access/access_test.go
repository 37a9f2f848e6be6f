package access_test

import (
	"context"
	"errors"
	"testing"

	"renofund/internal/access"
	"renofund/internal/errs"
)

var (
	admin   = access.Actor{TokenID: "t1", Name: "root", Role: access.Admin}
	finance = access.Actor{TokenID: "t2", Name: "bureau", Role: access.Finance}
	auditor = access.Actor{TokenID: "t3", Name: "audit", Role: access.Auditor}
	hz      = access.Actor{TokenID: "t4", Name: "hz-office", Role: access.District, District: "HZ"}
)

func TestSees(t *testing.T) {
	tests := []struct {
		name     string
		actor    access.Actor
		district string
		want     bool
	}{
		{"admin city", admin, "", true},
		{"admin district", admin, "HZ", true},
		{"finance city", finance, "", true},
		{"finance district", finance, "LY", true},
		{"auditor city", auditor, "", true},
		{"auditor district", auditor, "LY", true},
		{"district own", hz, "HZ", true},
		{"district other", hz, "LY", false},
		{"district city", hz, "", false},
		{"district prefix of own", hz, "H", false},
		{"district case differs", hz, "hz", false},
		{"district without a district sees no city data", access.Actor{Role: access.District}, "", false},
	}
	for _, tt := range tests {
		if got := tt.actor.Sees(tt.district); got != tt.want {
			t.Errorf("%s: Sees(%q) = %v, want %v", tt.name, tt.district, got, tt.want)
		}
	}
}

func TestWrites(t *testing.T) {
	tests := []struct {
		name     string
		actor    access.Actor
		district string
		want     bool
	}{
		{"finance city", finance, "", true},
		{"finance district", finance, "HZ", true},
		{"district own", hz, "HZ", true},
		{"district other", hz, "LY", false},
		{"district city", hz, "", false},
		{"district without a district writes no city data", access.Actor{Role: access.District}, "", false},
		{"admin city", admin, "", false},
		{"admin district", admin, "HZ", false},
		{"auditor city", auditor, "", false},
		{"auditor district", auditor, "HZ", false},
		{"unknown role", access.Actor{Role: "root"}, "", false},
	}
	for _, tt := range tests {
		if got := tt.actor.Writes(tt.district); got != tt.want {
			t.Errorf("%s: Writes(%q) = %v, want %v", tt.name, tt.district, got, tt.want)
		}
	}
}

func TestArea(t *testing.T) {
	tests := []struct {
		name     string
		actor    access.Actor
		district string
		want     string
		wantErr  error
	}{
		{"district names none", hz, "", "HZ", nil},
		{"district names its own", hz, "HZ", "HZ", nil},
		{"district names another", hz, "LY", "", errs.ErrForbidden},
		{"district names its own in another case", hz, "hz", "", errs.ErrForbidden},
		{"finance all", finance, "", "", nil},
		{"finance one", finance, "LY", "LY", nil},
		{"admin one", admin, "HZ", "HZ", nil},
		{"auditor all", auditor, "", "", nil},
		{"auditor one", auditor, "LY", "LY", nil},
	}
	for _, tt := range tests {
		got, err := tt.actor.Area(tt.district)
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("%s: Area(%q) error = %v, want %v", tt.name, tt.district, err, tt.wantErr)
			}
			if got != "" {
				t.Errorf("%s: Area(%q) = %q with a refusal, want \"\"", tt.name, tt.district, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: Area(%q) = %q, %v; want %q, nil", tt.name, tt.district, got, err, tt.want)
		}
	}
}

func TestParseRole(t *testing.T) {
	for _, r := range access.Roles {
		got, err := access.ParseRole(string(r))
		if err != nil || got != r {
			t.Errorf("ParseRole(%q) = %q, %v; want %q, nil", r, got, err, r)
		}
	}
	if got, want := len(access.Roles), 4; got != want {
		t.Errorf("len(Roles) = %d, want %d", got, want)
	}
	for _, s := range []string{"", "root", "Admin", "FINANCE", " district", "auditor ", "system"} {
		got, err := access.ParseRole(s)
		if !errors.Is(err, errs.ErrInvalidRequest) {
			t.Errorf("ParseRole(%q) error = %v, want %v", s, err, errs.ErrInvalidRequest)
		}
		if got != "" {
			t.Errorf("ParseRole(%q) = %q with a refusal, want \"\"", s, got)
		}
	}
}

func TestLabel(t *testing.T) {
	tests := []struct {
		actor access.Actor
		want  string
	}{
		{finance, "finance:bureau"},
		{hz, "district:hz-office"},
		{access.System, "finance:system"},
	}
	for _, tt := range tests {
		if got := tt.actor.Label(); got != tt.want {
			t.Errorf("Label() of %+v = %q, want %q", tt.actor, got, tt.want)
		}
	}
}

func TestContext(t *testing.T) {
	if got, want := access.From(context.Background()), access.System; got != want {
		t.Errorf("From(empty context) = %+v, want System %+v", got, want)
	}
	if got := access.System; got.Role != access.Finance || got.TokenID != "system" || got.District != "" {
		t.Errorf("System = %+v, want a finance actor with no district", got)
	}
	ctx := access.With(context.Background(), hz)
	if got := access.From(ctx); got != hz {
		t.Errorf("From(With(hz)) = %+v, want %+v", got, hz)
	}
	// An inner With replaces the actor for its context only.
	inner := access.With(ctx, auditor)
	if got := access.From(inner); got != auditor {
		t.Errorf("From(inner) = %+v, want %+v", got, auditor)
	}
	if got := access.From(ctx); got != hz {
		t.Errorf("From(outer) after an inner With = %+v, want %+v", got, hz)
	}
	// A value of another type under another key is not an actor.
	type otherKey struct{}
	other := context.WithValue(context.Background(), otherKey{}, hz)
	if got := access.From(other); got != access.System {
		t.Errorf("From(context without an actor) = %+v, want System", got)
	}
}

func TestApproves(t *testing.T) {
	tests := []struct {
		name       string
		approver   access.Actor
		preparedBy string
		same       bool
	}{
		{"another finance clerk", finance, "finance:li", false},
		{"the preparer", finance, "finance:bureau", true},
		{"the preparer under another role", access.Actor{Name: "root", Role: access.Finance}, "admin:root", true},
		{"a label without a role", finance, "bureau", true},
		{"the scheduler prepared it", finance, access.System.Label(), false},
		{"a name that only shares a prefix", finance, "finance:bureau2", false},
	}
	for _, tt := range tests {
		err := tt.approver.Approves(tt.preparedBy, "the plan")
		if got := errors.Is(err, access.ErrSamePerson); got != tt.same {
			t.Errorf("%s: same person = %v (%v), want %v", tt.name, got, err, tt.same)
		}
	}
}
