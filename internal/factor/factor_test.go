package factor

import (
	"errors"
	"testing"

	"renofund/internal/money"

	"github.com/shopspring/decimal"
)

func rate(s string) money.Rate { return money.MustRate(s) }

var (
	weights2019 = Weights{Area: rate("0.4"), Households: rate("0.4"), Buildings: rate("0.1"), Communities: rate("0.1")}
	weightsPerf = Weights{Area: rate("0.4"), Households: rate("0.3"), Buildings: rate("0.1"), Communities: rate("0.1"), Performance: rate("0.1")}
	weights2022 = Weights{Area: rate("0.32"), Households: rate("0.24"), Buildings: rate("0.08"), Communities: rate("0.16"), PerformancePool: rate("0.2")}
	areaOnly    = Weights{Area: rate("1")}
)

type want struct {
	fraction string
	amount   string
}

func TestAllocate(t *testing.T) {
	tests := []struct {
		name       string
		total      string
		recipients []Recipient
		weights    Weights
		want       []want
	}{
		{
			// area .25/.75, households .75/.25, buildings .25/.75, communities .25/.75:
			// A = .4·.25 + .4·.75 + .1·.25 + .1·.25 = .45
			name:  "2019 weights",
			total: "1000000",
			recipients: []Recipient{
				{ID: "A", Area: rate("100"), Households: 300, Buildings: 10, Communities: 1},
				{ID: "B", Area: rate("300"), Households: 100, Buildings: 30, Communities: 3},
			},
			weights: weights2019,
			want:    []want{{"0.45000000000000000000", "450000.00"}, {"0.55000000000000000000", "550000.00"}},
		},
		{
			// 100·1.2 = 120 against 300: A = 2/7, B = 5/7 of 10000 fen =
			// 2857.14 and 7142.86 fen; the leftover fen goes to B (.857 > .143).
			name:  "coefficient and largest remainder",
			total: "100",
			recipients: []Recipient{
				{ID: "A", Area: rate("100"), Coefficient: rate("1.2")},
				{ID: "B", Area: rate("300"), Coefficient: rate("1")},
			},
			weights: areaOnly,
			want:    []want{{"0.28571428571428571429", "28.57"}, {"0.71428571428571428571", "71.43"}},
		},
		{
			name:  "unset coefficient is 1",
			total: "100",
			recipients: []Recipient{
				{ID: "A", Area: rate("100")},
				{ID: "B", Area: rate("300"), Coefficient: rate("1.0")},
			},
			weights: areaOnly,
			want:    []want{{"0.25000000000000000000", "25.00"}, {"0.75000000000000000000", "75.00"}},
		},
		{
			name:  "equal thirds: ties to the earlier recipient",
			total: "100",
			recipients: []Recipient{
				{ID: "A", Households: 7}, {ID: "B", Households: 7}, {ID: "C", Households: 7},
			},
			weights: Weights{Households: rate("1")},
			want: []want{
				{"0.33333333333333333333", "33.34"},
				{"0.33333333333333333333", "33.33"},
				{"0.33333333333333333333", "33.33"},
			},
		},
		{
			// Volume is half each (.9 × .5 = .45); performance 90/10 of .1.
			name:  "weights include performance",
			total: "1000",
			recipients: []Recipient{
				{ID: "A", Area: rate("1"), Households: 1, Buildings: 1, Communities: 1, Performance: rate("90")},
				{ID: "B", Area: rate("1"), Households: 1, Buildings: 1, Communities: 1, Performance: rate("10")},
			},
			weights: weightsPerf,
			want:    []want{{"0.54000000000000000000", "540.00"}, {"0.46000000000000000000", "460.00"}},
		},
		{
			// Volume .8: area .32·.25 + households .24·.5 + buildings .08·1 +
			// communities .16·.5 = .36 for A; pool .2 · 3/4 = .15 for A.
			name:  "2022 performance pool",
			total: "200000",
			recipients: []Recipient{
				{ID: "A", Area: rate("50.5"), Households: 40, Buildings: 3, Communities: 1, Performance: rate("75")},
				{ID: "B", Area: rate("151.5"), Households: 40, Buildings: 0, Communities: 1, Performance: rate("25")},
			},
			weights: weights2022,
			want:    []want{{"0.51000000000000000000", "102000.00"}, {"0.49000000000000000000", "98000.00"}},
		},
		{
			name:  "a factor with zero weight may be zero everywhere",
			total: "10",
			recipients: []Recipient{
				{ID: "A", Area: rate("1"), Households: 1},
				{ID: "B", Area: rate("3"), Households: 1},
			},
			weights: Weights{Area: rate("0.5"), Households: rate("0.5")},
			want:    []want{{"0.37500000000000000000", "3.75"}, {"0.62500000000000000000", "6.25"}},
		},
		{
			name:  "zero total",
			total: "0",
			recipients: []Recipient{
				{ID: "A", Households: 1}, {ID: "B", Households: 2},
			},
			weights: Weights{Households: rate("1")},
			want:    []want{{"0.33333333333333333333", "0.00"}, {"0.66666666666666666667", "0.00"}},
		},
		{
			name:       "single recipient takes everything",
			total:      "0.01",
			recipients: []Recipient{{ID: "A", Communities: 1}},
			weights:    Weights{Communities: rate("1")},
			want:       []want{{"1.00000000000000000000", "0.01"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Allocate(money.MustParse(tt.total), tt.recipients, tt.weights)
			if err != nil {
				t.Fatalf("Allocate: %v", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d shares, want %d", len(got), len(tt.want))
			}
			for i, s := range got {
				if s.ID != tt.recipients[i].ID || s.Fraction != tt.want[i].fraction || s.Amount.String() != tt.want[i].amount {
					t.Errorf("share %d: got %s %s %s, want %s %s %s", i, s.ID, s.Fraction, s.Amount,
						tt.recipients[i].ID, tt.want[i].fraction, tt.want[i].amount)
				}
			}
		})
	}
}

func TestPoolEqualsPerformanceWeight(t *testing.T) {
	recipients := []Recipient{
		{ID: "A", Area: rate("123.45"), Households: 17, Buildings: 2, Communities: 1, Performance: rate("88.5")},
		{ID: "B", Area: rate("99"), Households: 31, Buildings: 5, Communities: 2, Coefficient: rate("1.3"), Performance: rate("70")},
		{ID: "C", Area: rate("7.7"), Households: 3, Buildings: 1, Communities: 1, Performance: rate("95")},
	}
	asWeight := Weights{Area: rate("0.4"), Households: rate("0.3"), Buildings: rate("0.1"), Communities: rate("0.1"), Performance: rate("0.1")}
	asPool := Weights{Area: rate("0.4"), Households: rate("0.3"), Buildings: rate("0.1"), Communities: rate("0.1"), PerformancePool: rate("0.1")}
	a, err := Allocate(money.MustParse("98765.43"), recipients, asWeight)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Allocate(money.MustParse("98765.43"), recipients, asPool)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if a[i].Amount != b[i].Amount || a[i].Exact.Cmp(b[i].Exact) != 0 {
			t.Errorf("recipient %s: weight style %s %s, pool style %s %s", a[i].ID, a[i].Fraction, a[i].Amount, b[i].Fraction, b[i].Amount)
		}
	}
}

func TestAllocateErrors(t *testing.T) {
	negative := money.RateFromDecimal(decimal.NewFromInt(-1))
	two := []Recipient{{ID: "A", Area: rate("1"), Households: 1, Buildings: 1, Communities: 1, Performance: rate("1")},
		{ID: "B", Area: rate("2"), Households: 2, Buildings: 2, Communities: 2, Performance: rate("2")}}
	with := func(f func(r *Recipient)) []Recipient {
		rs := append([]Recipient(nil), two...)
		f(&rs[1])
		return rs
	}
	tests := []struct {
		name       string
		total      money.Amount
		recipients []Recipient
		weights    Weights
	}{
		{"negative total", -1, two, weights2019},
		{"no recipients", 100, nil, weights2019},
		{"duplicate IDs", 100, with(func(r *Recipient) { r.ID = "A" }), weights2019},
		{"empty ID", 100, with(func(r *Recipient) { r.ID = "" }), weights2019},
		{"negative area", 100, with(func(r *Recipient) { r.Area = negative }), weights2019},
		{"negative households", 100, with(func(r *Recipient) { r.Households = -1 }), weights2019},
		{"negative buildings", 100, with(func(r *Recipient) { r.Buildings = -1 }), weights2019},
		{"negative communities", 100, with(func(r *Recipient) { r.Communities = -1 }), weights2019},
		{"negative coefficient", 100, with(func(r *Recipient) { r.Coefficient = negative }), weights2019},
		{"explicit zero coefficient", 100, with(func(r *Recipient) { r.Coefficient = rate("0") }), weights2019},
		{"negative performance", 100, with(func(r *Recipient) { r.Performance = negative }), weightsPerf},
		{"weights sum below 1", 100, two, Weights{Area: rate("0.4"), Households: rate("0.4"), Buildings: rate("0.1")}},
		{"weights sum above 1", 100, two, Weights{Area: rate("0.4"), Households: rate("0.4"), Buildings: rate("0.1"), Communities: rate("0.1"), Performance: rate("0.1")}},
		{"pool pushes sum above 1", 100, two, Weights{Area: rate("0.4"), Households: rate("0.4"), Buildings: rate("0.1"), Communities: rate("0.1"), PerformancePool: rate("0.01")}},
		{"negative weight", 100, two, Weights{Area: rate("1.1"), Households: money.RateFromDecimal(decimal.RequireFromString("-0.1"))}},
		{"no weights", 100, two, Weights{}},
		{"weighted factor zero everywhere", 100, []Recipient{{ID: "A", Area: rate("1"), Households: 1, Communities: 1}, {ID: "B", Area: rate("1"), Households: 1, Communities: 1}}, weights2019},
		{"weighted area zero", 100, []Recipient{{ID: "A", Area: rate("0"), Households: 1, Buildings: 1, Communities: 1}}, weights2019},
		{"performance weight without scores", 100, []Recipient{{ID: "A", Area: rate("1"), Households: 1, Buildings: 1, Communities: 1}}, weightsPerf},
		{"performance pool without scores", 100, []Recipient{{ID: "A", Area: rate("1"), Households: 1, Buildings: 1, Communities: 1, Performance: rate("0")}}, weights2022},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Allocate(tt.total, tt.recipients, tt.weights)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, %v; want ErrInvalid", got, err)
			}
			t.Log(err)
		})
	}
}
