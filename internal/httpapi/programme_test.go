package httpapi_test

import (
	"testing"
)

// programmeCounts are the programme's rows and the projects' statuses,
// which a refusal leaves as they were.
func (e *env) programmeCounts() [5]string {
	e.T.Helper()
	var n [5]string
	for i, q := range []string{"SELECT COUNT(*) FROM project_status_steps", "SELECT COUNT(*) FROM programme_targets",
		"SELECT COUNT(*) FROM funding_plans", "SELECT COUNT(*) FROM contribution_dues",
		"SELECT COALESCE(MAX(code || ':' || status), '') FROM projects WHERE status <> 'reserve'"} {
		if err := e.DB.G.Raw(q).Scan(&n[i]).Error; err != nil {
			e.T.Fatal(err)
		}
	}
	return n
}

// refuseProgramme refuses a request and checks that neither the programme
// nor the books nor the works register moved.
func (e *env) refuseProgramme(t *testing.T, who, method, path string, body any, status int, code string) {
	t.Helper()
	before := e.programmeCounts()
	e.refuseWorks(t, who, method, path, body, status, code)
	if after := e.programmeCounts(); after != before {
		t.Errorf("%s %s: refused, yet the programme changed: %v → %v", method, path, before, after)
	}
}

func step(status, on string) map[string]any {
	return map[string]any{"status": status, "on": on, "document_no": "连政办〔2024〕" + on}
}

