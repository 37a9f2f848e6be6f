package kit_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/console/consoletest"
	"renofund/internal/console/kit"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestYuan: amounts are regrouped with thousands separators and shown with
// two decimals, digit for digit, never rounded; what is no amount is left.
func TestYuan(t *testing.T) {
	for in, want := range map[any]string{
		"0": "0.00", "0.5": "0.50", "-0.05": "-0.05", "100": "100.00", "1000": "1,000.00",
		"1234567.8": "1,234,567.80", "-1234567.89": "-1,234,567.89", "92233720368547758.07": "92,233,720,368,547,758.07",
		"123456.789": "123456.789", "abc": "abc", "": "", nil: "",
	} {
		if got := kit.Yuan(in); got != want {
			t.Errorf("Yuan(%v) = %q, want %q", in, got, want)
		}
	}
}

// TestListPages: a list pages through the API's cursor, keeps its filters
// on every link, and a district sees its own rows only.
func TestListPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := consoletest.New(t, db)
		projects(t, s, 60)
		b := s.SignIn("finance")
		p := b.Get("/console/projects?district=HZ")
		if p.Status != 200 || strings.Count(p.Body, `href="/console/projects/HZ-`) != 50 || strings.Contains(p.Body, "LY-001") {
			t.Fatalf("first page: %d, %d rows", p.Status, strings.Count(p.Body, `href="/console/projects/HZ-`))
		}
		if !strings.Contains(p.Body, "1,000,000.00") || !strings.Contains(p.Body, `value="HZ"`) {
			t.Error("the first page lacks a formatted budget or its filter")
		}
		next := between(p.Body, `<a href="`, `">下一页`)
		if !strings.Contains(next, "district=HZ") || !strings.Contains(next, "after=") {
			t.Fatalf("next link %q", next)
		}
		p = b.Get(strings.ReplaceAll(next, "&amp;", "&"))
		if n := strings.Count(p.Body, `href="/console/projects/HZ-`); p.Status != 200 || n != 11 || strings.Contains(p.Body, "下一页") {
			t.Errorf("second page: %d, %d rows", p.Status, n)
		}
		if !strings.Contains(p.Body, "第一页") {
			t.Error("the second page has no way back to the first")
		}
		hz := s.SignIn("hz").Get("/console/projects")
		if strings.Contains(hz.Body, "LY-001") || !strings.Contains(hz.Body, "HZ-001") {
			t.Error("a district's list shows another district's project, or not its own")
		}
	})
}

// TestListExports: the whole filtered list as CSV (with a byte-order mark
// and the page's Chinese headers) and as XLSX, amounts exact.
func TestListExports(t *testing.T) {
	s := consoletest.New(t, storetest.Open(t, store.SQLite))
	projects(t, s, 1200)
	b := s.SignIn("auditor")
	p := b.Get("/console/projects?district=HZ&export=csv")
	if p.Status != 200 || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(p.Header.Get("Content-Disposition"), "projects.csv") {
		t.Fatalf("csv: %d %v", p.Status, p.Header)
	}
	lines := strings.Split(strings.TrimSpace(p.Body), "\n")
	if !strings.HasPrefix(lines[0], "\ufeff项目编号,小区名称,区县") || len(lines) != 1+1201 {
		t.Errorf("csv: header %q, %d lines", lines[0], len(lines))
	}
	if !strings.Contains(p.Body, "1000000.00") || strings.Contains(p.Body, "LY-001") {
		t.Error("csv: budget not exact, or another district's row")
	}
	p = b.Get("/console/projects?export=xlsx")
	zr, err := zip.NewReader(bytes.NewReader([]byte(p.Body)), int64(len(p.Body)))
	if p.Status != 200 || err != nil {
		t.Fatalf("xlsx: %d %v", p.Status, err)
	}
	var sheet string
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "xl/worksheets/") {
			r, _ := f.Open()
			b, _ := io.ReadAll(r)
			sheet += string(b)
		}
	}
	if !strings.Contains(sheet, "项目编号") || strings.Count(sheet, "<row") != 1+1202 {
		t.Errorf("xlsx: %d rows", strings.Count(sheet, "<row"))
	}
	if p = b.Get("/console/projects?export=pdf"); p.Status != http.StatusBadRequest {
		t.Errorf("export=pdf: %d", p.Status)
	}
}

// projects registers n more projects in district HZ.
func projects(t *testing.T, s *consoletest.Site, n int) {
	t.Helper()
	ctx := access.With(context.Background(), access.System)
	for i := range n {
		_, err := s.App.Registry.CreateProject(ctx, funding.Project{Code: fmt.Sprintf("HZ-%04d", i+2), Name: "小区", District: "HZ",
			Households: 10, FloorAreaM2: money.MustRate("1000"), Buildings: 1, BuiltYear: 1990,
			Budget: funding.Budget{Basic: money.MustParse("1000000.00")}})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func between(s, from, to string) string {
	i := strings.Index(s, to)
	if i < 0 {
		return ""
	}
	j := strings.LastIndex(s[:i], from)
	if j < 0 {
		return ""
	}
	return s[j+len(from) : i]
}
