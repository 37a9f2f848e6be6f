// Package money holds amounts of CNY as an exact count of fen (分) and the few
// operations the programme's rules need: strict parsing of decimal strings,
// formatting with two decimals, half-up rounding and a largest-remainder split.
//
// No float ever touches an amount: strings are parsed with shopspring/decimal
// only at the edges and everything inside is int64 arithmetic.
package money

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/shopspring/decimal"
)

// Amount is a sum of money in fen (1 yuan = 100 fen).
type Amount int64

// MaxYuan is the largest amount accepted from outside, in yuan (10^15).
const MaxYuan = 1_000_000_000_000_000

// Max is MaxYuan in fen.
const Max Amount = MaxYuan * 100

// ErrInvalid reports an amount string that breaks the API's rules.
var ErrInvalid = errors.New("invalid amount")

var hundred = decimal.NewFromInt(100)

// Parse reads a non-negative decimal string with at most two decimals and no
// more than 10^15 yuan ("0", "12.5", "1234.56"). Signs, exponents, spaces,
// empty strings and a leading or trailing dot are refused.
func Parse(s string) (Amount, error) {
	if s == "" || len(s) > 24 {
		return 0, fmt.Errorf("%w: %q", ErrInvalid, s)
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || (hasDot && frac == "") || len(frac) > 2 || !digits(intPart) || !digits(frac) {
		return 0, fmt.Errorf("%w: %q must be a non-negative decimal with at most two decimals", ErrInvalid, s)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return 0, fmt.Errorf("%w: %q", ErrInvalid, s)
	}
	fen := d.Mul(hundred)
	if fen.GreaterThan(decimal.NewFromInt(int64(Max))) {
		return 0, fmt.Errorf("%w: %q exceeds 10^15 yuan", ErrInvalid, s)
	}
	return Amount(fen.IntPart()), nil
}

// MustParse is Parse for constants in code and tests; it panics on bad input.
func MustParse(s string) Amount {
	a, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return a
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String formats the amount with exactly two decimals ("1234.50", "-0.05").
func (a Amount) String() string {
	sign := ""
	u := uint64(a)
	if a < 0 {
		sign = "-"
		u = uint64(-a)
	}
	return fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
}

// Decimal returns the amount in yuan as a decimal, for rate arithmetic.
func (a Amount) Decimal() decimal.Decimal {
	return decimal.New(int64(a), -2)
}

// FromDecimal rounds a yuan value half-up (四舍五入, away from zero on .5) to the fen.
func FromDecimal(d decimal.Decimal) Amount {
	return Amount(d.Mul(hundred).Round(0).IntPart())
}

// MarshalJSON writes the amount as a JSON string with two decimals.
func (a Amount) MarshalJSON() ([]byte, error) {
	return []byte(`"` + a.String() + `"`), nil
}

// UnmarshalJSON accepts only a JSON string that Parse accepts; a JSON number
// is refused so that no client can send a float.
func (a *Amount) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil // absent, by encoding/json's convention; required amounts are checked for > 0
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("%w: amounts are strings such as \"1234.56\"", ErrInvalid)
	}
	v, err := Parse(string(b[1 : len(b)-1]))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// Sum adds amounts and reports false when the total does not fit in an
// Amount. Totals over many holdings use it: each holding is bounded, their
// sum is not.
func Sum(as ...Amount) (Amount, bool) {
	var t Amount
	for _, a := range as {
		if (a > 0 && t > math.MaxInt64-a) || (a < 0 && t < math.MinInt64-a) {
			return 0, false
		}
		t += a
	}
	return t, true
}
