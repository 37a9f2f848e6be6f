package approvals

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"renofund/internal/access"
	"renofund/internal/console/kit"
	"renofund/internal/web"
	"renofund/subsidy"
)

// linesPerPage is how many of a run's lines its page shows at once.
const linesPerPage = 100

// runLines is the lines table of a run's page.
var runLines = kit.ListSpec{Cols: []kit.Column{{Key: "line", Label: "行号"},
	{Key: "project", Label: "项目", Kind: kit.Link, Href: "/console/projects/{project}"}, {Key: "district", Label: "区县"},
	{Key: "payee.name", Label: "物业服务企业"}, {Key: "payee.credit_code", Label: "统一社会信用代码"},
	{Key: "score", Label: "评分"}, {Key: "ratio", Label: "支付比例"}, {Key: "base", Label: "计算基数"}, {Key: "months", Label: "月数"},
	{Key: "days_served", Label: "服务天数"}, {Key: "period_days", Label: "期间天数"},
	{Key: "entitlement", Label: "应得", Kind: kit.Amount}, {Key: "settled", Label: "已结算", Kind: kit.Amount},
	{Key: "amount", Label: "本次金额", Kind: kit.Amount}, {Key: "status", Label: "状态", Kind: kit.Code},
	{Key: "reason", Label: "原因", Kind: kit.Code}}}

// runDistricts is the table of a run's totals per district.
var runDistricts = kit.ListSpec{Cols: []kit.Column{{Key: "district", Label: "区县"}, {Key: "lines", Label: "行数"},
	{Key: "paying", Label: "付款行数"}, {Key: "total", Label: "支付合计", Kind: kit.Amount},
	{Key: "clawback", Label: "追回合计", Kind: kit.Amount}}}

// subsidy are the property-service subsidy pages: runs (list, review,
// approval by a second person, cancellation, the payment list), the
// draft form, schemes and ratings.
func (s *section) subsidy() []web.Route {
	k := s.k
	runs := k.List(kit.ListSpec{Path: "/console/subsidy/runs", Title: "物业补贴批次", API: "/v1/subsidy/runs",
		Note: "按评分计算的物业服务补贴：一人起草批次，另一位财政人员复核明细后批准支付。点击编号查看明细与付款清单。",
		Filters: []kit.Filter{{Name: "scheme", Label: "补贴方案"}, {Name: "period", Label: "期间"},
			{Name: "status", Label: "状态", Options: []string{subsidy.Draft, subsidy.Paid, subsidy.Cancelled}}},
		Cols: []kit.Column{{Key: "id", Label: "批次编号", Kind: kit.Link, Href: "/console/subsidy/runs/{id}"},
			{Key: "scheme", Label: "方案"}, {Key: "scheme_version", Label: "版本"}, {Key: "period", Label: "期间"},
			{Key: "status", Label: "状态", Kind: kit.Code}, {Key: "total", Label: "支付合计", Kind: kit.Amount},
			{Key: "clawback", Label: "追回合计", Kind: kit.Amount}, {Key: "line_count", Label: "行数"},
			{Key: "created_by", Label: "起草人"}, {Key: "created_at", Label: "起草时间"},
			{Key: "approved_by", Label: "批准人"}, {Key: "approved_at", Label: "批准时间"}}})
	draft := k.RolesOf("POST /v1/subsidy/runs")
	k.Nav("/console/subsidy/runs/new", "起草补贴批次", draft)
	schemes := k.List(kit.ListSpec{Path: "/console/subsidy/schemes", Title: "物业补贴方案", API: "/v1/subsidy/schemes",
		Note: "各补贴方案的现行版本：计算基数、标准、评分档位、资金来源与有效期。",
		Cols: []kit.Column{{Key: "code", Label: "方案编号"}, {Key: "version", Label: "版本"}, {Key: "name", Label: "名称"},
			{Key: "fund", Label: "资金"}, {Key: "holder", Label: "支付方", Kind: kit.Code}, {Key: "basis", Label: "计算基数", Kind: kit.Code},
			{Key: "rate", Label: "标准（元）"}, {Key: "period", Label: "考核周期", Kind: kit.Code},
			{Key: "cap", Label: "单项目上限", Kind: kit.Amount}, {Key: "valid_from", Label: "生效"}, {Key: "valid_to", Label: "截止"},
			{Key: "schedule", Label: "自动起草"}}})
	ratings := k.List(kit.ListSpec{Path: "/console/subsidy/ratings", Title: "物业服务评分", API: "/v1/subsidy/ratings",
		Note:    "物业服务质量评分的全部版本（更正评分保留原记录）。",
		Filters: []kit.Filter{{Name: "project", Label: "项目编号"}, {Name: "period", Label: "期间"}},
		Cols: []kit.Column{{Key: "project", Label: "项目", Kind: kit.Link, Href: "/console/projects/{project}"},
			{Key: "district", Label: "区县"}, {Key: "period", Label: "期间"}, {Key: "score", Label: "评分"}, {Key: "version", Label: "版本"},
			{Key: "owner_reps", Label: "业主代表人数"}, {Key: "recorded_by", Label: "录入人"}, {Key: "recorded_at", Label: "录入时间"}}})
	act := k.RolesOf("POST /v1/subsidy/runs/:id/approve")
	return []web.Route{runs,
		{Method: http.MethodGet, Path: "/console/subsidy/runs/new", Page: true, Roles: draft,
			Summary: "Draft a subsidy run: scheme and period", Handle: s.runForm},
		{Method: http.MethodPost, Path: "/console/subsidy/runs/new", Page: true, Long: true, Roles: draft,
			Summary: "Draft a subsidy run", Handle: s.draftRun},
		{Method: http.MethodGet, Path: "/console/subsidy/runs/:id", Page: true, Roles: k.RolesOf("GET /v1/subsidy/runs/:id"),
			Summary: "A subsidy run for review: totals per district, its lines, clawbacks", Handle: s.run},
		{Method: http.MethodGet, Path: "/console/subsidy/runs/:id/payments.csv", Page: true, Roles: k.RolesOf("GET /v1/subsidy/runs/:id"),
			Summary: "A run's payment list as CSV, for the bank", Handle: s.payments},
		{Method: http.MethodPost, Path: "/console/subsidy/runs/:id/approve", Page: true, Long: true, Roles: act,
			Summary: "Approve and pay a run (not its drafter)", Handle: s.runStep("approve")},
		{Method: http.MethodPost, Path: "/console/subsidy/runs/:id/cancel", Page: true, Roles: k.RolesOf("POST /v1/subsidy/runs/:id/cancel"),
			Summary: "Cancel a draft run", Handle: s.runStep("cancel")},
		schemes, ratings,
	}
}

