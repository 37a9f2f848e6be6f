package httpapi_test

import (
	"net/url"
	"strings"
	"testing"
)

// reviewRows counts the stored review steps.
func (e *env) reviewRows() int64 {
	e.T.Helper()
	var n int64
	if err := e.DB.G.Raw("SELECT COUNT(*) FROM exception_reviews").Scan(&n).Error; err != nil {
		e.T.Fatal(err)
	}
	return n
}

// duplicateTown pays HZ-001's contractor 300.00 on 04-02 and again on 04-03:
// a possible duplicate payment in HZ.
func duplicateTown(e *env) {
	e.Fund("CG", "central_grant", "city", "basic")
	e.Receive("CG", "10000.00")
	e.Allocate("CG", "city", "project:HZ-001", "5000.00")
	for _, on := range []string{"2026-04-02", "2026-04-03"} {
		body := expenditure("HZ-001", "basic", "300.00")
		body["paid_on"] = on
		e.Must("hz", "POST", "/v1/expenditures", body, 201)
	}
}

// TestExceptionsAPI: the auditor's list pages by id with every filter; bad
// filters are 400 with a stable code; a district may not ask for another's.
func TestExceptionsAPI(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		duplicateTown(e)
		const asOf = "as_of=2026-04-10&"
		list := e.Must("auditor", "GET", "/v1/audit/exceptions?"+asOf+"kind=duplicate_payment", nil, 200)
		items := list["items"].([]any)
		if len(items) != 1 || list["next"] != nil || list["as_of"] != "2026-04-10" {
			t.Fatalf("duplicates: %v", list)
		}
		dup := items[0].(map[string]any)
		if !strings.HasPrefix(dup["id"].(string), "duplicate_payment:2026-") || dup["status"] != "open" ||
			dup["amount"] != "300.00" || dup["on"] != "2026-04-03" || dup["district"] != "HZ" {
			t.Errorf("finding %v", dup)
		}
		all := e.Must("finance", "GET", "/v1/audit/exceptions?"+asOf+"limit=1000", nil, 200)["items"].([]any)
		page := e.Must("finance", "GET", "/v1/audit/exceptions?"+asOf+"limit=1", nil, 200)
		if len(all) < 2 || len(page["items"].([]any)) != 1 || page["next"] != all[0].(map[string]any)["id"] {
			t.Fatalf("first page of one: %v; all: %d", page, len(all))
		}
		next := e.Must("finance", "GET", "/v1/audit/exceptions?"+asOf+"limit=1&after="+url.QueryEscape(page["next"].(string)), nil, 200)
		if next["items"].([]any)[0].(map[string]any)["id"] != all[1].(map[string]any)["id"] {
			t.Errorf("second page %v, want %v", next, all[1])
		}
		for q, n := range map[string]int{"period=2026-Q2&kind=duplicate_payment": 1, "period=2026-Q1&kind=duplicate_payment": 0,
			"from=2026-04-03&to=2026-04-03&kind=duplicate_payment": 1, "fiscal_year=2025&kind=duplicate_payment": 0,
			"severity=high&kind=duplicate_payment&district=HZ": 1, "severity=low&kind=duplicate_payment": 0,
			"district=LY&kind=duplicate_payment": 0, "status=open&kind=duplicate_payment": 1,
			"status=closed": 0, "duplicate_days=0&kind=duplicate_payment": 0} {
			if got := len(e.Must("finance", "GET", "/v1/audit/exceptions?"+asOf+q, nil, 200)["items"].([]any)); got != n {
				t.Errorf("%s: %d findings, want %d", q, got, n)
			}
		}
		if got := len(e.Must("hz", "GET", "/v1/audit/exceptions?"+asOf+"kind=duplicate_payment", nil, 200)["items"].([]any)); got != 1 {
			t.Errorf("hz sees %d duplicates, want 1", got)
		}
		if got := len(e.Must("ly", "GET", "/v1/audit/exceptions?"+asOf+"kind=duplicate_payment", nil, 200)["items"].([]any)); got != 0 {
			t.Errorf("ly sees %d duplicates, want 0", got)
		}
		for _, tc := range []struct{ who, q, status, code string }{
			{"finance", "kind=payment", "400", "invalid_request"},
			{"finance", "severity=urgent", "400", "invalid_request"},
			{"finance", "status=done", "400", "invalid_request"},
			{"finance", "fiscal_year=26", "400", "invalid_request"},
			{"finance", "fiscal_year=2026&from=2026-01-01", "400", "invalid_request"},
			{"finance", "from=2026-05-01&to=2026-04-01", "400", "invalid_request"},
			{"finance", "from=2026-02-30", "400", "invalid_request"},
			{"finance", "period=2026-Q5", "400", "invalid_request"},
			{"finance", "period=2026&fiscal_year=2026", "400", "invalid_request"},
			{"finance", "idle_days=abc", "400", "invalid_request"},
			{"finance", "idle_days=-1", "400", "invalid_request"},
			{"finance", "late_days=36501", "400", "invalid_request"},
			{"finance", "duplicate_days=1.5", "400", "invalid_request"},
			{"finance", "idle_min=-1", "400", "invalid_amount"},
			{"finance", "idle_min=1.234", "400", "invalid_amount"},
			{"finance", "as_of=2026-13-01", "400", "invalid_request"},
			{"finance", "limit=0", "400", "invalid_request"},
			{"finance", "format=pdf", "400", "invalid_request"},
			{"hz", "district=LY", "403", "forbidden"},
		} {
			r := e.Do(tc.who, "GET", "/v1/audit/exceptions?"+tc.q, nil)
			if got := r.Code(); got != tc.code || r.Status/100 != int(tc.status[0]-'0') {
				t.Errorf("%s ?%s: %d %s, want %s %s", tc.who, tc.q, r.Status, got, tc.status, tc.code)
			}
		}
		r := e.Do("auditor", "GET", "/v1/audit/exceptions?"+asOf+"format=csv&kind=duplicate_payment", nil)
		if r.Status != 200 || !strings.HasPrefix(string(r.Body), "id,code,rule,severity,subject,district,amount,on,detail,status") ||
			strings.Count(string(r.Body), "\n") != 2 {
			t.Errorf("csv: %d %s", r.Status, r.Body)
		}
	})
}

