// Package apitest is the test environment the HTTP API's tests share: a
// server on a fresh database with a token for every role, and helpers that
// send requests as a named token. The route-wide tests (the access matrix,
// the hostile-input corpus, the route walk) live in a package of their own,
// internal/httpapi/routetest, so that they run beside the rest of the API's
// tests; both use this one environment rather than copies of it.
//
// It holds no SQL: the checks that read tables directly (the books, the row
// counts a refusal must leave alone) stay in each test package.
package apitest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/auth"
	"renofund/internal/httpapi"
	"renofund/internal/ledger"
	"renofund/internal/store"
)

// Env is a server on a fresh database with a token for every role and, from
// New, two districts (HZ and LY), each with one project.
type Env struct {
	T      testing.TB
	DB     *store.DB
	Srv    *httpapi.Server
	App    *app.Services
	Ledger *ledger.Ledger
	Tokens *auth.Tokens
	Tok    map[string]string // admin, finance, reviewer, auditor; from New also hz (district HZ), ly (district LY)
}

// New builds the environment on db.
func New(t testing.TB, db *store.DB) *Env {
	t.Helper()
	e := NewBare(t, db)
	for _, d := range []struct{ code, name string }{{"HZ", "海州区"}, {"LY", "连云区"}} {
		e.Must("finance", "POST", "/v1/districts", map[string]any{"code": d.code, "name": d.name}, 201)
		e.Must("finance", "POST", "/v1/projects", Project(d.code+"-001", d.code), 201)
	}
	e.Issue("hz", access.District, "HZ")
	e.Issue("ly", access.District, "LY")
	return e
}

// NewBare is a server on db with admin, finance (two: finance and
// reviewer, for four eyes) and auditor tokens and nothing else.
func NewBare(t testing.TB, db *store.DB) *Env {
	t.Helper()
	svc := app.New(db, nil)
	srv := svc.API(nil, 0)
	t.Cleanup(srv.Close)
	e := &Env{T: t, DB: db, App: svc, Srv: srv, Ledger: svc.Ledger, Tokens: svc.Tokens, Tok: map[string]string{}}
	e.Issue("admin", access.Admin, "")
	e.Issue("finance", access.Finance, "")
	e.Issue("reviewer", access.Finance, "") // a second finance person, for four eyes
	e.Issue("auditor", access.Auditor, "")
	return e
}

// ForT returns a copy of the environment whose helpers report to t, for use
// inside subtests.
func (e *Env) ForT(t testing.TB) *Env {
	c := *e
	c.T = t
	return &c
}

// Issue creates a token and keeps its secret under key.
func (e *Env) Issue(key string, role access.Role, district string) {
	e.T.Helper()
	secret, _, err := e.Tokens.Issue(context.Background(), role, district, key, 0)
	if err != nil {
		e.T.Fatalf("issue %s: %v", key, err)
	}
	e.Tok[key] = secret
}

// Response is what the server answered.
type Response struct {
	Status int
	Body   []byte
	Header http.Header
}

