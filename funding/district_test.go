package funding_test

import (
	"errors"
	"testing"

	"renofund/funding"
	"renofund/internal/errs"
)

// TestDistrictCodes: a district owns the codes beginning with its code and
// a hyphen, and the reports call the city's own money "city": a district
// code with a hyphen (HZ-N would own HZ-N-… inside HZ's HZ-…) or named like
// the city or the outside world is refused. (Found by tests: both were
// accepted, and money at district:city was reported as the city's.)
func TestDistrictCodes(t *testing.T) {
	eachCity(t, func(t *testing.T, c *city) {
		for _, code := range []string{"HZ-N", "city", "CITY", "external", "-"} {
			_, err := c.registry.CreateDistrict(c.actor("finance"), funding.District{Code: code, Name: "新区"})
			if !errors.Is(err, errs.ErrInvalidRequest) {
				t.Errorf("district %q: %v, want invalid_request", code, err)
			}
		}
		if _, err := c.registry.CreateDistrict(c.actor("finance"), funding.District{Code: "HZN", Name: "海州新区"}); err != nil {
			t.Errorf("district HZN: %v", err)
		}
	})
}
