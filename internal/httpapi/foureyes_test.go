package httpapi_test

import (
	"testing"
)

// TestFourEyesOverHTTP: a plan's creator cannot execute it, a payment above
// the threshold is filed (202) and its preparer cannot approve it, a batch
// refuses it, and the transfer shows who prepared and who approved it.
func TestFourEyesOverHTTP(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		setupMoney(e)
		e.App.Movements.ApprovalAbove = 1_000_00 // ¥1,000 in this test

		plan := e.Must("finance", "POST", "/v1/allocation-plans", planBody("HZ"), 201)["id"].(string)
		e.refuse(t, "finance", "POST", "/v1/allocation-plans/"+plan+"/execute", nil, 403, "same_person")
		done := e.Must("reviewer", "POST", "/v1/allocation-plans/"+plan+"/execute", nil, 200)
		tr := e.Must("auditor", "GET", "/v1/transfers/"+done["transfers"].([]any)[0].(string), nil, 200)
		if tr["prepared_by"] != "finance:finance" || tr["approved_by"] != "finance:reviewer" {
			t.Errorf("the plan's allocation: prepared by %v, approved by %v", tr["prepared_by"], tr["approved_by"])
		}

		small := e.Must("hz", "POST", "/v1/expenditures", expenditure("HZ-001", "basic", "1000.00"), 201)
		if small["approved_by"] != nil {
			t.Errorf("a payment at the threshold has an approver: %v", small)
		}
		large := expenditure("HZ-001", "basic", "1000.01")
		e.refuse(t, "finance", "POST", "/v1/batches", map[string]any{"items": []map[string]any{
			withField(large, "type", "expenditure")}}, 422, "approval_required")
		before := e.snapshot()
		req := e.Must("hz", "POST", "/v1/expenditures", large, 202)
		if req["status"] != "pending" || req["prepared_by"] != "district:hz" {
			t.Errorf("filed: %v", req)
		}
		if after := e.snapshot(); after.Transfers != before.Transfers || after.Balance != before.Balance {
			t.Errorf("filing a payment moved money: %+v → %+v", before, after)
		}
		id := req["id"].(string)
		e.refuse(t, "hz", "POST", "/v1/payment-requests/"+id+"/approve", nil, 403, "forbidden")
		e.refuse(t, "ly", "GET", "/v1/payment-requests/"+id, nil, 404, "not_found")
		list := e.Must("hz", "GET", "/v1/payment-requests?status=pending", nil, 200)["items"].([]any)
		if len(list) != 1 {
			t.Errorf("HZ's pending requests: %v", list)
		}
		if got := e.Must("ly", "GET", "/v1/payment-requests", nil, 200)["items"].([]any); len(got) != 0 {
			t.Errorf("LY sees HZ's requests: %v", got)
		}

		// The bureau files a large payment itself: its own token may not
		// approve it; the reviewer does.
		mine := e.Must("finance", "POST", "/v1/expenditures", expenditure("HZ-001", "basic", "2000.00"), 202)["id"].(string)
		e.refuse(t, "finance", "POST", "/v1/payment-requests/"+mine+"/approve", nil, 403, "same_person")
		paid := e.Must("reviewer", "POST", "/v1/payment-requests/"+mine+"/approve", nil, 201)
		pt := paid["transfer"].(map[string]any)
		if paid["status"] != "approved" || pt["prepared_by"] != "finance:finance" || pt["approved_by"] != "finance:reviewer" {
			t.Errorf("approved: %v", paid)
		}
		e.refuse(t, "reviewer", "POST", "/v1/payment-requests/"+mine+"/approve", nil, 409, "conflict")

		e.refuse(t, "finance", "POST", "/v1/payment-requests/"+id+"/reject", map[string]any{"note": ""}, 400, "invalid_request")
		r := e.Must("finance", "POST", "/v1/payment-requests/"+id+"/reject", map[string]any{"note": "合同未附"}, 200)
		if r["status"] != "rejected" {
			t.Errorf("rejected: %v", r)
		}
		e.refuse(t, "reviewer", "POST", "/v1/payment-requests/"+id+"/approve", nil, 409, "conflict")
		e.checkBooks()
	})
}
