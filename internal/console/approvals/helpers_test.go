package approvals_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"renofund/internal/console/consoletest"
)

// api calls the JSON API as who (a user of consoletest.Who) with a bearer
// token, and decodes the answer.
func api(t *testing.T, s *consoletest.Site, who, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var r *http.Request
	if body == nil {
		r = httptest.NewRequest(method, path, nil)
	} else {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = httptest.NewRequest(method, path, bytes.NewReader(b))
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("Authorization", "Bearer "+s.Tokens[who])
	w := httptest.NewRecorder()
	s.API.Handler().ServeHTTP(w, r)
	var out map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil && w.Code < 300 {
		t.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
	}
	return w.Code, out
}

// must calls the API and fails the test unless it answers status.
func must(t *testing.T, s *consoletest.Site, who, method, path string, body any, status int) map[string]any {
	t.Helper()
	got, out := api(t, s, who, method, path, body)
	if got != status {
		t.Fatalf("%s %s %s: %d %v, want %d", who, method, path, got, out, status)
	}
	return out
}

// fund registers a fund and receives amount into it on 1 March 2026.
func fund(t *testing.T, s *consoletest.Site, code, kind, holder, amount string, categories ...string) {
	t.Helper()
	must(t, s, "finance", "POST", "/v1/funds", map[string]any{"code": code, "kind": kind, "name": "资金 " + code,
		"holder": holder, "fiscal_year": 2026, "document_no": "财综〔2026〕1号", "eligible_categories": categories}, 201)
	must(t, s, "finance", "POST", "/v1/funds/"+code+"/receipts", map[string]any{"amount": amount,
		"received_on": "2026-03-01", "payer": map[string]any{"name": "江苏省财政厅"}}, 201)
}

// form is url.Values from name, value pairs.
func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// has fails the test unless the page holds every text.
func has(t *testing.T, what string, p consoletest.Page, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(p.Body, s) {
			t.Errorf("%s: the page (%d) lacks %q", what, p.Status, s)
		}
	}
}

// lacks fails the test if the page holds any of texts.
func lacks(t *testing.T, what string, p consoletest.Page, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(p.Body, s) {
			t.Errorf("%s: the page holds %q", what, s)
		}
	}
}

// status fails the test unless the page answered want.
func status(t *testing.T, what string, p consoletest.Page, want int) {
	t.Helper()
	if p.Status != want {
		t.Fatalf("%s: %d, want %d\n%.2000s", what, p.Status, want, p.Body)
	}
}

// refused checks a refusal page: its status and the API's code on it, in
// the clerk's words.
func refused(t *testing.T, what string, p consoletest.Page, want int, code, text string) {
	t.Helper()
	status(t, what, p, want)
	has(t, what, p, "<code>"+code+"</code>", text)
}

// signIn signs who in and opens a page every role may read, so that the
// browser holds the session's CSRF secret for its forms.
func signIn(t *testing.T, s *consoletest.Site, who string) *consoletest.Browser {
	t.Helper()
	b := s.SignIn(who)
	status(t, who+" opens the periods", b.Get("/console/periods"), http.StatusOK)
	return b
}
