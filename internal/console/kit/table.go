package kit

import (
	"encoding/csv"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	"renofund/internal/money"
	"renofund/internal/sheet"
	"renofund/internal/web"
)

// A list page shows one API list route as a table: filters, pages of
// pageSize rows, and the whole filtered list as CSV or XLSX.
type ListSpec struct {
	Path, Title string
	API         string // the API's list path, e.g. /v1/projects
	Filters     []Filter
	Cols        []Column
	// Note is a line under the title saying what the list holds.
	Note string
}

// Filter is a query parameter the page passes to the API.
type Filter struct {
	Name, Label string
	Options     []string // codes offered in a select; none: a text box
	// Names, when set, name the codes instead of the console's labels
	// (a code that means one thing here and another elsewhere).
	Names map[string]string
}

// OptionLabel is the name an option is shown by.
func (f Filter) OptionLabel(code string) string { return nameOf(code, f.Names) }

// nameOf is code's name in names, else its label.
func nameOf(code string, names map[string]string) string {
	if n, ok := names[code]; ok {
		return n
	}
	return Label(code)
}

// Column is one column of a table.
type Column struct {
	Key   string // a dotted path into the row's JSON
	Label string
	Kind  ColKind
	// Href is, for Link, a path where each {key} is replaced by the row's
	// value of key (any dotted path, shown as a column or not: {id}).
	Href string
	// Names, when set, name the codes of a Code column (see Filter).
	Names map[string]string
}

// placeholder is a {key} in a Link column's Href.
var placeholder = regexp.MustCompile(`\{[A-Za-z0-9_.]+\}`)

type ColKind int

const (
	Text   ColKind = iota
	Amount         // right-aligned, thousands separators, two decimals
	Code           // shown by its Chinese name
	Link           // text linking to the column's Link
)

// Cell is a rendered cell.
type Cell struct {
	Text, Href string
	Num        bool
}

const (
	pageSize     = 50
	exportPage   = 1000
	exportMaxRow = 200_000 // an export larger than this is cut and says so
)

// ListView is the list template's model (and the "table" partial's).
type ListView struct {
	Spec   ListSpec
	Rows   [][]Cell
	Values map[string]string // the filters as set
	Next   string            // the next page's link, if any
	First  string            // the first page's link, when not on it
	Export string            // the query for the exports (the filters)
}

// List is the route of a list page, open to the roles of the API's list
// route; it adds the page to the menu.
func (k *Kit) List(spec ListSpec) web.Route {
	r := web.Route{Method: http.MethodGet, Path: spec.Path, Roles: k.RolesOf("GET " + spec.API), Page: true,
		Summary: spec.Title, Long: true, Handle: func(c *gin.Context) { k.list(c, spec) }}
	k.Nav(spec.Path, spec.Title, r.Roles)
	return r
}

// apiQuery is the API query of the page's filters.
func (spec ListSpec) apiQuery(c *gin.Context) (url.Values, map[string]string) {
	q, set := url.Values{}, map[string]string{}
	for _, f := range spec.Filters {
		if v := strings.TrimSpace(c.Query(f.Name)); v != "" {
			q.Set(f.Name, v)
			set[f.Name] = v
		}
	}
	return q, set
}

func (k *Kit) list(c *gin.Context, spec ListSpec) {
	q, set := spec.apiQuery(c)
	if format := c.Query("export"); format != "" {
		k.export(c, spec, q, format)
		return
	}
	q.Set("limit", fmt.Sprint(pageSize))
	if after := c.Query("after"); after != "" {
		q.Set("after", after)
	}
	var page web.List[map[string]any]
	if err := k.Get(c, spec.API+"?"+q.Encode(), &page); err != nil {
		k.Refuse(c, err)
		return
	}
	filters := url.Values{}
	for name, v := range set {
		filters.Set(name, v)
	}
	v := spec.View(page.Items)
	v.Values, v.Export = set, filters.Encode()
	if page.Next != nil {
		next := url.Values{}
		for name, val := range set {
			next.Set(name, val)
		}
		next.Set("after", *page.Next)
		v.Next = spec.Path + "?" + next.Encode()
	}
	if c.Query("after") != "" {
		v.First = spec.Path + "?" + filters.Encode()
	}
	k.Render(c, http.StatusOK, "list", spec.Title, v)
}

// View renders rows (decoded JSON objects) as a table for the "table"
// partial: a detail page's tables are made this way.
func (spec ListSpec) View(rows []map[string]any) ListView {
	v := ListView{Spec: spec}
	for _, row := range rows {
		v.Rows = append(v.Rows, spec.cells(row))
	}
	return v
}

