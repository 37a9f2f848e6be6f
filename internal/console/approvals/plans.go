package approvals

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/shopspring/decimal"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/console/kit"
	"renofund/internal/money"
	"renofund/internal/web"
)

// plans are the allocation plans' pages: the list, one plan with its
// shares, the draft form and the execution by a second person.
func (s *section) plans() []web.Route {
	k := s.k
	list := k.List(kit.ListSpec{Path: "/console/allocation-plans", Title: "分配方案（因素法）", API: "/v1/allocation-plans",
		Note:    "因素法分配方案：一人编制草稿，另一位财政人员复核后执行拨付。点击编号查看各对象的因素、份额与金额。",
		Filters: []kit.Filter{{Name: "status", Label: "状态", Options: []string{"draft", "executed"}}, {Name: "fund", Label: "资金编号"}},
		Cols: []kit.Column{{Key: "id", Label: "方案编号", Kind: kit.Link, Href: "/console/allocation-plans/{id}"},
			{Key: "status", Label: "状态", Kind: kit.Code}, {Key: "fund", Label: "资金"}, {Key: "from", Label: "拨出方", Kind: kit.Code},
			{Key: "total", Label: "分配总额", Kind: kit.Amount}, {Key: "recipients", Label: "对象数"},
			{Key: "document_no", Label: "文号"}, {Key: "created_by", Label: "编制人"}, {Key: "created_at", Label: "编制时间"},
			{Key: "executed_by", Label: "执行人"}, {Key: "executed_at", Label: "执行时间"}}})
	draft := k.RolesOf("POST /v1/allocation-plans")
	k.Nav("/console/allocation-plans/new", "编制分配方案", draft)
	return []web.Route{list,
		{Method: http.MethodGet, Path: "/console/allocation-plans/new", Page: true, Roles: draft,
			Summary: "Draft an allocation plan: fund, amount, level, weights, then the recipients' factors", Handle: s.planForm},
		{Method: http.MethodPost, Path: "/console/allocation-plans/new", Page: true, Roles: draft,
			Summary: "Compute and store an allocation plan's draft", Handle: s.draftPlan},
		{Method: http.MethodGet, Path: "/console/allocation-plans/:id", Page: true, Roles: k.RolesOf("GET /v1/allocation-plans/:id"),
			Summary: "One allocation plan: its recipients' factors, shares and amounts, who drafted and executed it", Handle: s.plan},
		{Method: http.MethodPost, Path: "/console/allocation-plans/:id/execute", Page: true, Long: true,
			Roles: k.RolesOf("POST /v1/allocation-plans/:id/execute"), Summary: "Execute a plan (a second person)", Handle: s.executePlan},
	}
}

// planPage is the model of one plan's page.
type planPage struct {
	Plan              *movement.Plan
	From              string
	Lines             []planLine
	Weights           []choice
	Created, Executed string
	// Mine says the signed-in user drafted the plan; CanExecute that the
	// role may execute plans.
	Mine, CanExecute bool
}

// planLine is one recipient: its factors and what the plan gives it.
type planLine struct {
	Name, Href                         string
	Area, Coefficient, Performance     string
	Households, Buildings, Communities int64
	Share, Exact                       string
	Amount                             money.Amount
}

// choice is an option of a form's select, or a labelled value.
type choice struct{ Value, Label string }

