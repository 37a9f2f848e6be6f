package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/auth"
	"renofund/internal/httpapi"
	"renofund/internal/ledger"
	"renofund/internal/ledger/proof"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// env is a server on a fresh database with a token for every role and two
// districts (HZ and LY), each with one project.
type env struct {
	t      testing.TB
	db     *store.DB
	srv    *httpapi.Server
	app    *app.Services
	ledger *ledger.Ledger
	tokens *auth.Tokens
	tok    map[string]string // admin, finance, auditor, hz (district HZ), ly (district LY)
}

// newEnv builds the environment on db.
func newEnv(t testing.TB, db *store.DB) *env {
	t.Helper()
	e := newBareEnv(t, db)
	for _, d := range []struct{ code, name string }{{"HZ", "海州区"}, {"LY", "连云区"}} {
		e.must("finance", "POST", "/v1/districts", map[string]any{"code": d.code, "name": d.name}, 201)
		e.must("finance", "POST", "/v1/projects", project(d.code+"-001", d.code), 201)
	}
	e.issue("hz", access.District, "HZ")
	e.issue("ly", access.District, "LY")
	return e
}

// newBareEnv is a server on db with admin, finance and auditor tokens and
// nothing else.
func newBareEnv(t testing.TB, db *store.DB) *env {
	t.Helper()
	svc := app.New(db, nil)
	srv := svc.API(nil, 0)
	t.Cleanup(srv.Close)
	e := &env{t: t, db: db, app: svc, srv: srv, ledger: svc.Ledger, tokens: svc.Tokens, tok: map[string]string{}}
	e.issue("admin", access.Admin, "")
	e.issue("finance", access.Finance, "")
	e.issue("reviewer", access.Finance, "") // a second finance person, for four eyes
	e.issue("auditor", access.Auditor, "")
	return e
}

// payApproved files a payment that needs a second person as who and has the
// reviewer approve it; it returns the transfer paid.
func (e *env) payApproved(who string, body map[string]any) map[string]any {
	e.t.Helper()
	req := e.must(who, "POST", "/v1/expenditures", body, 202)
	if req["status"] != "pending" {
		e.t.Fatalf("filed payment: %v", req)
	}
	return e.must("reviewer", "POST", "/v1/payment-requests/"+req["id"].(string)+"/approve", nil, 201)["transfer"].(map[string]any)
}

// issue creates a token and keeps its secret under key.
func (e *env) issue(key string, role access.Role, district string) {
	e.t.Helper()
	secret, _, err := e.tokens.Issue(context.Background(), role, district, key, 0)
	if err != nil {
		e.t.Fatalf("issue %s: %v", key, err)
	}
	e.tok[key] = secret
}

// eachEnv runs fn on both engines.
func eachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, newEnv(t, db)) })
}

func project(code, district string) map[string]any {
	return map[string]any{
		"code": code, "name": "小区 " + code, "district": district, "households": 320,
		"floor_area_m2": "21500.50", "buildings": 8, "built_year": 1996,
		"budget": map[string]any{"basic": "3000000.00", "improvement": "1200000.00", "upgrade": "500000.00"},
	}
}

