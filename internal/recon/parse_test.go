package recon

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"renofund/internal/money"
	"renofund/internal/sheet"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseCSV(t *testing.T) {
	in := "\xEF\xBB\xBFDate, Amount ,REFERENCE,counterparty\r\n" +
		"2021-07-01,-1234.56,V2021-0001,某某建设有限公司\r\n" +
		"\r\n" +
		"2021-07-02,500,,\r\n" +
		"2021-07-03,+500.00,\"TR,42\",\"Bank \"\"East\"\"\"\r\n" +
		"2021-07-04,-0.5, padded ref ,\"two\nlines\"\r\n" +
		"2021-07-05,0,zero,\r\n"
	got, err := ParseCSV(strings.NewReader(in))
	if err != nil {
		t.Fatalf("ParseCSV: %v", err)
	}
	want := []BankLine{
		{Line: 2, Date: date("2021-07-01"), Amount: -123456, Reference: "V2021-0001", Counterparty: "某某建设有限公司"},
		{Line: 4, Date: date("2021-07-02"), Amount: 50000},
		{Line: 5, Date: date("2021-07-03"), Amount: 50000, Reference: "TR,42", Counterparty: `Bank "East"`},
		{Line: 6, Date: date("2021-07-04"), Amount: -50, Reference: "padded ref", Counterparty: "two\nlines"},
		{Line: 8, Date: date("2021-07-05"), Amount: 0, Reference: "zero"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestParseCSVHeaderOnly(t *testing.T) {
	got, err := ParseCSV(strings.NewReader("date,amount,reference,counterparty\n"))
	if err != nil || got == nil || len(got) != 0 {
		t.Fatalf("got %v, %v; want an empty statement", got, err)
	}
}

func TestParseCSVMalformed(t *testing.T) {
	in := strings.Join([]string{
		"date,amount,reference,counterparty",
		"2021-07-01,100.00,ok,",            // 2 fine
		"2021-13-01,100.00,bad month,",     // 3
		"2021/07/01,12.345,two problems,",  // 4 date and amount
		"2021-07-01,abc,,",                 // 5
		"2021-07-01,--5,,",                 // 6
		"2021-07-01,,,",                    // 7 amount required
		",5,,",                             // 8 date required
		"2021-07-01,5,,,extra",             // 9 five columns
		"2021-07-01,5",                     // 10 two columns
		"2021-07-01,1e3,,",                 // 11 exponent
		"2021-07-01, 5,,",                  // 12 space
		"2021-07-01,5,\xB9\xA4\xC9\xCC,",   // 13 GBK, not UTF-8
		"2021-02-29,5,,",                   // 14 not a leap year
		"2021-07-01,1000000000000000.01,,", // 15 above 10^15 yuan
		"2021-07-01,5,re\"f,",              // 16 bare quote
		"2021-07-01,-0.01,fine again,",     // 17 fine
		"2021-7-1,5,,",                     // 18 unpadded date
	}, "\n") + "\n"
	_, err := ParseCSV(strings.NewReader(in))
	var le *sheet.LineErrors
	if !errors.As(err, &le) {
		t.Fatalf("got %v, want *sheet.LineErrors", err)
	}
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
	}
	type at struct {
		line   int
		column string
	}
	want := []at{{3, "date"}, {4, "date"}, {4, "amount"}, {5, "amount"}, {6, "amount"}, {7, "amount"}, {8, "date"},
		{9, ""}, {10, ""}, {11, "amount"}, {12, "amount"}, {13, "reference"}, {14, "date"}, {15, "amount"}, {16, ""}, {18, "date"}}
	var got []at
	for _, e := range le.Rows {
		got = append(got, at{e.Line, e.Column})
		if e.Reason == "" {
			t.Errorf("%v has no reason", e)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
	t.Log(err)
}

func TestParseCSVHeader(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty file", ""},
		{"only a BOM", "\xEF\xBB\xBF"},
		{"no header", "2021-07-01,5,,\n"},
		{"column missing", "date,amount,reference\n2021-07-01,5,\n"},
		{"extra column", "date,amount,reference,counterparty,note\n"},
		{"columns out of order", "amount,date,reference,counterparty\n"},
		{"unreadable", "\"date,amount,reference,counterparty\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCSV(strings.NewReader(tt.in))
			var le *sheet.LineErrors
			if !errors.As(err, &le) || len(le.Rows) != 1 || le.Rows[0].Line != 1 {
				t.Fatalf("got %v, want one error on line 1", err)
			}
		})
	}
}

func TestParseCSVTooManyLines(t *testing.T) {
	var b strings.Builder
	b.WriteString("date,amount,reference,counterparty\n")
	for i := 0; i < MaxLines; i++ {
		b.WriteString("2021-07-01,1.00,r,c\n")
	}
	in := b.String()
	got, err := ParseCSV(strings.NewReader(in))
	if err != nil || len(got) != MaxLines {
		t.Fatalf("at the cap: got %d lines, %v", len(got), err)
	}
	_, err = ParseCSV(strings.NewReader(in + "2021-07-01,1.00,r,c\n"))
	if !errors.Is(err, ErrTooManyLines) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("past the cap: got %v, want ErrTooManyLines", err)
	}
}

func TestLineErrorsMessage(t *testing.T) {
	var errs []sheet.LineError
	for i := 0; i < 25; i++ {
		errs = append(errs, sheet.LineError{Line: i + 2, Column: "amount", Reason: "bad"})
	}
	msg := refuse(errs...).Error()
	for _, s := range []string{"25 problem(s)", "line 2, amount: bad", "line 21, amount: bad", "and 5 more"} {
		if !strings.Contains(msg, s) {
			t.Errorf("message %q lacks %q", msg, s)
		}
	}
	if strings.Contains(msg, "line 22,") {
		t.Errorf("message %q lists more than %d problems", msg, 20)
	}
}

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in   string
		want money.Amount
		ok   bool
	}{
		{"0", 0, true}, {"-0", 0, true}, {"+1", 100, true}, {"-1234.56", -123456, true}, {"12.5", 1250, true},
		{"1000000000000000", money.Max, true}, {"-1000000000000000", -money.Max, true},
		{"", 0, false}, {"-", 0, false}, {"+", 0, false}, {"+-1", 0, false}, {"1.", 0, false}, {".5", 0, false},
		{"1.234", 0, false}, {"1,000.00", 0, false}, {"１", 0, false}, {"- 1", 0, false},
	}
	for _, tt := range tests {
		got, reason := readAmount(sheet.Source{}, tt.in)
		if (reason == "") != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("readAmount(%q) = %d, %q; want %d, ok %v", tt.in, got, reason, tt.want, tt.ok)
		}
	}
}

func ExampleParseCSV() {
	lines, err := ParseCSV(strings.NewReader("date,amount,reference,counterparty\n2021-07-01,-1234.56,V1,Builder\n"))
	fmt.Println(lines[0].Line, lines[0].Date.Format(time.DateOnly), lines[0].Amount, lines[0].Reference, err)
	// Output: 2 2021-07-01 -1234.56 V1 <nil>
}
