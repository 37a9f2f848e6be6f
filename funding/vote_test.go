package funding_test

import (
	"errors"
	"testing"

	"renofund/funding"
	"renofund/internal/errs"
	"renofund/internal/money"
)

// TestVoteCheck judges votes by 民法典 §278 on a community of 9000 m² and
// 300 owners, where two thirds are exactly 6000 m² and 200 owners.
func TestVoteCheck(t *testing.T) {
	type figures struct {
		totalArea, partArea, yesArea    string
		totalOwners, partOwners, yesOwn int64
	}
	quorum := figures{"9000", "6000", "", 300, 200, 0}
	with := func(yesArea string, yesOwners int64) figures {
		f := quorum
		f.yesArea, f.yesOwn = yesArea, yesOwners
		return f
	}
	for _, tc := range []struct {
		name    string
		purpose string
		v       figures
		heldOn  string // "" for 2026-03-01, "-" for none
		want    error  // nil: passes
	}{
		{"use: quorum exactly 2/3, just over half", "use", with("3000.01", 101), "", nil},
		{"use: everyone, everyone yes", "use", figures{"9000", "9000", "9000", 300, 300, 300}, "", nil},
		{"use: area quorum short by 0.01 m²", "use", figures{"9000", "5999.99", "5999.99", 300, 200, 200}, "", funding.ErrVoteFailed},
		{"use: owners quorum short by one", "use", figures{"9000", "6000", "6000", 300, 199, 199}, "", funding.ErrVoteFailed},
		{"use: exactly half the area", "use", with("3000", 101), "", funding.ErrVoteFailed},
		{"use: exactly half the owners", "use", with("3000.01", 100), "", funding.ErrVoteFailed},
		{"use: area majority, owners minority", "use", with("6000", 90), "", funding.ErrVoteFailed},
		{"raise: exactly 3/4", "raise", with("4500", 150), "", nil},
		{"raise: 3/4 of area less 0.01 m²", "raise", with("4499.99", 150), "", funding.ErrVoteFailed},
		{"raise: 3/4 of owners less one", "raise", with("4500", 149), "", funding.ErrVoteFailed},
		{"raise: a majority that passes use", "raise", with("3600", 120), "", funding.ErrVoteFailed},
		{"raise: no quorum", "raise", figures{"9000", "5000", "5000", 300, 200, 200}, "", funding.ErrVoteFailed},
		{"participating area above total", "use", figures{"9000", "9000.01", "5000", 300, 250, 200}, "", errs.ErrInvalidRequest},
		{"participating owners above total", "use", figures{"9000", "8000", "5000", 300, 301, 200}, "", errs.ErrInvalidRequest},
		{"yes area above participating", "use", figures{"9000", "6000", "6000.01", 300, 200, 150}, "", errs.ErrInvalidRequest},
		{"yes owners above participating", "use", figures{"9000", "6000", "5000", 300, 200, 201}, "", errs.ErrInvalidRequest},
		{"zero total area", "use", figures{"0", "0", "0", 300, 200, 150}, "", errs.ErrInvalidRequest},
		{"zero owners", "use", figures{"9000", "6000", "5000", 0, 0, 0}, "", errs.ErrInvalidRequest},
		{"negative participants", "use", figures{"9000", "6000", "5000", 300, -1, -1}, "", errs.ErrInvalidRequest},
		{"unknown purpose", "rebuild", with("6000", 200), "", errs.ErrInvalidRequest},
		{"no date", "use", with("6000", 200), "-", errs.ErrInvalidRequest},
		{"bad date", "use", with("6000", 200), "2026-02-30", errs.ErrInvalidRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			yes := tc.v.yesArea
			if yes == "" {
				yes = "0"
			}
			held := tc.heldOn
			switch held {
			case "":
				held = "2026-03-01"
			case "-":
				held = ""
			}
			v := funding.Vote{TotalAreaM2: money.MustRate(tc.v.totalArea), TotalOwners: tc.v.totalOwners,
				ParticipatingAreaM2: money.MustRate(tc.v.partArea), ParticipatingOwners: tc.v.partOwners,
				YesAreaM2: money.MustRate(yes), YesOwners: tc.v.yesOwn, HeldOn: held, Purpose: tc.purpose}
			err := v.Check()
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Check() = %v, want pass", err)
				}
				if got, want := v.RuleSet, funding.CivilCode278; got != want {
					t.Errorf("rule set = %q, want %q", got, want)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("Check() = %v, want %v", err, tc.want)
			}
		})
	}
}
