package httpapi_test

import (
	"strings"
	"testing"
)

func TestReconciliation(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.Fund("CG", "central_grant", "city", "basic")
		e.Receive("CG", "10000.00")
		e.Allocate("CG", "city", "project:HZ-001", "5000.00") // +5000 into HZ on 2026-03-02
		for i, v := range []string{"1000.00", "300.00", "300.00"} {
			body := expenditure("HZ-001", "basic", v)
			body["paid_on"] = "2026-04-0" + string(rune('2'+i))
			body["voucher_no"] = []string{"FK-001", "", ""}[i]
			e.Must("hz", "POST", "/v1/expenditures", body, 201)
		}
		statement := "date,amount,reference,counterparty\n" +
			"2026-04-05,-1000.00,FK-001,连云港市政\n" + // by reference (paid 04-02, outside a 1-day window)
			"2026-04-03,-300.00,,市政\n" + // amount and date, duplicates on both sides
			"2026-04-04,-300.00,,市政\n" +
			"2026-04-04,-300.00,,市政\n" + // a third 300 with no ledger movement
			"2026-03-02,5000.00,,市财政局\n"
		r := e.Upload("hz", "HZ", statement)
		if r.Status != 201 {
			t.Fatalf("reconcile: %d %s", r.Status, r.Body)
		}
		res := r.JSON(t)
		if res["matched_count"].(float64) != 4 || len(res["unmatched_bank"].([]any)) != 1 || len(res["unmatched_ledger"].([]any)) != 0 {
			t.Errorf("matched %v, unmatched bank %d, ledger %d: %s", res["matched_count"], len(res["unmatched_bank"].([]any)),
				len(res["unmatched_ledger"].([]any)), r.Body)
		}
		by := map[string]int{}
		for _, p := range res["matched"].([]any) {
			by[p.(map[string]any)["by"].(string)]++
		}
		if by["reference"] != 1 || by["amount_date"] != 3 {
			t.Errorf("matched by %v", by)
		}
		list := e.Must("hz", "GET", "/v1/reconciliations", nil, 200)
		if len(list["items"].([]any)) != 1 {
			t.Errorf("stored reconciliations: %v", list)
		}
		e.Must("hz", "GET", "/v1/reconciliations/"+res["id"].(string), nil, 200)
		if r := e.Do("ly", "GET", "/v1/reconciliations/"+res["id"].(string), nil); r.Status != 404 {
			t.Errorf("other district read a reconciliation: %d", r.Status)
		}

		bad := "date,amount,reference,counterparty\n2026-13-01,-1.00,,x\n2026-04-01,1.234,,x\n2026-04-01,-5.00,,x\n2026-04-02,abc,,x\n"
		var n0 int64
		e.DB.G.Raw("SELECT COUNT(*) FROM reconciliations").Scan(&n0)
		r = e.Upload("hz", "HZ", bad)
		if r.Status != 400 || !strings.Contains(string(r.Body), "line 2") || !strings.Contains(string(r.Body), "line 3") ||
			!strings.Contains(string(r.Body), "line 5") || strings.Contains(string(r.Body), "line 4") {
			t.Errorf("malformed statement: %d %s", r.Status, r.Body)
		}
		var n1 int64
		e.DB.G.Raw("SELECT COUNT(*) FROM reconciliations").Scan(&n1)
		if n1 != n0 {
			t.Errorf("refused statement was stored")
		}
		if r := e.Upload("hz", "LY", statement); r.Status != 403 {
			t.Errorf("hz reconciling LY: %d", r.Status)
		}
	})
}

func TestExceptions(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.Must("finance", "POST", "/v1/funds", map[string]any{"code": "CG", "kind": "central_grant", "name": "直达", "holder": "city",
			"fiscal_year": 2026, "document_no": "d", "direct": true, "eligible_categories": []string{"basic"}, "expires_on": "2026-06-30"}, 201)
		e.Receive("CG", "10000.00") // received 2026-03-01
		for _, a := range [][2]string{{"city", "district:HZ"}, {"district:HZ", "project:HZ-001"}} {
			e.Must("finance", "POST", "/v1/allocations", map[string]any{"fund": "CG", "from": a[0], "to": a[1],
				"amount": "4000.00", "allocated_on": "2026-03-05"}, 201)
		}
		forced := expenditure("HZ-001", "upgrade", "100.00")
		forced["funding"] = []map[string]any{{"fund": "CG", "amount": "100.00"}}
		if r := e.Do("hz", "POST", "/v1/expenditures", map[string]any{}); r.Status != 400 {
			t.Fatalf("empty body: %d", r.Status)
		}
		forced["force_reason"] = "应急抢修，经局长批准"
		if r := e.Do("hz", "POST", "/v1/expenditures", forced); r.Status != 403 {
			t.Errorf("a district forced a payment: %d %s", r.Status, r.Body)
		}
		e.PayApproved("finance", forced)
		over := expenditure("HZ-001", "basic", "3900.00")
		e.Must("finance", "POST", "/v1/expenditures", over, 201)
		e.Must("finance", "PUT", "/v1/projects/HZ-001/property-manager", map[string]any{"name": "物业", "credit_code": payeeCode, "bank_account": "1"}, 200)

		res := e.Must("auditor", "GET", "/v1/audit/exceptions?as_of=2026-06-15", nil, 200)
		codes := map[string]int{}
		for _, it := range res["items"].([]any) {
			codes[it.(map[string]any)["code"].(string)]++
		}
		for _, want := range []string{"retention", "diversion", "direct_fund_routed", "expiring_unspent", "idle_money"} {
			if codes[want] == 0 {
				t.Errorf("no %s exception in %v", want, codes)
			}
		}
		hz := e.Must("hz", "GET", "/v1/audit/exceptions?as_of=2026-06-15", nil, 200)
		for _, it := range hz["items"].([]any) {
			if d := it.(map[string]any)["district"]; d != "HZ" {
				t.Errorf("hz sees an exception of %v", d)
			}
		}
		ev := e.Do("auditor", "GET", "/v1/audit/events", nil)
		if ev.Status != 200 {
			t.Errorf("events: %d", ev.Status)
		}
		if r := e.Do("finance", "GET", "/v1/audit/events", nil); r.Status != 403 {
			t.Errorf("finance read the audit log: %d", r.Status)
		}
	})
}
