// Package field checks the plain fields every domain package accepts from
// outside: codes, free text and dates, with one wording of the refusals.
package field

import (
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"renofund/internal/errs"
)

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// Code checks an identifier chosen by a client (district, project, fund,
// scheme): 1–64 letters, digits, '_', '.' or '-', starting with a letter or digit.
func Code(what, code string) error {
	if !codePattern.MatchString(code) {
		return fmt.Errorf("%w: %s code %q must be 1-64 letters, digits, '_', '.' or '-'", errs.ErrInvalidRequest, what, code)
	}
	return nil
}

// Text checks free text: present when required, at most maxLen characters,
// valid UTF-8 without control characters.
func Text(name, s string, required bool, maxLen int) error {
	if required && s == "" {
		return fmt.Errorf("%w: %s is required", errs.ErrInvalidRequest, name)
	}
	if utf8.RuneCountInString(s) > maxLen {
		return fmt.Errorf("%w: %s is longer than %d characters", errs.ErrInvalidRequest, name, maxLen)
	}
	if !Clean(s) {
		return fmt.Errorf("%w: %s contains invalid UTF-8 or a control character", errs.ErrInvalidRequest, name)
	}
	return nil
}

// Clean reports valid UTF-8 without control characters.
func Clean(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// Date reads a YYYY-MM-DD date.
func Date(name, s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s must be a date YYYY-MM-DD, got %q", errs.ErrInvalidRequest, name, s)
	}
	return t, nil
}

// Zone is the clock booking dates are read in: China Standard Time (UTC+8).
var Zone = time.FixedZone("CST", 8*3600)

// Today is the booking date of now: the date in Zone.
func Today() string { return time.Now().In(Zone).Format(time.DateOnly) }
