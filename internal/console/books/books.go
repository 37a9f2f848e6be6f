// Package books is the console's section for the books themselves: the
// projects (communities) with everything that happened to their money, the
// funds, the transfers with their reversal, the payments waiting for a
// second person, and the import of household receipts. Every page reads and
// writes through the JSON API as the signed-in user (kit.Kit), so a page
// shows what the API shows that user and refuses what it refuses.
package books

import (
	"embed"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"renofund/funding"
	"renofund/funding/importer"
	"renofund/internal/console/kit"
	"renofund/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// books holds the section's handlers.
type books struct {
	k *kit.Kit
}

// Routes are the section's pages, in the menu's order: projects, funds,
// transfers, payment requests.
func Routes(k *kit.Kit) []web.Route {
	k.Pages(templates, "templates/*.html")
	b := &books{k: k}
	page := func(method, path, api, summary string, h gin.HandlerFunc) web.Route {
		return web.Route{Method: method, Path: path, Page: true, Roles: k.RolesOf(api), Summary: summary, Handle: h}
	}
	imports := page(http.MethodPost, "/console/funds/:code/receipts-import", `POST /v1/funds/:code/receipts\:import`,
		"Import household receipts from a CSV or XLSX file", b.importReceipts)
	imports.Long, imports.MaxBody = true, importer.MaxBytes+1<<20
	return []web.Route{
		k.List(projectList),
		page(http.MethodGet, "/console/projects/:code", "GET /v1/projects/:code", "A project: money, contracts, subsidies, tax", b.project),
		page(http.MethodGet, "/console/projects/:code/final-accounts", "GET /v1/projects/:code/final-accounts",
			"A project's final accounts as CSV or XLSX", b.finalAccounts),
		withBody(page(http.MethodPost, "/console/projects/:code/expenditures", "POST /v1/expenditures",
			"Pay from a project, or file the payment for a second person", b.spend)),
		k.List(fundList),
		page(http.MethodGet, "/console/funds/:code", "GET /v1/funds/:code", "A fund: totals and holdings in a window", b.fund),
		page(http.MethodGet, "/console/funds/:code/receipts-import", `POST /v1/funds/:code/receipts\:import`,
			"The form importing household receipts", b.importForm),
		imports,
		k.List(transferList),
		page(http.MethodGet, "/console/transfers/:id", "GET /v1/transfers/:id", "A transfer with its postings", b.transfer),
		withBody(page(http.MethodPost, "/console/transfers/:id/reversal", "POST /v1/transfers/:id/reversal",
			"Reverse a transfer with a reason", b.reverse)),
		k.List(paymentList),
		page(http.MethodGet, "/console/payment-requests/:id", "GET /v1/payment-requests/:id", "A payment waiting for approval", b.payment),
		withBody(page(http.MethodPost, "/console/payment-requests/:id/approve", "POST /v1/payment-requests/:id/approve",
			"Approve and pay a filed payment (a second person)", b.approve)),
		withBody(page(http.MethodPost, "/console/payment-requests/:id/reject", "POST /v1/payment-requests/:id/reject",
			"Reject a filed payment with a note", b.reject)),
	}
}

// withBody bounds a form's body: a few fields of text.
func withBody(r web.Route) web.Route {
	r.MaxBody = 64 << 10
	return r
}

// The section's lists, each over an API list route.
var (
	projectList = kit.ListSpec{Path: "/console/projects", Title: "项目（小区）", API: "/v1/projects",
		Note:    "每个改造小区一个项目；点击编号查看资金来源、往来、合同与验收、物业补贴和税式支出。",
		Filters: []kit.Filter{{Name: "district", Label: "区县"}},
		Cols: []kit.Column{{Key: "code", Label: "项目编号", Kind: kit.Link, Href: "/console/projects/{code}"},
			{Key: "name", Label: "小区名称"}, {Key: "district", Label: "区县"}, {Key: "status", Label: "状态", Kind: kit.Code},
			{Key: "households", Label: "户数"}, {Key: "buildings", Label: "楼栋"}, {Key: "built_year", Label: "建成年份"},
			{Key: "budget.basic", Label: "基础类预算", Kind: kit.Amount}, {Key: "budget.improvement", Label: "完善类预算", Kind: kit.Amount},
			{Key: "budget.upgrade", Label: "提升类预算", Kind: kit.Amount}}}
	fundList = kit.ListSpec{Path: "/console/funds", Title: "资金", API: "/v1/funds",
		Note: "每一笔资金来源：到账、下拨、支出与余额；点击编号查看各持有方的结存。",
		Filters: []kit.Filter{{Name: "kind", Label: "资金类型", Options: funding.Kinds}, {Name: "holder", Label: "持有方"},
			{Name: "fiscal_year", Label: "年度"}, {Name: "district", Label: "区县"}},
		Cols: []kit.Column{{Key: "code", Label: "资金编号", Kind: kit.Link, Href: "/console/funds/{code}"}, {Key: "name", Label: "名称"},
			{Key: "kind", Label: "类型", Kind: kit.Code}, {Key: "holder", Label: "持有方", Kind: kit.Code}, {Key: "fiscal_year", Label: "年度"},
			{Key: "totals.received", Label: "到账", Kind: kit.Amount}, {Key: "totals.allocated_out", Label: "下拨", Kind: kit.Amount},
			{Key: "totals.spent", Label: "支出", Kind: kit.Amount}, {Key: "totals.available", Label: "可用余额", Kind: kit.Amount}}}
	transferList = kit.ListSpec{Path: "/console/transfers", Title: "资金往来", API: "/v1/transfers",
		Note: "每一张记账凭证：到账、拨付、支出、物业补贴与冲销，按记账顺序；点击凭证号查看分录并可冲销。",
		Filters: []kit.Filter{{Name: "district", Label: "区县"}, {Name: "project", Label: "项目编号"}, {Name: "fund", Label: "资金编号"},
			{Name: "type", Label: "类型", Options: transferTypes}},
		Cols: transferCols}
	paymentList = kit.ListSpec{Path: "/console/payment-requests", Title: "待复核支付", API: "/v1/payment-requests",
		Note: "超过审批限额或超范围的支付由经办人提交，须由另一名财政人员复核后才付款（四眼原则）。",
		Filters: []kit.Filter{{Name: "status", Label: "状态", Options: []string{"pending", "approved", "rejected"}},
			{Name: "district", Label: "区县"}},
		Cols: []kit.Column{{Key: "prepared_at", Label: "提交时间", Kind: kit.Link, Href: "/console/payment-requests/{id}"},
			{Key: "status", Label: "状态", Kind: kit.Code}, {Key: "district", Label: "区县"}, {Key: "project", Label: "项目编号"},
			{Key: "expenditure.category", Label: "类别", Kind: kit.Code}, {Key: "amount", Label: "金额", Kind: kit.Amount},
			{Key: "expenditure.payee.name", Label: "收款人"}, {Key: "expenditure.purpose", Label: "用途"},
			{Key: "prepared_by", Label: "经办人"}, {Key: "decided_by", Label: "复核人"}, {Key: "decided_at", Label: "复核时间"}}}
)

// transferTypes are the kinds of transfer the ledger books.
var transferTypes = []string{"receipt", "allocation", "expenditure", "subsidy_payment", "reversal"}

// transferCols are the columns of a list of transfers, here and on the
// project and fund pages.
var transferCols = []kit.Column{{Key: "voucher_no", Label: "凭证号", Kind: kit.Link, Href: "/console/transfers/{id}"},
	{Key: "booked_on", Label: "记账日期"}, {Key: "type", Label: "类型", Kind: kit.Code}, {Key: "fund", Label: "资金编号"},
	{Key: "from", Label: "付出方", Kind: kit.Code}, {Key: "to", Label: "收入方", Kind: kit.Code}, {Key: "project", Label: "项目编号"},
	{Key: "category", Label: "类别", Kind: kit.Code}, {Key: "amount", Label: "金额", Kind: kit.Amount},
	{Key: "payer.name", Label: "付款人"}, {Key: "payee.name", Label: "收款人"}, {Key: "purpose", Label: "摘要"}}

// part is a table of a detail page read from an API list route: a page at
// a time on the page, its cursor in the query parameter Name (which is also
// its anchor), and whole in an export (?table=Name&export=csv|xlsx).
type part struct {
	Name string
	API  string     // the list route
	Q    url.Values // its filters
	Spec kit.ListSpec
	Size int // rows per page
	// Shape, when set, adds derived fields to the rows before they are
	// shown or exported.
	Shape func(rows []map[string]any)
}

// load reads the part's page named by the request and renders it for the
// "filters" (its exports) and "table" partials of the page at base.
func (b *books) load(c *gin.Context, base string, p part) (kit.ListView, error) {
	q := with(p.Q, "limit", strconv.Itoa(p.Size))
	after := c.Query(p.Name)
	if after != "" {
		q.Set("after", after)
	}
	var page web.List[map[string]any]
	if err := b.k.Get(c, p.API+"?"+q.Encode(), &page); err != nil {
		return kit.ListView{}, err
	}
	if p.Shape != nil {
		p.Shape(page.Items)
	}
	v := p.Spec.View(page.Items)
	v.Spec.Path, v.Export = base, "table="+p.Name
	if page.Next != nil {
		v.Next = link(base, url.Values{p.Name: {*page.Next}}, p.Name)
	}
	if after != "" {
		v.First = link(base, nil, p.Name)
	}
	return v, nil
}

// export sends every row of the part as a download in format.
func (b *books) export(c *gin.Context, base string, p part, format string) {
	rows, err := b.k.All(c, p.API, p.Q)
	if err != nil {
		b.refuse(c, err)
		return
	}
	if p.Shape != nil {
		p.Shape(rows)
	}
	spec := p.Spec
	spec.Path = base + "/" + p.Name
	b.k.Send(c, spec, format, rows)
}

// local is a table of a detail page made from one API answer (a fund's
// holdings, a transfer's postings): paged here, pageSize rows at a time
// from the offset in the query parameter name, and exported whole. keep is
// the page's own query (a window), kept on the table's links.
func local(c *gin.Context, base string, keep url.Values, name string, spec kit.ListSpec, rows []map[string]any) kit.ListView {
	from, _ := strconv.Atoi(c.Query(name))
	from = max(0, min(from, len(rows)))
	to := min(from+pageSize, len(rows))
	v := spec.View(rows[from:to])
	v.Spec.Path, v.Export = base, with(keep, "table", name).Encode()
	if to < len(rows) {
		v.Next = link(base, with(keep, name, strconv.Itoa(to)), name)
	}
	if from > 0 {
		v.First = link(base, keep, name)
	}
	return v
}

// with is a copy of q with name set to value.
func with(q url.Values, name, value string) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	out.Set(name, value)
	return out
}

