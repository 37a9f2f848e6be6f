package books

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"renofund/funding"
	"renofund/internal/console/kit"
	"renofund/internal/field"
	"renofund/internal/web"
)

// project is a project as the API gives it.
type project struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	District    string `json:"district"`
	Households  int64  `json:"households"`
	FloorAreaM2 string `json:"floor_area_m2"`
	Buildings   int64  `json:"buildings"`
	BuiltYear   int    `json:"built_year"`
	PlanYear    *int   `json:"plan_year"`
	Status      string `json:"status"`
	CreatedAt   string `json:"created_at"`
	Budget      struct {
		Basic       string `json:"basic"`
		Improvement string `json:"improvement"`
		Upgrade     string `json:"upgrade"`
	} `json:"budget"`
}

// totals are the sums of a project's or a fund's money (amount strings).
type totals struct {
	Opening   string `json:"opening"`
	Received  string `json:"received"`
	Spent     string `json:"spent"`
	Available string `json:"available"`
}

// projectMoney is what GET /v1/projects/{code}/funding, the tax
// expenditure and the property manager say of a project.
type projectMoney struct {
	Funding struct {
		Funds          []map[string]any `json:"funds"`
		Categories     []map[string]any `json:"categories"`
		Totals         totals           `json:"totals"`
		TaxExpenditure string           `json:"tax_expenditure"`
	}
	Tax struct {
		Total string           `json:"total"`
		Items []map[string]any `json:"items"`
	}
	// Manager is nil when no property manager was ever recorded.
	Manager *struct {
		Current   map[string]any   `json:"current"`
		Contracts []map[string]any `json:"contracts"`
	}
}

// loadMoney reads a project's money, tax expenditure and property manager.
func (b *books) loadMoney(c *gin.Context, code string) (*projectMoney, error) {
	m := &projectMoney{}
	if err := b.k.Get(c, "/v1/projects/"+esc(code)+"/funding", &m.Funding); err != nil {
		return nil, err
	}
	if err := b.k.Get(c, "/v1/projects/"+esc(code)+"/tax-expenditure", &m.Tax); err != nil {
		return nil, err
	}
	if err := b.k.Get(c, "/v1/projects/"+esc(code)+"/property-manager", &m.Manager); err != nil {
		if e, ok := err.(*kit.APIError); !ok || e.Status != http.StatusNotFound {
			return nil, err
		}
		m.Manager = nil // the project is visible (it was read first): it has no manager
	}
	return m, nil
}

// table is a detail page's table made from one API answer.
type table struct {
	Spec kit.ListSpec
	Rows []map[string]any
}

// tables are the project's tables made from its money.
func (m *projectMoney) tables() map[string]table {
	t := map[string]table{
		"budget": {kit.ListSpec{Title: "预算执行", Cols: []kit.Column{{Key: "category", Label: "类别", Kind: kit.Code},
			{Key: "budget", Label: "预算", Kind: kit.Amount}, {Key: "spent", Label: "已支出", Kind: kit.Amount}}}, m.Funding.Categories},
		"sources": {kit.ListSpec{Title: "资金来源与结存", Cols: []kit.Column{
			{Key: "fund", Label: "资金编号", Kind: kit.Link, Href: "/console/funds/{fund}"}, {Key: "kind", Label: "资金类型", Kind: kit.Code},
			{Key: "opening", Label: "期初", Kind: kit.Amount}, {Key: "received", Label: "到账及拨入", Kind: kit.Amount},
			{Key: "spent", Label: "支出", Kind: kit.Amount}, {Key: "available", Label: "可用余额", Kind: kit.Amount}}}, m.Funding.Funds},
		"tax": {kit.ListSpec{Title: "税式支出", Cols: []kit.Column{{Key: "on", Label: "日期"}, {Key: "kind", Label: "项目", Kind: kit.Code},
			{Key: "regime", Label: "政策依据"}, {Key: "party.name", Label: "纳税人"}, {Key: "total", Label: "减免合计", Kind: kit.Amount},
			{Key: "reversal_of", Label: "冲销原记录"}, {Key: "reversed_by", Label: "被冲销记录"}, {Key: "recorded_by", Label: "录入人"}}}, m.Tax.Items},
	}
	if m.Manager != nil {
		t["managers"] = table{kit.ListSpec{Title: "物业服务合同", Cols: []kit.Column{{Key: "name", Label: "物业服务企业"},
			{Key: "credit_code", Label: "统一社会信用代码"}, {Key: "bank_account", Label: "银行账号"},
			{Key: "from", Label: "服务起始"}, {Key: "to", Label: "服务截止"}}}, m.Manager.Contracts}
	}
	return t
}

