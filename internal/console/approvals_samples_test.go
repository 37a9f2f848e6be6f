package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"

	"renofund/internal/access"
	"renofund/internal/field"
)

// The samples of the approvals and admin sections' pages (see samples in
// console_test.go). Each district gets, on first use, objects of its own:
// an allocation plan its clerk drafted from its own holding, a subsidy run
// of a scheme the district holds (so that the other district has none of
// its lines), and a throwaway token for the revoke form. Periods belong to
// no district: both sides use March 2026.
func init() {
	plan := func(w *world, d string) string { return "/console/allocation-plans/" + approvalsOf(w, d).plan }
	run := func(w *world, d string) string { return "/console/subsidy/runs/" + approvalsOf(w, d).run }
	period := func(step string) sample {
		return func(*world, string) string { return "/console/periods/2026-03" + step }
	}
	for key, s := range map[string]sample{
		"GET /console/allocation-plans/:id":            plan,
		"POST /console/allocation-plans/:id/execute":   func(w *world, d string) string { return plan(w, d) + "/execute" },
		"GET /console/subsidy/runs/:id":                run,
		"GET /console/subsidy/runs/:id/payments.csv":   func(w *world, d string) string { return run(w, d) + "/payments.csv" },
		"POST /console/subsidy/runs/:id/approve":       func(w *world, d string) string { return run(w, d) + "/approve" },
		"POST /console/subsidy/runs/:id/cancel":        func(w *world, d string) string { return run(w, d) + "/cancel" },
		"POST /console/periods/:period/close":          period("/close"),
		"POST /console/periods/:period/close/confirm":  period("/close/confirm"),
		"POST /console/periods/:period/reopen":         period("/reopen"),
		"POST /console/periods/:period/reopen/confirm": period("/reopen/confirm"),
		"POST /console/tokens/:id/revoke": func(w *world, d string) string {
			return "/console/tokens/" + approvalsOf(w, d).token + "/revoke"
		},
	} {
		samples[key] = s
	}
}

// approvalsObjects are a district's sample objects.
type approvalsObjects struct{ plan, run, token string }

// approvalsMade are the objects made so far, by world and district.
var approvalsMade = map[*world]map[string]*approvalsObjects{}

// approvalsOf returns district d's sample objects, making them on first
// use through the API: a district fund with money, a plan its clerk drafts
// to one of its projects, a scheme it holds and a run of it drafted by
// finance, and an auditor's token.
func approvalsOf(w *world, d string) *approvalsObjects {
	if o := approvalsMade[w][d]; o != nil {
		return o
	}
	w.T.Helper()
	project := approvalsCall(w, "finance", "GET", "/v1/projects?limit=1&district="+d, nil)["items"].([]any)[0].(map[string]any)["code"].(string)
	fund := d + "-SMP"
	approvalsCall(w, "finance", "POST", "/v1/funds", map[string]any{"code": fund, "kind": "district_fiscal", "name": "样例资金 " + d,
		"holder": "district:" + d, "fiscal_year": 2026, "document_no": "样例〔2026〕1号", "eligible_categories": []string{"improvement"}})
	approvalsCall(w, "finance", "POST", "/v1/funds/"+fund+"/receipts", map[string]any{"amount": "100.00", "received_on": field.Today(), "payer": map[string]any{"name": "区财政局"}})
	o := &approvalsObjects{}
	o.plan = approvalsCall(w, strings.ToLower(d), "POST", "/v1/allocation-plans", map[string]any{"fund": fund, "from": "district:" + d,
		"total": "10.00", "recipients": []map[string]any{{"to": "project:" + project, "area_m2": "1", "households": 1, "buildings": 1, "communities": 1}},
		"weights": map[string]any{"area": "1"}})["id"].(string)
	approvalsCall(w, "finance", "POST", "/v1/subsidy/schemes", map[string]any{"code": "SMP-" + d, "name": "样例物业补贴 " + d, "fund": fund,
		"holder": "district:" + d, "basis": "per_community", "rate": "1", "period": "quarter", "valid_from": "2026-01-01",
		"bands": []map[string]any{{"min_score": 60, "ratio": "1"}}})
	o.run = approvalsCall(w, "finance", "POST", "/v1/subsidy/runs", map[string]any{"scheme": "SMP-" + d, "period": "2026-Q1"})["id"].(string)
	_, tok, err := w.App.Tokens.Issue(context.Background(), access.Auditor, "", "sample-revoke-"+d, 0)
	if err != nil {
		w.T.Fatal(err)
	}
	o.token = tok.ID
	if approvalsMade[w] == nil {
		approvalsMade[w] = map[string]*approvalsObjects{}
	}
	approvalsMade[w][d] = o
	return o
}

// approvalsCall calls the JSON API as who with a bearer token and fails
// the test unless it succeeds.
func approvalsCall(w *world, who, method, path string, body any) map[string]any {
	w.T.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		w.T.Fatal(err)
	}
	r := httptest.NewRequest(method, path, bytes.NewReader(b))
	if body == nil {
		r = httptest.NewRequest(method, path, nil)
	}
	r.Header.Set("Authorization", "Bearer "+w.Tokens[who])
	r.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	w.API.Handler().ServeHTTP(rec, r)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || rec.Code >= http.StatusMultipleChoices {
		w.T.Fatalf("%s %s as %s: %d %s", method, path, who, rec.Code, rec.Body)
	}
	return out
}
