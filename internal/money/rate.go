package money

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"
)

// Rate is an exact non-money quantity: a tax rate, a payout ratio, a
// coefficient, an area. It is kept apart from Amount so that the two cannot be
// mixed by accident, and it is never a float.
type Rate struct{ d decimal.Decimal }

// ErrInvalidRate reports a rate string that is not a plain non-negative decimal.
var ErrInvalidRate = errors.New("invalid decimal")

// ParseRate reads a plain non-negative decimal string ("0.25", "1.2", "90").
func ParseRate(s string) (Rate, error) {
	if s == "" || len(s) > 40 {
		return Rate{}, fmt.Errorf("%w: %q", ErrInvalidRate, s)
	}
	intPart, frac, hasDot := cut(s)
	if intPart == "" || (hasDot && frac == "") || !digits(intPart) || !digits(frac) {
		return Rate{}, fmt.Errorf("%w: %q must be a non-negative decimal", ErrInvalidRate, s)
	}
	if len(intPart) > 18 || len(frac) > 20 {
		return Rate{}, fmt.Errorf("%w: %q has more than 18 digits before or 20 after the point", ErrInvalidRate, s)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return Rate{}, fmt.Errorf("%w: %q", ErrInvalidRate, s)
	}
	return Rate{d}, nil
}

func cut(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// MustRate is ParseRate for constants; it panics on bad input.
func MustRate(s string) Rate {
	r, err := ParseRate(s)
	if err != nil {
		panic(err)
	}
	return r
}

// RateFromDecimal wraps a decimal computed elsewhere.
func RateFromDecimal(d decimal.Decimal) Rate { return Rate{d} }

// Decimal returns the rate as a decimal.
func (r Rate) Decimal() decimal.Decimal { return r.d }

// String formats the rate without trailing zeros.
func (r Rate) String() string { return r.d.String() }

// IsZero reports whether the rate is zero.
func (r Rate) IsZero() bool { return r.d.IsZero() }

// MarshalJSON writes the rate as a JSON string.
func (r Rate) MarshalJSON() ([]byte, error) { return []byte(`"` + r.d.String() + `"`), nil }

// UnmarshalJSON accepts only a JSON string holding a plain decimal.
func (r *Rate) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("%w: decimals are strings such as \"0.25\"", ErrInvalidRate)
	}
	v, err := ParseRate(string(b[1 : len(b)-1]))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Mul returns a × r rounded half-up to the fen.
func (a Amount) Mul(r Rate) Amount {
	return FromDecimal(a.Decimal().Mul(r.d))
}