// link is base with the query q, anchored at a table.
func link(base string, q url.Values, anchor string) string {
	if e := q.Encode(); e != "" {
		base += "?" + e
	}
	return base + "#" + anchor
}

// pageSize is how many rows a detail page's table shows at a time.
const pageSize = 20

// sendLocal exports a local table whole.
func (b *books) sendLocal(c *gin.Context, base, name string, spec kit.ListSpec, rows []map[string]any) {
	spec.Path = base + "/" + name
	b.k.Send(c, spec, c.Query("export"), rows)
}

// refuse shows the API's refusal as the page. A "not found" is shown in
// the clerk's words only: the API's message names the code asked for, and
// the page of another district's object shows nothing of it.
func (b *books) refuse(c *gin.Context, err error) {
	if e, ok := err.(*kit.APIError); ok && e.Status == http.StatusNotFound {
		shown := *e
		shown.Message = e.Explain()
		err = &shown
	}
	b.k.Refuse(c, err)
}

// may reports whether the signed-in user's role is one of the API route's.
func (b *books) may(c *gin.Context, route string) bool {
	a, ok := web.Actor(c)
	if !ok {
		return false
	}
	for _, r := range b.k.RolesOf(route) {
		if r == a.Role {
			return true
		}
	}
	return false
}

// esc escapes a path segment of an API path.
func esc(s string) string { return url.PathEscape(s) }
