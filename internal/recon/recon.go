// Package recon reads a district's bank statement (CSV or XLSX) and matches
// its lines against the ledger's movements of the same holdings.
//
// It is pure: statements arrive as an io.Reader and movements as a slice, and
// nothing is stored. A statement with any malformed line is refused as a
// whole, with every bad line listed, so that a half-read statement can never
// be reconciled.
package recon

import (
	"fmt"
	"strings"
	"time"

	"renofund/internal/errs"
	"renofund/internal/money"
	"renofund/internal/sheet"
)

// ErrInvalid reports a statement that cannot be read, as an invalid request.
// A *sheet.LineErrors from this package and ErrTooManyLines both match it
// with errors.Is.
var ErrInvalid = errs.New(errs.Invalid, errs.ErrInvalidRequest.Code, "invalid bank statement")

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
	// Summary (摘要) and CounterpartyAccount (对方账号) are kept when the
	// statement has them.
	Summary, CounterpartyAccount string
	// Balance is the running balance after the line, when HasBalance.
	Balance    money.Amount
	HasBalance bool
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

// refuse refuses a statement with every problem found, in the wording
// reconciliation has always used.
func refuse(problems ...sheet.LineError) error {
	return &sheet.LineErrors{Rows: problems, Class: ErrInvalid, Wording: sheet.Problems}
}