// TestStatusPipeline walks a project from the reserve to closed: each step
// forward one at a time with what it needs, every refusal writing nothing.
func TestStatusPipeline(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		const path = "/v1/projects/HZ-001/status"
		if p := e.Must("hz", "GET", "/v1/projects/HZ-001", nil, 200); p["status"] != "reserve" || p["plan_year"] != nil {
			t.Errorf("a new project: %v", p)
		}
		e.refuseProgramme(t, "hz", "POST", path, step("planned", "2024-01-10"), 422, "plan_year_missing")
		e.refuseProgramme(t, "hz", "POST", path, step("under_construction", "2024-01-10"), 422, "invalid_status_change")
		e.refuseProgramme(t, "finance", "POST", path, step("closed", "2024-01-10"), 422, "invalid_status_change")
		e.refuseProgramme(t, "hz", "POST", path, step("finished", "2024-01-10"), 400, "invalid_request")
		e.refuseProgramme(t, "hz", "POST", path, withField(step("planned", "2024-01-10"), "document_no", ""), 400, "invalid_request")
		e.refuseProgramme(t, "ly", "POST", path, step("planned", "2024-01-10"), 404, "not_found")
		e.refuseProgramme(t, "auditor", "POST", path, step("planned", "2024-01-10"), 403, "forbidden")
		e.refuseProgramme(t, "hz", "PUT", "/v1/projects/HZ-001", withField(projectEdit("小区"), "plan_year", 1999), 400, "invalid_request")
		e.refuseProgramme(t, "hz", "PUT", "/v1/projects/HZ-001", withField(projectEdit("小区"), "status", "planned"), 422, "use_status_route")

		edited := e.Must("hz", "PUT", "/v1/projects/HZ-001", withField(projectEdit("新海新村"), "plan_year", 2024), 200)
		if edited["plan_year"] != float64(2024) || edited["status"] != "reserve" {
			t.Errorf("edited: %v", edited)
		}
		// A PUT without plan_year keeps it; the versions keep it.
		e.Must("hz", "PUT", "/v1/projects/HZ-001", withField(projectEdit("新海新村"), "status", "reserve"), 200)
		vs := items(e.Must("hz", "GET", "/v1/projects/HZ-001/versions", nil, 200))
		if len(vs) != 3 || vs[0]["plan_year"] != nil || vs[1]["plan_year"] != float64(2024) || vs[2]["plan_year"] != float64(2024) {
			t.Errorf("versions: %v", vs)
		}

		e.Must("hz", "POST", path, step("planned", "2024-01-10"), 201)
		e.refuseProgramme(t, "hz", "POST", path, step("under_construction", "2024-02-05"), 422, "no_signed_contract")
		payee := e.Must("finance", "POST", "/v1/payees", payeeBody("P"), 201)["id"].(string)
		c := map[string]any{"payee": payee, "category": "basic", "sum": "100000.00", "signed_on": "2024-01-02", "retention_rate": "0"}
		id := e.Must("hz", "POST", "/v1/projects/HZ-001/contracts", c, 201)["id"].(string)
		e.refuseProgramme(t, "hz", "POST", path, step("under_construction", "2024-01-05"), 422, "invalid_status_change")
		e.refuseProgramme(t, "hz", "POST", path, step("under_construction", "2099-01-05"), 422, "future_date")
		e.Must("hz", "POST", path, step("under_construction", "2024-02-05"), 201)

		e.refuseProgramme(t, "hz", "POST", path, step("accepted", "2024-10-01"), 422, "contracts_not_accepted")
		e.Must("hz", "POST", "/v1/contracts/"+id+"/acceptance", map[string]any{"accepted_on": "2024-09-30", "result": "passed",
			"owner_reps": 1, "participants": []map[string]any{{"name": "王建国", "role": "业主代表"}}}, 201)
		e.refuseProgramme(t, "hz", "POST", path, step("accepted", "2024-09-29"), 422, "contracts_not_accepted")
		e.Must("hz", "POST", path, step("accepted", "2024-10-01"), 201)

		e.refuseProgramme(t, "hz", "POST", path, step("settled", "2024-12-01"), 422, "contracts_not_settled")
		e.Must("finance", "POST", "/v1/contracts/"+id+"/settlement", map[string]any{"amount": "98000.00",
			"review_ref": "连财审〔2024〕9号", "settled_on": "2024-11-30"}, 201)
		st := e.Must("hz", "POST", path, withField(step("settled", "2024-12-01"), "note", "结算审核完成"), 201)
		if st["status"] != "settled" || len(st["history"].([]any)) != 4 {
			t.Errorf("settled: %v", st)
		}
		e.refuseProgramme(t, "hz", "POST", path, step("settled", "2024-12-02"), 422, "invalid_status_change")

		// Closing the final accounts writes the last step, not before the one before it.
		closing := map[string]any{"closed_on": "2024-11-15", "document_no": "连财决〔2024〕3号"}
		e.refuseProgramme(t, "finance", "POST", "/v1/projects/HZ-001/close", closing, 422, "invalid_status_change")
		e.Must("finance", "POST", "/v1/projects/HZ-001/close", withField(closing, "closed_on", "2024-12-31"), 200)
		e.refuseProgramme(t, "finance", "POST", path, step("closed", "2025-01-01"), 422, "invalid_status_change")

		e.refuse(t, "ly", "GET", path, nil, 404, "not_found")
		got := e.Must("auditor", "GET", path, nil, 200)
		hist := got["history"].([]any)
		want := []struct{ status, on, by string }{{"planned", "2024-01-10", "district:hz"},
			{"under_construction", "2024-02-05", "district:hz"}, {"accepted", "2024-10-01", "district:hz"},
			{"settled", "2024-12-01", "district:hz"}, {"closed", "2024-12-31", "finance:finance"}}
		if got["status"] != "closed" || got["plan_year"] != float64(2024) || len(hist) != len(want) {
			t.Fatalf("status: %v", got)
		}
		for i, w := range want {
			h := hist[i].(map[string]any)
			if h["status"] != w.status || h["on"] != w.on || h["recorded_by"] != w.by || h["recorded_at"] == "" {
				t.Errorf("step %d: %v, want %v", i, h, w)
			}
		}
		if n := hist[3].(map[string]any)["note"]; n != "结算审核完成" {
			t.Errorf("a step's note: %v", n)
		}
		if p := e.Must("hz", "GET", "/v1/projects?district=HZ", nil, 200)["items"].([]any)[0].(map[string]any); p["status"] != "closed" {
			t.Errorf("listed: %v", p)
		}
	})
}

