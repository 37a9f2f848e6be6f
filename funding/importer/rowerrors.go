package importer

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"renofund/internal/errs"
	"renofund/internal/sheet"
)

// The codes a row error may carry: those of the single-receipt API.
var (
	codeInvalid = errs.ErrInvalidRequest.Code
	codeAmount  = errs.ErrInvalidAmount.Code
	codeCredit  = errs.ErrInvalidCredit.Code
	codeRule    = errs.ErrRuleViolation.Code
)

// RowError is one problem with one row (or with the header): the file's line
// number (the header row is line 1 when it opens the file), the column
// concerned ("" for the whole row), a stable code as in the API's error
// codes, and a reason for people.
type RowError struct {
	Line   int    `json:"line"`
	Column string `json:"column,omitempty"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

func (e RowError) String() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d, %s: %s", e.Line, e.Column, e.Reason)
}

// RowErrors refuses a file: it lists every problem found, in line order. It
// matches errs.ErrInvalidRequest (400 invalid_request); the HTTP layer adds
// Rows to the error body.
type RowErrors struct {
	Rows []RowError
}

// shown bounds how many problems the error message spells out; Rows has all.
const shown = 5

func (e *RowErrors) Error() string {
	var b strings.Builder
	lines := map[int]bool{}
	for _, r := range e.Rows {
		lines[r.Line] = true
	}
	fmt.Fprintf(&b, "%s: %d bad row(s): ", errs.ErrInvalidRequest.Message, len(lines))
	for i, r := range e.Rows {
		if i == shown {
			fmt.Fprintf(&b, "; and %d more", len(e.Rows)-shown)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(r.String())
	}
	return b.String()
}

// Unwrap classifies the refusal as an invalid request.
func (e *RowErrors) Unwrap() error { return errs.ErrInvalidRequest }

// rejectsCSV writes the rejected rows with the file's own columns, then the
// row's line number and the reasons, so that they can be corrected and
// imported again (without the two added columns). It starts with a UTF-8
// byte-order mark, as spreadsheet programs expect.
func rejectsCSV(header []string, rejected []*row, problems [][]RowError) []byte {
	var buf bytes.Buffer
	buf.Write(bom)
	w := csv.NewWriter(&buf)
	_ = w.Write(append(append([]string{}, header...), "line", "reason"))
	for i, r := range rejected {
		cells := make([]string, len(header), len(header)+2)
		for k := range cells {
			if k < len(r.cells) {
				cells[k] = sheet.Cell(r.cells[k])
			}
		}
		reasons := make([]string, len(problems[i]))
		for k, p := range problems[i] {
			reasons[k] = p.Reason
			if p.Column != "" {
				reasons[k] = p.Column + ": " + p.Reason
			}
		}
		_ = w.Write(append(cells, strconv.Itoa(r.line), strings.Join(reasons, "; ")))
	}
	w.Flush()
	return buf.Bytes()
}
