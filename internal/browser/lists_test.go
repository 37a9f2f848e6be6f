package browser_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestDistrictSeesOwnRows: on the lists of projects, funds and transfers a
// district clerk sees the rows of their own district and nothing of the
// other's.
func TestDistrictSeesOwnRows(t *testing.T) {
	t.Parallel()
	s := sqliteSite(t)
	for _, c := range []struct {
		who   string
		codes []string // what the district must see
	}{
		{"hz", []string{"HZ-001", "HZ-DF", "HZ-R1", "CG-1"}},
		{"ly", []string{"LY-001", "LY-DF", "CG-1"}},
	} {
		u := s.signIn(c.who)
		var seen []string
		for _, list := range []string{"/console/projects", "/console/funds", "/console/transfers"} {
			if got := u.Open(list); got != http.StatusOK {
				t.Fatalf("%s: %s: %d", c.who, list, got)
			}
			rows := u.Texts("table.grid tbody tr")
			if len(rows) == 0 || strings.Contains(rows[0], "没有符合条件的记录") {
				t.Errorf("%s: %s shows no rows", c.who, list)
			}
			checkForeign(t, u, c.who)
			seen = append(seen, u.Texts("table.grid tbody td:first-child")...)
			seen = append(seen, u.Texts("table.grid tbody td:nth-child(2)")...)
		}
		for _, code := range c.codes {
			if !slices.Contains(seen, code) {
				t.Errorf("%s: %s is not on the lists: %q", c.who, code, seen)
			}
		}
	}
}

// foreign are, for each district clerk, the other district's objects,
// amounts and people, which none of the clerk's pages may show.
var foreign = map[string][]string{
	"hz": {"LY-001", "LY-DF", "12,345.67", "连云区新村"},
	"ly": {"HZ-001", "HZ-DF", "HZ-R1", "250,000.50", "1,200,000.00", "海州区新村", "王秀英", "海州物业服务有限公司"},
}

// TestExports: the Excel and CSV links of a list download, in the browser,
// an XLSX workbook and a CSV file with the page's Chinese headers and its
// rows; amounts on the page are right-aligned with thousands separators; a
// district's export holds only its own rows.
func TestExports(t *testing.T) {
	t.Parallel()
	s := sqliteSite(t)
	u := s.signIn("finance")
	if got := u.Open("/console/funds"); got != http.StatusOK {
		t.Fatalf("funds: %d", got)
	}
	header := u.Texts("table.grid thead th")
	if len(header) < 5 || header[0] != "资金编号" {
		t.Fatalf("the funds' header: %q", header)
	}
	var cell struct {
		Text, Align string
	}
	u.Eval(`(() => { const td = Array.from(document.querySelectorAll("table.grid tbody tr")).
		find(tr => tr.cells[0].innerText.trim() === "CG-1").querySelector("td.num");
		return {Text: td.innerText.trim(), Align: getComputedStyle(td).textAlign}; })()`, &cell)
	if cell.Text != "5,000,000.00" || cell.Align != "right" {
		t.Errorf("CG-1's first amount: %+v, want 5,000,000.00 right-aligned", cell)
	}

	name, data := u.Download(`.exports a[href*="export=xlsx"]`)
	if name != "funds.xlsx" || !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		t.Fatalf("the Excel download: %q, %d bytes starting %q", name, len(data), data[:min(len(data), 4)])
	}
	rows := xlsxRows(t, data)
	if len(rows) == 0 || !slices.Equal(rows[0], header) {
		t.Errorf("the workbook's header: %q, want the page's %q", rows[0], header)
	}
	if !hasRow(rows, "CG-1", "5000000.00") || !hasRow(rows, "HZ-DF") || !hasRow(rows, "LY-DF") {
		t.Errorf("the workbook's rows: %q", rows)
	}

	name, data = u.Download(`.exports a[href*="export=csv"]`)
	if name != "funds.csv" || !bytes.HasPrefix(data, []byte("\ufeff")) {
		t.Fatalf("the CSV download: %q, %.40q", name, data)
	}
	rows = csvRows(t, data)
	if len(rows) == 0 || !slices.Equal(rows[0], header) || !hasRow(rows, "CG-1", "5000000.00") || !hasRow(rows, "LY-DF") {
		t.Errorf("the CSV: %q", rows)
	}

	hz := s.signIn("hz")
	hz.Open("/console/funds")
	_, data = hz.Download(`.exports a[href*="export=csv"]`)
	rows = csvRows(t, data)
	if !hasRow(rows, "HZ-DF") || hasRow(rows, "LY-DF") {
		t.Errorf("district HZ's export of funds: %q", rows)
	}
}

// xlsxRows are the rows of a workbook's first sheet.
func xlsxRows(t *testing.T, data []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// csvRows are the records of a CSV file with a byte-order mark.
func csvRows(t *testing.T, data []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v", err)
	}
	return rows
}

// hasRow reports whether a row begins with first and holds every other
// cell of want.
func hasRow(rows [][]string, first string, want ...string) bool {
	for _, r := range rows {
		if len(r) > 0 && r[0] == first {
			ok := true
			for _, w := range want {
				ok = ok && slices.Contains(r, w)
			}
			if ok {
				return true
			}
		}
	}
	return false
}
