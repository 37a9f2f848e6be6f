package recon

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"renofund/internal/errs"
	"renofund/internal/money"
	"renofund/internal/sheet"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// The codes a line's problem may carry, as the receipt import uses them.
var (
	codeInvalid = errs.ErrInvalidRequest.Code
	codeAmount  = errs.ErrInvalidAmount.Code
)

// ParseCSV reads a statement in CSV with the header
// "date,amount,reference,counterparty" (case-insensitive, exactly these four
// columns in this order; a UTF-8 byte-order mark is skipped). Dates are
// YYYY-MM-DD; amounts are decimals with at most two decimals and an optional
// sign ("-1234.56", "500", "+500.00"), positive for money in. Blank lines are
// skipped; line numbers are physical lines of the file, the header being
// line 1 when it opens the file.
//
// A file with any malformed line is refused with a *sheet.LineErrors
// (matching ErrInvalid) listing every problem; one with more than MaxLines
// data lines with ErrTooManyLines. Other errors come from reading r. The
// caller bounds the size of r.
func ParseCSV(r io.Reader) ([]BankLine, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // a wrong column count is reported per line below
	var (
		lines  = []BankLine{}
		bad    []sheet.LineError
		header bool
		count  int
	)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var line int
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, fmt.Errorf("reading statement: %w", err)
			}
			line = pe.StartLine
			if !header {
				return nil, refuse(sheet.LineError{Line: line, Code: codeInvalid, Reason: "unreadable header: " + pe.Err.Error()})
			}
		} else {
			line, _ = cr.FieldPos(0)
		}
		if !header {
			if le, ok := checkHeader(line, rec); !ok {
				return nil, refuse(le)
			}
			header = true
			continue
		}
		if count++; count > MaxLines {
			return nil, ErrTooManyLines
		}
		if err != nil {
			bad = append(bad, sheet.LineError{Line: line, Code: codeInvalid, Reason: "unreadable CSV: " + csvReason(err)})
			continue
		}
		if len(rec) != len(columns) {
			bad = append(bad, sheet.LineError{Line: line, Code: codeInvalid, Reason: fmt.Sprintf("has %d columns, want %d (%s)", len(rec), len(columns), HeaderLine)})
			continue
		}
		if bl, ok := parseLine(line, rec, sheet.Source{}, &bad); ok {
			lines = append(lines, bl)
		}
	}
	if !header {
		return nil, refuse(sheet.LineError{Line: 1, Code: codeInvalid, Reason: "empty file: the header " + HeaderLine + " is required"})
	}
	if len(bad) > 0 {
		return nil, refuse(bad...)
	}
	return lines, nil
}

// csvReason keeps the cause of a csv.ParseError without its position, which
// sheet.LineError already carries.
func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// checkHeader accepts exactly the four column names, ignoring case and
// surrounding spaces.
func checkHeader(line int, rec []string) (sheet.LineError, bool) {
	ok := len(rec) == len(columns)
	for i := 0; ok && i < len(rec); i++ {
		ok = strings.EqualFold(strings.TrimSpace(rec[i]), columns[i])
	}
	if !ok {
		return sheet.LineError{Line: line, Code: codeInvalid,
			Reason: fmt.Sprintf("header is %s, want %s", quote(strings.Join(rec, ",")), HeaderLine)}, false
	}
	return sheet.LineError{}, true
}

// parseLine checks one data line of four fields read from src, appending
// every problem to bad; ok is false when there was any.
func parseLine(line int, fields []string, src sheet.Source, bad *[]sheet.LineError) (BankLine, bool) {
	before := len(*bad)
	fail := func(col int, code, reason string) {
		*bad = append(*bad, sheet.LineError{Line: line, Column: columns[col], Code: code, Reason: reason})
	}
	bl := BankLine{Line: line}
	var reason string
	if bl.Date, reason = readDate(src, fields[0]); reason != "" {
		fail(0, codeInvalid, reason)
	}
	if bl.Amount, reason = readAmount(src, fields[1]); reason != "" {
		fail(1, codeAmount, reason)
	}
	for i, p := range []*string{&bl.Reference, &bl.Counterparty} {
		if !utf8.ValidString(fields[2+i]) {
			fail(2+i, codeInvalid, "is not valid UTF-8 (save the statement as UTF-8)")
		}
		*p = strings.TrimSpace(fields[2+i])
	}
	return bl, len(*bad) == before
}

// readDate reads the date column (see sheet.Source.Date); the reason is ""
// when it is valid.
func readDate(src sheet.Source, s string) (time.Time, string) {
	if s == "" {
		return time.Time{}, "is required"
	}
	t, err := src.Date(s)
	switch {
	case errors.Is(err, sheet.ErrEarlyDate):
		return time.Time{}, quote(s) + " is before 1900-03-01"
	case err != nil:
		return time.Time{}, quote(s) + " is not a date YYYY-MM-DD"
	}
	return t, ""
}

// readAmount reads the signed amount column (see sheet.Source.SignedAmount);
// the reason is "" when it is valid.
func readAmount(src sheet.Source, s string) (money.Amount, string) {
	if s == "" {
		return 0, "is required"
	}
	a, err := src.SignedAmount(s)
	if err != nil {
		return 0, quote(s) + " is not an amount such as -1234.56 or 500 (optional sign, at most two decimals, at most 10^15 yuan)"
	}
	return a, ""
}

// quote quotes a cell for a message, cut to a few dozen bytes so that a huge
// cell cannot blow up the error.
func quote(s string) string {
	const max = 40
	if len(s) <= max {
		return fmt.Sprintf("%q", s)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%q…", s[:cut])
}
