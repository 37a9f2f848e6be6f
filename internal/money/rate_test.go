package money

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/shopspring/decimal"
)

func TestParseRate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0", "0"},
		{"0.25", "0.25"},
		{"0.250", "0.25"},
		{"1.2", "1.2"},
		{"90", "90"},
		{"0.000001", "0.000001"},
	}
	for _, tt := range tests {
		got, err := ParseRate(tt.in)
		if err != nil {
			t.Errorf("ParseRate(%q): %v", tt.in, err)
			continue
		}
		if got.String() != tt.want {
			t.Errorf("ParseRate(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	for _, in := range []string{"", "-0.1", "+1", "1e2", ".5", "5.", " 1", "1,5", "０.5", "NaN"} {
		if _, err := ParseRate(in); !errors.Is(err, ErrInvalidRate) {
			t.Errorf("ParseRate(%q) error = %v, want ErrInvalidRate", in, err)
		}
	}
}

func TestRateJSON(t *testing.T) {
	var r Rate
	if err := json.Unmarshal([]byte(`"0.25"`), &r); err != nil || r.String() != "0.25" {
		t.Errorf("Unmarshal(\"0.25\") = %s, %v", r, err)
	}
	if err := json.Unmarshal([]byte(`0.25`), &r); !errors.Is(err, ErrInvalidRate) {
		t.Errorf("Unmarshal(0.25) error = %v, want ErrInvalidRate", err)
	}
	b, _ := json.Marshal(MustRate("0.060"))
	if got, want := string(b), `"0.06"`; got != want {
		t.Errorf("Marshal = %s, want %s", got, want)
	}
}

func TestMul(t *testing.T) {
	tests := []struct {
		amount, rate, want string
	}{
		{"0.05", "0.5", "0.03"}, // 0.025 rounds up
		{"0.01", "0.5", "0.01"}, // 0.005 rounds up
		{"0.01", "0.49", "0.00"},
		{"0.15", "0.1", "0.02"}, // 0.015 rounds up
		{"0.14", "0.1", "0.01"},
		{"1234.56", "0.06", "74.07"}, // 74.0736
		{"1234.56", "0.13", "160.49"},
		{"100", "0.1", "10.00"},
		{"100", "0", "0.00"},
		{"0", "0.25", "0.00"},
		{"1000000000000000", "1", "1000000000000000.00"},
		{"2.5", "1.2", "3.00"},
	}
	for _, tt := range tests {
		got := MustParse(tt.amount).Mul(MustRate(tt.rate))
		if got.String() != tt.want {
			t.Errorf("%s × %s = %s, want %s", tt.amount, tt.rate, got, tt.want)
		}
	}
	// Half-up means away from zero on .5 for negative amounts too.
	if got, want := Amount(-5).Mul(MustRate("0.5")), Amount(-3); got != want {
		t.Errorf("-0.05 × 0.5 = %s, want %s", got, want)
	}
}

func TestFromDecimal(t *testing.T) {
	tests := []struct {
		in   string
		want Amount
	}{
		{"0.004", 0},
		{"0.005", 1},
		{"0.0049999", 0},
		{"1.995", 200},
		{"-0.005", -1},
		{"-0.004", 0},
	}
	for _, tt := range tests {
		if got := FromDecimal(decimal.RequireFromString(tt.in)); got != tt.want {
			t.Errorf("FromDecimal(%s) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
