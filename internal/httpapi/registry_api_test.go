package httpapi_test

import (
	"fmt"
	"sync"
	"testing"
)

// projectEdit is a valid PUT /v1/projects/{code} body.
// count counts the rows of a table.
func (e *env) count(table string) int64 {
	e.T.Helper()
	var n int64
	if err := e.DB.G.Raw("SELECT COUNT(*) FROM " + table).Scan(&n).Error; err != nil {
		e.T.Fatal(err)
	}
	return n
}

// refuseAll is refuse that also checks the registry-edit tables.
func (e *env) refuseAll(t *testing.T, who, method, path string, body any, status int, code string) {
	t.Helper()
	tables := []string{"project_versions", "budget_amendments", "tax_records"}
	before := map[string]int64{}
	for _, tb := range tables {
		before[tb] = e.forT(t).count(tb)
	}
	var name string
	e.forT(t).DB.G.Raw("SELECT name FROM projects WHERE code = 'HZ-001'").Scan(&name)
	e.refuse(t, who, method, path, body, status, code)
	for _, tb := range tables {
		if n := e.forT(t).count(tb); n != before[tb] {
			t.Errorf("%s %s refused but %s went from %d to %d rows", method, path, tb, before[tb], n)
		}
	}
	var after string
	e.forT(t).DB.G.Raw("SELECT name FROM projects WHERE code = 'HZ-001'").Scan(&after)
	if after != name {
		t.Errorf("%s %s refused but the project's name changed to %q", method, path, after)
	}
}

func items(m map[string]any) []map[string]any {
	var out []map[string]any
	for _, it := range m["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

func codesOf(its []map[string]any, key string) []string {
	var out []string
	for _, it := range its {
		out = append(out, fmt.Sprint(it[key]))
	}
	return out
}

func TestFundList(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		setupMoney(e)
		e.Must("finance", "POST", "/v1/expenditures", expenditure("HZ-001", "basic", "700.00"), 201)
		e.Fund("OLD", "city_fiscal", "city", "basic")
		e.DB.G.Exec("UPDATE funds SET fiscal_year = 2025 WHERE code = 'OLD'")

		all := items(e.Must("finance", "GET", "/v1/funds", nil, 200))
		if got := fmt.Sprint(codesOf(all, "code")); got != "[CG HZF LYF OLD]" {
			t.Fatalf("finance sees %s", got)
		}
		// Each fund's totals are those GET /v1/funds/{code} computes, for
		// finance and for a district alike.
		for _, who := range []string{"finance", "hz"} {
			for _, it := range items(e.Must(who, "GET", "/v1/funds", nil, 200)) {
				one := e.Must(who, "GET", "/v1/funds/"+it["code"].(string), nil, 200)["totals"].(map[string]any)
				tot := it["totals"].(map[string]any)
				for _, k := range []string{"received", "spent", "available"} {
					if tot[k] != one[k] {
						t.Errorf("%s: %s %s = %v in the list, %v alone", who, it["code"], k, tot[k], one[k])
					}
				}
			}
		}
		cg := all[0]["totals"].(map[string]any)
		if cg["received"] != "100000.00" || cg["spent"] != "700.00" || cg["available"] != "99300.00" ||
			cg["allocated_out"] != "80000.00" {
			t.Errorf("CG totals for finance: %v", cg)
		}
		// A district sees its own funds and the city's fund that reached it.
		hz := items(e.Must("hz", "GET", "/v1/funds", nil, 200))
		if got := fmt.Sprint(codesOf(hz, "code")); got != "[CG HZF]" {
			t.Errorf("hz sees %s", got)
		}
		if tot := hz[0]["totals"].(map[string]any); tot["received"] != "50000.00" || tot["available"] != "49300.00" ||
			tot["allocated_out"] != "20000.00" {
			t.Errorf("CG totals for hz: %v", tot)
		}
		if got := fmt.Sprint(codesOf(items(e.Must("finance", "GET", "/v1/funds?district=LY", nil, 200)), "code")); got != "[CG LYF]" {
			t.Errorf("district=LY: %s", got)
		}
		filters := map[string]string{
			"kind=district_fiscal": "[HZF LYF]", "holder=city": "[CG OLD]", "fiscal_year=2025": "[OLD]",
			"kind=central_grant&fiscal_year=2026": "[CG]", "holder=district:HZ": "[HZF]",
		}
		for q, want := range filters {
			if got := fmt.Sprint(codesOf(items(e.Must("finance", "GET", "/v1/funds?"+q, nil, 200)), "code")); got != want {
				t.Errorf("?%s: %s, want %s", q, got, want)
			}
		}
		page := e.Must("finance", "GET", "/v1/funds?limit=2", nil, 200)
		if page["next"] != "HZF" || len(page["items"].([]any)) != 2 {
			t.Errorf("first page: %v", page["next"])
		}
		if got := fmt.Sprint(codesOf(items(e.Must("finance", "GET", "/v1/funds?limit=2&after=HZF", nil, 200)), "code")); got != "[LYF OLD]" {
			t.Errorf("second page: %s", got)
		}
		e.refuse(t, "hz", "GET", "/v1/funds?district=LY", nil, 403, "forbidden")
		e.refuse(t, "finance", "GET", "/v1/funds?kind=gold", nil, 400, "invalid_request")
		e.refuse(t, "finance", "GET", "/v1/funds?fiscal_year=20x6", nil, 400, "invalid_request")
		e.refuse(t, "finance", "GET", "/v1/funds?fiscal_year=26", nil, 400, "invalid_request")
		e.refuse(t, "finance", "GET", "/v1/funds?district=NO", nil, 404, "not_found")
		e.refuse(t, "admin", "GET", "/v1/funds", nil, 403, "forbidden")
	})
}