// plan shows one plan for review: what each recipient gets and why.
func (s *section) plan(c *gin.Context) {
	var p movement.Plan
	if err := s.k.Get(c, "/v1/allocation-plans/"+url.PathEscape(c.Param("id")), &p); err != nil {
		s.k.Refuse(c, err)
		return
	}
	_, names, err := s.districts(c)
	if err != nil {
		s.k.Refuse(c, err)
		return
	}
	in := map[string]movement.PlanRecipient{}
	for _, r := range p.Inputs.Recipients {
		in[r.To] = r
	}
	v := planPage{Plan: &p, From: names.name(p.From), Created: when(p.CreatedAt), Executed: when(p.ExecutedAt),
		Mine: samePerson(c, p.CreatedBy), CanExecute: may(c, s.k.RolesOf("POST /v1/allocation-plans/:id/execute"))}
	for _, sh := range p.Shares {
		r := in[sh.To]
		l := planLine{Name: names.name(sh.To), Href: link(sh.To), Area: r.AreaM2.String(), Households: r.Households,
			Buildings: r.Buildings, Communities: r.Communities, Coefficient: "1", Performance: r.Performance.String(),
			Exact: sh.Share, Share: sh.Share, Amount: sh.Amount}
		if !r.Coefficient.IsZero() {
			l.Coefficient = r.Coefficient.String()
		}
		if d, err := decimal.NewFromString(sh.Share); err == nil {
			l.Share = d.Mul(decimal.NewFromInt(100)).StringFixed(4) + "%"
		}
		v.Lines = append(v.Lines, l)
	}
	w := p.Inputs.Weights
	v.Weights = []choice{{w.Area.String(), "面积"}, {w.Households.String(), "户数"}, {w.Buildings.String(), "楼栋数"},
		{w.Communities.String(), "小区数"}, {w.Performance.String(), "绩效"}, {p.Inputs.PerformancePool.String(), "绩效奖励池"}}
	s.k.Render(c, http.StatusOK, "allocation-plan", "分配方案 "+p.ID, v)
}

// executePlan asks the API to post the plan's allocations; the drafter
// is refused (same_person) and the refusal is the page.
func (s *section) executePlan(c *gin.Context) {
	id := c.Param("id")
	var p movement.Plan
	if err := s.step(c, "/v1/allocation-plans/"+url.PathEscape(id)+"/execute", &p); err != nil {
		s.k.Refuse(c, err)
		return
	}
	kit.Back(c, "/console/allocation-plans/"+url.PathEscape(id),
		fmt.Sprintf("方案已执行：%d 笔拨付已记账，共 %s 元。", len(p.Transfers), kit.Yuan(p.Total)))
}

// planDraft is the draft form's model: the clerk's choices, the
// recipients with their factors once fund, source and level are chosen,
// and the API's refusal of a draft.
type planDraft struct {
	Fund, From, Level, Total, DocumentNo, AllocatedOn, Memo string
	Area, Households, Buildings, Communities, Performance   string // weights
	Pool                                                    string // performance pool
	Funds, Froms, Levels                                    []choice
	// Available is what the fund holds at the source, once chosen.
	Available string
	Rows      []recipientRow
	Error     *kit.APIError
}

// recipientRow is one recipient on the form, with its factors as typed.
type recipientRow struct {
	To, Name                                 string
	On                                       bool
	Area, Households, Buildings, Communities string
	Coefficient, Performance                 string
}

// levels are where a plan's money goes.
var levels = []choice{{"districts", "分配到各区县"}, {"projects", "分配到各项目（小区）"}}

// readDraft reads the form's choices from get (the query or the posted
// form); the weights default to the 2019 factor weights.
func readDraft(get func(string) string) planDraft {
	d := planDraft{Fund: get("fund"), From: get("from"), Level: get("level"), Total: get("total"),
		DocumentNo: get("document_no"), AllocatedOn: get("allocated_on"), Memo: get("memo"),
		Area: get("w_area"), Households: get("w_households"), Buildings: get("w_buildings"),
		Communities: get("w_communities"), Performance: get("w_performance"), Pool: get("pool")}
	if d.Area+d.Households+d.Buildings+d.Communities+d.Performance+d.Pool == "" {
		d.Area, d.Households, d.Buildings, d.Communities = "0.4", "0.4", "0.1", "0.1"
	}
	if d.From != "" && d.From != funding.City {
		d.Level = "projects" // a district allocates to its own projects
	}
	return d
}

// planForm is the draft form; once fund, source and level are chosen it
// lists the recipients with their factors.
func (s *section) planForm(c *gin.Context) {
	d := readDraft(c.Query)
	status := http.StatusOK
	if d.Fund != "" && d.From != "" && d.Level != "" {
		rows, err := s.recipients(c, d.From, d.Level)
		if err == nil {
			d.Rows = rows
			err = s.available(c, &d)
		}
		if e, ok := errors.AsType[*kit.APIError](err); ok {
			d.Error, status, d.Rows = e, e.Status, nil
		} else if err != nil {
			s.k.Refuse(c, err)
			return
		}
	}
	s.renderDraft(c, status, d)
}

