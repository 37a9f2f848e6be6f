package money

import (
	"errors"
	"math/big"
	"regexp"
	"testing"

	"github.com/shopspring/decimal"
)

var canonical = regexp.MustCompile(`^(0|[1-9][0-9]*)\.[0-9]{2}$`)

func FuzzParseFormat(f *testing.F) {
	for _, s := range []string{
		"0", "12.5", "1234.56", "1000000000000000", "1000000000000000.01", "-1", "1.234",
		"1e5", " 1", "1.", ".5", "+1", "1,000", "０", "007.10", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrInvalid", s, err)
			}
			return
		}
		if a < 0 || a > Max {
			t.Fatalf("Parse(%q) = %d, out of range", s, a)
		}
		// The accepted string means exactly a fen.
		if d := decimal.RequireFromString(s); !d.Equal(a.Decimal()) {
			t.Fatalf("Parse(%q) = %s, but the string is %s", s, a, d)
		}
		out := a.String()
		if !canonical.MatchString(out) {
			t.Fatalf("String() = %q is not canonical", out)
		}
		b, err := Parse(out)
		if err != nil || b != a {
			t.Fatalf("Parse(String(%q)) = %d, %v; want %d", s, b, err, a)
		}
		if b.String() != out {
			t.Fatalf("String is not stable: %q then %q", out, b.String())
		}
	})
}

func FuzzSplit(f *testing.F) {
	f.Add(int64(100), []byte{1, 0, 1, 0, 1, 0}, uint8(0))
	f.Add(int64(1), []byte{1, 0, 2, 0}, uint8(1))
	f.Add(int64(100000000000000000), []byte{255, 255, 3, 0, 7, 1}, uint8(4))
	f.Add(int64(12345), []byte{0, 0, 0, 0}, uint8(2))
	f.Fuzz(func(t *testing.T, total int64, raw []byte, scale uint8) {
		if total < 0 {
			total = -(total + 1)
		}
		total %= int64(Max) + 1
		if len(raw) < 2 || len(raw) > 200 {
			return
		}
		exp := -int32(scale % 8)
		ints := make([]int64, len(raw)/2)
		rates := make([]Rate, len(ints))
		rats := make([]*big.Rat, len(ints))
		nonzero := false
		for i := range ints {
			ints[i] = int64(raw[2*i]) | int64(raw[2*i+1])<<8
			rates[i] = RateFromDecimal(decimal.New(ints[i], exp))
			rats[i] = new(big.Rat).SetInt64(ints[i])
			nonzero = nonzero || ints[i] != 0
		}

		got, err := SplitInt(Amount(total), ints)
		if !nonzero {
			if !errors.Is(err, ErrSplit) {
				t.Fatalf("SplitInt with zero weights: error = %v, want ErrSplit", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("SplitInt(%d, %v): %v", total, ints, err)
		}
		checkSplit(t, Amount(total), rats, got)

		// Scaling every weight by the same power of ten changes nothing.
		gotRates, err := Split(Amount(total), rates)
		if err != nil {
			t.Fatalf("Split(%d, %v): %v", total, rates, err)
		}
		for i := range got {
			if got[i] != gotRates[i] {
				t.Fatalf("Split and SplitInt disagree at %d: %v vs %v", i, gotRates, got)
			}
		}
	})
}