func TestPlanList(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		setupMoney(e)
		hzPlan := e.Must("finance", "POST", "/v1/allocation-plans", planBody("HZ"), 201)["id"].(string)
		lyPlan := e.Must("finance", "POST", "/v1/allocation-plans", planBody("LY"), 201)["id"].(string)
		e.Issue("finance2", "finance", "")
		e.Must("finance2", "POST", "/v1/allocation-plans/"+hzPlan+"/execute", nil, 200)

		all := items(e.Must("auditor", "GET", "/v1/allocation-plans", nil, 200))
		if len(all) != 2 {
			t.Fatalf("auditor sees %d plans", len(all))
		}
		hz := items(e.Must("hz", "GET", "/v1/allocation-plans", nil, 200))
		if len(hz) != 1 || hz[0]["id"] != hzPlan || hz[0]["status"] != "executed" || hz[0]["recipients"] != float64(1) ||
			hz[0]["total"] != "10.00" || hz[0]["executed_by"] != "finance:finance2" {
			t.Errorf("hz sees %v", hz)
		}
		if got := items(e.Must("finance", "GET", "/v1/allocation-plans?status=draft", nil, 200)); len(got) != 1 || got[0]["id"] != lyPlan {
			t.Errorf("drafts: %v", got)
		}
		if got := items(e.Must("finance", "GET", "/v1/allocation-plans?fund=LYF&status=executed", nil, 200)); len(got) != 0 {
			t.Errorf("executed LYF plans: %v", got)
		}
		if got := items(e.Must("ly", "GET", "/v1/allocation-plans?fund=LYF", nil, 200)); len(got) != 1 || got[0]["id"] != lyPlan {
			t.Errorf("ly's LYF plans: %v", got)
		}
		first := e.Must("finance", "GET", "/v1/allocation-plans?limit=1", nil, 200)
		rest := items(e.Must("finance", "GET", "/v1/allocation-plans?after="+first["next"].(string), nil, 200))
		if len(rest) != 1 || rest[0]["id"] == items(first)[0]["id"] {
			t.Errorf("paging: %v then %v", first, rest)
		}
		e.refuse(t, "ly", "GET", "/v1/allocation-plans?fund=HZF", nil, 404, "not_found")
		e.refuse(t, "finance", "GET", "/v1/allocation-plans?status=done", nil, 400, "invalid_request")
		e.refuse(t, "finance", "GET", "/v1/allocation-plans?fund=NOPE", nil, 404, "not_found")
	})
}