// renderDraft shows the draft form with its choices.
func (s *section) renderDraft(c *gin.Context, status int, d planDraft) {
	if err := s.choices(c, &d); err != nil {
		s.k.Refuse(c, err)
		return
	}
	s.k.Render(c, status, "allocation-plan-new", "编制分配方案", d)
}

// fundChoice is a fund as the form offers it.
type fundChoice struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Holder string `json:"holder"` // where it was registered
}

// choices fills the form's selects: the sources (the city for the bureau,
// districts), the funds that can sit at a source (the city's funds, as far
// as the user sees them, and the districts' own), the levels. A project's
// funds stay out: a project allocates nothing further down.
func (s *section) choices(c *gin.Context, d *planDraft) error {
	ds, names, err := s.districts(c)
	if err != nil {
		return err
	}
	a := actor(c)
	if a.District == "" {
		d.Froms = append(d.Froms, choice{funding.City, "市级"})
	}
	holders := []string{funding.City}
	for _, dist := range ds {
		if a.District == "" || a.District == dist.Code {
			h := funding.DistrictHolder(dist.Code)
			d.Froms = append(d.Froms, choice{h, names.name(h)})
			holders = append(holders, h)
		}
	}
	for _, h := range holders {
		funds, err := all[fundChoice](s.k, c, "/v1/funds?holder="+url.QueryEscape(h))
		if err != nil {
			return err
		}
		for _, f := range funds {
			d.Funds = append(d.Funds, choice{f.Code, f.Code + " " + f.Name + "（" + kit.Label(f.Kind) + "，" + names.name(f.Holder) + "）"})
		}
	}
	d.Levels = levels
	return nil
}

// available reads what the fund holds at the source.
func (s *section) available(c *gin.Context, d *planDraft) error {
	var f struct {
		Holdings []struct {
			Holder    string       `json:"holder"`
			Available money.Amount `json:"available"`
		} `json:"holdings"`
	}
	if err := s.k.Get(c, "/v1/funds/"+url.PathEscape(d.Fund), &f); err != nil {
		return err
	}
	d.Available = "0.00"
	for _, h := range f.Holdings {
		if h.Holder == d.From {
			d.Available = h.Available.String()
		}
	}
	return nil
}

// recipients are the holders below from at the level, with their factors
// from the registry: a project's floor area, households and buildings (one
// community); a district's sums over its projects.
func (s *section) recipients(c *gin.Context, from, level string) ([]recipientRow, error) {
	path := "/v1/projects"
	if h, ok := funding.ParseHolder(from); ok && h.District != "" {
		path += "?district=" + url.QueryEscape(h.District)
	}
	projects, err := all[funding.Project](s.k, c, path)
	if err != nil {
		return nil, err
	}
	ds, names, err := s.districts(c)
	if err != nil {
		return nil, err
	}
	if level == "projects" {
		rows := make([]recipientRow, len(projects))
		for i, p := range projects {
			rows[i] = recipientRow{To: funding.ProjectHolder(p.Code), Name: p.Code + " " + p.Name, On: p.Households > 0 || !p.FloorAreaM2.IsZero(),
				Area: p.FloorAreaM2.String(), Households: strconv.FormatInt(p.Households, 10),
				Buildings: strconv.FormatInt(p.Buildings, 10), Communities: "1"}
		}
		return rows, nil
	}
	type sums struct {
		area                      decimal.Decimal
		households, buildings, cs int64
	}
	by := map[string]*sums{}
	for _, p := range projects {
		t := by[p.District]
		if t == nil {
			t = &sums{}
			by[p.District] = t
		}
		t.area = t.area.Add(p.FloorAreaM2.Decimal())
		t.households += p.Households
		t.buildings += p.Buildings
		t.cs++
	}
	var rows []recipientRow
	for _, d := range ds {
		t := by[d.Code]
		if t == nil {
			t = &sums{}
		}
		h := funding.DistrictHolder(d.Code)
		rows = append(rows, recipientRow{To: h, Name: names.name(h), On: t.cs > 0, Area: t.area.String(),
			Households: strconv.FormatInt(t.households, 10), Buildings: strconv.FormatInt(t.buildings, 10),
			Communities: strconv.FormatInt(t.cs, 10)})
	}
	return rows, nil
}