// JSON decodes the body as a JSON object, failing t if it is not one.
func (r Response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// Code is the error code of an error answer ("" for any other).
func (r Response) Code() string {
	var b struct {
		Error struct{ Code string } `json:"error"`
	}
	json.Unmarshal(r.Body, &b)
	return b.Error.Code
}

// Do sends a request as the token named who ("" for none); body may be a
// string or []byte (sent as is) or anything JSON-encodable. headers are
// name, value pairs.
func (e *Env) Do(who, method, path string, body any, headers ...string) Response {
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
			e.T.Fatalf("marshal: %v", err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Content-Type", "application/json")
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+e.Tok[who])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return e.Serve(req)
}

// Must sends a request and fails the test unless the status is want; it
// returns the answer's JSON object (nil for any other body).
func (e *Env) Must(who, method, path string, body any, want int) map[string]any {
	e.T.Helper()
	r := e.Do(who, method, path, body)
	if r.Status != want {
		e.T.Fatalf("%s %s as %s: status %d, want %d: %s", method, path, who, r.Status, want, r.Body)
	}
	if len(r.Body) == 0 || r.Body[0] != '{' {
		return nil
	}
	return r.JSON(e.T)
}

// Serve sends a prepared request straight to the handler.
func (e *Env) Serve(req *http.Request) Response {
	rec := httptest.NewRecorder()
	e.Srv.Handler().ServeHTTP(rec, req)
	return Response{Status: rec.Code, Body: rec.Body.Bytes(), Header: rec.Header()}
}

// PayApproved files a payment that needs a second person as who and has the
// reviewer approve it; it returns the transfer paid.
func (e *Env) PayApproved(who string, body map[string]any) map[string]any {
	e.T.Helper()
	req := e.Must(who, "POST", "/v1/expenditures", body, 202)
	if req["status"] != "pending" {
		e.T.Fatalf("filed payment: %v", req)
	}
	return e.Must("reviewer", "POST", "/v1/payment-requests/"+req["id"].(string)+"/approve", nil, 201)["transfer"].(map[string]any)
}

// Fund registers a fund held by holder with the given categories.
func (e *Env) Fund(code, kind, holder string, categories ...string) {
	e.T.Helper()
	e.Must("finance", "POST", "/v1/funds", FundBody(code, kind, holder, nil, categories...), 201)
}

// Receive books a receipt of amount into fund.
func (e *Env) Receive(fund, amount string) {
	e.T.Helper()
	e.Must("finance", "POST", "/v1/funds/"+fund+"/receipts", map[string]any{
		"amount": amount, "received_on": "2026-03-01", "payer": map[string]any{"name": "江苏省财政厅"},
	}, 201)
}

// Allocate moves amount of fund from one holder to another.
func (e *Env) Allocate(fund, from, to, amount string) {
	e.T.Helper()
	e.Must("finance", "POST", "/v1/allocations", map[string]any{"fund": fund, "from": from, "to": to, "amount": amount,
		"allocated_on": "2026-03-02"}, 201)
}

// Balance is fund's balance at holder, as a decimal string.
func (e *Env) Balance(fund, holder string) string {
	b, err := e.Ledger.Balance(context.Background(), fund, holder)
	if err != nil {
		e.T.Fatal(err)
	}
	return b.String()
}

// Upload posts a bank statement for district as multipart form data.
func (e *Env) Upload(who, district, csv string) Response {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("district", district)
	fw, _ := w.CreateFormFile("file", "statement.csv")
	fw.Write([]byte(csv))
	w.Close()
	req := httptest.NewRequest("POST", "/v1/reconciliations", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+e.Tok[who])
	return e.Serve(req)
}

// SetupMoney gives a test the refusal tests' books: a city fund CG with
// money at the city, at district:HZ, at project:HZ-001 and at project:LY-001,
// and a fund held by each district (HZF, LYF). It returns the receipt's id.
func (e *Env) SetupMoney() (receiptID string) {
	e.T.Helper()
	e.Fund("CG", "central_grant", "city", "basic", "improvement")
	r := e.Must("finance", "POST", "/v1/funds/CG/receipts", ReceiptBody("100000.00"), 201)
	e.Allocate("CG", "city", "district:HZ", "50000")
	e.Allocate("CG", "district:HZ", "project:HZ-001", "20000")
	e.Allocate("CG", "city", "project:LY-001", "10000")
	e.Fund("HZF", "district_fiscal", "district:HZ", "basic")
	e.Receive("HZF", "3000")
	e.Fund("LYF", "district_fiscal", "district:LY", "basic")
	e.Receive("LYF", "1000")
	return r["id"].(string)
}

// HashHex is the hex SHA-256 of a token secret: what the tokens table stores.
func HashHex(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
