package sheet

import (
	"math"
	"strings"
	"testing"
	"time"

	"renofund/internal/money"
)

var (
	text     = Source{}
	book     = Source{XLSX: true}
	book1904 = Source{XLSX: true, Date1904: true}
)

// no marks a refusal with ErrAmount in TestAmount's table.
const no money.Amount = math.MinInt64

func TestAmount(t *testing.T) {
	const max = money.Max
	tests := []struct {
		in string
		// What Amount and SignedAmount read from CSV text and from a workbook.
		text, book, signedText, signedBook money.Amount
	}{
		{"0", 0, 0, 0, 0},
		{"12.5", 1250, 1250, 1250, 1250},
		{"1234.56", 123456, 123456, 123456, 123456},
		{"0.01", 1, 1, 1, 1},
		// At most two decimals, in a workbook too.
		{"1.234", no, no, no, no},
		{"12.345", no, no, no, no},
		{"1.", no, 100, no, 100}, // a workbook's number reader takes "1." as 1
		// At most 10^15 yuan. Past 15 significant digits a workbook holds
		// no more than Excel shows: 1000000000000000.01 reads as 10^15.
		{"1000000000000000", max, max, max, max},
		{"1000000000000000.00", max, max, max, max},
		{"1000000000000000.01", no, max, no, max},
		{"1000000000000010", no, no, no, no},
		{"1E+15", no, max, no, max},
		{"1.00000000000001E+15", no, no, no, no},
		// Signs: Amount takes none in text; SignedAmount takes one.
		{"-1", no, no, -100, -100},
		{"+1", no, 100, 100, 100},
		{"-0", no, 0, 0, 0},
		{"-1234.56", no, no, -123456, -123456},
		{"+500.00", no, 50000, 50000, 50000},
		{"-1000000000000000", no, no, -max, -max},
		{"-1000000000000000.01", no, no, no, -max},
		{"--5", no, no, no, no},
		{"+-1", no, no, no, no},
		{"-", no, no, no, no},
		{"+", no, no, no, no},
		// A double's noise is rounded away at 15 significant digits.
		{"1234.5599999999999", no, 123456, no, 123456},
		{"-1234.5599999999999", no, no, no, -123456},
		{"0.30000000000000004", no, 30, no, 30},
		{"12.344999999999999", no, no, no, no}, // 12.345: three decimals
		// Exponents, only in a workbook and only within bounds.
		{"1E+3", no, 100000, no, 100000},
		{"1.5E+2", no, 15000, no, 15000},
		{"1E-2", no, 1, no, 1},
		{"1E-3", no, no, no, no},
		{"1E+20", no, no, no, no},
		{"1E+21", no, no, no, no},
		{"1E-41", no, no, no, no},
		// The exponent bounds themselves, seen on zero: 0E+21 would read as 0.
		{"0E+20", no, 0, no, 0},
		{"0E+21", no, no, no, no},
		{"0E-40", no, 0, no, 0},
		{"0E-41", no, no, no, no},
		// Huge exponents are refused before any rounding could build a
		// huge power of ten.
		{"1E+400", no, no, no, no},
		{"-1E+400", no, no, no, no},
		{"1e-99999", no, no, no, no},
		{"1e-2147483647", no, no, no, no},
		{"1e999999999999", no, no, no, no},
		// Length: a stored value of up to 40 characters.
		{"1." + strings.Repeat("0", 38), no, 100, no, 100},
		{"1." + strings.Repeat("0", 39), no, no, no, no},
		// Spaces and other text.
		{" 5", no, no, no, no},
		{"5 ", no, no, no, no},
		{"1 000", no, no, no, no},
		{"5\n", no, no, no, no},
		{"\t5", no, no, no, no},
		{"- 1", no, no, no, no},
		{"", no, no, no, no},
		{"abc", no, no, no, no},
		{"NaN", no, no, no, no},
		{"Infinity", no, no, no, no},
		{"1,000.00", no, no, no, no},
		{"１", no, no, no, no},
	}
	for _, tt := range tests {
		for _, r := range []struct {
			name string
			read func(string) (money.Amount, error)
			want money.Amount
		}{
			{"text Amount", text.Amount, tt.text},
			{"workbook Amount", book.Amount, tt.book},
			{"text SignedAmount", text.SignedAmount, tt.signedText},
			{"workbook SignedAmount", book.SignedAmount, tt.signedBook},
		} {
			got, err := r.read(tt.in)
			if r.want == no {
				if err != ErrAmount {
					t.Errorf("%s(%q) = %d, %v; want ErrAmount", r.name, tt.in, got, err)
				}
				continue
			}
			if err != nil || got != r.want {
				t.Errorf("%s(%q) = %d, %v; want %d", r.name, tt.in, got, err, r.want)
			}
		}
	}
}

