// Package creditcode validates the 18-character Unified Social Credit Code
// (统一社会信用代码, GB 32100-2015) that identifies every payer and payee.
package creditcode

import (
	"errors"
	"strings"
)

// ErrInvalid reports a code with the wrong length, alphabet or check character.
var ErrInvalid = errors.New("invalid unified social credit code")

const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var weights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// Validate checks length, alphabet and the check character. Lower-case letters
// are refused rather than folded: a stored code must be exactly what was issued.
func Validate(code string) error {
	if len(code) != 18 {
		return ErrInvalid
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(alphabet, code[i])
		if v < 0 {
			return ErrInvalid
		}
		sum += v * weights[i]
	}
	if code[17] != CheckChar(sum) {
		return ErrInvalid
	}
	return nil
}

// CheckChar returns the check character for a weighted sum of the first 17.
func CheckChar(weightedSum int) byte {
	return alphabet[(31-weightedSum%31)%31]
}

// Complete appends the check character to a 17-character body, for generating
// test and demo data. It returns "" when the body has a character outside the alphabet.
func Complete(body string) string {
	if len(body) != 17 {
		return ""
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(alphabet, body[i])
		if v < 0 {
			return ""
		}
		sum += v * weights[i]
	}
	return body + string(CheckChar(sum))
}
