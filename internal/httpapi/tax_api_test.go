package httpapi_test

import (
	"strings"
	"testing"
)

func TestTaxExpenditure(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.Fund("CG", "central_grant", "city", "basic")
		e.Receive("CG", "1000.00")
		e.Allocate("CG", "city", "project:HZ-001", "1000.00")
		cashBefore := e.snapshot()

		relief := e.Must("hz", "POST", "/v1/tax/service-relief", map[string]any{
			"service": "elderly_care", "on": "2026-05-01", "revenue": "100000.00", "vat_rate": "0.06",
			"project": "HZ-001", "provider": map[string]any{"name": "海州区颐养服务中心", "credit_code": payeeCode},
			"premises": map[string]any{"property_tax_base": "50000.00", "property_tax_rate": "0.012", "land_m2": "300", "land_rate": "4"},
		}, 201)
		// vat 6000 + cit 10% × 100000 × 25% = 2500 + property 600 + land 1200
		want := map[string]string{"vat_exempt": "6000.00", "income_excluded": "10000.00", "cit_saving": "2500.00",
			"property_tax_exempt": "600.00", "land_use_tax_exempt": "1200.00", "deed_tax_exempt": "0.00", "total": "10300.00"}
		for k, v := range want {
			if relief[k] != v {
				t.Errorf("%s = %v, want %s", k, relief[k], v)
			}
		}
		if relief["regime"] != "2026-7" {
			t.Errorf("regime = %v", relief["regime"])
		}
		outside := e.Must("finance", "POST", "/v1/tax/service-relief", map[string]any{
			"service": "childcare", "on": "2028-01-01", "revenue": "100000.00", "vat_rate": "0.06"}, 201)
		if outside["regime"] != nil || outside["total"] != "0.00" {
			t.Errorf("outside every regime: %v", outside)
		}
		asset := e.Must("finance", "POST", "/v1/tax/utility-assets", map[string]any{
			"utility": map[string]any{"name": "国网连云港供电公司", "credit_code": payeeCode}, "project": "HZ-001",
			"description": "配电箱更换", "asset_class": "electronics", "nature": "capital", "cost": "10000.00",
			"in_service_on": "2026-03-15"}, 201)
		if len(asset["schedule"].([]any)) != 36 || asset["tax_expenditure"] != "2500.00" {
			t.Errorf("asset: %d rows, tax expenditure %v", len(asset["schedule"].([]any)), asset["tax_expenditure"])
		}
		view := e.Must("hz", "GET", "/v1/projects/HZ-001/tax-expenditure", nil, 200)
		if view["total"] != "12800.00" || len(view["items"].([]any)) != 2 {
			t.Errorf("project tax expenditure = %v", view["total"])
		}
		funding := e.Must("hz", "GET", "/v1/projects/HZ-001/funding", nil, 200)
		if funding["tax_expenditure"] != "12800.00" {
			t.Errorf("funding view tax_expenditure = %v", funding["tax_expenditure"])
		}
		if tot := funding["totals"].(map[string]any); tot["available"] != "1000.00" {
			t.Errorf("tax leaked into cash: %v", tot)
		}
		after := e.snapshot()
		if after.Balance != cashBefore.Balance || after.Transfers != cashBefore.Transfers {
			t.Errorf("tax records moved cash: %+v → %+v", cashBefore, after)
		}
		// The trail carries the tax rows beside the cash legs, with no fund.
		trail := e.Do("auditor", "GET", "/v1/exports/trail?format=csv", nil)
		if trail.Status != 200 || strings.Count(string(trail.Body), ",tax_expenditure,tax_expenditure,") != 3 {
			t.Errorf("trail export: %d, tax rows: %d", trail.Status, strings.Count(string(trail.Body), ",tax_expenditure,tax_expenditure,"))
		}
		rep := e.Must("finance", "GET", "/v1/reports/funding", nil, 200)
		if tx := rep["tax_expenditure"].(map[string]any); tx["total"] != "12800.00" {
			t.Errorf("funding report tax_expenditure = %v", tx)
		}
	})
}

func TestTaxRefusals(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		asset := func() map[string]any {
			return map[string]any{"utility": map[string]any{"name": "燃气公司", "credit_code": payeeCode}, "project": "HZ-001",
				"description": "燃气管道", "asset_class": "building", "nature": "capital", "cost": "5000.00", "in_service_on": "2026-01-31"}
		}
		cases := []struct {
			name   string
			who    string
			path   string
			body   func() map[string]any
			status int
			code   string
		}{
			{"life below minimum", "finance", "/v1/tax/utility-assets", func() map[string]any { b := asset(); b["life_years"] = 19; return b }, 422, "rule_violation"},
			{"unknown class", "finance", "/v1/tax/utility-assets", func() map[string]any { b := asset(); b["asset_class"] = "ship"; return b }, 400, "invalid_request"},
			{"bad credit code", "finance", "/v1/tax/utility-assets", func() map[string]any {
				b := asset()
				b["utility"] = map[string]any{"name": "x", "credit_code": "91350100M000100Y44"}
				return b
			}, 400, "invalid_credit_code"},
			{"float cost", "finance", "/v1/tax/utility-assets", func() map[string]any { b := asset(); b["cost"] = 5000; return b }, 400, "invalid_amount"},
			{"other district", "ly", "/v1/tax/utility-assets", asset, 404, "not_found"},
			{"unknown project", "finance", "/v1/tax/utility-assets", func() map[string]any { b := asset(); b["project"] = "NOPE"; return b }, 404, "not_found"},
			{"auditor", "auditor", "/v1/tax/utility-assets", asset, 403, "forbidden"},
			{"unknown service", "finance", "/v1/tax/service-relief", func() map[string]any {
				return map[string]any{"service": "catering", "on": "2026-01-01", "revenue": "1.00", "vat_rate": "0.06"}
			}, 400, "invalid_request"},
			{"vat above 1", "finance", "/v1/tax/service-relief", func() map[string]any {
				return map[string]any{"service": "childcare", "on": "2026-01-01", "revenue": "1.00", "vat_rate": "1.5"}
			}, 400, "invalid_request"},
			{"district without project", "hz", "/v1/tax/service-relief", func() map[string]any {
				return map[string]any{"service": "childcare", "on": "2026-01-01", "revenue": "1.00", "vat_rate": "0.06"}
			}, 403, "forbidden"},
		}
		for _, c := range cases {
			before := e.snapshot()
			var n0 int64
			e.DB.G.Raw("SELECT COUNT(*) FROM tax_records").Scan(&n0)
			r := e.Do(c.who, "POST", c.path, c.body())
			if r.Status != c.status || r.Code() != c.code {
				t.Errorf("%s: %d %s, want %d %s: %s", c.name, r.Status, r.Code(), c.status, c.code, r.Body)
			}
			var n1 int64
			e.DB.G.Raw("SELECT COUNT(*) FROM tax_records").Scan(&n1)
			if n1 != n0 || e.snapshot() != before {
				t.Errorf("%s: refused request wrote", c.name)
			}
		}
	})
}