// projectParts are the project's tables read from API list routes.
func projectParts(code string) map[string]part {
	return map[string]part{
		"moves": {Name: "moves", API: "/v1/transfers", Q: url.Values{"project": {code}}, Size: pageSize,
			Spec: kit.ListSpec{Title: "资金往来", Cols: transferCols}},
		"contracts": {Name: "contracts", API: "/v1/projects/" + esc(code) + "/contracts", Size: pageSize, Shape: shapeContracts,
			Spec: kit.ListSpec{Title: "合同与验收", Cols: []kit.Column{{Key: "payee.name", Label: "承包单位"},
				{Key: "payee.credit_code", Label: "统一社会信用代码"}, {Key: "category", Label: "类别", Kind: kit.Code},
				{Key: "sum", Label: "合同金额", Kind: kit.Amount}, {Key: "signed_on", Label: "签订日期"},
				{Key: "progress_ceiling", Label: "进度款比例上限"}, {Key: "position.paid", Label: "已付", Kind: kit.Amount},
				{Key: "position.limit", Label: "现可付至", Kind: kit.Amount}, {Key: "position.payable", Label: "尚可支付", Kind: kit.Amount},
				{Key: "acceptance", Label: "验收"}, {Key: "settlement.amount", Label: "结算金额", Kind: kit.Amount},
				{Key: "settlement.settled_on", Label: "结算日期"}, {Key: "position.retention", Label: "质保金", Kind: kit.Amount},
				{Key: "position.retention_outstanding", Label: "质保金未退", Kind: kit.Amount},
				{Key: "position.liability_ends", Label: "缺陷责任期至"}}}},
		"ratings": {Name: "ratings", API: "/v1/subsidy/ratings", Q: url.Values{"project": {code}}, Size: pageSize, Shape: shapeRatings,
			Spec: kit.ListSpec{Title: "物业服务质量评价", Cols: []kit.Column{{Key: "period", Label: "评价期间"}, {Key: "score", Label: "得分"},
				{Key: "version", Label: "版本"}, {Key: "owner_reps", Label: "业主代表人数"}, {Key: "assessors", Label: "评价人"},
				{Key: "recorded_by", Label: "录入人"}, {Key: "recorded_at", Label: "录入时间"}}}},
		"subsidies": {Name: "subsidies", API: "/v1/transfers", Q: url.Values{"project": {code}, "type": {"subsidy_payment"}}, Size: pageSize,
			Spec: kit.ListSpec{Title: "已付物业补贴", Cols: []kit.Column{
				{Key: "voucher_no", Label: "凭证号", Kind: kit.Link, Href: "/console/transfers/{id}"}, {Key: "booked_on", Label: "支付日期"},
				{Key: "fund", Label: "资金编号"}, {Key: "payee.name", Label: "物业服务企业"}, {Key: "amount", Label: "金额", Kind: kit.Amount},
				{Key: "reference", Label: "方案/期间/行"}}}},
	}
}

// shapeContracts adds each contract's acceptance as one text: the passed
// acceptance and its date, else the last one recorded, else none yet.
func shapeContracts(rows []map[string]any) {
	for _, r := range rows {
		text := "未验收"
		if list, ok := r["acceptances"].([]any); ok && len(list) > 0 {
			if last, ok := list[len(list)-1].(map[string]any); ok {
				text = fmt.Sprintf("%s（%v）", kit.Label(last["result"]), last["accepted_on"])
			}
		}
		if on := kit.Field(r, "position.accepted_on"); on != nil && on != "" {
			text = fmt.Sprintf("%s（%v）", kit.Label("passed"), on)
		}
		r["acceptance"] = text
	}
}

