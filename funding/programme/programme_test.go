package programme

import (
	"errors"
	"testing"

	"renofund/funding"
	"renofund/internal/errs"
	"renofund/internal/money"
)

func TestYear(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
		ok   bool
	}{{"2021", 2021, true}, {"2100", 2100, true}, {"1999", 0, false}, {"21", 0, false}, {"02021", 0, false}, {"x", 0, false}} {
		got, err := Year(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("Year(%q) = %d, %v; want %d, ok %v", c.in, got, err, c.want, c.ok)
		}
		if err != nil && !errors.Is(err, errs.ErrInvalidRequest) {
			t.Errorf("Year(%q): %v is not invalid_request", c.in, err)
		}
	}
}

// TestProgress: each status counts in the plan, accepted and later count
// as completed, and ratios are progress over target to four decimals.
func TestProgress(t *testing.T) {
	p := newProgress()
	for _, st := range funding.Statuses[1:] {
		p.add(st, Figures{Communities: 1, Households: 10, FloorAreaM2: money.MustRate("100.25")})
	}
	if p.InPlan.Communities != 5 || p.Completed.Communities != 3 || p.InPlan.FloorAreaM2.String() != "501.25" {
		t.Errorf("progress: %+v", p)
	}
	r := ratios(p.Completed, &Target{Communities: 7, Households: 0, FloorAreaM2: money.MustRate("1000")})
	if r.Communities.String() != "0.4286" || r.Households != nil || r.FloorAreaM2.String() != "0.3008" {
		t.Errorf("ratios: %v %v %v", r.Communities, r.Households, r.FloorAreaM2)
	}
	if ratios(p.Completed, nil) != nil {
		t.Error("ratios without a target")
	}
}

func TestDuesCheck(t *testing.T) {
	per := money.MustParse("10.00")
	for _, c := range []struct {
		in   DuesIn
		want error
	}{
		{DuesIn{}, errs.ErrInvalidRequest},
		{DuesIn{PerHousehold: &per}, nil},
		{DuesIn{Households: []HouseholdDue{{Household: "", Due: 1}}}, errs.ErrInvalidRequest},
		{DuesIn{Households: []HouseholdDue{{Household: "1-1", Due: -1}}}, errs.ErrInvalidAmount},
		{DuesIn{Households: []HouseholdDue{{Household: "1-1", Due: 1}, {Household: "1-1", Due: 2}}}, errs.ErrInvalidRequest},
	} {
		if err := c.in.check(); !errors.Is(err, c.want) && (err != nil || c.want != nil) {
			t.Errorf("check(%+v) = %v, want %v", c.in, err, c.want)
		}
	}
}
