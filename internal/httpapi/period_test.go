package httpapi_test

import (
	"strings"
	"testing"

	"renofund/internal/access"
	"renofund/internal/field"
)

// TestPeriodCloseOverHTTP: close a month (two people), try to book into it,
// reopen it with a reason (recorded in the audit events), close it and the
// year again, and check the carry-forward report against the ledger and the
// checkpoint against the chains.
func TestPeriodCloseOverHTTP(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.Issue("finance2", access.Finance, "")
		e.Fund("CG", "central_grant", "city", "basic")
		e.Must("finance", "POST", "/v1/funds/CG/receipts", map[string]any{
			"amount": "1000.00", "received_on": "2025-03-01", "payer": map[string]any{"name": "江苏省财政厅"}}, 201)
		wrong := e.Must("finance", "POST", "/v1/funds/CG/receipts", map[string]any{
			"amount": "3.00", "received_on": "2025-04-01", "payer": map[string]any{"name": "江苏省财政厅"}}, 201)["id"].(string)
		e.Must("finance", "POST", "/v1/allocations", map[string]any{"fund": "CG", "from": "city", "to": "district:HZ",
			"amount": "400.00", "allocated_on": "2025-06-01"}, 201)

		r := e.Must("finance", "POST", "/v1/periods/2025-12/close", nil, 202)
		if r["status"] != "close_requested" || r["requested_by"] != "finance:finance" {
			t.Errorf("close request: %v", r)
		}
		e.refuse(t, "finance", "POST", "/v1/periods/2025-12/close/confirm", nil, 403, "same_person")
		e.refuse(t, "hz", "POST", "/v1/periods/2025-12/close/confirm", nil, 403, "forbidden")
		r = e.Must("finance2", "POST", "/v1/periods/2025-12/close/confirm", nil, 200)
		if r["status"] != "closed" || r["checkpoint"] == nil || r["seal"].(map[string]any)["total"] != "1003.00" {
			t.Errorf("close confirmed: %v", r)
		}
		// A correction of a closed month is booked into the open period and
		// points at what it corrects.
		fix := e.Must("finance", "POST", "/v1/transfers/"+wrong+"/reversal", map[string]any{"reason": "重复录入"}, 201)
		if fix["booked_on"] != field.Today() || fix["reversal_of"] != wrong {
			t.Errorf("the correction: booked on %v, reverses %v", fix["booked_on"], fix["reversal_of"])
		}
		late := map[string]any{"amount": "5.00", "received_on": "2025-12-31", "payer": map[string]any{"name": "江苏省财政厅"}}
		e.refuse(t, "finance", "POST", "/v1/funds/CG/receipts", late, 409, "period_closed")
		e.refuse(t, "finance", "POST", "/v1/periods/2025-12/reopen", map[string]any{"reason": "x"}, 403, "forbidden")
		e.refuse(t, "admin", "POST", "/v1/periods/2025-12/reopen", map[string]any{"reason": ""}, 400, "invalid_request")
		e.Must("admin", "POST", "/v1/periods/2025-12/reopen", map[string]any{"reason": "补记年末到账的专项资金"}, 202)
		r = e.Must("finance", "POST", "/v1/periods/2025-12/reopen/confirm", nil, 200)
		if r["status"] != "open" {
			t.Errorf("reopen confirmed: %v", r)
		}
		e.Must("finance", "POST", "/v1/funds/CG/receipts", late, 201)
		e.App.Events.Close() // flush the queued audit events
		ev := e.Must("auditor", "GET", "/v1/audit/events?route=/v1/periods/:period/reopen", nil, 200)
		recorded := false
		for _, it := range ev["items"].([]any) {
			m := it.(map[string]any)
			recorded = recorded || m["status"] == float64(202) && m["token_name"] == "admin" &&
				strings.Contains(m["detail"].(string), "补记年末到账的专项资金")
		}
		if !recorded {
			t.Errorf("the reopening and its reason are not in the audit events: %v", ev["items"])
		}

		e.Must("finance2", "POST", "/v1/periods/2025-12/close", nil, 202)
		e.Must("finance", "POST", "/v1/periods/2025-12/close/confirm", nil, 200)
		e.refuse(t, "finance", "POST", "/v1/periods/2026/close", nil, 422, "period_not_ended")
		e.Must("finance", "POST", "/v1/periods/2025/close", nil, 202)
		e.Must("finance2", "POST", "/v1/periods/2025/close/confirm", nil, 200)

		cf := e.Must("auditor", "GET", "/v1/reports/carry-forward?fiscal_year=2025", nil, 200)
		if cf["status"] != "closed" || cf["matches_seal"] != true {
			t.Errorf("carry-forward 2025: %v", cf)
		}
		// 2025 closes with what was booked up to its end (the correction is
		// 2026's); 2026 opens with it and closes with the ledger's balance.
		want := map[string]string{"city": "608.00", "district:HZ": "400.00"}
		for _, it := range cf["items"].([]any) {
			line := it.(map[string]any)
			holder := line["holder"].(string)
			if line["closing"] != want[holder] || line["sealed"] != want[holder] {
				t.Errorf("2025 %s closes with %v (sealed %v), want %s", holder, line["closing"], line["sealed"], want[holder])
			}
		}
		next := e.Must("auditor", "GET", "/v1/reports/carry-forward?fiscal_year=2026", nil, 200)
		for _, it := range next["items"].([]any) {
			line := it.(map[string]any)
			holder := line["holder"].(string)
			if line["opening"] != want[holder] || line["closing"] != e.Balance("CG", holder) {
				t.Errorf("2026 %s opens with %v (want %s) and closes with %v, the ledger holds %s", holder, line["opening"],
					want[holder], line["closing"], e.Balance("CG", holder))
			}
		}
		hz := e.Must("hz", "GET", "/v1/reports/carry-forward?fiscal_year=2025", nil, 200)
		if n := len(hz["items"].([]any)); n != 1 {
			t.Errorf("district HZ sees %d carry-forward lines, want its own one", n)
		}
		e.refuse(t, "auditor", "GET", "/v1/reports/carry-forward?fiscal_year=25", nil, 400, "invalid_request")
		v := e.Must("auditor", "GET", "/v1/audit/verify?full=true", nil, 200)
		if v["ok"] != true || v["seals"] != float64(2) || v["mode"] != "full" {
			t.Errorf("verify: %v", v)
		}
		// Since the close's checkpoint nothing was booked: the default mode
		// starts there and recomputes no seal's balances from the ledger.
		v = e.Must("auditor", "GET", "/v1/audit/verify", nil, 200)
		if v["ok"] != true || v["seals"] != float64(0) || v["mode"] != "since_checkpoint" {
			t.Errorf("verify since the checkpoint: %v", v)
		}
		e.refuse(t, "auditor", "GET", "/v1/audit/verify?full=yes", nil, 400, "invalid_request")
		ps := e.Must("auditor", "GET", "/v1/periods", nil, 200)
		if ps["closed_through"] != "2025-12" || len(ps["items"].([]any)) != 2 {
			t.Errorf("periods: %v", ps)
		}
		csv := e.Do("auditor", "GET", "/v1/reports/carry-forward?fiscal_year=2025&format=csv", nil)
		if csv.Status != 200 || !strings.Contains(string(csv.Body), "opening") {
			t.Errorf("carry-forward CSV: %d %s", csv.Status, csv.Body)
		}
	})
}