func TestImportHistory(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.Fund("HZR", "resident_contribution", "project:HZ-001", "basic")
		e.Fund("LYR", "resident_contribution", "project:LY-001", "basic")
		file := "household,amount,received_on,payer_name\n1-1-1,10.00,2026-03-01,住户甲\n1-1-2,20.00,2026-03-01,住户乙\n"
		r := e.Do("hz", "POST", `/v1/funds/HZR/receipts:import`, file, "Content-Type", "text/csv")
		if r.Status != 201 {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		id := r.JSON(t)["id"].(string)
		again := e.Do("finance", "POST", `/v1/funds/HZR/receipts:import`, file, "Content-Type", "text/csv")
		if again.Status != 201 {
			t.Fatalf("second import: %d %s", again.Status, again.Body)
		}
		if r := e.Do("finance", "POST", `/v1/funds/LYR/receipts:import`, file, "Content-Type", "text/csv"); r.Status != 201 {
			t.Fatalf("LY import: %d %s", r.Status, r.Body)
		}

		hz := items(e.Must("hz", "GET", "/v1/imports", nil, 200))
		if len(hz) != 2 {
			t.Fatalf("hz sees %d imports", len(hz))
		}
		first := hz[0]
		if first["id"] != id || first["fund"] != "HZR" || first["created_by"] != "district:hz" || first["rows"] != float64(2) ||
			first["imported"] != float64(2) || first["total"] != "30.00" || first["format"] != "csv" || first["file_sha256"] == "" {
			t.Errorf("first import: %v", first)
		}
		if hz[1]["duplicates"] != float64(2) || hz[1]["imported"] != float64(0) || hz[1]["created_by"] != "finance:finance" {
			t.Errorf("second import: %v", hz[1])
		}
		if got := items(e.Must("finance", "GET", "/v1/imports", nil, 200)); len(got) != 3 {
			t.Errorf("finance sees %d imports", len(got))
		}
		if got := items(e.Must("auditor", "GET", "/v1/imports?fund=LYR", nil, 200)); len(got) != 1 || got[0]["fund"] != "LYR" {
			t.Errorf("LYR imports: %v", got)
		}
		if got := items(e.Must("ly", "GET", "/v1/imports", nil, 200)); len(got) != 1 || got[0]["fund"] != "LYR" {
			t.Errorf("ly sees %v", got)
		}
		page := e.Must("finance", "GET", "/v1/imports?limit=2", nil, 200)
		if page["next"] == nil || len(items(e.Must("finance", "GET", "/v1/imports?after="+page["next"].(string), nil, 200))) != 1 {
			t.Errorf("paging: %v", page["next"])
		}
		e.refuse(t, "ly", "GET", "/v1/imports?fund=HZR", nil, 404, "not_found")
		e.refuse(t, "admin", "GET", "/v1/imports", nil, 403, "forbidden")
	})
}