// cells renders one row.
func (spec ListSpec) cells(row map[string]any) []Cell {
	out := make([]Cell, len(spec.Cols))
	for i, col := range spec.Cols {
		val := Field(row, col.Key)
		s := ""
		if val != nil {
			s = fmt.Sprint(val)
		}
		switch col.Kind {
		case Amount:
			out[i] = Cell{Text: Yuan(s), Num: true}
		case Code:
			out[i] = Cell{Text: nameOf(s, col.Names)}
		case Link:
			href := placeholder.ReplaceAllStringFunc(col.Href, func(m string) string {
				return url.PathEscape(fmt.Sprint(Field(row, m[1:len(m)-1])))
			})
			out[i] = Cell{Text: s, Href: href}
		default:
			out[i] = Cell{Text: s}
		}
	}
	return out
}

// export writes every row the filters select, page by page from the API,
// as CSV or XLSX (see Send).
func (k *Kit) export(c *gin.Context, spec ListSpec, q url.Values, format string) {
	if !exportFormat(format) {
		k.Fail(c, http.StatusBadRequest, "invalid_request", "导出格式只能是 csv 或 xlsx")
		return
	}
	rows, err := k.All(c, spec.API, q)
	if err != nil {
		k.Refuse(c, err)
		return
	}
	k.Send(c, spec, format, rows)
}

// exportFormat reports whether format is one the exports write.
func exportFormat(format string) bool { return format == web.AsCSV || format == web.AsXLSX }

// All reads every row of the API list route api with the filters q, a
// page of a thousand at a time, up to exportMaxRow rows: what an export of
// a list or of a detail page's table writes.
func (k *Kit) All(c *gin.Context, api string, q url.Values) ([]map[string]any, error) {
	var rows []map[string]any
	q = maps.Clone(q)
	if q == nil {
		q = url.Values{}
	}
	q.Set("limit", fmt.Sprint(exportPage))
	for len(rows) < exportMaxRow {
		var page web.List[map[string]any]
		if err := k.Get(c, api+"?"+q.Encode(), &page); err != nil {
			return nil, err
		}
		rows = append(rows, page.Items...)
		if page.Next == nil {
			break
		}
		q.Set("after", *page.Next)
	}
	return rows, nil
}

// Send writes rows (decoded JSON objects) as a download in format, csv
// (UTF-8 with a byte-order mark, so that Excel reads the Chinese) or xlsx,
// with spec's columns and Chinese headers; the file is named after
// spec.Path. Amounts are the exact decimals.
func (k *Kit) Send(c *gin.Context, spec ListSpec, format string, rows []map[string]any) {
	if !exportFormat(format) {
		k.Fail(c, http.StatusBadRequest, "invalid_request", "导出格式只能是 csv 或 xlsx")
		return
	}
	header := make([]string, len(spec.Cols))
	for i, col := range spec.Cols {
		header[i] = col.Label
	}
	name := strings.ReplaceAll(strings.TrimPrefix(spec.Path, "/console/"), "/", "-")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, format))
	c.Header("Cache-Control", "no-store")
	if format == web.AsCSV {
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Status(http.StatusOK)
		c.Writer.WriteString("\ufeff")
		w := csv.NewWriter(c.Writer)
		w.Write(header)
		for _, row := range rows {
			rec := make([]string, len(spec.Cols))
			for i, col := range spec.Cols {
				rec[i] = exportText(Field(row, col.Key), col)
			}
			w.Write(rec)
		}
		w.Flush()
		return
	}
	c.Header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Status(http.StatusOK)
	wb := sheet.NewWorkbook(c.Writer)
	if err := wb.Sheet(spec.Title, header); err != nil {
		return // the client is gone
	}
	for _, row := range rows {
		cells := make([]sheet.Value, len(spec.Cols))
		for i, col := range spec.Cols {
			v := Field(row, col.Key)
			if a, err := money.Parse(fmt.Sprint(v)); col.Kind == Amount && v != nil && err == nil {
				cells[i] = sheet.Amount(a)
			} else {
				cells[i] = sheet.Text(exportText(v, col))
			}
		}
		if wb.Row(cells) != nil {
			return
		}
	}
	wb.Close()
}

// exportText is a cell's text in an export: amounts as exact decimals,
// codes by their Chinese names, text guarded against formulas.
func exportText(v any, col Column) string {
	if v == nil {
		return ""
	}
	s := fmt.Sprint(v)
	switch col.Kind {
	case Amount:
		return s
	case Code:
		return nameOf(s, col.Names)
	}
	return sheet.Cell(s)
}

// Refuse shows the API's refusal as the page.
func (k *Kit) Refuse(c *gin.Context, err error) {
	if e, ok := err.(*APIError); ok {
		k.Render(c, e.Status, "error", "出错了", e)
		return
	}
	k.web.Fail(c, err)
}

// Num reports whether the column holds amounts (right-aligned).
func (col Column) Num() bool { return col.Kind == Amount }