// TestProgrammeProgress: targets per year and the progress the projects of
// that year make, city-wide and per district, exactly; a district sees the
// targets and its own row.
func TestProgrammeProgress(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		target := map[string]any{"communities": 10, "households": 1000, "floor_area_m2": "50000", "document_no": "连政发〔2024〕1号"}
		e.refuseProgramme(t, "hz", "PUT", "/v1/programme/targets/2024", target, 403, "forbidden")
		e.refuseProgramme(t, "finance", "PUT", "/v1/programme/targets/24", target, 400, "invalid_request")
		e.refuseProgramme(t, "finance", "PUT", "/v1/programme/targets/2024", withField(target, "communities", -1), 400, "invalid_request")
		e.refuseProgramme(t, "finance", "PUT", "/v1/programme/targets/2024", withField(target, "floor_area_m2", 5.5), 400, "invalid_request")
		e.Must("finance", "PUT", "/v1/programme/targets/2024", withField(target, "communities", 9), 200)
		if v := e.Must("finance", "PUT", "/v1/programme/targets/2024", target, 200); v["version"] != float64(2) {
			t.Errorf("targets, second version: %v", v)
		}
		second := project("HZ-002", "HZ")
		second["households"], second["floor_area_m2"], second["plan_year"] = 100, "1000.25", 2024
		e.Must("hz", "POST", "/v1/projects", second, 201)
		reserve := project("LY-002", "LY")
		reserve["plan_year"] = 2024
		e.Must("ly", "POST", "/v1/projects", reserve, 201) // in the reserve: not counted
		e.Must("hz", "PUT", "/v1/projects/HZ-001", withField(projectEdit("小区"), "plan_year", 2024), 200)
		e.Must("ly", "PUT", "/v1/projects/LY-001", withField(projectEdit("小区"), "plan_year", 2024), 200)
		for _, p := range []string{"HZ-001", "HZ-002", "LY-001"} {
			e.Must("finance", "POST", "/v1/projects/"+p+"/status", step("planned", "2024-02-01"), 201)
		}
		// projectEdit: 330 households, 21600.00 m².
		years := e.Must("auditor", "GET", "/v1/programme?year=2024", nil, 200)["years"].([]any)
		if len(years) != 1 {
			t.Fatalf("years: %v", years)
		}
		y := years[0].(map[string]any)
		city := y["city"].(map[string]any)
		figures := func(m any) [3]any {
			f := m.(map[string]any)
			return [3]any{f["communities"], f["households"], f["floor_area_m2"]}
		}
		if got, want := figures(city["in_plan"]), [3]any{float64(3), float64(760), "44200.25"}; got != want {
			t.Errorf("in plan: %v, want %v", got, want)
		}
		if got := figures(city["by_status"].(map[string]any)["planned"]); got != figures(city["in_plan"]) {
			t.Errorf("planned: %v", got)
		}
		if got, want := figures(city["completed"]), [3]any{float64(0), float64(0), "0"}; got != want {
			t.Errorf("completed: %v, want %v", got, want)
		}
		r := y["in_plan_ratio"].(map[string]any)
		if r["communities"] != "0.3" || r["households"] != "0.76" || r["floor_area_m2"] != "0.884" {
			t.Errorf("ratios: %v", r)
		}
		if tg := y["targets"].(map[string]any); tg["communities"] != float64(10) || tg["version"] != float64(2) {
			t.Errorf("targets: %v", tg)
		}
		ds := y["districts"].([]any)
		if len(ds) != 2 || ds[0].(map[string]any)["district"] != "HZ" ||
			figures(ds[0].(map[string]any)["in_plan"]) != [3]any{float64(2), float64(430), "22600.25"} ||
			figures(ds[1].(map[string]any)["in_plan"]) != [3]any{float64(1), float64(330), "21600"} {
			t.Errorf("districts: %v", ds)
		}
		hz := e.Must("hz", "GET", "/v1/programme?year=2024", nil, 200)["years"].([]any)[0].(map[string]any)
		if hz["city"] != nil || hz["in_plan_ratio"] != nil || len(hz["districts"].([]any)) != 1 ||
			hz["districts"].([]any)[0].(map[string]any)["district"] != "HZ" || hz["targets"] == nil {
			t.Errorf("HZ's view: %v", hz)
		}
		e.refuse(t, "finance", "GET", "/v1/programme?year=twenty", nil, 400, "invalid_request")
		if ys := e.Must("finance", "GET", "/v1/programme", nil, 200)["years"].([]any); len(ys) != 1 {
			t.Errorf("every year: %v", ys)
		}
	})
}

