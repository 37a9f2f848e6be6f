package recon

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"renofund/internal/sheet"
)

// workbook builds an XLSX in memory. Each row is a list of cells; a cell
// starting with "#" is written as a number cell holding the rest as its stored
// value, any other cell as text.
func workbook(t *testing.T, date1904 bool, rows map[int][]string) *bytes.Buffer {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if date1904 {
		yes := true
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
			t.Fatal(err)
		}
	}
	for r, cells := range rows {
		for c, v := range cells {
			cell, err := excelize.CoordinatesToCellName(c+1, r)
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(v, "#") {
				err = f.SetCellDefault("Sheet1", cell, v[1:])
			} else {
				err = f.SetCellStr("Sheet1", cell, v)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf
}

func TestParseXLSXRoundTrip(t *testing.T) {
	csvIn := "date,amount,reference,counterparty\n" +
		"2021-07-01,-1234.56,V2021-0001,某某建设有限公司\n" +
		"2021-07-02,500,,\n" +
		"2021-07-03,+500.00,TR-42,Bank East\n"
	fromCSV, err := ParseCSV(strings.NewReader(csvIn))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[int][]string{}
	for i, rec := range strings.Split(strings.TrimSpace(csvIn), "\n") {
		rows[i+1] = strings.Split(rec, ",")
	}
	got, err := ParseXLSX(workbook(t, false, rows))
	if err != nil {
		t.Fatalf("ParseXLSX: %v", err)
	}
	if !reflect.DeepEqual(got, fromCSV) {
		t.Errorf("XLSX gave  %+v\nCSV gave   %+v", got, fromCSV)
	}
}

func TestParseXLSXCells(t *testing.T) {
	rows := map[int][]string{
		1: {"Date", "Amount", "Reference", "Counterparty"},
		2: {"#44378", "#-1234.56", "V1", "A"},                   // serial date, number amount
		3: {"#44378.75", "#1234.5599999999999", "#20210701001"}, // date-time, float noise, numeric reference
		// row 4 empty: skipped
		5: {"2021-07-05", "#1E+3", "", "C"},
		6: {"2021-07-06", "#0.30000000000000004"},
	}
	got, err := ParseXLSX(workbook(t, false, rows))
	if err != nil {
		t.Fatalf("ParseXLSX: %v", err)
	}
	want := []BankLine{
		{Line: 2, Date: date("2021-07-01"), Amount: -123456, Reference: "V1", Counterparty: "A"},
		{Line: 3, Date: date("2021-07-01"), Amount: 123456, Reference: "20210701001"},
		{Line: 5, Date: date("2021-07-05"), Amount: 100000, Counterparty: "C"},
		{Line: 6, Date: date("2021-07-06"), Amount: 30},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}

	got, err = ParseXLSX(workbook(t, true, map[int][]string{
		1: {"date", "amount", "reference", "counterparty"},
		2: {"#42916", "#1"}, // 1904 system: 1904-01-01 + 42916 days
	}))
	if err != nil || len(got) != 1 || !got[0].Date.Equal(date("2021-07-01")) {
		t.Errorf("1904 date system: got %+v, %v", got, err)
	}
}

func TestParseXLSXMalformed(t *testing.T) {
	rows := map[int][]string{
		1: {"date", "amount", "reference", "counterparty"},
		2: {"2021-07-01", "100"},
		3: {"2021/07/01", "12.345"}, // date and amount
		5: {"#44378", "#12.345"},    // a number with three decimals
		6: {"2021-07-01", "5", "r", "c", "extra"},
		7: {"#30", "5"},                   // before 1900-03-01
		8: {"", "5", "r"},                 // date required
		9: {"2021-07-01", "#1E+400", "r"}, // absurd exponent
	}
	_, err := ParseXLSX(workbook(t, false, rows))
	var le *sheet.LineErrors
	if !errors.As(err, &le) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("got %v, want *sheet.LineErrors", err)
	}
	type at struct {
		line   int
		column string
	}
	want := []at{{3, "date"}, {3, "amount"}, {5, "amount"}, {6, ""}, {7, "date"}, {8, "date"}, {9, "amount"}}
	var got []at
	for _, e := range le.Rows {
		got = append(got, at{e.Line, e.Column})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
	t.Log(err)
}

func TestParseXLSXRefused(t *testing.T) {
	if _, err := ParseXLSX(strings.NewReader("date,amount,reference,counterparty\n")); !errors.Is(err, ErrInvalid) {
		t.Errorf("CSV bytes as XLSX: got %v, want ErrInvalid", err)
	}
	_, err := ParseXLSX(workbook(t, false, nil))
	var le *sheet.LineErrors
	if !errors.As(err, &le) || le.Rows[0].Line != 1 {
		t.Errorf("empty sheet: got %v, want a header error on line 1", err)
	}
	_, err = ParseXLSX(workbook(t, false, map[int][]string{1: {"date", "amount", "ref", "counterparty"}}))
	if !errors.As(err, &le) || le.Rows[0].Line != 1 {
		t.Errorf("bad header: got %v, want a header error on line 1", err)
	}
}