func TestDate(t *testing.T) {
	tests := []struct {
		src  Source
		in   string
		want string // the day read, or "" for a refusal with err
		err  error
	}{
		{text, "2021-07-01", "2021-07-01", nil},
		{text, "2024-02-29", "2024-02-29", nil},
		{text, "2021-02-29", "", ErrDate},
		{text, "2021-7-1", "", ErrDate},
		{text, "2021/07/01", "", ErrDate},
		{text, " 2021-07-01", "", ErrDate},
		{text, "2021-07-01 ", "", ErrDate},
		{text, "44378", "", ErrDate},
		{text, "", "", ErrDate},
		// The 1900 system, with its phantom 1900-02-29 at serial 60.
		{book, "2021-07-01", "2021-07-01", nil},
		{book, "44378", "2021-07-01", nil},
		{book, "44378.75", "2021-07-01", nil}, // a time of day is dropped
		{book, "4.4378E+4", "2021-07-01", nil},
		{book, "61", "1900-03-01", nil},
		{book, "60", "", ErrEarlyDate},
		{book, "59", "", ErrEarlyDate},
		{book, "1", "", ErrEarlyDate},
		{book, "0", "", ErrEarlyDate},
		{book, "-1", "", ErrDate},
		{book, "2958465", "9999-12-31", nil},
		{book, "2958465.99", "9999-12-31", nil},
		{book, "2958466", "", ErrDate},
		{book, "1E+20", "", ErrDate},
		{book, "1E+400", "", ErrDate},
		{book, "1e-2147483647", "", ErrDate},
		{book1904, "1e-2147483647", "", ErrDate},
		{book, " 44378", "", ErrDate},
		{book, "", "", ErrDate},
		// The 1904 system: serial 0 is 1904-01-01, no phantom day.
		{book1904, "0", "1904-01-01", nil},
		{book1904, "0.5", "1904-01-01", nil},
		{book1904, "60", "1904-03-01", nil},
		{book1904, "42916", "2021-07-01", nil},
		{book1904, "2957003", "9999-12-31", nil},
		{book1904, "2957004", "", ErrDate},
		{book1904, "2958465", "", ErrDate}, // 9999-12-31 of the 1900 system, the year 10003 here
		{book1904, "-0.5", "", ErrDate},
	}
	for _, tt := range tests {
		got, err := tt.src.Date(tt.in)
		if tt.want == "" {
			// The readers return the sentinels themselves, so that
			// ErrEarlyDate (which matches ErrDate) is told apart.
			if err != tt.err {
				t.Errorf("%+v.Date(%q) = %v, %v; want %v", tt.src, tt.in, got, err, tt.err)
			}
			continue
		}
		want, _ := time.Parse(time.DateOnly, tt.want)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("%+v.Date(%q) = %v, %v; want %s at midnight UTC", tt.src, tt.in, got, err, tt.want)
		}
	}
}

// FuzzAmount checks what holds for any cell: a workbook accepts whatever
// text does and reads it alike, a signed reader accepts whatever an unsigned
// one does, and no amount is negative when unsigned or past 10^15 yuan.
func FuzzAmount(f *testing.F) {
	for _, s := range []string{"0", "12.5", "-1234.56", "+500.00", "1234.5599999999999", "1E+3", "1E+400",
		"1000000000000000.01", "-0", " 5", "1e-99999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, src := range []Source{text, book} {
			a, err := src.Amount(s)
			if err == nil && (a < 0 || a > money.Max) {
				t.Fatalf("%+v.Amount(%q) = %d, beyond 0..10^15 yuan", src, s, a)
			}
			sa, serr := src.SignedAmount(s)
			if serr == nil && (sa < -money.Max || sa > money.Max) {
				t.Fatalf("%+v.SignedAmount(%q) = %d, beyond ±10^15 yuan", src, s, sa)
			}
			if err == nil && (serr != nil || sa != a) {
				t.Fatalf("%+v: Amount(%q) = %d but SignedAmount gives %d, %v", src, s, a, sa, serr)
			}
		}
		if a, err := text.SignedAmount(s); err == nil {
			if b, err := book.SignedAmount(s); err != nil || b != a {
				t.Fatalf("%q: text reads %d, workbook %d, %v", s, a, b, err)
			}
		}
	})
}

// FuzzDate checks that a workbook reads a text date as text does, and that
// a serial day reads as a day from 1900-03-01 (1904-01-01 in the 1904
// system) to 9999-12-31, at midnight UTC.
func FuzzDate(f *testing.F) {
	for _, s := range []string{"2021-07-01", "44378.75", "60", "61", "0", "2958465", "2957004", "1E+400", "-1"} {
		f.Add(s)
	}
	last := time.Date(9999, time.December, 31, 0, 0, 0, 0, time.UTC)
	systems := []struct {
		src   Source
		first time.Time
	}{
		{book, time.Date(1900, time.March, 1, 0, 0, 0, 0, time.UTC)},
		{book1904, time.Date(1904, time.January, 1, 0, 0, 0, 0, time.UTC)},
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := text.Date(s); err == nil {
			for _, sys := range systems {
				if b, err := sys.src.Date(s); err != nil || !b.Equal(d) {
					t.Fatalf("%q: text reads %v, %+v %v, %v", s, d, sys.src, b, err)
				}
			}
			return
		}
		for _, sys := range systems {
			d, err := sys.src.Date(s)
			if err == nil && (d.Before(sys.first) || d.After(last) || d.Location() != time.UTC || !d.Equal(d.Truncate(24*time.Hour))) {
				t.Fatalf("%+v.Date(%q) = %v, not a day from %s to 9999-12-31", sys.src, s, d, sys.first.Format(time.DateOnly))
			}
		}
	})
}
