// Package recon reads a district's bank statement (CSV or XLSX) and matches
// its lines against the ledger's movements of the same holdings.
//
// It is pure: statements arrive as an io.Reader and movements as a slice, and
// nothing is stored. A statement with any malformed line is refused as a
// whole, with every bad line listed, so that a half-read statement can never
// be reconciled.
package recon

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"renofund/internal/money"
)

// ErrInvalid reports a statement that cannot be read. A *LineErrors and
// ErrTooManyLines both match it with errors.Is.
var ErrInvalid = errors.New("invalid bank statement")

// MaxLines is the most data lines (header excluded) a statement may hold.
const MaxLines = 200_000

// ErrTooManyLines reports a statement longer than MaxLines data lines.
var ErrTooManyLines = fmt.Errorf("%w: more than %d lines", ErrInvalid, MaxLines)

// HeaderLine is the header a statement must start with (compared without
// regard to case).
const HeaderLine = "date,amount,reference,counterparty"

// columns are HeaderLine's column names, in order.
var columns = strings.Split(HeaderLine, ",")

// BankLine is one line of a bank statement.
type BankLine struct {
	// Line is the line number in the file (the header is line 1) or, for
	// XLSX, the spreadsheet row number.
	Line int
	// Date is the booking date, at midnight UTC.
	Date time.Time
	// Amount is signed: positive for money in, negative for money out.
	Amount money.Amount
	// Reference is the bank's reference (voucher number, transfer id or
	// payment reference), trimmed of surrounding spaces; it may be empty.
	Reference string
	// Counterparty is the other party's name or account, trimmed.
	Counterparty string
}

// Movement is a ledger movement of the reconciled holdings.
type Movement struct {
	// ID is the ledger's id of the movement (a transfer id).
	ID string
	// Date is the movement's booking date; only the calendar date counts.
	Date time.Time
	// Amount is signed: positive into the holdings, negative out of them.
	Amount money.Amount
	// Reference is the voucher number, transfer id or payment reference
	// the bank is expected to quote; it may be empty.
	Reference string
}

// LineError is one problem in a statement.
type LineError struct {
	// Line is the 1-based line (CSV, header = 1) or row (XLSX) number.
	Line int
	// Column is the column name, or "" when the whole line is at fault.
	Column string
	// Reason says what is wrong, in words a clerk can act on.
	Reason string
}

// String formats the problem as "line 3, amount: reason".
func (e LineError) String() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d, %s: %s", e.Line, e.Column, e.Reason)
}

// LineErrors is the error returned for a statement with malformed lines; it
// lists every bad line, in file order.
type LineErrors struct {
	// Errors holds one entry per problem (a line may have several).
	Errors []LineError
}

// maxListed bounds how many problems Error spells out; Errors keeps them all.
const maxListed = 20

// Error summarises the problems, listing the first few.
func (e *LineErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d problem(s)", ErrInvalid, len(e.Errors))
	for i, le := range e.Errors {
		if i == maxListed {
			fmt.Fprintf(&b, "; and %d more", len(e.Errors)-maxListed)
			break
		}
		b.WriteString("; ")
		b.WriteString(le.String())
	}
	return b.String()
}

// Is makes errors.Is(err, ErrInvalid) true for a *LineErrors.
func (e *LineErrors) Is(target error) bool { return target == ErrInvalid }
