// Package errs is the one error type of the service: a kind that decides the
// HTTP status and a stable snake_case code that clients may rely on. Domain
// packages declare sentinels with New and wrap them with fmt.Errorf("%w: …")
// to add detail; nothing is ever classified by message text.
package errs

import "errors"

// Kind groups errors by what the caller should do about them.
type Kind int

// The kinds, each mapped to one HTTP status in httpapi.
const (
	Internal        Kind = iota // a bug or an unexpected failure: 500
	Invalid                     // malformed input: 400
	Unauthenticated             // 401
	Forbidden                   // 403
	NotFound                    // 404
	Conflict                    // state conflicts with the request: 409
	TooLarge                    // 413
	Rule                        // a programme rule refuses it: 422
	RateLimited                 // 429
	Unavailable                 // the database is down: 503
)

// Error is a classified error with a stable code.
type Error struct {
	Kind    Kind
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// New declares a sentinel error.
func New(kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// Classify finds the classified error inside err; an unclassified error is
// reported as internal.
func Classify(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return ErrInternal
}

// Shared sentinels used by more than one package.
var (
	ErrInternal        = New(Internal, "internal", "internal error")
	ErrInvalidRequest  = New(Invalid, "invalid_request", "invalid request")
	ErrInvalidAmount   = New(Invalid, "invalid_amount", "invalid amount")
	ErrInvalidCredit   = New(Invalid, "invalid_credit_code", "invalid unified social credit code")
	ErrUnauthenticated = New(Unauthenticated, "unauthenticated", "missing, unknown, expired or revoked token")
	ErrForbidden       = New(Forbidden, "forbidden", "not allowed for this token")
	ErrNotFound        = New(NotFound, "not_found", "not found")
	ErrConflict        = New(Conflict, "conflict", "conflict")
	ErrTooLarge        = New(TooLarge, "too_large", "request body too large")
	ErrRuleViolation   = New(Rule, "rule_violation", "refused by a programme rule")
	ErrRateLimited     = New(RateLimited, "rate_limited", "too many requests")
	ErrUnavailable     = New(Unavailable, "unavailable", "database unavailable, try again")
)

// Programme rules that more than one domain enforces (a fund pays for an
// expenditure and for a subsidy scheme alike).
var (
	ErrCategoryNotEligible = New(Rule, "category_not_eligible", "the fund may not pay for this category")
	ErrFundExpired         = New(Rule, "fund_expired", "the fund has expired")
)