func TestProjectEdits(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		p := e.Must("hz", "PUT", "/v1/projects/HZ-001", projectEdit("朝阳小区"), 200)
		if p["name"] != "朝阳小区" || p["households"] != float64(330) || p["district"] != "HZ" ||
			p["budget"].(map[string]any)["basic"] != "3000000.00" {
			t.Errorf("edited: %v", p)
		}
		// Sending code, district and budget back unchanged is fine.
		same := projectEdit("朝阳新村")
		same["code"], same["district"] = "HZ-001", "HZ"
		same["budget"] = map[string]any{"basic": "3000000.00", "improvement": "1200000.00", "upgrade": "500000.00"}
		e.Must("finance", "PUT", "/v1/projects/HZ-001", same, 200)
		if got := e.Must("auditor", "GET", "/v1/projects/HZ-001", nil, 200); got["name"] != "朝阳新村" || got["buildings"] != float64(9) {
			t.Errorf("read after edit: %v", got)
		}
		vs := items(e.Must("hz", "GET", "/v1/projects/HZ-001/versions", nil, 200))
		if len(vs) != 3 {
			t.Fatalf("%d versions", len(vs))
		}
		want := []struct{ name, change, by string }{
			{"小区 HZ-001", "created", "finance:finance"}, {"朝阳小区", "edited", "district:hz"}, {"朝阳新村", "edited", "finance:finance"},
		}
		for i, w := range want {
			v := vs[i]
			if v["version"] != float64(i+1) || v["name"] != w.name || v["change"] != w.change || v["recorded_by"] != w.by || v["recorded_at"] == "" {
				t.Errorf("version %d: %v", i+1, v)
			}
		}
		if vs[0]["households"] != float64(320) || vs[1]["households"] != float64(330) {
			t.Errorf("version fields not kept: %v / %v", vs[0]["households"], vs[1]["households"])
		}
		page := e.Must("finance", "GET", "/v1/projects/HZ-001/versions?limit=2", nil, 200)
		if page["next"] != "2" || len(items(e.Must("finance", "GET", "/v1/projects/HZ-001/versions?after=2", nil, 200))) != 1 {
			t.Errorf("paging: %v", page["next"])
		}

		moved := projectEdit("x")
		moved["district"] = "LY"
		recode := projectEdit("x")
		recode["code"] = "HZ-002"
		rebudget := projectEdit("x")
		rebudget["budget"] = map[string]any{"basic": "1.00", "improvement": "1200000.00", "upgrade": "500000.00"}
		bad := projectEdit("")
		old := projectEdit("x")
		old["built_year"] = 1800
		cases := []struct {
			name, who, path string
			body            any
			status          int
			code            string
		}{
			{"district changes", "finance", "/v1/projects/HZ-001", moved, 400, "field_immutable"},
			{"code changes", "finance", "/v1/projects/HZ-001", recode, 400, "field_immutable"},
			{"budget changes", "finance", "/v1/projects/HZ-001", rebudget, 422, "use_budget_amendment"},
			{"no name", "finance", "/v1/projects/HZ-001", bad, 400, "invalid_request"},
			{"built year", "finance", "/v1/projects/HZ-001", old, 400, "invalid_request"},
			{"unknown field", "finance", "/v1/projects/HZ-001", map[string]any{"name": "x", "colour": "red"}, 400, "invalid_request"},
			{"other district", "ly", "/v1/projects/HZ-001", projectEdit("x"), 404, "not_found"},
			{"auditor", "auditor", "/v1/projects/HZ-001", projectEdit("x"), 403, "forbidden"},
			{"no project", "finance", "/v1/projects/NOPE", projectEdit("x"), 404, "not_found"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) { e.refuseAll(t, c.who, "PUT", c.path, c.body, c.status, c.code) })
		}
		e.refuse(t, "ly", "GET", "/v1/projects/HZ-001/versions", nil, 404, "not_found")
		e.refuse(t, "finance", "GET", "/v1/projects/HZ-001/versions?after=x", nil, 400, "invalid_request")
	})
}

