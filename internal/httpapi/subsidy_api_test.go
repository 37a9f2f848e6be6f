package httpapi_test

import (
	"fmt"
	"testing"
	"time"

	"renofund/internal/creditcode"
)

// companyCode returns a valid unified social credit code numbered n.
func companyCode(n int) string { return creditcode.Complete(fmt.Sprintf("9132070%010d", n)) }

func managerContract(n int, from, to string) map[string]any {
	b := map[string]any{"name": fmt.Sprintf("物业公司 %d", n), "credit_code": companyCode(n),
		"bank_account": fmt.Sprintf("6222%012d", n), "from": from}
	if to != "" {
		b["to"] = to
	}
	return b
}

// quarterScheme is a city scheme paying 9000.00 per community and quarter
// to projects scored 60 or more, spelt with API.md's "per_community".
func quarterScheme(e *env) {
	e.T.Helper()
	e.Fund("WY", "city_fiscal", "city", "improvement")
	e.Receive("WY", "100000.00")
	sc := e.Must("finance", "POST", "/v1/subsidy/schemes", map[string]any{"code": "Q", "name": "季度物业补贴", "fund": "WY",
		"basis": "per_community", "rate": "9000", "period": "quarter", "valid_from": "2026-01-01",
		"bands": []map[string]any{{"min_score": 60, "ratio": "1"}}}, 201)
	if sc["basis"] != "per_community_period" {
		e.T.Errorf("basis stored as %v, want per_community_period", sc["basis"])
	}
}

// TestSubsidyContractsOverHTTP: management contracts by period, a change of
// manager mid-quarter paying each company its days' share, and four eyes
// on the run's approval.
func TestSubsidyContractsOverHTTP(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		quarterScheme(e)
		path := "/v1/projects/HZ-001/property-manager"
		e.Must("hz", "PUT", path, managerContract(1, "2026-01-01", ""), 200)
		b := e.Must("finance", "PUT", path, managerContract(2, "2026-02-15", ""), 200)
		if b["from"] != "2026-02-15" || b["to"] != nil || b["version"] != 3.0 {
			t.Errorf("second contract = %v", b)
		}
		e.refuse(t, "finance", "PUT", path, managerContract(3, "2026-02-01", ""), 422, "contract_overlap")
		e.refuse(t, "finance", "PUT", path, managerContract(2, "2026-02-15", "2026-02-01"), 400, "invalid_request")
		e.refuse(t, "finance", "PUT", path, managerContract(3, "2026-02-30", ""), 400, "invalid_request")
		e.refuse(t, "ly", "PUT", path, managerContract(3, "2027-01-01", ""), 404, "not_found")
		e.refuse(t, "auditor", "PUT", path, managerContract(3, "2027-01-01", ""), 403, "forbidden")

		m := e.Must("auditor", "GET", path, nil, 200)
		cs, hist := m["contracts"].([]any), m["history"].([]any)
		first := cs[0].(map[string]any)
		if len(cs) != 2 || len(hist) != 3 || first["to"] != "2026-02-14" || m["current"].(map[string]any)["credit_code"] != companyCode(2) {
			t.Fatalf("management = %v", m)
		}
		e.refuse(t, "ly", "GET", path, nil, 404, "not_found")

		e.Must("hz", "POST", "/v1/subsidy/ratings", map[string]any{"project": "HZ-001", "period": "2026-Q1", "score": 95}, 201)
		run := e.Must("finance", "POST", "/v1/subsidy/runs", map[string]any{"scheme": "Q", "period": "2026-Q1"}, 201)
		id := run["id"].(string)
		// Q1 has 90 days: company 1 served 1 January–14 February (45), company 2 the rest (45).
		want := map[string]string{companyCode(1): "4500.00", companyCode(2): "4500.00"}
		for _, l := range run["lines"].([]any) {
			l := l.(map[string]any)
			if l["project"] != "HZ-001" {
				continue
			}
			cc := l["payee"].(map[string]any)["credit_code"].(string)
			if l["amount"] != want[cc] || l["days_served"] != 45.0 || l["period_days"] != 90.0 {
				t.Errorf("line = %v", l)
			}
		}

		e.refuse(t, "finance", "POST", "/v1/subsidy/runs/"+id+"/approve", nil, 403, "same_person")
		e.Must("reviewer", "POST", "/v1/subsidy/runs/"+id+"/approve", nil, 200)
		ts := e.Must("auditor", "GET", "/v1/transfers?type=subsidy_payment&project=HZ-001", nil, 200)["items"].([]any)
		if len(ts) != 2 {
			t.Fatalf("subsidy transfers = %v, want 2", ts)
		}
		for _, tr := range ts {
			tr := tr.(map[string]any)
			cc := tr["payee"].(map[string]any)["credit_code"].(string)
			if tr["amount"] != want[cc] || tr["prepared_by"] != "finance:finance" || tr["approved_by"] != "finance:reviewer" {
				t.Errorf("transfer = %v", tr)
			}
			delete(want, cc)
		}
		e.checkBooks()
	})
}