// TestExceptionReviewsAPI: finance or the auditor acknowledges, explains and
// closes a finding; a district or the admin may not; a missing note is 400
// note_required, an unknown action 400, an unknown finding 404, a step on
// a closed finding 409; refusals store nothing and a retried step with its
// Idempotency-Key is stored once.
func TestExceptionReviewsAPI(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		duplicateTown(e)
		const asOf = "?as_of=2026-04-10"
		items := e.Must("auditor", "GET", "/v1/audit/exceptions"+asOf+"&kind=duplicate_payment", nil, 200)["items"].([]any)
		id := items[0].(map[string]any)["id"].(string)
		path := "/v1/audit/exceptions/" + id
		one := e.Must("hz", "GET", path+asOf, nil, 200)
		if one["id"] != id || one["status"] != "open" || len(one["reviews"].([]any)) != 0 {
			t.Errorf("the finding: %v", one)
		}
		for _, tc := range []struct {
			who, path string
			body      any
			status    int
			code      string
		}{
			{"hz", path + "/reviews" + asOf, map[string]any{"action": "acknowledge", "note": "已核实"}, 403, "forbidden"},
			{"admin", path + "/reviews" + asOf, map[string]any{"action": "acknowledge", "note": "已核实"}, 403, "forbidden"},
			{"finance", path + "/reviews" + asOf, map[string]any{"action": "acknowledge", "note": ""}, 400, "note_required"},
			{"finance", path + "/reviews" + asOf, map[string]any{"action": "acknowledge"}, 400, "note_required"},
			{"finance", path + "/reviews" + asOf, map[string]any{"action": "approve", "note": "好"}, 400, "invalid_request"},
			{"finance", path + "/reviews" + asOf, map[string]any{"action": "close", "note": "好", "by": "me"}, 400, "invalid_request"},
			{"finance", path + "/reviews" + asOf, `{"action": "close", "note": 5}`, 400, "invalid_request"},
			{"finance", path + "/reviews?as_of=2026-04-01", map[string]any{"action": "close", "note": "好"}, 404, "not_found"},
			{"finance", "/v1/audit/exceptions/duplicate_payment:2099-00000001/reviews" + asOf, map[string]any{"action": "close", "note": "好"}, 404, "not_found"},
			{"finance", "/v1/audit/exceptions/nothing/reviews" + asOf, map[string]any{"action": "close", "note": "好"}, 404, "not_found"},
			{"finance", path + "/reviews?idle_days=x", map[string]any{"action": "close", "note": "好"}, 400, "invalid_request"},
		} {
			r := e.Do(tc.who, "POST", tc.path, tc.body)
			if r.Status != tc.status || r.Code() != tc.code {
				t.Errorf("%s POST %s %v: %d %s, want %d %s", tc.who, tc.path, tc.body, r.Status, r.Code(), tc.status, tc.code)
			}
		}
		if n := e.reviewRows(); n != 0 {
			t.Fatalf("refused reviews stored %d rows", n)
		}
		ack := map[string]any{"action": "acknowledge", "note": "已联系施工单位核实"}
		first := e.Do("auditor", "POST", path+"/reviews"+asOf, ack, "Idempotency-Key", "ack-1")
		again := e.Do("auditor", "POST", path+"/reviews"+asOf, ack, "Idempotency-Key", "ack-1")
		if first.Status != 201 || again.Status != 201 || string(first.Body) != string(again.Body) || e.reviewRows() != 1 {
			t.Fatalf("acknowledge and its retry: %d %s / %d %s, %d rows", first.Status, first.Body, again.Status, again.Body, e.reviewRows())
		}
		f := first.JSON(t)
		rs := f["reviews"].([]any)
		if f["status"] != "acknowledged" || len(rs) != 1 || rs[0].(map[string]any)["reviewed_by"] != "auditor:auditor" ||
			rs[0].(map[string]any)["amount"] != "300.00" {
			t.Errorf("acknowledged: %s", first.Body)
		}
		e.Must("finance", "POST", path+"/reviews"+asOf, map[string]any{"action": "explain", "note": "第二笔为质保金，误用同一金额"}, 201)
		closed := e.Must("finance", "POST", path+"/reviews"+asOf, map[string]any{"action": "close", "note": "已追回"}, 201)
		if closed["status"] != "closed" || len(closed["reviews"].([]any)) != 3 {
			t.Errorf("closed: %v", closed)
		}
		r := e.Do("auditor", "POST", path+"/reviews"+asOf, map[string]any{"action": "explain", "note": "补充"})
		if r.Status != 409 || r.Code() != "conflict" || e.reviewRows() != 3 {
			t.Errorf("a step on a closed finding: %d %s, %d rows", r.Status, r.Body, e.reviewRows())
		}
		if got := e.Must("auditor", "GET", "/v1/audit/exceptions"+asOf+"&status=closed", nil, 200)["items"].([]any); len(got) != 1 {
			t.Errorf("closed findings: %v", got)
		}
		if got := e.Must("hz", "GET", path+asOf, nil, 200); got["status"] != "closed" || len(got["reviews"].([]any)) != 3 {
			t.Errorf("hz reads the closed finding: %v", got)
		}
		if r := e.Do("ly", "GET", path+asOf, nil); r.Status != 404 {
			t.Errorf("ly reads HZ's finding: %d %s", r.Status, r.Body)
		}
	})
}