func TestBudgetAmendments(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		setupMoney(e)
		e.Must("hz", "POST", "/v1/expenditures", expenditure("HZ-001", "basic", "2000.00"), 201)
		a := e.Must("finance", "POST", "/v1/projects/HZ-001/budget-amendments", amendment("3500000.00", "1000000.00"), 201)
		before, after := a["before"].(map[string]any), a["after"].(map[string]any)
		if before["basic"] != "3000000.00" || after["basic"] != "3500000.00" || before["improvement"] != "1200000.00" ||
			after["improvement"] != "1000000.00" || a["recorded_by"] != "finance:finance" || a["version"] != float64(2) ||
			a["document_no"] != "连财建〔2026〕12号" || a["id"] == "" {
			t.Errorf("amendment: %v", a)
		}
		p := e.Must("hz", "GET", "/v1/projects/HZ-001", nil, 200)
		if b := p["budget"].(map[string]any); b["basic"] != "3500000.00" || b["improvement"] != "1000000.00" {
			t.Errorf("budget after amendment: %v", b)
		}
		funding := e.Must("hz", "GET", "/v1/projects/HZ-001/funding", nil, 200)
		if c := funding["categories"].([]any)[0].(map[string]any); c["budget"] != "3500000.00" || c["spent"] != "2000.00" {
			t.Errorf("funding view category: %v", c)
		}
		// Below what is spent in a category: refused.
		for _, c := range []struct {
			name, who, path string
			body            any
			status          int
			code            string
		}{
			{"below spent", "finance", "/v1/projects/HZ-001/budget-amendments", amendment("1999.99", "0.00"), 422, "budget_below_spent"},
			{"no document", "finance", "/v1/projects/HZ-001/budget-amendments",
				map[string]any{"budget": amendment("1.00", "1.00")["budget"], "reason": "r"}, 400, "invalid_request"},
			{"no reason", "finance", "/v1/projects/HZ-001/budget-amendments",
				map[string]any{"budget": amendment("1.00", "1.00")["budget"], "document_no": "d"}, 400, "invalid_request"},
			{"negative", "finance", "/v1/projects/HZ-001/budget-amendments", amendment("-1.00", "1.00"), 400, "invalid_amount"},
			{"unchanged", "finance", "/v1/projects/HZ-001/budget-amendments", amendment("3500000.00", "1000000.00"), 409, "conflict"},
			{"district", "hz", "/v1/projects/HZ-001/budget-amendments", amendment("4000000.00", "1.00"), 403, "forbidden"},
			{"no project", "finance", "/v1/projects/NOPE/budget-amendments", amendment("4000000.00", "1.00"), 404, "not_found"},
		} {
			t.Run(c.name, func(t *testing.T) { e.refuseAll(t, c.who, "POST", c.path, c.body, c.status, c.code) })
		}
		// Exactly what is spent is allowed.
		e.Must("finance", "POST", "/v1/projects/HZ-001/budget-amendments", amendment("2000.00", "1000000.00"), 201)

		// Concurrent amendments: none lost, each starting from the one before.
		var wg sync.WaitGroup
		for i := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if r := e.Do("finance", "POST", "/v1/projects/HZ-001/budget-amendments",
					amendment(fmt.Sprintf("%d.00", 5000000+i), "1000000.00")); r.Status != 201 {
					t.Errorf("concurrent amendment %d: %d %s", i, r.Status, r.Body)
				}
			}()
		}
		wg.Wait()
		hist := items(e.Must("hz", "GET", "/v1/projects/HZ-001/budget-amendments", nil, 200))
		if len(hist) != 8 {
			t.Fatalf("%d amendments kept, want 8", len(hist))
		}
		for i := 1; i < len(hist); i++ {
			prev, cur := hist[i-1]["after"].(map[string]any), hist[i]["before"].(map[string]any)
			if fmt.Sprint(prev) != fmt.Sprint(cur) || hist[i]["version"] != hist[i-1]["version"].(float64)+1 {
				t.Errorf("amendment %d starts from %v, the one before ended at %v", i, cur, prev)
			}
		}
		last := hist[len(hist)-1]["after"].(map[string]any)
		if got := e.Must("finance", "GET", "/v1/projects/HZ-001", nil, 200)["budget"].(map[string]any); fmt.Sprint(got) != fmt.Sprint(last) {
			t.Errorf("project budget %v, last amendment %v", got, last)
		}
		vs := items(e.Must("finance", "GET", "/v1/projects/HZ-001/versions", nil, 200))
		if len(vs) != 9 || vs[1]["change"] != "budget_amendment" || vs[1]["budget"].(map[string]any)["basic"] != "3500000.00" {
			t.Errorf("versions after amendments: %d, %v", len(vs), vs[1])
		}
		e.refuse(t, "ly", "GET", "/v1/projects/HZ-001/budget-amendments", nil, 404, "not_found")
	})
}