// TestSubsidyRatingsAndClawbacksOverHTTP: the rating history list, and a
// clawback request listed and settled, scoped and refused as it should be.
func TestSubsidyRatingsAndClawbacksOverHTTP(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		quarterScheme(e)
		for _, d := range []string{"HZ", "LY"} {
			e.Must("finance", "PUT", "/v1/projects/"+d+"-001/property-manager", managerContract(1, "2026-01-01", ""), 200)
			e.Must("finance", "POST", "/v1/subsidy/ratings", map[string]any{"project": d + "-001", "period": "2026-Q1", "score": 90}, 201)
		}
		pay := func() {
			id := e.Must("finance", "POST", "/v1/subsidy/runs", map[string]any{"scheme": "Q", "period": "2026-Q1"}, 201)["id"].(string)
			e.Must("reviewer", "POST", "/v1/subsidy/runs/"+id+"/approve", nil, 200)
		}
		pay()
		e.Must("hz", "POST", "/v1/subsidy/ratings", map[string]any{"project": "HZ-001", "period": "2026-Q1", "score": 40}, 201)
		pay()

		items := func(who, path string) []any {
			t.Helper()
			return e.Must(who, "GET", path, nil, 200)["items"].([]any)
		}
		if got := items("hz", "/v1/subsidy/ratings?project=HZ-001&period=2026-Q1"); len(got) != 2 {
			t.Errorf("HZ-001's ratings = %v, want 2 versions", got)
		}
		if got := items("ly", "/v1/subsidy/ratings"); len(got) != 1 || got[0].(map[string]any)["project"] != "LY-001" {
			t.Errorf("LY's ratings = %v", got)
		}
		page := e.Must("finance", "GET", "/v1/subsidy/ratings?limit=2", nil, 200)
		if len(page["items"].([]any)) != 2 || page["next"] == nil {
			t.Errorf("first page = %v", page)
		}
		e.refuse(t, "ly", "GET", "/v1/subsidy/ratings?project=HZ-001", nil, 404, "not_found")
		e.refuse(t, "finance", "GET", "/v1/subsidy/ratings?period=2026-Q5", nil, 400, "invalid_request")
		e.refuse(t, "admin", "GET", "/v1/subsidy/ratings", nil, 403, "forbidden")

		open := items("finance", "/v1/subsidy/clawbacks?status=open")
		if len(open) != 1 {
			t.Fatalf("open clawbacks = %v, want 1", open)
		}
		cb := open[0].(map[string]any)
		id := cb["id"].(string)
		if cb["project"] != "HZ-001" || cb["amount"] != "9000.00" || cb["status"] != "open" {
			t.Errorf("clawback = %v", cb)
		}
		if got := items("ly", "/v1/subsidy/clawbacks"); len(got) != 0 {
			t.Errorf("LY sees %v", got)
		}
		if got := items("hz", "/v1/subsidy/clawbacks?status=open"); len(got) != 1 {
			t.Errorf("HZ sees %v", got)
		}
		e.refuse(t, "finance", "GET", "/v1/subsidy/clawbacks?status=pending", nil, 400, "invalid_request")

		settle := "/v1/subsidy/clawbacks/" + id + "/settle"
		zone := time.FixedZone("CST", 8*3600)
		today := time.Now().In(zone).Format(time.DateOnly)
		tomorrow := time.Now().In(zone).AddDate(0, 0, 1).Format(time.DateOnly)
		e.refuse(t, "hz", "POST", settle, map[string]any{"settled_on": today}, 403, "forbidden")
		e.refuse(t, "finance", "POST", settle, map[string]any{"settled_on": tomorrow}, 422, "future_date")
		e.refuse(t, "finance", "POST", settle, map[string]any{"settled_on": "2026-01-01"}, 422, "rule_violation")
		e.refuse(t, "finance", "POST", settle, map[string]any{"settled_on": today, "amount": "1.00"}, 400, "invalid_request")
		e.refuse(t, "finance", "POST", "/v1/subsidy/clawbacks/nope.1/settle", map[string]any{"settled_on": today}, 404, "not_found")
		done := e.Must("finance", "POST", settle, map[string]any{"settled_on": today, "note": "银行回单 R-77"}, 200)
		if done["status"] != "settled" || done["settled_by"] != "finance:finance" || done["note"] != "银行回单 R-77" {
			t.Errorf("settled = %v", done)
		}
		e.refuse(t, "finance", "POST", settle, map[string]any{"settled_on": today}, 409, "conflict")
		if got := items("auditor", "/v1/subsidy/clawbacks?status=open"); len(got) != 0 {
			t.Errorf("open after settling = %v", got)
		}
		if got := items("auditor", "/v1/subsidy/clawbacks?status=settled"); len(got) != 1 {
			t.Errorf("settled = %v", got)
		}
		e.checkBooks()
	})
}
