package httpapi_test

import (
	"strings"
	"testing"
)

// TestReportWindows: CG receives 10,000 on 03-01, passes 5,000 to HZ-001 on
// 03-02, and HZ-001 pays 1,000 on 04-02. From 04-01 on, the reports open
// with what was held before and close with what is held at the end; a
// fiscal year with nothing in it is empty; the trail takes the same window.
// Every windowed route refuses a malformed or inconsistent window with 400.
func TestReportWindows(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.Fund("CG", "central_grant", "city", "basic")
		e.Receive("CG", "10000.00")
		e.Allocate("CG", "city", "project:HZ-001", "5000.00")
		e.Must("hz", "POST", "/v1/expenditures", expenditure("HZ-001", "basic", "1000.00"), 201)

		rep := e.Must("auditor", "GET", "/v1/reports/funding?from=2026-04-01", nil, 200)
		tot := rep["totals"].(map[string]any)
		if tot["opening"] != "10000.00" || tot["received"] != "0.00" || tot["spent"] != "1000.00" || tot["available"] != "9000.00" {
			t.Errorf("funding from 04-01: totals %v", tot)
		}
		for _, l := range rep["lines"].([]any) {
			l := l.(map[string]any)
			if want := map[string]string{"city": "5000.00", "HZ": "4000.00"}[l["district"].(string)]; l["available"] != want || l["opening"] != "5000.00" {
				t.Errorf("funding line %v: want opening 5000.00, available %s", l, want)
			}
		}
		if tot := e.Must("auditor", "GET", "/v1/reports/funding?to=2026-03-01", nil, 200)["totals"].(map[string]any); tot["received"] != "10000.00" ||
			tot["allocated_in"] != "0.00" || tot["available"] != "10000.00" || tot["opening"] != "0.00" {
			t.Errorf("funding to 03-01: %v", tot)
		}
		empty := e.Must("auditor", "GET", "/v1/reports/funding?fiscal_year=2025", nil, 200)
		if len(empty["lines"].([]any)) != 0 || empty["totals"].(map[string]any)["available"] != "0.00" {
			t.Errorf("funding in 2025: %v", empty)
		}

		pf := e.Must("hz", "GET", "/v1/projects/HZ-001/funding?from=2026-04-01", nil, 200)
		cg := pf["funds"].([]any)[0].(map[string]any)
		if cg["opening"] != "5000.00" || cg["received"] != "0.00" || cg["spent"] != "1000.00" || cg["available"] != "4000.00" {
			t.Errorf("HZ-001 from 04-01: %v", cg)
		}
		if c := pf["categories"].([]any)[0].(map[string]any); c["category"] != "basic" || c["spent"] != "1000.00" {
			t.Errorf("HZ-001 basic from 04-01: %v", c)
		}
		if cg := e.Must("hz", "GET", "/v1/projects/HZ-001/funding?to=2026-03-31", nil, 200)["funds"].([]any)[0].(map[string]any); cg["received"] != "5000.00" ||
			cg["spent"] != "0.00" || cg["available"] != "5000.00" {
			t.Errorf("HZ-001 to 03-31: %v", cg)
		}

		fv := e.Must("auditor", "GET", "/v1/funds/CG?from=2026-04-01&to=2026-04-30", nil, 200)
		if tot := fv["totals"].(map[string]any); tot["opening"] != "10000.00" || tot["spent"] != "1000.00" || tot["available"] != "9000.00" {
			t.Errorf("CG in April: %v", tot)
		}
		held := map[string]any{}
		for _, h := range fv["holdings"].([]any) {
			held[h.(map[string]any)["holder"].(string)] = h.(map[string]any)["available"]
		}
		if held["city"] != "5000.00" || held["project:HZ-001"] != "4000.00" {
			t.Errorf("CG's holdings at the end of April: %v", held)
		}

		budget := e.Must("auditor", "GET", "/v1/reports/budget?district=HZ&fiscal_year=2025", nil, 200)["items"].([]any)
		if b := budget[0].(map[string]any); b["spent"] != "0.00" {
			t.Errorf("HZ-001 budget in 2025: %v", b)
		}
		if b := e.Must("auditor", "GET", "/v1/reports/budget?district=HZ&fiscal_year=2026", nil, 200)["items"].([]any)[0].(map[string]any); b["spent"] != "1000.00" || b["last_paid"] != "2026-04-02" {
			t.Errorf("HZ-001 budget in 2026: %v", b)
		}

		trail := func(q string) string {
			r := e.Do("auditor", "GET", "/v1/exports/trail?format=jsonl&"+q, nil)
			if r.Status != 200 {
				t.Fatalf("trail ?%s: %d %s", q, r.Status, r.Body)
			}
			return string(r.Body)
		}
		year := trail("fiscal_year=2026")
		if n := strings.Count(year, "\n"); n != 3 || year != trail("from=2026-01-01&to=2026-12-31") || trail("fiscal_year=2025") != "" {
			t.Errorf("the 2026 trail has %d rows, or differs from the same dates given as from and to", n)
		}
		if n := strings.Count(trail("from=2026-03-02&to=2026-03-31"), "\n"); n != 1 {
			t.Errorf("the trail of 03-02 to 03-31 has %d rows, want the allocation", n)
		}

		for _, route := range []string{"/v1/reports/funding", "/v1/reports/budget", "/v1/reports/idle", "/v1/reports/tax-expenditure",
			"/v1/projects/HZ-001/funding", "/v1/funds/CG", "/v1/exports/trail", "/v1/audit/exceptions"} {
			for _, q := range []string{"fiscal_year=2026&to=2026-05-01", "fiscal_year=2026&from=2026-01-01", "fiscal_year=26",
				"fiscal_year=1999", "from=2026-13-01", "to=2026-4-1", "from=2026-05-01&to=2026-04-30"} {
				r := e.Do("finance", "GET", route+"?"+q, nil)
				if r.Status != 400 || r.Code() != "invalid_request" {
					t.Errorf("%s?%s: %d %s, want 400 invalid_request", route, q, r.Status, r.Body)
				}
			}
		}
	})
}