// runPage is the model of a run's page.
type runPage struct {
	Run                          *subsidy.Run
	Districts, Lines, Clawbacks  kit.ListView
	Created, Approved, Cancelled string
	// Page is the lines' page (from 1) of Pages.
	Page, Pages int
	// Mine says the signed-in user drafted the run; CanAct that the role
	// may approve or cancel runs.
	Mine, CanAct bool
}

// run shows a run for review: totals, clawbacks and a page of its lines
// (a district reads its own lines only: the API's answer).
func (s *section) run(c *gin.Context) {
	id := c.Param("id")
	var raw json.RawMessage
	if err := s.k.Get(c, "/v1/subsidy/runs/"+url.PathEscape(id), &raw); err != nil {
		s.k.Refuse(c, err)
		return
	}
	var r subsidy.Run
	var rows struct {
		Districts []map[string]any `json:"districts"`
		Lines     []map[string]any `json:"lines"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		s.k.Refuse(c, err)
		return
	}
	if err := json.Unmarshal(raw, &rows); err != nil {
		s.k.Refuse(c, err)
		return
	}
	if s.hidden(c, &r.RunSummary) {
		return
	}
	v := runPage{Run: &r, Districts: runDistricts.View(rows.Districts), Created: when(r.CreatedAt),
		Approved: when(r.ApprovedAt), Cancelled: when(r.CancelledAt), Mine: samePerson(c, r.CreatedBy),
		CanAct: r.Status == subsidy.Draft && may(c, s.k.RolesOf("POST /v1/subsidy/runs/:id/approve"))}
	var claws []map[string]any
	for i, l := range r.Lines {
		if l.Amount < 0 {
			claws = append(claws, rows.Lines[i])
		}
	}
	v.Clawbacks = runLines.View(claws)
	v.Pages = max(1, (len(rows.Lines)+linesPerPage-1)/linesPerPage)
	v.Page, _ = strconv.Atoi(c.Query("page"))
	v.Page = min(max(v.Page, 1), v.Pages)
	from := (v.Page - 1) * linesPerPage
	v.Lines = runLines.View(rows.Lines[from:min(from+linesPerPage, len(rows.Lines))])
	base := "/console/subsidy/runs/" + url.PathEscape(r.ID)
	if v.Page < v.Pages {
		v.Lines.Next = fmt.Sprintf("%s?page=%d#lines", base, v.Page+1)
	}
	if v.Page > 1 {
		v.Lines.First = base + "#lines"
	}
	s.k.Render(c, http.StatusOK, "subsidy-run", "物业补贴批次 "+r.Scheme+" "+r.Period, v)
}

// payments passes on the run's payment list (the API's CSV: a line per
// company paid, totals per district and in all), named for the bank
// upload by scheme and period.
func (s *section) payments(c *gin.Context) {
	id := url.PathEscape(c.Param("id"))
	var r subsidy.RunSummary
	if err := s.k.Get(c, "/v1/subsidy/runs/"+id, &r); err != nil {
		s.k.Refuse(c, err)
		return
	}
	if s.hidden(c, &r) {
		return
	}
	ans, err := s.k.Call(c, http.MethodGet, "/v1/subsidy/runs/"+id+"?format=csv", nil, "", nil)
	if err != nil {
		s.k.Refuse(c, err)
		return
	}
	name := fmt.Sprintf("subsidy-payments-%s-%s-%s.csv", r.Scheme, r.Period, r.Status)
	cn := fmt.Sprintf("物业补贴付款清单-%s-%s-%s.csv", r.Scheme, r.Period, kit.Label(r.Status))
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, name, url.PathEscape(cn)))
	c.Header("Cache-Control", "no-store")
	c.Data(ans.Status(), "text/csv; charset=utf-8", ans.Body())
}

// hidden answers a district 404 for a run with none of its lines (a run of
// another district's scheme): for a district another district's objects do
// not exist. The API answers such a run with its lines left out.
func (s *section) hidden(c *gin.Context, r *subsidy.RunSummary) bool {
	if actor(c).Role != access.District || r.LineCount > 0 {
		return false
	}
	s.k.Fail(c, http.StatusNotFound, "not_found", "not found: run "+r.ID)
	return true
}

// runStep approves or cancels a run through the API and goes back to it.
func (s *section) runStep(step string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := url.PathEscape(c.Param("id"))
		var r subsidy.Run
		if err := s.step(c, "/v1/subsidy/runs/"+id+"/"+step, &r); err != nil {
			s.k.Refuse(c, err)
			return
		}
		msg := "批次已作废，未支付任何款项。"
		if step == "approve" {
			paying := 0
			for _, d := range r.Districts {
				paying += d.Paying
			}
			msg = fmt.Sprintf("批次已批准并支付：%d 笔，共 %s 元。", paying, kit.Yuan(r.Total))
		}
		kit.Back(c, "/console/subsidy/runs/"+id, msg)
	}
}

// runDraft is the model of the draft form.
type runDraft struct {
	Scheme, Period string
	Schemes        []choice
	Error          *kit.APIError
}

// periodHint says how a scheme's period is written.
var periodHint = map[string]string{"month": "如 2026-03", "quarter": "如 2026-Q1", "half_year": "如 2026-H1", "year": "如 2026"}

// runForm is the draft form.
func (s *section) runForm(c *gin.Context) {
	s.renderRunDraft(c, http.StatusOK, runDraft{Scheme: c.Query("scheme"), Period: c.Query("period")})
}

// renderRunDraft shows the draft form with the schemes to choose from.
func (s *section) renderRunDraft(c *gin.Context, status int, d runDraft) {
	schemes, err := all[subsidy.Scheme](s.k, c, "/v1/subsidy/schemes")
	if err != nil {
		s.k.Refuse(c, err)
		return
	}
	for _, sc := range schemes {
		d.Schemes = append(d.Schemes, choice{sc.Code, fmt.Sprintf("%s %s（按%s，%s）", sc.Code, sc.Name,
			kit.Label(sc.Period), periodHint[sc.Period])})
	}
	s.k.Render(c, status, "subsidy-run-new", "起草物业补贴批次", d)
}

// draftRun asks the API for a draft run and goes to it; a refusal shows
// the form again with the API's reason.
func (s *section) draftRun(c *gin.Context) {
	d := runDraft{Scheme: c.PostForm("scheme"), Period: strings.TrimSpace(c.PostForm("period"))}
	var r subsidy.Run
	err := s.k.Post(c, "/v1/subsidy/runs", map[string]string{"scheme": d.Scheme, "period": d.Period}, c.PostForm("_key"), &r)
	if err == nil {
		kit.Back(c, "/console/subsidy/runs/"+url.PathEscape(r.ID), fmt.Sprintf(
			"批次草稿已生成：%d 行，应付 %s 元。请另一位财政人员复核明细后批准。", r.LineCount, kit.Yuan(r.Total)))
		return
	}
	e, ok := errors.AsType[*kit.APIError](err)
	if !ok {
		s.k.Refuse(c, err)
		return
	}
	d.Error = e
	s.renderRunDraft(c, e.Status, d)
}
