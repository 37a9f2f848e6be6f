package audit

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/shopspring/decimal"

	"renofund/internal/console/kit"
)

// bulletinPage is a bulletin's page model: its facts and its sections as
// tables.
type bulletinPage struct {
	Month, From, To, Scope          string
	DraftedAt, DraftedBy, SHA256    string
	Spending, Late, Overdue, Behind kit.ListView
}

// The sections' tables, headed as the bulletin's workbook heads its sheets.
var (
	spendingSpec = kit.ListSpec{Cols: []kit.Column{{Key: "rank", Label: "排名"}, {Key: "district", Label: "区县代码"},
		{Key: "name", Label: "区县"}, {Key: "kind", Label: "资金类型", Kind: kit.Code},
		{Key: "allocated_month", Label: "本月分配", Kind: kit.Amount}, {Key: "received_month", Label: "本月到位", Kind: kit.Amount},
		{Key: "spent_month", Label: "本月支出", Kind: kit.Amount}, {Key: "opening", Label: "年初结存", Kind: kit.Amount},
		{Key: "allocated_ytd", Label: "累计分配", Kind: kit.Amount}, {Key: "received_ytd", Label: "累计到位", Kind: kit.Amount},
		{Key: "spent_ytd", Label: "累计支出", Kind: kit.Amount}, {Key: "available", Label: "可用资金", Kind: kit.Amount},
		{Key: "rate", Label: "支出进度"}}}
	lateSpec = kit.ListSpec{Cols: []kit.Column{{Key: "district", Label: "区县代码"}, {Key: "fund", Label: "资金编码"},
		{Key: "kind", Label: "资金类型", Kind: kit.Code}, {Key: "holder", Label: "持有方"},
		{Key: "deadline_days", Label: "下达时限(天)"}, {Key: "held", Label: "滞留金额", Kind: kit.Amount},
		{Key: "since", Label: "滞留起始日"}, {Key: "days_held", Label: "滞留天数"},
		{Key: "passed_late", Label: "本月逾期下达金额", Kind: kit.Amount}}}
	overdueSpec = kit.ListSpec{Cols: []kit.Column{{Key: "district", Label: "区县代码"}, {Key: "project", Label: "项目编码"},
		{Key: "contract", Label: "合同编号"}, {Key: "payee", Label: "收款单位"}, {Key: "credit_code", Label: "统一社会信用代码"},
		{Key: "accepted_on", Label: "验收日期"}, {Key: "due_on", Label: "应付日期"}, {Key: "days_overdue", Label: "逾期天数"},
		{Key: "settled", Label: "是否结算", Kind: kit.Code}, {Key: "amount_due", Label: "应付未付金额", Kind: kit.Amount}}}
	behindSpec = kit.ListSpec{Cols: []kit.Column{{Key: "district", Label: "区县代码"}, {Key: "project", Label: "项目编码"},
		{Key: "name", Label: "项目名称"}, {Key: "plan_year", Label: "计划年度"}, {Key: "status", Label: "月末状态"},
		{Key: "since", Label: "状态日期"}, {Key: "expected", Label: "应达到"}, {Key: "due_by", Label: "应达日期"},
		{Key: "days_late", Label: "滞后天数"}}}
)

// stages are a project's pipeline statuses as the programme names them.
var stages = map[string]string{"reserve": "储备", "planned": "已列入计划", "under_construction": "在建",
	"accepted": "已验收", "settled": "已结算", "closed": "已决算"}

// bulletin shows a month's stored bulletin as the user may read it (a
// district: its own rows and the city's totals); ?format=xlsx or csv
// downloads it as the API writes it.
func (s *section) bulletin(c *gin.Context) {
	path := "/v1/bulletins/" + url.PathEscape(c.Param("month"))
	if f := c.Query("format"); f != "" {
		ans, err := s.k.Call(c, http.MethodGet, path+"?format="+url.QueryEscape(f), nil, "", nil)
		if err != nil {
			s.k.Refuse(c, err)
			return
		}
		kit.Relay(c, ans)
		return
	}
	var b struct {
		Month     string         `json:"month"`
		DraftedAt string         `json:"drafted_at"`
		DraftedBy string         `json:"drafted_by"`
		SHA256    string         `json:"sha256"`
		Scope     string         `json:"scope"`
		Body      map[string]any `json:"body"`
	}
	if err := s.k.Get(c, path, &b); err != nil {
		s.k.Refuse(c, err)
		return
	}
	p := bulletinPage{Month: b.Month, Scope: b.Scope, DraftedAt: b.DraftedAt, DraftedBy: b.DraftedBy, SHA256: b.SHA256,
		From: fmt.Sprint(b.Body["from"]), To: fmt.Sprint(b.Body["to"])}
	p.Spending = spendingSpec.View(spendingRows(b.Body))
	p.Late = lateSpec.View(objects(b.Body["late_pass_down"]))
	p.Overdue = overdueSpec.View(objects(b.Body["overdue_sme_payments"]))
	behind := objects(b.Body["behind_plan"])
	for _, r := range behind {
		r["status"], r["expected"] = stages[fmt.Sprint(r["status"])], stages[fmt.Sprint(r["expected"])]
	}
	p.Behind = behindSpec.View(behind)
	s.k.Render(c, http.StatusOK, "audit-bulletin", b.Month+" 资金月度通报", p)
}

// objects are the JSON objects of a decoded array.
func objects(v any) []map[string]any {
	list, _ := v.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, it := range list {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// spendingRows lays the spending section out as the workbook does: the
// city, then each district, each with its total ("合计") and a row per fund
// kind; the spending rate as a percentage.
func spendingRows(body map[string]any) []map[string]any {
	sp, _ := body["spending"].(map[string]any)
	areas := []map[string]any{}
	if city, ok := sp["city"].(map[string]any); ok {
		areas = append(areas, city)
	}
	areas = append(areas, objects(sp["districts"])...)
	var rows []map[string]any
	for _, a := range areas {
		total := copyFigures(a)
		total["kind"], total["rank"] = "合计", a["rank"]
		total["district"], total["name"] = a["district"], a["name"]
		rows = append(rows, total)
		for _, k := range objects(a["kinds"]) {
			row := copyFigures(k)
			row["kind"], row["district"], row["name"] = k["kind"], a["district"], a["name"]
			rows = append(rows, row)
		}
	}
	return rows
}

// figures are the keys of a bulletin's figures.
var figures = []string{"allocated_month", "received_month", "spent_month", "opening", "allocated_ytd", "received_ytd",
	"spent_ytd", "available"}

// copyFigures copies an area's figures into a row, with its spending rate
// ("0.4215") as a percentage ("42.15%").
func copyFigures(src map[string]any) map[string]any {
	row := map[string]any{}
	for _, k := range figures {
		row[k] = src[k]
	}
	if r, _ := src["spending_rate"].(string); r != "" {
		if d, err := decimal.NewFromString(r); err == nil {
			row["rate"] = d.Shift(2).StringFixed(2) + "%"
		}
	}
	return row
}
