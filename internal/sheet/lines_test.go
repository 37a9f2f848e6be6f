package sheet

import (
	"encoding/json"
	"errors"
	"strconv"
	"testing"

	"renofund/internal/errs"
)

// problems returns n problems on lines 2, 2, 3, 3, … (two per line), the
// first of each line in a column, the second in none.
func problems(n int) []LineError {
	var ps []LineError
	for i := range n {
		p := LineError{Line: 2 + i/2, Code: "invalid_request", Reason: "bad " + strconv.Itoa(i)}
		if i%2 == 0 {
			p.Column, p.Code = "amount", "invalid_amount"
		}
		ps = append(ps, p)
	}
	return ps
}

var statement = errs.New(errs.Invalid, "invalid_request", "invalid bank statement")

func TestLineErrorsMessage(t *testing.T) {
	tests := []struct {
		e    LineErrors
		want string
	}{
		{LineErrors{Rows: problems(1)}, "invalid request: 1 bad row(s): line 2, amount: bad 0"},
		{LineErrors{Rows: problems(3)}, "invalid request: 2 bad row(s): line 2, amount: bad 0; line 2: bad 1; line 3, amount: bad 2"},
		{LineErrors{Rows: problems(5)}, "invalid request: 3 bad row(s): line 2, amount: bad 0; line 2: bad 1; line 3, amount: bad 2; " +
			"line 3: bad 3; line 4, amount: bad 4"},
		{LineErrors{Rows: problems(7)}, "invalid request: 4 bad row(s): line 2, amount: bad 0; line 2: bad 1; line 3, amount: bad 2; " +
			"line 3: bad 3; line 4, amount: bad 4; and 2 more"},
		{LineErrors{Rows: problems(2), Class: statement, Wording: Problems},
			"invalid bank statement: 2 problem(s); line 2, amount: bad 0; line 2: bad 1"},
		{LineErrors{Rows: problems(22), Class: statement, Wording: Problems},
			"invalid bank statement: 22 problem(s); line 2, amount: bad 0; line 2: bad 1; line 3, amount: bad 2; line 3: bad 3; " +
				"line 4, amount: bad 4; line 4: bad 5; line 5, amount: bad 6; line 5: bad 7; line 6, amount: bad 8; line 6: bad 9; " +
				"line 7, amount: bad 10; line 7: bad 11; line 8, amount: bad 12; line 8: bad 13; line 9, amount: bad 14; " +
				"line 9: bad 15; line 10, amount: bad 16; line 10: bad 17; line 11, amount: bad 18; line 11: bad 19; and 2 more"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("got  %q\nwant %q", got, tt.want)
		}
	}
}

func TestLineErrorsClass(t *testing.T) {
	var err error = &LineErrors{Rows: problems(1)}
	if !errors.Is(err, errs.ErrInvalidRequest) || errs.Classify(err).Kind != errs.Invalid {
		t.Errorf("without a Class: %v is not an invalid request", err)
	}
	err = &LineErrors{Rows: problems(1), Class: statement}
	if !errors.Is(err, statement) || errors.Is(err, errs.ErrInvalidRequest) || errs.Classify(err).Code != "invalid_request" {
		t.Errorf("with a Class: %v matches the wrong sentinel", err)
	}
	var le *LineErrors
	if !errors.As(errors.Join(errors.New("wrapped"), err), &le) || len(le.Rows) != 1 {
		t.Errorf("a wrapped refusal does not give its rows")
	}
}

// TestLineErrorJSON pins the field names that the HTTP layer sends as an
// error body's rows and an import's rejects.
func TestLineErrorJSON(t *testing.T) {
	b, err := json.Marshal(problems(2))
	want := `[{"line":2,"column":"amount","code":"invalid_amount","reason":"bad 0"},{"line":2,"code":"invalid_request","reason":"bad 1"}]`
	if err != nil || string(b) != want {
		t.Errorf("got %s, %v\nwant %s", b, err, want)
	}
}
