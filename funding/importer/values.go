package importer

import (
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"renofund/internal/money"
)

// amount reads an amount as the API does: a decimal string with at most two
// decimals, no sign, at most 10^15 yuan. In a spreadsheet a number cell is
// also accepted: its stored value is rounded to Excel's 15 significant
// digits (1234.5599999999999 reads as 1234.56) and must then have at most
// two decimals.
func (tab *table) amount(s string) (money.Amount, string) {
	a, err := money.Parse(s)
	if err == nil {
		return a, ""
	}
	reason := strconv.Quote(s) + " must be a non-negative decimal with at most two decimals, at most 10^15 yuan"
	if !tab.xlsx {
		return 0, reason
	}
	d, ok := excelNumber(s)
	if !ok || d.Sign() < 0 {
		return 0, reason
	}
	d = roundSignificant(d, 15)
	if !d.Equal(d.Truncate(2)) || d.Shift(2).GreaterThan(decimal.NewFromInt(int64(money.Max))) {
		return 0, reason
	}
	return money.Amount(d.Shift(2).IntPart()), ""
}

// date reads a YYYY-MM-DD date. In a spreadsheet a date cell is also
// accepted: its stored value is a serial day number in the workbook's date
// system (a time of day is dropped).
func (tab *table) date(s string) (string, string) {
	if _, err := time.Parse(time.DateOnly, s); err == nil {
		return s, ""
	}
	reason := strconv.Quote(s) + " must be a date YYYY-MM-DD"
	if !tab.xlsx {
		return "", reason
	}
	d, ok := excelNumber(s)
	if !ok || d.Sign() <= 0 || d.GreaterThan(decimal.NewFromInt(2_958_465)) { // 9999-12-31
		return "", reason
	}
	n := int(d.Floor().IntPart())
	var t time.Time
	if tab.date1904 {
		t = time.Date(1904, time.January, 1+n, 0, 0, 0, 0, time.UTC)
	} else {
		// Serial 1 is 1900-01-01 and Excel counts a 1900-02-29 that never
		// was (serial 60); from serial 61 on, day 0 is 1899-12-30.
		if n < 61 {
			return "", reason
		}
		t = time.Date(1899, time.December, 30+n, 0, 0, 0, 0, time.UTC)
	}
	return t.Format(time.DateOnly), ""
}

// excelNumber reads a number cell's stored value ("44378", "1234.5599999999999",
// "1E+3"), with bounded exponents so that no input builds huge powers of ten.
func excelNumber(s string) (decimal.Decimal, bool) {
	if len(s) > 40 || strings.ContainsAny(s, " \t\r\n") {
		return decimal.Decimal{}, false
	}
	d, err := decimal.NewFromString(s)
	if err != nil || d.Exponent() < -40 || d.Exponent() > 20 {
		return decimal.Decimal{}, false
	}
	return d, true
}

// roundSignificant rounds a positive d half away from zero to n significant digits.
func roundSignificant(d decimal.Decimal, n int32) decimal.Decimal {
	if d.IsZero() {
		return d
	}
	digits := int32(len(d.Coefficient().Text(10)))
	return d.Round(n - digits - d.Exponent())
}
