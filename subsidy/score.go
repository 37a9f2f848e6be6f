package subsidy

import (
	"fmt"
	"regexp"

	"github.com/shopspring/decimal"

	"renofund/internal/errs"
)

// Score is a service-quality score from 0 to 100 with at most two decimals,
// kept exactly as hundredths of a point (87.5 is 8750). In JSON it is a
// number (87.5); a string holding the same ("87.5") is accepted too.
type Score int64

// MaxScore is 100 points.
const MaxScore Score = 100_00

var scorePattern = regexp.MustCompile(`^(0|[1-9][0-9]{0,2})(\.[0-9]{1,2})?$`)

// ParseScore reads a plain decimal from 0 to 100 with at most two decimals.
func ParseScore(s string) (Score, error) {
	if !scorePattern.MatchString(s) {
		return 0, fmt.Errorf("%w: score %q must be a number from 0 to 100 with at most two decimals",
			errs.ErrInvalidRequest, s)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return 0, fmt.Errorf("%w: score %q", errs.ErrInvalidRequest, s)
	}
	v := Score(d.Shift(2).IntPart())
	if err := v.check("score"); err != nil {
		return 0, err
	}
	return v, nil
}

// check refuses a score outside 0–100.
func (s Score) check(field string) error {
	if s < 0 || s > MaxScore {
		return fmt.Errorf("%w: %s %s must be from 0 to 100", errs.ErrInvalidRequest, field, s)
	}
	return nil
}

// Decimal returns the score in points.
func (s Score) Decimal() decimal.Decimal { return decimal.New(int64(s), -2) }

// String formats the score in points without trailing zeros ("87.5", "90").
func (s Score) String() string { return s.Decimal().String() }

// MarshalJSON writes the score as a JSON number.
func (s Score) MarshalJSON() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalJSON accepts a JSON number or a string holding one.
func (s *Score) UnmarshalJSON(b []byte) error {
	str := string(b)
	if str == "null" {
		return nil
	}
	if len(str) >= 2 && str[0] == '"' && str[len(str)-1] == '"' {
		str = str[1 : len(str)-1]
	}
	v, err := ParseScore(str)
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// scoreOf reads a stored score column (hundredths, possibly NULL).
func scoreOf(p *int64) *Score {
	if p == nil {
		return nil
	}
	s := Score(*p)
	return &s
}

// formatScore is for text output: "" when there is no score.
func formatScore(s *Score) string {
	if s == nil {
		return ""
	}
	return s.String()
}
