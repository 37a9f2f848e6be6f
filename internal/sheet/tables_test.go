package sheet_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"renofund/internal/money"
	"renofund/internal/sheet"
)

type inner struct {
	Received money.Amount `json:"received"`
	Hidden   string       `json:"-"`
}

type line struct {
	District string `json:"district"`
	inner
	Count int  `json:"count"`
	Late  bool `json:"late,omitempty"`
}

var table = []line{
	{District: "HZ", inner: inner{Received: money.MustParse("1234.5"), Hidden: "x"}, Count: 3, Late: true},
	{District: "=HYPERLINK(\"x\")", inner: inner{Received: 1_000_000_000_000_000}, Count: -1},
}

// TestTables: the header is the json names in order (embedded flattened,
// "-" left out); CSV guards formulas and writes amounts with two decimals;
// XLSX writes amounts and counts as numbers, and an amount too large for a
// spreadsheet number as text.
func TestTables(t *testing.T) {
	var c bytes.Buffer
	if err := sheet.WriteCSV(&c, table); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&c).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"district", "received", "count", "late"}, {"HZ", "1234.50", "3", "true"},
		{"'=HYPERLINK(\"x\")", "10000000000000.00", "-1", "false"}}
	if got := strings.Join(flat(recs), "|"); got != strings.Join(flat(want), "|") {
		t.Errorf("CSV %q, want %q", recs, want)
	}

	var x bytes.Buffer
	if err := sheet.WriteXLSX(&x, "budget", table); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&x)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, c := range []struct{ ref, want string }{{"A1", "district"}, {"B2", "1234.50"}, {"C3", "-1"}, {"D2", "TRUE"},
		{"A3", `=HYPERLINK("x")`}, {"B3", "10000000000000.00"}} {
		if got, _ := f.GetCellValue("budget", c.ref); got != c.want {
			t.Errorf("%s = %q, want %q", c.ref, got, c.want)
		}
	}
	if formula, _ := f.GetCellFormula("budget", "A3"); formula != "" {
		t.Errorf("text became a formula: %q", formula)
	}
	if typ, _ := f.GetCellType("budget", "B3"); typ != excelize.CellTypeInlineString {
		t.Errorf("an amount past 15 digits is a %v cell, want text", typ)
	}
}

func flat(rs [][]string) []string {
	var out []string
	for _, r := range rs {
		out = append(out, strings.Join(r, ","))
	}
	return out
}
