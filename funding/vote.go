package funding

import (
	"fmt"

	"github.com/shopspring/decimal"

	"renofund/internal/errs"
)

// CivilCode278 names the rule set votes are judged by.
const CivilCode278 = "civil_code_278"

// Check validates a vote and judges it by 民法典 §278: a quorum of at least
// two thirds of the exclusive area and two thirds of the owners; using the
// maintenance fund or public revenue then needs more than half of the
// participating area and of the participating owners; raising the fund or
// rebuilding needs at least three quarters of both.
func (v *Vote) Check() error {
	if v.Purpose != "use" && v.Purpose != "raise" {
		return fmt.Errorf("%w: vote.purpose must be \"use\" or \"raise\"", errs.ErrInvalidRequest)
	}
	if _, err := ParseDate("vote.held_on", v.HeldOn); err != nil {
		return err
	}
	ta, pa, ya := v.TotalAreaM2.Decimal(), v.ParticipatingAreaM2.Decimal(), v.YesAreaM2.Decimal()
	if ta.Sign() <= 0 || v.TotalOwners <= 0 || v.ParticipatingOwners < 0 || v.YesOwners < 0 ||
		pa.GreaterThan(ta) || ya.GreaterThan(pa) || v.ParticipatingOwners > v.TotalOwners || v.YesOwners > v.ParticipatingOwners {
		return fmt.Errorf("%w: vote figures must satisfy yes ≤ participating ≤ total, with positive totals", errs.ErrInvalidRequest)
	}
	v.RuleSet = CivilCode278
	two, three, four := decimal.NewFromInt(2), decimal.NewFromInt(3), decimal.NewFromInt(4)
	// Compare by cross-multiplication so no fraction is ever rounded.
	if pa.Mul(three).LessThan(ta.Mul(two)) || v.ParticipatingOwners*3 < v.TotalOwners*2 {
		return fmt.Errorf("%w: no quorum (needs ≥ 2/3 of area and ≥ 2/3 of owners to take part)", ErrVoteFailed)
	}
	if v.Purpose == "raise" {
		if ya.Mul(four).LessThan(pa.Mul(three)) || v.YesOwners*4 < v.ParticipatingOwners*3 {
			return fmt.Errorf("%w: raising or rebuilding needs ≥ 3/4 of participating area and owners", ErrVoteFailed)
		}
		return nil
	}
	if !ya.Mul(two).GreaterThan(pa) || v.YesOwners*2 <= v.ParticipatingOwners {
		return fmt.Errorf("%w: use needs more than half of participating area and owners", ErrVoteFailed)
	}
	return nil
}
