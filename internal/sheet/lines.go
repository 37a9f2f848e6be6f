package sheet

import (
	"fmt"
	"strings"

	"renofund/internal/errs"
)

// LineError is one problem with one line of a file (or with its header):
// the file's line number (CSV: the physical line where the record starts,
// the header being line 1 when it opens the file; XLSX: the sheet row), the
// column concerned ("" for the whole line), a stable code as in the API's
// error codes, and a reason a clerk can act on. The HTTP layer sends these
// fields as they are named here.
type LineError struct {
	Line   int    `json:"line"`
	Column string `json:"column,omitempty"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

// String formats the problem as "line 3, amount: reason" ("line 3: reason"
// without a column).
func (e LineError) String() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d, %s: %s", e.Line, e.Column, e.Reason)
}

// Wording is how a LineErrors message counts and spells out its problems.
// Imports and bank reconciliations have each answered in their own words
// for long; both are kept so that no client sees its messages change.
type Wording int

// The wordings.
const (
	// BadRows counts the lines with a problem and spells out the first 5
	// problems: "invalid request: 2 bad row(s): line 2, amount: …; line 3:
	// …; and 4 more".
	BadRows Wording = iota
	// Problems counts the problems and spells out the first 20: "invalid
	// bank statement: 3 problem(s); line 2, date: …; line 2, amount: …".
	Problems
)

// LineErrors refuses a file as a whole: it lists every problem found, in
// line order, so that one answer shows everything to correct.
type LineErrors struct {
	// Rows holds one entry per problem (a line may have several); the
	// HTTP layer adds them to the error body as "rows".
	Rows []LineError
	// Class is what the file is refused as: the refusal matches it with
	// errors.Is and its message opens Error's text. Nil means
	// errs.ErrInvalidRequest.
	Class *errs.Error
	// Wording is how Error reads.
	Wording Wording
}

// Error summarises the refusal and spells out the first few problems; Rows
// keeps them all.
func (e *LineErrors) Error() string {
	var b strings.Builder
	b.WriteString(e.class().Message)
	shown, lead := 5, ": "
	if e.Wording == Problems {
		fmt.Fprintf(&b, ": %d problem(s)", len(e.Rows))
		shown, lead = 20, "; "
	} else {
		lines := map[int]bool{}
		for _, r := range e.Rows {
			lines[r.Line] = true
		}
		fmt.Fprintf(&b, ": %d bad row(s)", len(lines))
	}
	for i, r := range e.Rows {
		if i == shown {
			fmt.Fprintf(&b, "; and %d more", len(e.Rows)-shown)
			break
		}
		if i > 0 {
			lead = "; "
		}
		b.WriteString(lead)
		b.WriteString(r.String())
	}
	return b.String()
}

// Unwrap classifies the refusal as its Class.
func (e *LineErrors) Unwrap() error { return e.class() }

func (e *LineErrors) class() *errs.Error {
	if e.Class == nil {
		return errs.ErrInvalidRequest
	}
	return e.Class
}
