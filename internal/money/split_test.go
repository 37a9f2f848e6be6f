package money

import (
	"errors"
	"math/big"
	"slices"
	"testing"

	"github.com/shopspring/decimal"
)

func TestSplitInt(t *testing.T) {
	tests := []struct {
		total   Amount
		weights []int64
		want    []Amount
	}{
		{100, []int64{1, 1, 1}, []Amount{34, 33, 33}},
		{10, []int64{1, 1, 1}, []Amount{4, 3, 3}},
		{1, []int64{1, 2}, []Amount{0, 1}},                         // larger remainder wins
		{5, []int64{1, 1, 1, 1, 1, 1}, []Amount{1, 1, 1, 1, 1, 0}}, // ties go to earlier parts
		{100, []int64{0, 1, 0}, []Amount{0, 100, 0}},
		{0, []int64{3, 7}, []Amount{0, 0}},
		{1000, []int64{31, 28, 31}, []Amount{345, 311, 344}}, // 344.44, 311.11, 344.44: tie to the earlier
		{7, []int64{5}, []Amount{7}},
		{Max, []int64{1, 1, 1}, []Amount{Max/3 + 1, Max / 3, Max / 3}},
		{101, []int64{1, 0, 1}, []Amount{51, 0, 50}},
	}
	for _, tt := range tests {
		got, err := SplitInt(tt.total, tt.weights)
		if err != nil {
			t.Errorf("SplitInt(%d, %v): %v", tt.total, tt.weights, err)
			continue
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("SplitInt(%d, %v) = %v, want %v", tt.total, tt.weights, got, tt.want)
		}
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		total   Amount
		weights []string
		want    []Amount
	}{
		{100, []string{"0.5", "0.25", "0.25"}, []Amount{50, 25, 25}},
		{100, []string{"1", "1", "1"}, []Amount{34, 33, 33}},
		{1, []string{"0.3", "0.7"}, []Amount{0, 1}},
		{10, []string{"1.5", "2", "0.25"}, []Amount{4, 5, 1}}, // 4.0, 5.33, 0.67
		{12345, []string{"100", "0.001"}, []Amount{12345, 0}},
	}
	for _, tt := range tests {
		ws := make([]Rate, len(tt.weights))
		for i, w := range tt.weights {
			ws[i] = MustRate(w)
		}
		got, err := Split(tt.total, ws)
		if err != nil {
			t.Errorf("Split(%d, %v): %v", tt.total, tt.weights, err)
			continue
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Split(%d, %v) = %v, want %v", tt.total, tt.weights, got, tt.want)
		}
	}
}

func TestSplitRefuses(t *testing.T) {
	intCases := []struct {
		total   Amount
		weights []int64
	}{
		{100, nil},
		{100, []int64{}},
		{100, []int64{0, 0}},
		{100, []int64{1, -1}},
		{-1, []int64{1}},
	}
	for _, tt := range intCases {
		if _, err := SplitInt(tt.total, tt.weights); !errors.Is(err, ErrSplit) {
			t.Errorf("SplitInt(%d, %v) error = %v, want ErrSplit", tt.total, tt.weights, err)
		}
	}
	rateCases := []struct {
		total   Amount
		weights []Rate
	}{
		{100, nil},
		{100, []Rate{MustRate("0"), MustRate("0.00")}},
		{100, []Rate{MustRate("1"), RateFromDecimal(decimal.NewFromInt(-1))}},
		{-1, []Rate{MustRate("1")}},
		{100, []Rate{{}}}, // the zero Rate is zero
	}
	for _, tt := range rateCases {
		if _, err := Split(tt.total, tt.weights); !errors.Is(err, ErrSplit) {
			t.Errorf("Split(%d, %v) error = %v, want ErrSplit", tt.total, tt.weights, err)
		}
	}
}

// checkSplit verifies the invariants of a largest-remainder split: the parts
// sum to total, none is negative, and each is within one fen of its exact share.
func checkSplit(t *testing.T, total Amount, weights []*big.Rat, parts []Amount) {
	t.Helper()
	if len(parts) != len(weights) {
		t.Fatalf("got %d parts for %d weights", len(parts), len(weights))
	}
	sumW := new(big.Rat)
	for _, w := range weights {
		sumW.Add(sumW, w)
	}
	var sum Amount
	for i, p := range parts {
		if p < 0 {
			t.Fatalf("part %d is negative: %d", i, p)
		}
		sum += p
		exact := new(big.Rat).Mul(new(big.Rat).SetInt64(int64(total)), weights[i])
		exact.Quo(exact, sumW)
		diff := new(big.Rat).Sub(new(big.Rat).SetInt64(int64(p)), exact)
		if diff.Abs(diff).Cmp(big.NewRat(1, 1)) >= 0 {
			t.Fatalf("part %d = %d is not within 1 fen of exact share %s", i, p, exact.FloatString(4))
		}
	}
	if sum != total {
		t.Fatalf("parts %v sum to %d, want %d", parts, sum, total)
	}
}
