package funding_test

import (
	"errors"
	"testing"

	"renofund/funding"
	"renofund/internal/errs"
)

// TestCodeNamespaces: each district owns the codes that begin with its own
// code and a hyphen; a district registers only there, and nobody registers
// there for anyone else.
func TestCodeNamespaces(t *testing.T) {
	eachCity(t, func(t *testing.T, c *city) {
		for _, tc := range []struct {
			actor  string
			fund   bool   // a fund (at holder) rather than a project (in holder, a district code)
			code   string // of the new project or fund
			holder string
			want   error
		}{
			{"HZ", false, "HZ-010", "HZ", nil},
			{"HZ", false, "HZ010", "HZ", errs.ErrInvalidRequest},
			{"HZ", false, "X-010", "HZ", errs.ErrInvalidRequest},
			{"HZ", false, "LY-010", "HZ", errs.ErrInvalidRequest},
			{"HZ", false, "hz-010", "HZ", errs.ErrInvalidRequest},
			{"HZ", true, "HZ-RC-2026", "project:HZ-001", nil},
			{"HZ", true, "RC-HZ-2026", "project:HZ-001", errs.ErrInvalidRequest},
			{"HZ", true, "CG-HZ", "district:HZ", errs.ErrInvalidRequest},
			{"HZ", true, "HZ-LY", "project:LY-001", errs.ErrNotFound}, // another district's project does not exist
			{"finance", false, "HZ-011", "LY", errs.ErrInvalidRequest},
			{"finance", false, "LY-002", "LY", nil},
			{"finance", false, "GY001", "LY", nil}, // no hyphen: no district's namespace
			{"finance", true, "HZ-CG", "city", errs.ErrInvalidRequest},
			{"finance", true, "LY-F", "project:HZ-001", errs.ErrInvalidRequest},
			{"finance", true, "HZ-DF", "district:HZ", nil},
			{"finance", true, "CG-2026", "city", nil},
			{"finance", true, "KFQ-1", "city", nil}, // KFQ is not a district (yet)
		} {
			var err error
			if tc.fund {
				_, err = c.registry.CreateFund(c.actor(tc.actor), pot(tc.code, "donation", tc.holder))
			} else {
				_, err = c.registry.CreateProject(c.actor(tc.actor), community(tc.code, tc.holder))
			}
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Errorf("%s registers %s at %s: %v, want %v", tc.actor, tc.code, tc.holder, err, tc.want)
			}
		}

		// A district's refusal does not depend on what others registered.
		_, taken := c.registry.CreateProject(c.actor("HZ"), community("LY-001", "HZ"))
		_, free := c.registry.CreateProject(c.actor("HZ"), community("LY-999", "HZ"))
		if taken == nil || free == nil || taken.Error() != free.Error() {
			t.Errorf("HZ registering LY-001 (exists): %v; LY-999 (does not): %v; want the same refusal", taken, free)
		}

		// A district whose namespace others use cannot be created.
		for _, tc := range []struct {
			code string
			want error
		}{
			{"KFQ", errs.ErrConflict}, // KFQ-1 is the city's fund
			{"GY", nil},               // GY001 has no hyphen after GY
			{"XW", nil},
			{"HZ", errs.ErrConflict}, // exists
		} {
			_, err := c.registry.CreateDistrict(c.actor("finance"), funding.District{Code: tc.code, Name: "区 " + tc.code})
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Errorf("CreateDistrict(%s) = %v, want %v", tc.code, err, tc.want)
			}
		}
		if ok, err := c.registry.DistrictExists(c.actor("finance"), "KFQ"); ok || err != nil {
			t.Errorf("refused district KFQ exists: %v, %v", ok, err)
		}
		if _, err := c.registry.CreateDistrict(c.actor("HZ"), funding.District{Code: "DH", Name: "东海县"}); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("a district creates a district: %v, want forbidden", err)
		}
	})
}
