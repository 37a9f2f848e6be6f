package browser_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"renofund/internal/browser"
	"renofund/internal/console/consoletest"
	"renofund/internal/console/kit"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// site is the console with enough in its books for every page to show
// rows: a central grant received by the city and allocated down to both
// districts and their projects, each district's own fund and a payment
// from each project, two households' contributions, a works contract, a
// property manager, and a large payment filed by one finance clerk for
// another to approve. Personal data (household names and numbers, bank
// accounts) is in it on purpose, so that a page that must not show it can
// be caught showing it.
type site struct {
	*consoletest.Site
	t      *testing.T
	chrome *browser.Chromium
	// filed is the payment request waiting for a second person.
	filed string
}

// Personal data the books hold, which no public page may show.
var personal = []string{"王秀英", "李建国", "3-2-501", "5-1-302", "6222020000000001", "6222020000000009", "1,234.56", "1234.56", "987.65"}

// A payee's unified social credit code (valid check character).
const payeeCode = "91350100M000100Y43"

// newSite serves the console on db with the books above and starts the
// browser (or skips or fails the test when there is none: see Start).
func newSite(t *testing.T, db *store.DB) *site {
	t.Helper()
	chrome := browser.Start(t)
	s := &site{Site: consoletest.New(t, db), t: t, chrome: chrome}
	fund := func(who, code, kind, holder, doc string, categories ...string) {
		s.api(who, "POST", "/v1/funds", map[string]any{"code": code, "kind": kind, "name": code + " " + kit.Label(kind),
			"holder": holder, "fiscal_year": 2026, "document_no": doc, "eligible_categories": categories}, 201)
	}
	receive := func(who, fund, amount, payer, household string) {
		body := map[string]any{"amount": amount, "received_on": "2026-03-01", "payer": map[string]any{"name": payer}}
		if household != "" {
			body["household"] = household
		}
		s.api(who, "POST", "/v1/funds/"+fund+"/receipts", body, 201)
	}
	allocate := func(from, to, amount, on string) {
		s.api("finance", "POST", "/v1/allocations", map[string]any{"fund": "CG-1", "from": from, "to": to, "amount": amount,
			"allocated_on": on, "document_no": "连财建〔2026〕8号"}, 201)
	}
	pay := func(project, amount, purpose string) map[string]any {
		return map[string]any{"project": project, "category": "basic", "amount": amount, "paid_on": "2026-04-02", "purpose": purpose,
			"payee": map[string]any{"name": "连云港市政工程有限公司", "credit_code": payeeCode, "bank_account": "6222020000000001"}}
	}

	fund("finance", "CG-1", "central_grant", "city", "财综〔2026〕15号", "basic", "improvement")
	receive("finance", "CG-1", "5000000.00", "江苏省财政厅", "")
	allocate("city", "district:HZ", "2000000.00", "2026-03-02")
	allocate("district:HZ", "project:HZ-001", "1600000.00", "2026-03-03")
	allocate("city", "project:LY-001", "800000.00", "2026-03-03")
	for _, d := range []string{"HZ", "LY"} {
		who := strings.ToLower(d)
		fund(who, d+"-DF", "district_fiscal", "district:"+d, d+"财〔2026〕3号", "basic")
		receive(who, d+"-DF", "300000.00", "区财政局", "")
	}
	fund("finance", "HZ-R1", "resident_contribution", "project:HZ-001", "海居〔2026〕1号", "basic")
	receive("hz", "HZ-R1", "1234.56", "王秀英", "3-2-501")
	receive("hz", "HZ-R1", "987.65", "李建国", "5-1-302")
	s.api("hz", "POST", "/v1/expenditures", pay("HZ-001", "250000.50", "雨污分流管网改造"), 201)
	s.api("ly", "POST", "/v1/expenditures", pay("LY-001", "12345.67", "屋面防水"), 201)
	payee := s.api("finance", "POST", "/v1/payees", map[string]any{"name": "连云港市政工程有限公司", "credit_code": payeeCode,
		"bank_account": "6222020000000001", "sme": true}, 201)["id"]
	s.api("finance", "POST", "/v1/projects/HZ-001/contracts", map[string]any{"payee": payee, "category": "basic",
		"sum": "900000.00", "signed_on": "2026-03-10"}, 201)
	s.api("finance", "PUT", "/v1/projects/HZ-001/property-manager", map[string]any{"name": "海州物业服务有限公司",
		"credit_code": payeeCode, "bank_account": "6222020000000009", "from": "2026-01-01"}, 200)
	// Above the approval threshold (¥1,000,000): filed, not paid.
	s.filed = s.api("finance", "POST", "/v1/expenditures", pay("HZ-001", "1200000.00", "外墙保温工程进度款"), 202)["id"].(string)
	return s
}

// sqliteSite is the site on SQLite. Apart from signing in, which runs on
// both engines, the browser tests run on one: what they add to the
// console's own tests, which open every page and run every flow on both
// engines over HTTP, is the browser's part (forms and their confirmations,
// file inputs, downloads, scripts, rendering), which does not depend on the
// engine, while every page load costs seconds with the server under the
// race detector.
func sqliteSite(t *testing.T) *site {
	t.Helper()
	return newSite(t, storetest.Open(t, store.SQLite))
}

// api sends a JSON request to the API with who's token and wants status.
func (s *site) api(who, method, path string, body any, want int) map[string]any {
	s.t.Helper()
	var in io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.t.Fatal(err)
		}
		in = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, in)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.Tokens[who])
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	if resp.StatusCode != want {
		s.t.Fatalf("%s %s as %s: %d, want %d: %s", method, path, who, resp.StatusCode, want, raw)
	}
	out := map[string]any{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			s.t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	return out
}

// signIn opens a window for who on the site and signs in with who's token.
func (s *site) signIn(who string) *browser.User {
	s.t.Helper()
	return signIn(s.t, s.chrome, s.URL, who, s.Tokens[who])
}

// signIn opens a window for who on the site at base, types token into the
// sign-in form and sends it; it returns the window on the page the console
// landed on.
func signIn(t *testing.T, chrome *browser.Chromium, base, who, token string) *browser.User {
	t.Helper()
	u := chrome.User(t, base, who)
	if got := u.Open("/console/login"); got != http.StatusOK {
		t.Fatalf("%s: the sign-in page: %d", who, got)
	}
	u.Type("#token", token)
	if got := u.Follow(`form[action="/console/login"] button[type=submit]`); got != http.StatusOK {
		t.Fatalf("%s: signed in onto %s: %d; the page says %.300s", who, u.Path(), got, u.Text("main"))
	}
	return u
}
