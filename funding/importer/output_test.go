package importer

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"renofund/internal/money"
	"renofund/internal/sheet"
)

func TestBarDrawsWhenThePercentageMoves(t *testing.T) {
	var b bytes.Buffer
	p := bar(&b)
	for _, d := range []int{0, 1, 2, 1000, 1001, 100000} {
		p(d, 100000)
	}
	want := "\r[..............................] 0/100000 rows (0%)" +
		"\r[..............................] 1000/100000 rows (1%)" +
		"\r[##############################] 100000/100000 rows (100%)\n"
	if got := b.String(); got != want {
		t.Errorf("bar drew\n%q\nwant\n%q", got, want)
	}
}

func TestTerminalProgressIsSilentOffATerminal(t *testing.T) {
	var b bytes.Buffer
	TerminalProgress(&b)(5, 10)
	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	TerminalProgress(f)(10, 10)
	if st, _ := f.Stat(); b.Len() != 0 || st.Size() != 0 {
		t.Errorf("wrote %d bytes to a buffer and %d to a file, want none", b.Len(), st.Size())
	}
}

func TestResultJSON(t *testing.T) {
	r := Result{ID: "x", Fund: "F", Rows: 2, Imported: 1, Rejected: 1, Total: money.MustParse("1.5"),
		Rejects:    []sheet.LineError{{Line: 3, Column: "amount", Code: codeAmount, Reason: "bad"}},
		RejectsCSV: []byte("household,line,reason\nA,3,bad\n")}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got["total"] != "1.50" || got["rejects_csv"] != string(r.RejectsCSV) || got["rows"] != 2.0 {
		t.Errorf("JSON = %s", b)
	}
	if rej := got["rejects"].([]any)[0].(map[string]any); rej["line"] != 3.0 || rej["column"] != "amount" {
		t.Errorf("rejects = %v", got["rejects"])
	}
	r.RejectsCSV = nil
	if b, _ := json.Marshal(r); strings.Contains(string(b), "rejects_csv") {
		t.Errorf("JSON without rejects CSV = %s, want no rejects_csv", b)
	}
}

func TestRefusalMessage(t *testing.T) {
	var e sheet.LineErrors
	for line := 2; line < 9; line++ {
		e.Rows = append(e.Rows, sheet.LineError{Line: line, Column: "amount", Code: codeAmount, Reason: "must be greater than zero"})
	}
	e.Rows = append(e.Rows, sheet.LineError{Line: 8, Column: "household", Code: codeInvalid, Reason: "is required"})
	msg := e.Error()
	for _, want := range []string{"invalid request: 7 bad row(s): line 2, amount: must be greater than zero;", "; and 3 more"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"": Detect, "csv": CSV, "xlsx": XLSX} {
		if got, err := ParseFormat(in); got != want || err != nil {
			t.Errorf("ParseFormat(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseFormat("xls"); err == nil {
		t.Error("ParseFormat(xls) accepted")
	}
}