func TestTaxReversal(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		relief := e.Must("hz", "POST", "/v1/tax/service-relief", reliefBody("HZ"), 201)
		id := relief["id"].(string)
		asset := e.Must("finance", "POST", "/v1/tax/utility-assets", assetBody("HZ"), 201)
		ly := e.Must("finance", "POST", "/v1/tax/service-relief", reliefBody("LY"), 201)["id"].(string)
		reportBefore := e.Must("finance", "GET", "/v1/reports/tax-expenditure", nil, 200)

		rev := e.Must("hz", "POST", "/v1/tax/records/"+id+"/reversal", map[string]any{"reason": "收入申报有误"}, 201)
		if rev["reversal_of"] != id || rev["total"] != "-"+relief["total"].(string) || rev["reason"] != "收入申报有误" ||
			rev["kind"] != "service_relief" || rev["recorded_by"] != "district:hz" || rev["id"] == id {
			t.Errorf("reversal: %v", rev)
		}
		view := e.Must("hz", "GET", "/v1/projects/HZ-001/tax-expenditure", nil, 200)
		if view["total"] != asset["tax_expenditure"] || len(view["items"].([]any)) != 3 {
			t.Errorf("project view after reversal: total %v, %d items", view["total"], len(view["items"].([]any)))
		}
		for _, it := range items(view) {
			if it["id"] == id && it["reversed_by"] != rev["id"] {
				t.Errorf("original not marked reversed: %v", it)
			}
		}
		rep := e.Must("finance", "GET", "/v1/reports/tax-expenditure", nil, 200)
		for _, l := range rep["lines"].([]any) {
			l := l.(map[string]any)
			if l["district"] == "HZ" && l["kind"] == "service_relief" && (l["total"] != "0.00" || l["items"] != float64(0)) {
				t.Errorf("HZ service relief not netted: %v", l)
			}
		}
		if rep["total"] == reportBefore["total"] {
			t.Errorf("report total unchanged by the reversal: %v", rep["total"])
		}
		hzRep := e.Must("hz", "GET", "/v1/reports/tax-expenditure", nil, 200)
		if hzRep["total"] != asset["tax_expenditure"] {
			t.Errorf("hz report total %v, want %v", hzRep["total"], asset["tax_expenditure"])
		}

		e.refuseAll(t, "finance", "POST", "/v1/tax/records/"+id+"/reversal", map[string]any{"reason": "again"}, 409, "already_reversed")
		e.refuseAll(t, "finance", "POST", "/v1/tax/records/"+rev["id"].(string)+"/reversal", map[string]any{"reason": "x"}, 422, "rule_violation")
		e.refuseAll(t, "hz", "POST", "/v1/tax/records/"+ly+"/reversal", map[string]any{"reason": "x"}, 404, "not_found")
		e.refuseAll(t, "auditor", "POST", "/v1/tax/records/"+ly+"/reversal", map[string]any{"reason": "x"}, 403, "forbidden")
		e.refuseAll(t, "finance", "POST", "/v1/tax/records/"+ly+"/reversal", map[string]any{}, 400, "invalid_request")
		e.refuseAll(t, "finance", "POST", "/v1/tax/records/no-such/reversal", map[string]any{"reason": "x"}, 404, "not_found")

		// Concurrent reversals of one record: one wins, the other is 409.
		var wg sync.WaitGroup
		statuses := make([]int, 4)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = e.Do("finance", "POST", "/v1/tax/records/"+ly+"/reversal", map[string]any{"reason": "并发"}).Status
			}()
		}
		wg.Wait()
		won := 0
		for _, s := range statuses {
			if s == 201 {
				won++
			} else if s != 409 {
				t.Errorf("concurrent reversal: %d", s)
			}
		}
		if won != 1 {
			t.Errorf("%d concurrent reversals won: %v", won, statuses)
		}
	})
}