// shapeRatings lists a rating's assessors as one text.
func shapeRatings(rows []map[string]any) {
	for _, r := range rows {
		var names []string
		if list, ok := r["assessors"].([]any); ok {
			for _, n := range list {
				names = append(names, fmt.Sprint(n))
			}
		}
		r["assessors"] = strings.Join(names, "、")
	}
}

// projectPage is the project page's model.
type projectPage struct {
	P            project
	DistrictName string
	Money        *projectMoney
	Budget       kit.ListView
	Sources      kit.ListView
	Tax          kit.ListView
	Managers     kit.ListView
	Moves        kit.ListView
	Contracts    kit.ListView
	Ratings      kit.ListView
	Subsidies    kit.ListView
	Spend        *spendForm // nil: the user may not pay
}

// spendForm is what the payment form offers.
type spendForm struct {
	Categories []string
	Contracts  []option
	Payees     []option
	MorePayees bool // the register holds more payees than listed
	Today      string
}

// option is one choice of a select.
type option struct{ Value, Text string }

// project shows a project: facts and budget, its sources and holdings,
// movements, contracts and acceptance, subsidies, tax expenditure, the
// final accounts, and the payment form for those who may pay. A project
// the user may not see is the API's refusal.
func (b *books) project(c *gin.Context) {
	code := c.Param("code")
	base := "/console/projects/" + esc(code)
	var p project
	if err := b.k.Get(c, "/v1/projects/"+esc(code), &p); err != nil {
		b.refuse(c, err)
		return
	}
	money, err := b.loadMoney(c, code)
	if err != nil {
		b.refuse(c, err)
		return
	}
	parts, tables := projectParts(code), money.tables()
	if c.Query("export") != "" {
		name := c.Query("table")
		if pt, ok := parts[name]; ok {
			b.export(c, base, pt, c.Query("export"))
		} else if t, ok := tables[name]; ok {
			b.sendLocal(c, base, name, t.Spec, t.Rows)
		} else {
			b.k.Fail(c, http.StatusBadRequest, "invalid_request", "没有这张表："+name)
		}
		return
	}
	v := projectPage{P: p, DistrictName: b.districtName(c, p.District), Money: money}
	for name, dst := range map[string]*kit.ListView{"budget": &v.Budget, "sources": &v.Sources, "tax": &v.Tax, "managers": &v.Managers} {
		if t, ok := tables[name]; ok {
			*dst = local(c, base, nil, name, t.Spec, t.Rows)
		}
	}
	for name, dst := range map[string]*kit.ListView{"moves": &v.Moves, "contracts": &v.Contracts, "ratings": &v.Ratings, "subsidies": &v.Subsidies} {
		if *dst, err = b.load(c, base, parts[name]); err != nil {
			b.refuse(c, err)
			return
		}
	}
	if b.may(c, "POST /v1/expenditures") {
		if v.Spend, err = b.spendForm(c, code); err != nil {
			b.refuse(c, err)
			return
		}
	}
	b.k.Render(c, http.StatusOK, "books_project", p.Name+" "+p.Code, v)
}

// districtName is the Chinese name of a district ("" when unknown).
func (b *books) districtName(c *gin.Context, code string) string {
	var page web.List[struct{ Code, Name string }]
	if b.k.Get(c, "/v1/districts?limit=1000", &page) != nil {
		return ""
	}
	for _, d := range page.Items {
		if d.Code == code {
			return d.Name
		}
	}
	return ""
}

