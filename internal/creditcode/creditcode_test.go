package creditcode

import (
	"errors"
	"testing"
)

func TestValidate(t *testing.T) {
	valid := Complete("91320700MA1MXXXX0")
	if valid == "" {
		t.Fatal("Complete refused a valid body")
	}
	tests := []struct {
		code string
		ok   bool
	}{
		{"91350100M000100Y43", true}, // a published example code
		{valid, true},
		{"91350100M000100Y44", false},  // wrong check character
		{"91350100M000100Y4", false},   // too short
		{"91350100M000100Y433", false}, // too long
		{"91350100I000100Y43", false},  // I is not in the alphabet
		{"91350100m000100Y43", false},  // lower case
		{"", false},
	}
	for _, tt := range tests {
		err := Validate(tt.code)
		if got := err == nil; got != tt.ok {
			t.Errorf("Validate(%q) = %v, want ok=%v", tt.code, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("Validate(%q) error %v is not ErrInvalid", tt.code, err)
		}
	}
}
