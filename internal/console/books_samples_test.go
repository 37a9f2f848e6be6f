package console_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"sync"
)

// The books section's objects for the access matrix: in each district a
// residents' fund at its project with money received, that receipt's
// transfer, and a payment filed for approval (above the threshold), made
// once per world through the API as the finance bureau.
func init() {
	for key, s := range map[string]func(w *world, d string) string{
		"GET /console/projects/:code":                func(w *world, d string) string { return "/console/projects/" + d + "-001" },
		"GET /console/projects/:code/final-accounts": func(w *world, d string) string { return "/console/projects/" + d + "-001" + "/final-accounts" },
		"POST /console/projects/:code/expenditures":  func(w *world, d string) string { return "/console/projects/" + d + "-001" + "/expenditures" },
		"GET /console/funds/:code":                   func(w *world, d string) string { return "/console/funds/" + w.books(d, "fund") },
		"GET /console/funds/:code/receipts-import":   func(w *world, d string) string { return "/console/funds/" + w.books(d, "fund") + "/receipts-import" },
		"POST /console/funds/:code/receipts-import":  func(w *world, d string) string { return "/console/funds/" + w.books(d, "fund") + "/receipts-import" },
		"GET /console/transfers/:id":                 func(w *world, d string) string { return "/console/transfers/" + w.books(d, "transfer") },
		"POST /console/transfers/:id/reversal":       func(w *world, d string) string { return "/console/transfers/" + w.books(d, "transfer") + "/reversal" },
		"GET /console/payment-requests/:id":          func(w *world, d string) string { return "/console/payment-requests/" + w.books(d, "request") },
		"POST /console/payment-requests/:id/approve": func(w *world, d string) string {
			return "/console/payment-requests/" + w.books(d, "request") + "/approve"
		},
		"POST /console/payment-requests/:id/reject": func(w *world, d string) string {
			return "/console/payment-requests/" + w.books(d, "request") + "/reject"
		},
	} {
		samples[key] = s
	}
}

// booksMade holds each world's books objects by "district/what".
var booksMade = struct {
	sync.Mutex
	m map[*world]map[string]string
}{m: map[*world]map[string]string{}}

// books returns the id or code of the books object what of district d,
// making the world's objects on first use.
func (w *world) books(d, what string) string {
	booksMade.Lock()
	defer booksMade.Unlock()
	made := booksMade.m[w]
	if made == nil {
		made = map[string]string{}
		for _, d := range []string{"HZ", "LY"} {
			fund := d + "-RC"
			w.booksAPI("POST", "/v1/funds", map[string]any{"code": fund, "kind": "resident_contribution", "name": "居民出资",
				"holder": "project:" + d + "-001", "fiscal_year": 2026, "document_no": "居民出资协议", "eligible_categories": []string{"basic"}}, 201)
			made[d+"/fund"] = fund
			made[d+"/transfer"] = w.booksAPI("POST", "/v1/funds/"+fund+"/receipts", map[string]any{"amount": "2000000.00",
				"received_on": "2026-03-01", "payer": map[string]any{"name": "居民"}}, 201)
			made[d+"/request"] = w.booksAPI("POST", "/v1/expenditures", map[string]any{"project": d + "-001", "category": "basic",
				"amount": "1500000.00", "paid_on": "2026-04-01", "purpose": "工程款",
				"payee": map[string]any{"name": "施工单位", "credit_code": "91350100M000100Y43", "bank_account": "6222020000000001"}}, 202)
		}
		booksMade.m[w] = made
	}
	return made[d+"/"+what]
}

// booksAPI calls the JSON API as finance, wants status and returns the
// answer's id.
func (w *world) booksAPI(method, path string, body any, status int) string {
	b, _ := json.Marshal(body)
	req := httptest.NewRequest(method, path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+w.Tokens["finance"])
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	w.API.Handler().ServeHTTP(rec, req)
	var out struct{ ID string }
	if rec.Code != status || json.Unmarshal(rec.Body.Bytes(), &out) != nil {
		w.T.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
	return out.ID
}
