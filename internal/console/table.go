package console

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"renofund/internal/money"
	"renofund/internal/sheet"
	"renofund/internal/web"
)

// A list page shows one API list route as a table: filters, pages of
// pageSize rows, and the whole filtered list as CSV or XLSX.
type listSpec struct {
	Path, Title string
	API         string // the API's list path, e.g. /v1/projects
	Filters     []filter
	Cols        []column
	// Note is a line under the title saying what the list holds.
	Note string
}

// filter is a query parameter the page passes to the API.
type filter struct {
	Name, Label string
	Options     []string // codes offered in a select; none: a text box
}

// column is one column of a table.
type column struct {
	Key   string // a dotted path into the row's JSON
	Label string
	Kind  colKind
	Link  string // for links: a path where {key} is replaced by the row's value
}

type colKind int

const (
	text   colKind = iota
	amount         // right-aligned, thousands separators, two decimals
	code           // shown by its Chinese name
	link           // text linking to Link
)

// cell is a rendered cell.
type cell struct {
	Text, Href string
	Num        bool
}

const (
	pageSize     = 50
	exportPage   = 1000
	exportMaxRow = 200_000 // an export larger than this is cut and says so
)

// listView is the list template's model.
type listView struct {
	Spec   listSpec
	Rows   [][]cell
	Values map[string]string // the filters as set
	Next   string            // the next page's link, if any
	First  string            // the first page's link, when not on it
	Export string            // the query for the exports (the filters)
}

func (k *Console) listRoute(spec listSpec) web.Route {
	return web.Route{Method: http.MethodGet, Path: spec.Path, Roles: k.rolesOf("GET " + spec.API), Page: true,
		Summary: spec.Title, Long: true, Handle: func(c *gin.Context) { k.list(c, spec) }}
}

// apiQuery is the API query of the page's filters.
func (spec listSpec) apiQuery(c *gin.Context) (url.Values, map[string]string) {
	q, set := url.Values{}, map[string]string{}
	for _, f := range spec.Filters {
		if v := strings.TrimSpace(c.Query(f.Name)); v != "" {
			q.Set(f.Name, v)
			set[f.Name] = v
		}
	}
	return q, set
}

func (k *Console) list(c *gin.Context, spec listSpec) {
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
	if err := k.get(c, spec.API+"?"+q.Encode(), &page); err != nil {
		k.refuse(c, err)
		return
	}
	filters := url.Values{}
	for name, v := range set {
		filters.Set(name, v)
	}
	v := listView{Spec: spec, Values: set, Export: filters.Encode()}
	for _, row := range page.Items {
		v.Rows = append(v.Rows, spec.cells(row))
	}
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
	k.render(c, http.StatusOK, "list", spec.Title, v)
}

// cells renders one row.
func (spec listSpec) cells(row map[string]any) []cell {
	out := make([]cell, len(spec.Cols))
	for i, col := range spec.Cols {
		val := field(row, col.Key)
		s := ""
		if val != nil {
			s = fmt.Sprint(val)
		}
		switch col.Kind {
		case amount:
			out[i] = cell{Text: yuan(s), Num: true}
		case code:
			out[i] = cell{Text: label(s)}
		case link:
			href := col.Link
			for _, c := range spec.Cols {
				href = strings.ReplaceAll(href, "{"+c.Key+"}", url.PathEscape(fmt.Sprint(field(row, c.Key))))
			}
			out[i] = cell{Text: s, Href: href}
		default:
			out[i] = cell{Text: s}
		}
	}
	return out
}

// export writes every row the filters select, page by page from the API:
// CSV (UTF-8 with a byte-order mark, so that Excel reads the Chinese) or
// XLSX, with the page's Chinese headers. Amounts are the exact decimals.
func (k *Console) export(c *gin.Context, spec listSpec, q url.Values, format string) {
	if format != web.AsCSV && format != web.AsXLSX {
		k.fail(c, http.StatusBadRequest, "invalid_request", "导出格式只能是 csv 或 xlsx")
		return
	}
	var rows []map[string]any
	q.Set("limit", fmt.Sprint(exportPage))
	for len(rows) < exportMaxRow {
		var page web.List[map[string]any]
		if err := k.get(c, spec.API+"?"+q.Encode(), &page); err != nil {
			k.refuse(c, err)
			return
		}
		rows = append(rows, page.Items...)
		if page.Next == nil {
			break
		}
		q.Set("after", *page.Next)
	}
	header := make([]string, len(spec.Cols))
	for i, col := range spec.Cols {
		header[i] = col.Label
	}
	name := strings.TrimPrefix(spec.Path, "/console/")
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
				rec[i] = exportText(field(row, col.Key), col.Kind)
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
			v := field(row, col.Key)
			if a, err := money.Parse(fmt.Sprint(v)); col.Kind == amount && v != nil && err == nil {
				cells[i] = sheet.Amount(a)
			} else {
				cells[i] = sheet.Text(exportText(v, col.Kind))
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
func exportText(v any, kind colKind) string {
	if v == nil {
		return ""
	}
	s := fmt.Sprint(v)
	switch kind {
	case amount:
		return s
	case code:
		return label(s)
	}
	return sheet.Cell(s)
}

// refuse shows the API's refusal as the page.
func (k *Console) refuse(c *gin.Context, err error) {
	if e, ok := err.(*apiError); ok {
		k.render(c, e.Status, "error", "出错了", e)
		return
	}
	k.web.Fail(c, err)
}

// Num reports whether the column holds amounts (right-aligned).
func (col column) Num() bool { return col.Kind == amount }