// spendForm gathers the payment form's choices: the project's contracts and
// the payee register.
func (b *books) spendForm(c *gin.Context, code string) (*spendForm, error) {
	f := &spendForm{Categories: funding.Categories, Today: field.Today()}
	var contracts web.List[map[string]any]
	if err := b.k.Get(c, "/v1/projects/"+esc(code)+"/contracts?limit=1000", &contracts); err != nil {
		return nil, err
	}
	for _, ct := range contracts.Items {
		f.Contracts = append(f.Contracts, option{fmt.Sprint(ct["id"]), fmt.Sprintf("%v · %s · 合同金额 %s · 尚可支付 %s",
			kit.Field(ct, "payee.name"), kit.Label(ct["category"]), kit.Yuan(ct["sum"]), kit.Yuan(kit.Field(ct, "position.payable")))})
	}
	var payees web.List[map[string]any]
	if err := b.k.Get(c, "/v1/payees?limit=1000", &payees); err != nil {
		return nil, err
	}
	for _, p := range payees.Items {
		f.Payees = append(f.Payees, option{fmt.Sprint(p["id"]), fmt.Sprintf("%v（%v，账号 %v）", p["name"], p["credit_code"], p["bank_account"])})
	}
	f.MorePayees = payees.Next != nil
	return f, nil
}

// spend sends the payment form to POST /v1/expenditures: paid at once
// (201, to the new transfer) or, above the approval threshold or forced,
// filed for a second person (202, to the payment request). The amount is
// passed on as typed: the API parses it, never a float.
func (b *books) spend(c *gin.Context) {
	code := c.Param("code")
	body := map[string]any{"project": code, "amount": strings.TrimSpace(c.PostForm("amount")),
		"paid_on": strings.TrimSpace(c.PostForm("paid_on")), "purpose": strings.TrimSpace(c.PostForm("purpose"))}
	for _, name := range []string{"category", "contract"} {
		if v := strings.TrimSpace(c.PostForm(name)); v != "" {
			body[name] = v
		}
	}
	payee := map[string]string{}
	for _, name := range []string{"name", "credit_code", "bank_account"} {
		if v := strings.TrimSpace(c.PostForm("payee_" + name)); v != "" {
			payee[name] = v
		}
	}
	if id := strings.TrimSpace(c.PostForm("payee_id")); id != "" {
		body["payee_id"] = id
	} else if len(payee) > 0 {
		body["payee"] = payee
	}
	raw, err := json.Marshal(body)
	if err != nil {
		b.refuse(c, err)
		return
	}
	var out struct {
		ID        string `json:"id"`
		VoucherNo string `json:"voucher_no"`
		Amount    string `json:"amount"`
	}
	ans, err := b.k.Call(c, http.MethodPost, "/v1/expenditures", bytes.NewReader(raw), "application/json", &out, formKey(c)...)
	if err != nil {
		b.refuse(c, err)
		return
	}
	if ans.Status() == http.StatusAccepted {
		kit.Back(c, "/console/payment-requests/"+esc(out.ID),
			fmt.Sprintf("支付 %s 元已提交复核（超过审批限额或超范围支付）：须由另一名财政人员批准后才付款。", kit.Yuan(out.Amount)))
		return
	}
	kit.Back(c, "/console/transfers/"+esc(out.ID), fmt.Sprintf("已支付 %s 元，凭证号 %s。", kit.Yuan(out.Amount), out.VoucherNo))
}

// formKey is the form's key as the API's Idempotency-Key header, when the
// form carried one.
func formKey(c *gin.Context) []string {
	if k := c.PostForm("_key"); k != "" {
		return []string{"Idempotency-Key", k}
	}
	return nil
}

// finalAccounts relays the project's final accounts (决算) as CSV or XLSX.
func (b *books) finalAccounts(c *gin.Context) {
	code := c.Param("code")
	format := c.DefaultQuery("format", "xlsx")
	if format != web.AsCSV && format != web.AsXLSX {
		b.k.Fail(c, http.StatusBadRequest, "invalid_request", "决算只能导出为 csv 或 xlsx")
		return
	}
	ans, err := b.k.Call(c, http.MethodGet, "/v1/projects/"+esc(code)+"/final-accounts?format="+format, nil, "", nil)
	if err != nil {
		b.refuse(c, err)
		return
	}
	kit.Relay(c, ans)
}
