// Package factor splits a grant among recipients by the factor method used for
// central and city allocations of old-community renovation money:
//
//	share_i = Σ_k w_k · (X_ik·d_i) / Σ_j (X_jk·d_j)  +  w_perf · P_i / Σ_j P_j
//
// where the factors X are floor area, households, buildings and communities,
// d is the fiscal-difficulty coefficient and P a performance score. Weights are
// data (they change from year to year), so they are passed in, never built in.
//
// The package is pure: no I/O, no clock, no floats. Shares are computed as exact
// rationals and the money is split with money.Split, so the parts always sum to
// the total to the fen and each part is within one fen of its exact share.
package factor

import (
	"errors"
	"fmt"
	"math/big"

	"renofund/internal/money"

	"github.com/shopspring/decimal"
)

// ErrInvalid reports an allocation that cannot be computed: the message says
// which recipient, factor or weight is at fault.
var ErrInvalid = errors.New("invalid factor allocation")

// FractionDigits is the number of decimal places of Share.Fraction.
const FractionDigits = 20

// Recipient is one district (or project) taking part in an allocation, with
// its factor values.
type Recipient struct {
	// ID identifies the recipient; it must be non-empty and unique.
	ID string
	// Area is the floor area to renovate, in square metres.
	Area money.Rate
	// Households is the number of households to renovate.
	Households int64
	// Buildings is the number of buildings to renovate.
	Buildings int64
	// Communities is the number of old residential communities to renovate.
	Communities int64
	// Coefficient is the fiscal-difficulty coefficient d_i applied to every
	// volume factor. The zero value money.Rate{} (field left unset) means 1;
	// an explicit zero such as money.MustRate("0") is refused, because a
	// recipient with d = 0 would silently get nothing from the volume part.
	Coefficient money.Rate
	// Performance is the performance score P_i; it only matters when
	// Weights.Performance or Weights.PerformancePool is non-zero.
	Performance money.Rate
}

// Weights are the year's factor weights. The four volume weights, Performance
// and PerformancePool must be non-negative and sum to exactly 1.
//
// Two policy styles are supported and give identical shares:
//   - "weights include performance" (e.g. 0.4/0.3/0.1/0.1 + 0.1): set the
//     volume weights and Performance;
//   - "a performance pool" (e.g. 2022: 80% by volume, 20% pool): set volume
//     weights summing to 0.8 (such as 0.32/0.24/0.08/0.16) and
//     PerformancePool 0.2.
//
// Both the pool and the performance weight are split by P_i / Σ P (no
// coefficient). The pool is a separate field only so that a stored policy
// reads as the regulation that set it.
type Weights struct {
	// Area weights floor area.
	Area money.Rate
	// Households weights the number of households.
	Households money.Rate
	// Buildings weights the number of buildings.
	Buildings money.Rate
	// Communities weights the number of communities.
	Communities money.Rate
	// Performance weights the performance score within the formula.
	Performance money.Rate
	// PerformancePool is the part of the total reserved for a pool split by
	// performance score only.
	PerformancePool money.Rate
}

// Share is one recipient's result.
type Share struct {
	// ID is the recipient's ID.
	ID string `json:"id"`
	// Fraction is the exact share of the total, rounded to FractionDigits
	// decimal places ("0.28571428571428571429"), for the audit snapshot.
	Fraction string `json:"share"`
	// Amount is the recipient's money; the amounts of one allocation sum
	// exactly to its total.
	Amount money.Amount `json:"amount"`
	// Exact is the unrounded share as a rational number.
	Exact *big.Rat `json:"-"`
}

// Allocate divides total among recipients by the factor method with weights
// w. The result is in the order of recipients. Each amount is the floor of
// its exact part (total × share) plus at most one fen handed out by largest
// remainder (ties to the earlier recipient), so the amounts sum to total.
func Allocate(total money.Amount, recipients []Recipient, w Weights) ([]Share, error) {
	if total < 0 {
		return nil, fmt.Errorf("%w: total %s is negative", ErrInvalid, total)
	}
	fractions, err := Fractions(recipients, w)
	if err != nil {
		return nil, err
	}
	// Bring the exact fractions to one denominator so that the split below
	// works on exact integers: the largest-remainder step then compares
	// exact remainders, not rounded decimals.
	lcm := big.NewInt(1)
	for _, f := range fractions {
		d := f.Denom()
		g := new(big.Int).GCD(nil, nil, lcm, d)
		lcm.Mul(lcm, new(big.Int).Quo(d, g))
	}
	weights := make([]money.Rate, len(fractions))
	for i, f := range fractions {
		n := new(big.Int).Mul(f.Num(), new(big.Int).Quo(lcm, f.Denom()))
		weights[i] = money.RateFromDecimal(decimal.NewFromBigInt(n, 0))
	}
	amounts, err := money.Split(total, weights)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	shares := make([]Share, len(recipients))
	for i, r := range recipients {
		shares[i] = Share{
			ID:       r.ID,
			Fraction: fractions[i].FloatString(FractionDigits),
			Amount:   amounts[i],
			Exact:    fractions[i],
		}
	}
	return shares, nil
}

