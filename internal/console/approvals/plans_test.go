package approvals_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"renofund/internal/console/consoletest"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// planForm is the posted draft of a city plan to both districts, HZ with a
// fiscal-difficulty coefficient of 1.2: HZ gets 6/11 of the total.
func planForm(total string) url.Values {
	return form("fund", "CG", "from", "city", "level", "districts", "total", total,
		"w_area", "0.4", "w_households", "0.4", "w_buildings", "0.1", "w_communities", "0.1", "document_no", "连财建〔2026〕8号",
		"n", "2",
		"r0_to", "district:HZ", "r0_on", "1", "r0_area", "8000", "r0_households", "120", "r0_buildings", "4", "r0_communities", "1", "r0_coefficient", "1.2",
		"r1_to", "district:LY", "r1_on", "1", "r1_area", "8000", "r1_households", "120", "r1_buildings", "4", "r1_communities", "1")
}

// planID is the plan a redirect after the draft form points at.
func planID(t *testing.T, p consoletest.Page) string {
	t.Helper()
	status(t, "draft", p, http.StatusSeeOther)
	u, err := url.Parse(p.Location())
	if err != nil || !strings.HasPrefix(u.Path, "/console/allocation-plans/") {
		t.Fatalf("draft went to %q", p.Location())
	}
	return strings.TrimPrefix(u.Path, "/console/allocation-plans/")
}

// TestPlanFourEyes: finance drafts a factor-method plan on the console's
// form; its own execution is refused with same_person on the page and moves
// nothing; a form without its CSRF secret is refused; the reviewer executes
// it and the API shows the plan executed by the reviewer.
func TestPlanFourEyes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := consoletest.New(t, db)
		fund(t, s, "CG", "central_grant", "city", "1000000.00", "basic")
		fin := signIn(t, s, "finance")

		p := fin.Get("/console/allocation-plans/new")
		status(t, "the form", p, http.StatusOK)
		has(t, "the form", p, "编制分配方案", `<option value="CG"`, `<option value="city"`)
		lacks(t, "the form before its first step", p, "<h2>第二步")
		p = fin.Get("/console/allocation-plans/new?fund=CG&from=city&level=districts&total=600000.00")
		status(t, "the recipients", p, http.StatusOK)
		has(t, "the recipients", p, "<h2>第二步", "海州区（HZ）", "连云区（LY）", `name="r0_to" value="district:HZ"`,
			`name="r0_households" value="120"`, `name="r0_area" value="8000"`, "1,000,000.00")

		// A malformed amount or count is refused on the form, which keeps what was typed.
		bad := planForm("600000.001")
		p = fin.PostForm("/console/allocation-plans/new", bad)
		refused(t, "a third decimal", p, http.StatusBadRequest, "invalid_amount", "金额格式不正确")
		has(t, "the form after a refusal", p, `name="total" value="600000.001"`, `name="r0_coefficient" value="1.2"`)
		bad = planForm("600000.00")
		bad.Set("r1_households", "一百二十")
		p = fin.PostForm("/console/allocation-plans/new", bad)
		refused(t, "a count in words", p, http.StatusBadRequest, "invalid_request", "户数应为整数")
		if got := must(t, s, "auditor", "GET", "/v1/allocation-plans", nil, 200)["items"].([]any); len(got) != 0 {
			t.Fatalf("refused drafts stored plans: %v", got)
		}

		draft := planForm("600,000.00")
		draft.Set("_key", fin.Key)
		p = fin.PostForm("/console/allocation-plans/new", draft)
		id := planID(t, p)
		// The form sent twice (a double click) drafts one plan.
		if again := planID(t, fin.PostForm("/console/allocation-plans/new", draft)); again != id {
			t.Errorf("the form sent twice drafted %s and %s", id, again)
		}
		if got := must(t, s, "auditor", "GET", "/v1/allocation-plans", nil, 200)["items"].([]any); len(got) != 1 {
			t.Errorf("plans after a double submit: %d", len(got))
		}
		p = fin.Get(p.Location())
		status(t, "the draft", p, http.StatusOK)
		has(t, "the draft", p, "分配方案草稿已保存", "草稿", "finance:finance", "327,272.73", "272,727.27", "600,000.00",
			"连财建〔2026〕8号", "54.5455%", "本方案由您编制")

		p = fin.PostForm("/console/allocation-plans/"+id+"/execute", form("_key", fin.Key))
		refused(t, "the drafter executes", p, http.StatusForbidden, "same_person", "复核人不能与经办人为同一人（四眼原则）")
		if got := must(t, s, "auditor", "GET", "/v1/allocation-plans/"+id, nil, 200); got["status"] != "draft" || len(got["transfers"].([]any)) != 0 {
			t.Fatalf("after the drafter's refusal: %v", got)
		}

		rev := signIn(t, s, "reviewer")
		p = rev.Get("/console/allocation-plans/" + id)
		has(t, "the reviewer's view", p, "复核无误，执行拨付")
		lacks(t, "the reviewer's view", p, "本方案由您编制")
		p = rev.PostForm("/console/allocation-plans/"+id+"/execute", form("_csrf", "", "_key", rev.Key))
		refused(t, "no CSRF secret", p, http.StatusForbidden, "csrf_failed", "页面已过期")
		if got := must(t, s, "auditor", "GET", "/v1/allocation-plans/"+id, nil, 200); got["status"] != "draft" {
			t.Fatalf("a form without its CSRF secret executed the plan: %v", got)
		}

		p = rev.PostForm("/console/allocation-plans/"+id+"/execute", form("_key", rev.Key))
		status(t, "the reviewer executes", p, http.StatusSeeOther)
		p = rev.Get(p.Location())
		has(t, "the executed plan", p, "方案已执行：2 笔拨付已记账", "已执行", "finance:reviewer")
		lacks(t, "the executed plan", p, "复核无误，执行拨付")
		got := must(t, s, "auditor", "GET", "/v1/allocation-plans/"+id, nil, 200)
		if got["status"] != "executed" || got["executed_by"] != "finance:reviewer" || len(got["transfers"].([]any)) != 2 {
			t.Fatalf("executed plan: %v", got)
		}
		hz := must(t, s, "hz", "GET", "/v1/funds/CG", nil, 200)["holdings"].([]any)
		if len(hz) != 1 || hz[0].(map[string]any)["available"] != "327272.73" {
			t.Errorf("HZ's holdings of CG: %v", hz)
		}
		// Sent again with the same form key, the execution is the same one.
		p = rev.PostForm("/console/allocation-plans/"+id+"/execute", form("_key", rev.Key))
		status(t, "the execution sent again", p, http.StatusSeeOther)
		if got := must(t, s, "auditor", "GET", "/v1/allocation-plans/"+id, nil, 200); len(got["transfers"].([]any)) != 2 {
			t.Errorf("executing twice posted more: %v", got)
		}
	})
}

