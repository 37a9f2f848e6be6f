package field

import (
	"errors"
	"testing"

	"renofund/internal/errs"
)

func TestChecks(t *testing.T) {
	ok := []error{Code("fund", "CG-2026"), Code("fund", "a.b_c"), Text("name", "海州区", true, 3), Text("memo", "", false, 10)}
	for i, err := range ok {
		if err != nil {
			t.Errorf("case %d: %v", i, err)
		}
	}
	bad := []error{Code("fund", ""), Code("fund", "-x"), Code("fund", "a b"), Code("fund", "x'; DROP TABLE t; --"),
		Text("name", "", true, 5), Text("name", "海州区", true, 2), Text("name", "a\x00b", false, 9),
		Text("name", "a\nb", false, 9), Text("name", "\xff", false, 9)}
	for i, err := range bad {
		if !errors.Is(err, errs.ErrInvalidRequest) {
			t.Errorf("bad case %d: %v, want invalid_request", i, err)
		}
	}
	if _, err := Date("on", "2026-02-30"); err == nil {
		t.Error("2026-02-30 accepted")
	}
	if d, err := Date("on", "2026-02-28"); err != nil || d.Day() != 28 {
		t.Errorf("Date: %v %v", d, err)
	}
}
