package subsidy

import (
	"fmt"

	"github.com/shopspring/decimal"

	"renofund/internal/errs"
	"renofund/internal/money"
)

// Line statuses.
const (
	Payable    = "payable"    // paid on approval
	Skipped    = "skipped"    // nothing to pay; Reason says why
	Adjustment = "adjustment" // a difference from what earlier runs of the scheme and period settled
)

// Reasons on a line.
const (
	ReasonOutsideValidity = "outside_validity"    // no month of the period lies within the scheme's validity
	ReasonNoRating        = "no_rating"           // the project has no rating for the period
	ReasonNoManager       = "no_property_manager" // nobody to pay, for the period or (a held share) some of its days
	ReasonBelowThreshold  = "below_threshold"     // the score earns ratio 0
	ReasonZeroAmount      = "zero_amount"         // the basis is zero (no households or no area)
	ReasonAlreadyPaid     = "already_paid"        // earlier runs settled exactly the entitlement
	ReasonTopUp           = "top_up"              // adjustment paid to a company already paid for the period
	ReasonClawback        = "clawback"            // negative adjustment: a request recorded against the payee, not paid
)

var (
	zero = money.MustRate("0")
	one  = decimal.NewFromInt(1)
)

// ratio returns the payout ratio for a score and the band that gave it:
// the formula when it applies, else the highest band whose min_score ≤
// score, else 0 and no band.
func (sc *Scheme) ratio(score Score) (money.Rate, string) {
	if f := sc.Formula; f != nil && score < f.Below && (f.From == nil || score >= *f.From) {
		r := f.Base.Decimal().Add(f.PerPoint.Decimal().Mul(score.Decimal()))
		if r.GreaterThan(one) {
			r = one
		}
		return money.RateFromDecimal(r), "formula"
	}
	for i := len(sc.Bands) - 1; i >= 0; i-- {
		if sc.Bands[i].MinScore <= score {
			return sc.Bands[i].Ratio, sc.Bands[i].MinScore.String()
		}
	}
	return zero, ""
}

// base is the quantity the rate multiplies: households × months, floor
// area × months, or 1 per community and period.
func (sc *Scheme) base(p *Project, months int) (money.Rate, error) {
	m := decimal.NewFromInt(int64(months))
	switch sc.Basis {
	case PerHouseholdMonth:
		return money.RateFromDecimal(decimal.NewFromInt(p.Households).Mul(m)), nil
	case PerM2Month:
		area, err := money.ParseRate(p.FloorArea)
		if err != nil {
			return zero, fmt.Errorf("project %s floor area: %w", p.Code, err)
		}
		return money.RateFromDecimal(area.Decimal().Mul(m)), nil
	}
	return money.MustRate("1"), nil
}

var maxYuan = decimal.NewFromInt(money.MaxYuan)

// amount is rate × base × ratio rounded half-up to the fen, then capped.
func (sc *Scheme) amount(base, ratio money.Rate) (money.Amount, bool, error) {
	y := sc.Rate.Decimal().Mul(base.Decimal()).Mul(ratio.Decimal())
	if y.GreaterThan(maxYuan) {
		return 0, false, fmt.Errorf("%w: %s yuan exceeds 10^15", errs.ErrInvalidAmount, y)
	}
	a := money.FromDecimal(y)
	if sc.Cap != nil && a > *sc.Cap {
		return *sc.Cap, true, nil
	}
	return a, false, nil
}

// entitle works out what the scheme owes a project for the period, before
// looking at what earlier runs paid and who served which days. months is
// the number of the period's months within the scheme's validity; managed
// says whether any property manager served in them.
func (sc *Scheme) entitle(p *Project, months int, r *rated, managed bool) (Line, error) {
	l := Line{Project: p.Code, District: p.District, Months: months, Ratio: zero, Base: zero}
	if r != nil {
		score := r.score
		l.Score, l.RatingVersion = &score, r.version
	}
	if months == 0 {
		l.Reason = ReasonOutsideValidity
		return l, nil
	}
	var err error
	if l.Base, err = sc.base(p, months); err != nil {
		return l, err
	}
	if r == nil {
		l.Reason = ReasonNoRating
		return l, nil
	}
	l.Ratio, l.Band = sc.ratio(r.score)
	switch {
	case !managed:
		l.Reason = ReasonNoManager
	case l.Ratio.IsZero():
		l.Reason = ReasonBelowThreshold
	default:
		if l.Entitlement, l.Capped, err = sc.amount(l.Base, l.Ratio); err != nil {
			return l, err
		}
		if l.Entitlement == 0 {
			l.Reason = ReasonZeroAmount
		}
	}
	return l, nil
}

// prior is what earlier paid runs of the same scheme and period settled
// with one company for one project.
type prior struct {
	sum   money.Amount // paid minus clawbacks requested
	paid  bool         // some earlier line moved money (or requested it back)
	payee *Payee       // who was paid last
}

// settle turns a company's share of an entitlement into its line of this
// run: the difference from what earlier runs settled with that company. The
// first payment is payable; later differences are adjustments, a positive
// one paid to the company as its contract now names it, a negative one
// recorded as a clawback against the company as last paid.
func settle(l *Line, pr prior, m *PropertyManager) {
	l.Settled = pr.sum
	delta := l.Entitlement - pr.sum
	switch {
	case delta == 0:
		l.Status = Skipped
		if l.Reason == "" {
			l.Reason = ReasonAlreadyPaid
		}
	case delta > 0 && !pr.paid:
		l.Status, l.Amount, l.Reason = Payable, delta, ""
		l.Payee = payeeOf(m)
	case delta > 0:
		l.Status, l.Amount, l.Reason = Adjustment, delta, ReasonTopUp
		l.Payee = payeeOf(m)
	default:
		l.Status, l.Amount, l.Reason = Adjustment, delta, ReasonClawback
		l.Payee = pr.payee
	}
}

func payeeOf(m *PropertyManager) *Payee {
	if m == nil {
		return nil
	}
	return &Payee{Name: m.Name, CreditCode: m.CreditCode, BankAccount: m.BankAccount}
}
