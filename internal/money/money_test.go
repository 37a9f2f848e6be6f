package money

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Amount
	}{
		{"0", 0},
		{"0.00", 0},
		{"12.5", 1250},
		{"12.50", 1250},
		{"0.05", 5},
		{"1234.56", 123456},
		{"00.10", 10},
		{"999999999999999.99", Max - 1},
		{"1000000000000000", Max},
		{"1000000000000000.00", Max},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): unexpected error %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, in := range []string{
		"", "-1", "-0", "+1", "1.234", "0.001", "1e5", "1E5", " 1", "1 ", "1.", ".5", ".",
		"1,000", "1_000", "1000000000000000.01", "1000000000000001", "99999999999999999999",
		"０", "１２", "1.2.3", "0x10", "NaN", "Inf", "1.-5", "\x00", "1\n",
		"000000000000000000000000000001",
	} {
		if got, err := Parse(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q) = %d, %v; want ErrInvalid", in, got, err)
		}
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustParse(\"-1\") did not panic")
		}
	}()
	MustParse("-1")
}

func TestString(t *testing.T) {
	tests := []struct {
		in   Amount
		want string
	}{
		{0, "0.00"},
		{5, "0.05"},
		{-5, "-0.05"},
		{-123450, "-1234.50"},
		{123450, "1234.50"},
		{100, "1.00"},
		{Max, "1000000000000000.00"},
		{-9223372036854775808, "-92233720368547758.08"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("Amount(%d).String() = %q, want %q", int64(tt.in), got, tt.want)
		}
	}
}

func TestDecimalRoundTrip(t *testing.T) {
	for _, a := range []Amount{0, 1, 5, -5, 123456, Max} {
		if got := FromDecimal(a.Decimal()); got != a {
			t.Errorf("FromDecimal(%d.Decimal()) = %d, want %d", int64(a), got, a)
		}
	}
}

func TestJSON(t *testing.T) {
	type body struct {
		A Amount `json:"a"`
	}
	b, err := json.Marshal(body{A: 123450})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"a":"1234.50"}`; got != want {
		t.Errorf("Marshal = %s, want %s", got, want)
	}

	accept := []struct {
		in   string
		want Amount
	}{
		{`{"a":"1234.50"}`, 123450},
		{`{"a":"12.5"}`, 1250},
		{`{"a":"0"}`, 0},
	}
	for _, tt := range accept {
		var got body
		if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
			t.Errorf("Unmarshal(%s): %v", tt.in, err)
			continue
		}
		if got.A != tt.want {
			t.Errorf("Unmarshal(%s) = %d, want %d", tt.in, got.A, tt.want)
		}
	}

	for _, in := range []string{
		`{"a":12.5}`, `{"a":1234}`, `{"a":0}`, `{"a":"-1"}`, `{"a":"1.234"}`, `{"a":""}`,
		`{"a":"1e5"}`, `{"a":true}`, `{"a":"1000000000000000.01"}`, `{"a":"\u0031"}`,
	} {
		var got body
		if err := json.Unmarshal([]byte(in), &got); !errors.Is(err, ErrInvalid) {
			t.Errorf("Unmarshal(%s) error = %v, want ErrInvalid", in, err)
		}
	}

	// UnmarshalJSON on its own refuses anything that is not a quoted string.
	for _, in := range []string{``, `"`, `1`, `'1'`} {
		var a Amount
		if err := a.UnmarshalJSON([]byte(in)); !errors.Is(err, ErrInvalid) {
			t.Errorf("UnmarshalJSON(%s) error = %v, want ErrInvalid", in, err)
		}
	}
}
