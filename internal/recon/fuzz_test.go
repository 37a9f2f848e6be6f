package recon

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"renofund/internal/money"
	"renofund/internal/sheet"
)

// fuzzSeedsCSV are statements good and bad, for both parsers' corpora.
var fuzzSeedsCSV = []string{
	"date,amount,reference,counterparty\n2021-07-01,-1234.56,V2021-0001,某某建设有限公司\n2021-07-02,500,,\n",
	"\ufeffDATE,Amount,Reference,Counterparty\r\n2021-07-03,+500.00,TR-42,Bank East\r\n\r\n",
	"date,amount,reference,counterparty\n2021-13-01,1.234,\"unterminated\n",
	"date,amount,reference,counterparty\n2021-07-01,99999999999999999999,x,y\n2021-07-01,NaN,,\n",
	"date,amount\n2021-07-01,1\n",
	"",
	"date,amount,reference,counterparty\n2021-07-01,1.00,\xff\xfe,=HYPERLINK(\"x\")\n",
}

// checkParsed holds for whatever a parser returns: an error is a
// *sheet.LineErrors or wraps ErrInvalid (never a panic, never an unclassified
// error, since the reader cannot fail); lines are well-formed.
func checkParsed(t *testing.T, lines []BankLine, err error) {
	t.Helper()
	if err != nil {
		var le *sheet.LineErrors
		if !errors.As(err, &le) && !errors.Is(err, ErrInvalid) {
			t.Fatalf("error %v (%T) is neither a *sheet.LineErrors nor ErrInvalid", err, err)
		}
		if le != nil && len(le.Rows) == 0 {
			t.Fatalf("a *sheet.LineErrors with no line")
		}
		if lines != nil {
			t.Fatalf("lines returned with an error")
		}
		return
	}
	if lines == nil {
		t.Fatalf("nil lines without an error")
	}
	prev := 0
	for _, l := range lines {
		if l.Line <= prev {
			t.Fatalf("line numbers not increasing: %d after %d", l.Line, prev)
		}
		prev = l.Line
		if l.Date.IsZero() || l.Date.Hour() != 0 || l.Date.Location() != time.UTC {
			t.Fatalf("line %d: date %v is not a plain day", l.Line, l.Date)
		}
		if l.Amount > money.Max || l.Amount < -money.Max {
			t.Fatalf("line %d: amount %s beyond 10^15", l.Line, l.Amount)
		}
		if strings.TrimSpace(l.Reference) != l.Reference || strings.TrimSpace(l.Counterparty) != l.Counterparty {
			t.Fatalf("line %d: text not trimmed: %q %q", l.Line, l.Reference, l.Counterparty)
		}
	}
}

func FuzzParseCSV(f *testing.F) {
	for _, s := range fuzzSeedsCSV {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines, err := ParseCSV(bytes.NewReader(data))
		checkParsed(t, lines, err)
	})
}

// fuzzWorkbook writes rows (cells starting with "#" as number cells) as XLSX.
func fuzzWorkbook(f *testing.F, rows [][]string) []byte {
	x := excelize.NewFile()
	defer x.Close()
	for r, cells := range rows {
		for c, v := range cells {
			cell, err := excelize.CoordinatesToCellName(c+1, r+1)
			if err != nil {
				f.Fatal(err)
			}
			if strings.HasPrefix(v, "#") {
				err = x.SetCellDefault("Sheet1", cell, v[1:])
			} else {
				err = x.SetCellStr("Sheet1", cell, v)
			}
			if err != nil {
				f.Fatal(err)
			}
		}
	}
	buf, err := x.WriteToBuffer()
	if err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}

func FuzzParseXLSX(f *testing.F) {
	f.Add(fuzzWorkbook(f, [][]string{
		{"date", "amount", "reference", "counterparty"},
		{"2021-07-01", "-1234.56", "V1", "某某公司"},
		{"#44378", "#1234.5599999999999", "", ""},
		{"2021-07-03", "#1e300", "x", "y"},
	}))
	f.Add(fuzzWorkbook(f, [][]string{{"date", "amount"}, {"x"}}))
	f.Add(fuzzWorkbook(f, nil))
	f.Add([]byte("PK\x03\x04 not a zip"))
	for _, s := range fuzzSeedsCSV {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines, err := ParseXLSX(bytes.NewReader(data))
		checkParsed(t, lines, err)
	})
}