// TestPlanRoles: the auditor reads plans and is refused execution; a
// district drafts from its own holding to its own projects only, and
// another district's plan does not exist for it.
func TestPlanRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := consoletest.New(t, db)
		fund(t, s, "CG", "central_grant", "city", "1000000.00", "basic")
		must(t, s, "finance", "POST", "/v1/allocations", map[string]any{"fund": "CG", "from": "city", "to": "district:HZ",
			"amount": "100000.00", "allocated_on": "2026-03-05"}, 201)
		city := planID(t, signIn(t, s, "finance").PostForm("/console/allocation-plans/new", planForm("1000.00")))

		hz := signIn(t, s, "hz")
		p := hz.Get("/console/allocation-plans/new?fund=CG&from=district:HZ&level=districts")
		status(t, "HZ's form", p, http.StatusOK)
		has(t, "HZ's form", p, `name="r0_to" value="project:HZ-001"`, "100,000.00", `<option value="district:HZ"`)
		lacks(t, "HZ's form", p, "LY-001", `<option value="city"`, `value="district:LY"`)
		id := planID(t, hz.PostForm("/console/allocation-plans/new", form("fund", "CG", "from", "district:HZ", "level", "projects",
			"total", "50000", "w_households", "1", "n", "1", "r0_to", "project:HZ-001", "r0_on", "1", "r0_households", "120")))
		p = hz.Get("/console/allocation-plans")
		status(t, "HZ's plans", p, http.StatusOK)
		has(t, "HZ's plans", p, id, "50,000.00")
		lacks(t, "HZ's plans", p, city)
		refused(t, "HZ reads the city's plan", hz.Get("/console/allocation-plans/"+city), http.StatusNotFound, "not_found", "没有找到")
		refused(t, "LY reads HZ's plan", signIn(t, s, "ly").Get("/console/allocation-plans/"+id), http.StatusNotFound, "not_found", "没有找到")
		refused(t, "HZ executes its own plan", hz.PostForm("/console/allocation-plans/"+id+"/execute", form("_key", hz.Key)),
			http.StatusForbidden, "same_person", "四眼原则")

		aud := signIn(t, s, "auditor")
		p = aud.Get("/console/allocation-plans/" + id)
		status(t, "the auditor reads HZ's plan", p, http.StatusOK)
		has(t, "the auditor's view", p, `<a href="/console/projects/HZ-001">项目 HZ-001</a>`, "50,000.00", "district:hz", "海州区（HZ）")
		lacks(t, "the auditor's view", p, "执行拨付")
		refused(t, "the auditor executes", aud.PostForm("/console/allocation-plans/"+id+"/execute", url.Values{}),
			http.StatusForbidden, "forbidden", "无权")
		refused(t, "the auditor's draft form", aud.Get("/console/allocation-plans/new"), http.StatusForbidden, "forbidden", "无权")
		refused(t, "the administrator's plans", signIn(t, s, "admin").Get("/console/allocation-plans"), http.StatusForbidden, "forbidden", "无权")
		if got := must(t, s, "auditor", "GET", "/v1/allocation-plans/"+id, nil, 200); got["status"] != "draft" {
			t.Errorf("refusals changed HZ's plan: %v", got)
		}
	})
}
