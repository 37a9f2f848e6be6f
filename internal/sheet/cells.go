package sheet

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"renofund/internal/money"
)

// The refusals of the cell readers. Callers word them for their own
// clients; a wrapped error matches the one it wraps with errors.Is.
var (
	// ErrAmount refuses a cell that holds no amount in an accepted form.
	ErrAmount = errors.New("not an amount")
	// ErrDate refuses a cell that holds no date in an accepted form.
	ErrDate = errors.New("not a date")
	// ErrEarlyDate refuses a serial day before 1900-03-01 in the 1900 date
	// system, where Excel counts a 1900-02-29 that never was (serial 60),
	// so that serials 1 to 60 do not name the days they display. It
	// matches ErrDate.
	ErrEarlyDate = fmt.Errorf("%w: serial day before 1900-03-01", ErrDate)
)

// Source says where a cell's text comes from. The zero Source is a CSV
// file: text only. An XLSX workbook's cells are read as stored (not as
// displayed), so a number cell arrives as Excel's decimal text of a double
// ("1234.5599999999999", "1E+3") and a date cell as a serial day number in
// the workbook's date system.
type Source struct {
	// XLSX also accepts number cells' stored values.
	XLSX bool
	// Date1904 counts serial days from 1904-01-01 (serial 0), as
	// workbooks made on old Macs do; otherwise from 1900, Excel's default.
	Date1904 bool
}

// Bounds on a number cell's stored value, checked before any arithmetic.
// Excel writes at most 17 significant digits, with exponents up to ±308;
// rounding or flooring such a value builds a power of ten as long as its
// exponent. shopspring/decimal stops at ±10000 (MaxDecodeExponent, a
// package variable any importer may raise); these bounds do not depend on
// it, and still reach well past any amount (10^17 fen) or serial day that
// can be accepted.
const (
	maxNumberLen = 40
	minExponent  = -40
	maxExponent  = 20
)

// The serial days of 9999-12-31, the last day Excel can show, in each date
// system. Each system needs its own: the 1900 system's bound would let the
// 1904 system through to the year 10003.
const (
	lastSerial1900 = 2_958_465
	lastSerial1904 = 2_958_465 - 1_462 // serial 1462 of the 1900 system is 1904-01-01
)

// firstSerial1900 is the 1900 system's first serial that names the day it
// displays (1900-03-01); see ErrEarlyDate.
const firstSerial1900 = 61

var maxFen = decimal.NewFromInt(int64(money.Max))

// Amount reads a non-negative amount in fen, as the API does: a decimal
// string with at most two decimals and at most 10^15 yuan, no sign, no
// exponent, no spaces ("0", "12.5", "1234.56"). From an XLSX workbook a
// number cell is accepted too (see SignedAmount). It refuses with ErrAmount.
func (src Source) Amount(s string) (money.Amount, error) {
	return src.amount(s, false)
}

// SignedAmount reads an amount in fen that may carry one leading sign, as a
// bank statement writes money out ("-1234.56", "+500.00", "500"); the bound
// of 10^15 yuan holds either way. From an XLSX workbook a number cell is
// accepted too: its stored value is rounded to 15 significant digits, the
// precision Excel shows (so 1234.5599999999999 reads as 1234.56), and must
// then have at most two decimals. It refuses with ErrAmount.
func (src Source) SignedAmount(s string) (money.Amount, error) {
	return src.amount(s, true)
}

func (src Source) amount(s string, signed bool) (money.Amount, error) {
	digits, neg := s, false
	if signed && s != "" && (s[0] == '-' || s[0] == '+') {
		digits, neg = s[1:], s[0] == '-'
	}
	if a, err := money.Parse(digits); err == nil {
		if neg {
			a = -a
		}
		return a, nil
	}
	if !src.XLSX {
		return 0, ErrAmount
	}
	d, ok := number(s)
	if !ok || (!signed && d.Sign() < 0) {
		return 0, ErrAmount
	}
	fen := roundSignificant(d, 15).Shift(2)
	if !fen.IsInteger() || fen.Abs().GreaterThan(maxFen) {
		return 0, ErrAmount
	}
	return money.Amount(fen.IntPart()), nil
}

// Date reads a date YYYY-MM-DD (exactly ten characters, a day that exists),
// at midnight UTC. From an XLSX workbook a date cell is accepted too: a
// non-negative serial day number in the workbook's date system, up to
// 9999-12-31; a time of day (the fraction) is dropped. It refuses with
// ErrDate, or ErrEarlyDate for a serial before 1900-03-01 in the 1900
// system.
//
// In the 1904 system serial 0 is 1904-01-01, a day Excel shows as such, so
// it is accepted like every later serial.
func (src Source) Date(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil && len(s) == len(time.DateOnly) {
		return t, nil
	}
	if !src.XLSX {
		return time.Time{}, ErrDate
	}
	d, ok := number(s)
	if !ok || d.Sign() < 0 {
		return time.Time{}, ErrDate
	}
	days, last := d.Floor(), int64(lastSerial1900)
	if src.Date1904 {
		last = lastSerial1904
	}
	if days.GreaterThan(decimal.NewFromInt(last)) {
		return time.Time{}, ErrDate
	}
	n := int(days.IntPart())
	if src.Date1904 {
		return time.Date(1904, time.January, 1+n, 0, 0, 0, 0, time.UTC), nil
	}
	if n < firstSerial1900 {
		return time.Time{}, ErrEarlyDate
	}
	// From serial 61 on, counting from 1899-12-30 absorbs the phantom day.
	return time.Date(1899, time.December, 30+n, 0, 0, 0, 0, time.UTC), nil
}

// number reads a number cell's stored value ("44378", "-1234.5599999999999",
// "1E+3") within the bounds above; any space refuses it.
func number(s string) (decimal.Decimal, bool) {
	if len(s) > maxNumberLen || strings.ContainsAny(s, " \t\r\n") {
		return decimal.Decimal{}, false
	}
	d, err := decimal.NewFromString(s)
	if err != nil || d.Exponent() < minExponent || d.Exponent() > maxExponent {
		return decimal.Decimal{}, false
	}
	return d, true
}

// roundSignificant rounds d half away from zero to n significant digits.
func roundSignificant(d decimal.Decimal, n int32) decimal.Decimal {
	if d.IsZero() {
		return d
	}
	c := d.Coefficient()
	digits := int32(len(c.Abs(c).Text(10)))
	// The leading digit sits at 10^(digits-1+exponent); keep n digits from it.
	return d.Round(n - digits - d.Exponent())
}