// maxRows bounds the recipients a posted form may carry.
const maxRows = movement.MaxBatch

// draftPlan sends the form to the API as a draft plan and goes to it; a
// refusal shows the form again, as typed, with the API's reason.
func (s *section) draftPlan(c *gin.Context) {
	d := readDraft(c.PostForm)
	n, _ := strconv.Atoi(c.PostForm("n"))
	n = min(max(n, 0), maxRows)
	for i := range n {
		get := func(f string) string { return strings.TrimSpace(c.PostForm(fmt.Sprintf("r%d_%s", i, f))) }
		d.Rows = append(d.Rows, recipientRow{To: get("to"), Name: get("name"), On: get("on") != "", Area: get("area"),
			Households: get("households"), Buildings: get("buildings"), Communities: get("communities"),
			Coefficient: get("coefficient"), Performance: get("performance")})
	}
	body, err := d.body()
	if err == nil {
		var p movement.Plan
		if err = s.k.Post(c, "/v1/allocation-plans", body, c.PostForm("_key"), &p); err == nil {
			kit.Back(c, "/console/allocation-plans/"+url.PathEscape(p.ID),
				fmt.Sprintf("分配方案草稿已保存（%d 个对象，共 %s 元），请另一位财政人员复核后执行。", len(p.Shares), kit.Yuan(p.Total)))
			return
		}
	}
	e, ok := errors.AsType[*kit.APIError](err)
	if !ok {
		s.k.Refuse(c, err)
		return
	}
	d.Error = e
	if d.Fund != "" && d.From != "" {
		if err := s.available(c, &d); err != nil {
			d.Available = ""
		}
	}
	s.renderDraft(c, e.Status, d)
}

// body is the API's request for the form: POST /v1/allocation-plans.
// Counts are whole numbers; every other value goes to the API as typed,
// which checks it.
func (d planDraft) body() (map[string]any, error) {
	var rs []map[string]any
	for i, r := range d.Rows {
		if !r.On {
			continue
		}
		m := map[string]any{"to": r.To, "area_m2": orZero(r.Area)}
		for _, f := range []struct{ key, label, v string }{{"households", "户数", r.Households},
			{"buildings", "楼栋数", r.Buildings}, {"communities", "小区数", r.Communities}} {
			n, err := strconv.ParseInt(orZero(f.v), 10, 64)
			if err != nil {
				return nil, &kit.APIError{Status: http.StatusBadRequest, Code: "invalid_request",
					Message: fmt.Sprintf("第 %d 行（%s）的%s应为整数，填写的是 %q", i+1, r.Name, f.label, f.v)}
			}
			m[f.key] = n
		}
		optional(m, "coefficient", r.Coefficient)
		optional(m, "performance", r.Performance)
		rs = append(rs, m)
	}
	weights := map[string]any{}
	for key, v := range map[string]string{"area": d.Area, "households": d.Households, "buildings": d.Buildings,
		"communities": d.Communities, "performance": d.Performance} {
		optional(weights, key, v)
	}
	b := map[string]any{"fund": d.Fund, "from": d.From, "total": amountText(d.Total), "recipients": rs, "weights": weights}
	optional(b, "performance_pool", d.Pool)
	optional(b, "document_no", d.DocumentNo)
	optional(b, "allocated_on", d.AllocatedOn)
	optional(b, "memo", d.Memo)
	return b, nil
}

// optional sets m[key] when the value was typed.
func optional(m map[string]any, key, v string) {
	if v = strings.TrimSpace(v); v != "" {
		m[key] = v
	}
}

// orZero is a typed number, or 0 when left empty.
func orZero(v string) string {
	if v = strings.TrimSpace(v); v == "" {
		return "0"
	}
	return v
}

// amountText is an amount as a clerk types it, without thousands
// separators; the API checks the rest.
func amountText(v string) string {
	return strings.NewReplacer(",", "", "，", "", " ", "").Replace(strings.TrimSpace(v))
}