// Fractions returns each recipient's exact share of the total, in the order
// of recipients; the shares are non-negative and sum to exactly 1. It checks
// the same rules as Allocate.
func Fractions(recipients []Recipient, w Weights) ([]*big.Rat, error) {
	if err := w.Validate(); err != nil {
		return nil, err
	}
	if err := validate(recipients); err != nil {
		return nil, err
	}
	shares := make([]*big.Rat, len(recipients))
	for i := range shares {
		shares[i] = new(big.Rat)
	}
	for _, f := range volumeFactors {
		weight := f.weight(w).Decimal().Rat()
		if weight.Sign() == 0 {
			continue
		}
		values := make([]*big.Rat, len(recipients))
		sum := new(big.Rat)
		for i, r := range recipients {
			values[i] = new(big.Rat).Mul(f.value(r), coefficient(r))
			sum.Add(sum, values[i])
		}
		if sum.Sign() == 0 {
			return nil, fmt.Errorf("%w: factor %s has weight %s but is zero for every recipient", ErrInvalid, f.name, f.weight(w))
		}
		addProportional(shares, values, sum, weight)
	}
	perfWeight := w.Performance.Decimal().Add(w.PerformancePool.Decimal())
	if perf := perfWeight.Rat(); perf.Sign() != 0 {
		values := make([]*big.Rat, len(recipients))
		sum := new(big.Rat)
		for i, r := range recipients {
			values[i] = r.Performance.Decimal().Rat()
			sum.Add(sum, values[i])
		}
		if sum.Sign() == 0 {
			return nil, fmt.Errorf("%w: performance has weight %s but every score is zero", ErrInvalid, perfWeight)
		}
		addProportional(shares, values, sum, perf)
	}
	return shares, nil
}

// addProportional adds weight × values[i] / sum to shares[i].
func addProportional(shares, values []*big.Rat, sum, weight *big.Rat) {
	for i, v := range values {
		part := new(big.Rat).Quo(v, sum)
		shares[i].Add(shares[i], part.Mul(part, weight))
	}
}

// Validate checks that every weight is non-negative and that the weights,
// performance pool included, sum to exactly 1.
func (w Weights) Validate() error {
	sum := decimal.Zero
	for _, nw := range []struct {
		name string
		rate money.Rate
	}{
		{"area", w.Area}, {"households", w.Households}, {"buildings", w.Buildings},
		{"communities", w.Communities}, {"performance", w.Performance}, {"performance pool", w.PerformancePool},
	} {
		d := nw.rate.Decimal()
		if d.Sign() < 0 {
			return fmt.Errorf("%w: weight of %s is negative (%s)", ErrInvalid, nw.name, d)
		}
		sum = sum.Add(d)
	}
	if !sum.Equal(decimal.NewFromInt(1)) {
		return fmt.Errorf("%w: weights sum to %s, not 1", ErrInvalid, sum)
	}
	return nil
}

// validate checks the recipients: at least one, unique non-empty IDs, no
// negative factor and no explicit zero coefficient.
func validate(recipients []Recipient) error {
	if len(recipients) == 0 {
		return fmt.Errorf("%w: no recipients", ErrInvalid)
	}
	seen := make(map[string]bool, len(recipients))
	for i, r := range recipients {
		if r.ID == "" {
			return fmt.Errorf("%w: recipient %d has an empty ID", ErrInvalid, i+1)
		}
		if seen[r.ID] {
			return fmt.Errorf("%w: recipient %q appears twice", ErrInvalid, r.ID)
		}
		seen[r.ID] = true
		for _, f := range []struct {
			name     string
			negative bool
		}{
			{"area", r.Area.Decimal().Sign() < 0},
			{"households", r.Households < 0},
			{"buildings", r.Buildings < 0},
			{"communities", r.Communities < 0},
			{"coefficient", r.Coefficient.Decimal().Sign() < 0},
			{"performance", r.Performance.Decimal().Sign() < 0},
		} {
			if f.negative {
				return fmt.Errorf("%w: recipient %q has a negative %s", ErrInvalid, r.ID, f.name)
			}
		}
		if r.Coefficient != (money.Rate{}) && r.Coefficient.IsZero() {
			return fmt.Errorf("%w: recipient %q has coefficient 0 (leave it unset for 1)", ErrInvalid, r.ID)
		}
	}
	return nil
}

// coefficient returns d_i, reading the unset zero value as 1.
func coefficient(r Recipient) *big.Rat {
	if r.Coefficient == (money.Rate{}) {
		return big.NewRat(1, 1)
	}
	return r.Coefficient.Decimal().Rat()
}

// volumeFactor names one volume factor, its weight and its value.
type volumeFactor struct {
	name   string
	weight func(Weights) money.Rate
	value  func(Recipient) *big.Rat
}

var volumeFactors = []volumeFactor{
	{"area", func(w Weights) money.Rate { return w.Area },
		func(r Recipient) *big.Rat { return r.Area.Decimal().Rat() }},
	{"households", func(w Weights) money.Rate { return w.Households },
		func(r Recipient) *big.Rat { return new(big.Rat).SetInt64(r.Households) }},
	{"buildings", func(w Weights) money.Rate { return w.Buildings },
		func(r Recipient) *big.Rat { return new(big.Rat).SetInt64(r.Buildings) }},
	{"communities", func(w Weights) money.Rate { return w.Communities },
		func(r Recipient) *big.Rat { return new(big.Rat).SetInt64(r.Communities) }},
}
