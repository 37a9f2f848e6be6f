package errs_test

import (
	"errors"
	"fmt"
	"regexp"
	"testing"

	"renofund/internal/errs"
)

// shared lists every sentinel the package declares, with its kind.
var shared = []struct {
	err  *errs.Error
	kind errs.Kind
}{
	{errs.ErrInternal, errs.Internal},
	{errs.ErrInvalidRequest, errs.Invalid},
	{errs.ErrInvalidAmount, errs.Invalid},
	{errs.ErrInvalidCredit, errs.Invalid},
	{errs.ErrUnauthenticated, errs.Unauthenticated},
	{errs.ErrForbidden, errs.Forbidden},
	{errs.ErrNotFound, errs.NotFound},
	{errs.ErrConflict, errs.Conflict},
	{errs.ErrTooLarge, errs.TooLarge},
	{errs.ErrRuleViolation, errs.Rule},
	{errs.ErrRateLimited, errs.RateLimited},
	{errs.ErrUnavailable, errs.Unavailable},
	{errs.ErrCategoryNotEligible, errs.Rule},
	{errs.ErrFundExpired, errs.Rule},
}

var snakeCase = regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)

func TestSentinels(t *testing.T) {
	seen := map[string]*errs.Error{}
	for _, s := range shared {
		code := s.err.Code
		if !snakeCase.MatchString(code) {
			t.Errorf("code %q is not non-empty snake_case", code)
		}
		if s.err.Kind != s.kind {
			t.Errorf("%s: kind = %d, want %d", code, s.err.Kind, s.kind)
		}
		if s.err.Error() == "" || s.err.Error() != s.err.Message {
			t.Errorf("%s: Error() = %q, want its non-empty message %q", code, s.err.Error(), s.err.Message)
		}
		if prev, ok := seen[code]; ok {
			t.Errorf("code %q is used by %q and %q", code, prev.Message, s.err.Message)
		}
		seen[code] = s.err
	}
}

func TestNew(t *testing.T) {
	e := errs.New(errs.Conflict, "thing_taken", "the thing is taken")
	if e.Kind != errs.Conflict || e.Code != "thing_taken" || e.Error() != "the thing is taken" {
		t.Errorf("New = %+v, want kind Conflict, code thing_taken, message \"the thing is taken\"", e)
	}
	// Two sentinels with the same fields are still different errors.
	if f := errs.New(errs.Conflict, "thing_taken", "the thing is taken"); errors.Is(e, f) {
		t.Errorf("errors.Is matched two distinct sentinels")
	}
}

func TestClassify(t *testing.T) {
	local := errs.New(errs.Rule, "local_rule", "a rule of one package")
	tests := []struct {
		name string
		err  error
		want *errs.Error
	}{
		{"bare sentinel", errs.ErrNotFound, errs.ErrNotFound},
		{"wrapped with detail", fmt.Errorf("%w: project %q", errs.ErrNotFound, "HZ-001"), errs.ErrNotFound},
		{"wrapped twice", fmt.Errorf("load: %w", fmt.Errorf("%w: fund CG", errs.ErrFundExpired)), errs.ErrFundExpired},
		{"joined", errors.Join(errs.ErrUnavailable, errors.New("connection refused")), errs.ErrUnavailable},
		{"package-local sentinel", fmt.Errorf("%w: detail", local), local},
		{"unclassified", errors.New("boom"), errs.ErrInternal},
		{"unclassified wrapped", fmt.Errorf("query: %w", errors.New("syntax error")), errs.ErrInternal},
		{"message that reads like a code", errors.New("not_found"), errs.ErrInternal},
		{"message equal to a sentinel's", errors.New(errs.ErrForbidden.Message), errs.ErrInternal},
	}
	for _, tt := range tests {
		if got := errs.Classify(tt.err); got != tt.want {
			t.Errorf("%s: Classify(%v) = %q, want %q", tt.name, tt.err, got.Code, tt.want.Code)
		}
	}
}

// TestWrappedSentinelKeepsDetail: wrapping adds detail to the message while
// errors.Is still finds the sentinel.
func TestWrappedSentinelKeepsDetail(t *testing.T) {
	err := fmt.Errorf("%w: district %s", errs.ErrForbidden, "LY")
	if !errors.Is(err, errs.ErrForbidden) {
		t.Errorf("errors.Is(%v, ErrForbidden) = false, want true", err)
	}
	if errors.Is(err, errs.ErrNotFound) {
		t.Errorf("errors.Is(%v, ErrNotFound) = true, want false", err)
	}
	if got, want := err.Error(), "not allowed for this token: district LY"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}