type response struct {
	Status int
	Body   []byte
	Header http.Header
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

func (r response) code() string {
	var b struct {
		Error struct{ Code string } `json:"error"`
	}
	json.Unmarshal(r.Body, &b)
	return b.Error.Code
}

// do sends a request as the token named who ("" for none); body may be a
// string (sent as is) or anything JSON-encodable.
func (e *env) do(who, method, path string, body any, headers ...string) response {
	var rd *bytes.Reader
	switch b := body.(type) {
	case nil:
		rd = bytes.NewReader(nil)
	case string:
		rd = bytes.NewReader([]byte(b))
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatalf("marshal: %v", err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Content-Type", "application/json")
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+e.tok[who])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	return response{Status: rec.Code, Body: rec.Body.Bytes(), Header: rec.Header()}
}

// must sends a request and fails the test unless the status is want.
func (e *env) must(who, method, path string, body any, want int) map[string]any {
	e.t.Helper()
	r := e.do(who, method, path, body)
	if r.Status != want {
		e.t.Fatalf("%s %s as %s: status %d, want %d: %s", method, path, who, r.Status, want, r.Body)
	}
	if len(r.Body) == 0 || r.Body[0] != '{' {
		return nil
	}
	return r.json(e.t)
}

// fund registers a fund held by holder with the given categories.
func (e *env) fund(code, kind, holder string, categories ...string) {
	e.t.Helper()
	e.must("finance", "POST", "/v1/funds", map[string]any{
		"code": code, "kind": kind, "name": "fund " + code, "holder": holder, "fiscal_year": 2026,
		"document_no": "财建〔2026〕1号", "eligible_categories": categories,
	}, 201)
}

func (e *env) receive(fund, amount string) {
	e.t.Helper()
	e.must("finance", "POST", "/v1/funds/"+fund+"/receipts", map[string]any{
		"amount": amount, "received_on": "2026-03-01", "payer": map[string]any{"name": "江苏省财政厅"},
	}, 201)
}

func (e *env) allocate(fund, from, to, amount string) {
	e.t.Helper()
	e.must("finance", "POST", "/v1/allocations", map[string]any{"fund": fund, "from": from, "to": to, "amount": amount,
		"allocated_on": "2026-03-02"}, 201)
}

const payeeCode = "91350100M000100Y43"

func expenditure(projectCode, category, amount string) map[string]any {
	return map[string]any{
		"project": projectCode, "category": category, "amount": amount, "paid_on": "2026-04-02",
		"purpose": "雨污分流管网改造",
		"payee":   map[string]any{"name": "连云港市政工程有限公司", "credit_code": payeeCode, "bank_account": "6222020000000001"},
	}
}

// snapshot is everything a refused request must leave unchanged.
type snapshot struct {
	Transfers, Postings, Holdings, Funds, Projects, Districts, Keys int64
	Balance                                                         int64
	Subsidy                                                         int64 // managers, ratings, runs (paid counted twice), settlements
}

func (e *env) snapshot() snapshot {
	e.t.Helper()
	var s snapshot
	q := func(sql string, dst *int64) {
		if err := e.db.G.Raw(sql).Scan(dst).Error; err != nil {
			e.t.Fatalf("%s: %v", sql, err)
		}
	}
	q("SELECT COUNT(*) FROM transfers", &s.Transfers)
	q("SELECT COUNT(*) FROM postings", &s.Postings)
	q("SELECT COUNT(*) FROM holdings", &s.Holdings)
	q("SELECT COUNT(*) FROM funds", &s.Funds)
	q("SELECT COUNT(*) FROM projects", &s.Projects)
	q("SELECT COUNT(*) FROM districts", &s.Districts)
	q("SELECT COUNT(*) FROM idempotency_keys", &s.Keys)
	q("SELECT COALESCE(SUM(balance), 0) FROM holdings", &s.Balance)
	q(`SELECT (SELECT COUNT(*) FROM subsidy_property_managers) + (SELECT COUNT(*) FROM subsidy_ratings) +
		(SELECT COUNT(*) FROM subsidy_runs) + (SELECT COUNT(*) FROM subsidy_runs WHERE status = 'paid') +
		(SELECT COUNT(*) FROM subsidy_clawback_settlements)`, &s.Subsidy)
	return s
}

// checkBooks asserts the invariants: money conserved (receipts − payments,
// net of reversals, equals the sum of holdings), nothing negative, and the
// hash links verify.
func (e *env) checkBooks() {
	e.t.Helper()
	var external, holdings, negative int64
	e.db.G.Raw("SELECT COALESCE(SUM(amount), 0) FROM postings WHERE holder = 'external'").Scan(&external)
	e.db.G.Raw("SELECT COALESCE(SUM(balance), 0) FROM holdings").Scan(&holdings)
	e.db.G.Raw("SELECT COUNT(*) FROM holdings WHERE balance < 0").Scan(&negative)
	if -external != holdings {
		e.t.Errorf("money not conserved: outside world gave %s net, holdings sum to %s", money.Amount(-external), money.Amount(holdings))
	}
	if negative != 0 {
		e.t.Errorf("%d holdings below zero", negative)
	}
	r, err := proof.New(e.ledger.DB()).Verify(context.Background(), proof.Full)
	if err != nil {
		e.t.Fatalf("verify: %v", err)
	}
	if !r.OK {
		e.t.Errorf("verification failed at %s: %s", r.Where, r.Problem)
	}
}

func (e *env) balance(fund, holder string) string {
	b, err := e.ledger.Balance(context.Background(), fund, holder)
	if err != nil {
		e.t.Fatal(err)
	}
	return b.String()
}

var _ = fmt.Sprintf

// forT returns a copy of the environment whose helpers report to t, for use
// inside subtests.
func (e *env) forT(t testing.TB) *env {
	c := *e
	c.t = t
	return &c
}

// refuse sends a request that must be refused with status and code, and
// checks that it wrote nothing (no transfer, posting, holding, fund,
// project, district or idempotency key; no balance moved).
func (e *env) refuse(t testing.TB, who, method, path string, body any, status int, code string, headers ...string) response {
	t.Helper()
	e = e.forT(t)
	before := e.snapshot()
	r := e.do(who, method, path, body, headers...)
	if r.Status != status || r.code() != code {
		t.Errorf("%s %s as %q: got %d %q, want %d %q: %s", method, path, who, r.Status, r.code(), status, code, r.Body)
	}
	if after := e.snapshot(); after != before {
		t.Errorf("%s %s as %q was refused but wrote: before %+v, after %+v", method, path, who, before, after)
	}
	return r
}

// serve sends a prepared request straight to the handler.
func (e *env) serve(req *http.Request) response {
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	return response{Status: rec.Code, Body: rec.Body.Bytes(), Header: rec.Header()}
}

// fundBody is a valid POST /v1/funds body; extra fields are merged in.
func fundBody(code, kind, holder string, extra map[string]any, categories ...string) map[string]any {
	b := map[string]any{
		"code": code, "kind": kind, "name": "fund " + code, "holder": holder, "fiscal_year": 2026,
		"document_no": "财建〔2026〕1号", "eligible_categories": categories,
	}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

// transferCount counts the stored transfers.
func (e *env) transferCount() int64 {
	e.t.Helper()
	var n int64
	if err := e.db.G.Raw("SELECT COUNT(*) FROM transfers").Scan(&n).Error; err != nil {
		e.t.Fatal(err)
	}
	return n
}