// TestFundingPlanAndDues: the planned funding mix against what came in per
// kind, and each household's due, paid and owed, to the fen, with the
// district's arrears list.
func TestFundingPlanAndDues(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		const planPath = "/v1/projects/HZ-001/funding-plan"
		plan := map[string]any{"lines": []map[string]any{{"kind": "central_grant", "amount": "1000.00"},
			{"kind": "resident_contribution", "amount": "500.00"}, {"kind": "donation", "amount": "0"}}, "document_no": "资金筹措方案 1"}
		line := func(kind, amount string) []map[string]any { return []map[string]any{{"kind": kind, "amount": amount}} }
		e.refuseProgramme(t, "ly", "PUT", planPath, plan, 404, "not_found")
		e.refuseProgramme(t, "auditor", "PUT", planPath, plan, 403, "forbidden")
		e.refuseProgramme(t, "hz", "PUT", planPath, withField(plan, "lines", append(line("donation", "1.00"), line("donation", "2.00")...)), 400, "invalid_request")
		e.refuseProgramme(t, "hz", "PUT", planPath, withField(plan, "lines", line("gift", "1.00")), 400, "invalid_request")
		e.refuseProgramme(t, "hz", "PUT", planPath, withField(plan, "lines", line("donation", "-1.00")), 400, "invalid_amount")
		e.refuseProgramme(t, "hz", "PUT", planPath, withField(plan, "document_no", ""), 400, "invalid_request")
		e.Must("hz", "PUT", planPath, withField(plan, "lines", line("central_grant", "1.00")), 200)
		if v := e.Must("hz", "PUT", planPath, plan, 200); v["version"] != float64(2) {
			t.Errorf("second plan: %v", v)
		}

		e.Fund("CG", "central_grant", "city", "basic")
		e.Receive("CG", "2000.00")
		e.Allocate("CG", "city", "project:HZ-001", "600.00")
		e.Fund("HZR", "resident_contribution", "project:HZ-001", "improvement")
		pay := func(household, amount string) string {
			b := withField(receiptBody(amount), "household", household)
			return e.Must("hz", "POST", "/v1/funds/HZR/receipts", b, 201)["id"].(string)
		}
		pay("1-1-101", "200.00")
		wrong := pay("1-1-101", "150.00")
		e.Must("hz", "POST", "/v1/transfers/"+wrong+"/reversal", map[string]any{"reason": "重复收款"}, 201)
		pay("1-1-102", "300.00")
		pay("1-1-103", "100.00")

		e.refuse(t, "ly", "GET", planPath, nil, 404, "not_found")
		view := e.Must("auditor", "GET", planPath, nil, 200)
		kinds := view["kinds"].([]any)
		wantKinds := [][4]string{{"central_grant", "1000.00", "600.00", "-400.00"},
			{"resident_contribution", "500.00", "600.00", "100.00"}, {"donation", "0.00", "0.00", "0.00"}}
		if len(kinds) != len(wantKinds) || len(view["history"].([]any)) != 2 {
			t.Fatalf("plan view: %v", view)
		}
		for i, w := range wantKinds {
			k := kinds[i].(map[string]any)
			if got := [4]string{k["kind"].(string), k["planned"].(string), k["received"].(string), k["difference"].(string)}; got != w {
				t.Errorf("kind %d: %v, want %v", i, got, w)
			}
		}
		fa := e.Must("auditor", "GET", "/v1/projects/HZ-001/final-accounts", nil, 200)
		if pl := fa["plan"].([]any); len(pl) != 3 || pl[0].(map[string]any)["planned"] != "1000.00" {
			t.Errorf("final accounts' plan: %v", fa["plan"])
		}
		if r := e.Do("auditor", "GET", "/v1/projects/HZ-001/final-accounts?format=csv", nil); r.Status != 200 ||
			!contains(string(r.Body), "plan,central_grant,central_grant,600.00") {
			t.Errorf("final accounts CSV: %s", r.Body)
		}

		const duesPath = "/v1/projects/HZ-001/contribution-dues"
		dues := map[string]any{"per_household": "300.00", "households": []map[string]any{{"household": "1-1-101", "due": "500.00"}}}
		e.refuseProgramme(t, "hz", "PUT", duesPath, map[string]any{}, 400, "invalid_request")
		e.refuseProgramme(t, "ly", "PUT", duesPath, dues, 404, "not_found")
		e.refuseProgramme(t, "hz", "PUT", duesPath, withField(dues, "per_household", "-1.00"), 400, "invalid_amount")
		e.refuseProgramme(t, "hz", "PUT", duesPath, withField(dues, "households", []map[string]any{{"household": "1-1-101", "due": "1.00"},
			{"household": "1-1-101", "due": "2.00"}}), 400, "invalid_request")
		e.Must("finance", "PUT", duesPath, withField(dues, "per_household", "100.00"), 200)
		if d := e.Must("hz", "PUT", duesPath, dues, 200); d["version"] != float64(2) {
			t.Errorf("second dues: %v", d)
		}
		e.refuse(t, "ly", "GET", "/v1/projects/HZ-001/contributions", nil, 404, "not_found")
		c := e.Must("hz", "GET", "/v1/projects/HZ-001/contributions", nil, 200)
		wantLines := [][4]string{{"1-1-101", "500.00", "200.00", "300.00"}, {"1-1-102", "300.00", "300.00", "0.00"},
			{"1-1-103", "300.00", "100.00", "200.00"}}
		lines := c["items"].([]any)
		if len(lines) != 3 || c["due"] != "1100.00" || c["paid"] != "600.00" || c["owed"] != "500.00" ||
			c["unidentified_households"] != float64(317) || c["unidentified_due"] != "95100.00" {
			t.Fatalf("contributions: %v", c)
		}
		for i, w := range wantLines {
			l := lines[i].(map[string]any)
			if got := [4]string{l["household"].(string), l["due"].(string), l["paid"].(string), l["owed"].(string)}; got != w {
				t.Errorf("household %d: %v, want %v", i, got, w)
			}
		}

		first := e.Must("hz", "GET", "/v1/contribution-arrears?limit=1", nil, 200)
		its := items(first)
		if len(its) != 1 || its[0]["household"] != "1-1-101" || its[0]["owed"] != "300.00" || first["next"] == nil {
			t.Fatalf("arrears, first page: %v", first)
		}
		rest := items(e.Must("finance", "GET", "/v1/contribution-arrears?district=HZ&after="+first["next"].(string), nil, 200))
		if len(rest) != 1 || rest[0]["household"] != "1-1-103" || rest[0]["owed"] != "200.00" || rest[0]["district"] != "HZ" {
			t.Errorf("arrears, second page: %v", rest)
		}
		if ly := items(e.Must("ly", "GET", "/v1/contribution-arrears", nil, 200)); len(ly) != 0 {
			t.Errorf("LY sees arrears: %v", ly)
		}
		e.refuse(t, "ly", "GET", "/v1/contribution-arrears?district=HZ", nil, 403, "forbidden")
		e.checkBooks()
	})
}
