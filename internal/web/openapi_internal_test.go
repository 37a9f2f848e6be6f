package web

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"renofund/internal/access"
	"renofund/internal/money"
)

// TestOperationIDs: ids read like the API, from the method and the path.
func TestOperationIDs(t *testing.T) {
	paged := []string{"district", "limit", "after"}
	for _, tc := range []struct {
		method, path string
		query        []string
		want         string
	}{
		{"GET", "/v1/projects", paged, "listProjects"},
		{"GET", "/v1/projects/:code", nil, "getProject"},
		{"GET", "/v1/projects/:code/funding", []string{"fiscal_year"}, "getProjectFunding"},
		{"GET", "/v1/projects/:code/versions", paged, "listProjectVersions"},
		{"GET", "/v1/projects/:code/status", nil, "getProjectStatus"},
		{"GET", "/v1/periods", nil, "getPeriods"},
		{"POST", "/v1/projects", nil, "createProject"},
		{"POST", "/v1/funds/:code/receipts", nil, "createFundReceipt"},
		{"POST", `/v1/funds/:code/receipts\:import`, []string{"partial"}, "importFundReceipts"},
		{"POST", "/v1/batches", nil, "createBatch"},
		{"POST", "/v1/reconciliations/:id/matches", nil, "createReconciliationMatch"},
		{"POST", "/v1/audit/exceptions/:id/reviews", nil, "createAuditExceptionReview"},
		{"POST", "/v1/bulletins/:month", nil, "createBulletin"},
		{"POST", "/v1/transfers/:id/reversal", nil, "createTransferReversal"},
		{"POST", "/v1/payment-requests/:id/approve", nil, "approvePaymentRequest"},
		{"POST", "/v1/periods/:period/close", nil, "closePeriod"},
		{"POST", "/v1/periods/:period/close/confirm", nil, "confirmPeriodClose"},
		{"POST", "/v1/reconciliations/:id/balance-statement/sign", []string{"month"}, "signReconciliationBalanceStatement"},
		{"GET", "/v1/audit/verify", nil, "verifyAudit"},
		{"GET", "/v1/trace/funds/:code", nil, "traceFund"},
		{"GET", "/v1/reports/carry-forward", []string{"format"}, "getCarryForwardReport"},
		{"GET", "/v1/exports/trail", []string{"format"}, "getTrailExport"},
		{"GET", "/v1/audit/events", paged, "listAuditEvents"},
		{"GET", "/v1/subsidy/schemes/:code", nil, "getSubsidyScheme"},
		{"PUT", "/v1/projects/:code", nil, "updateProject"},
		{"PUT", "/v1/projects/:code/funding-plan", nil, "setProjectFundingPlan"},
		{"PUT", "/v1/programme/targets/:year", nil, "updateProgrammeTarget"},
		{"DELETE", "/v1/reconciliations/:id/matches/:match", nil, "deleteReconciliationMatch"},
		{"GET", "/healthz", nil, "getHealthz"},
		{"GET", "/openapi.json", nil, "getOpenapiJson"},
	} {
		if got := operationID(Route{Method: tc.method, Path: tc.path, Query: tc.query}); got != tc.want {
			t.Errorf("%s %s: got %s, want %s", tc.method, tc.path, got, tc.want)
		}
	}
}

// TestSingular: the plurals of paths, and the words that only look plural.
func TestSingular(t *testing.T) {
	for w, want := range map[string]string{"projects": "project", "matches": "match", "batches": "batch",
		"activities": "activity", "status": "status", "analysis": "analysis", "class": "class", "funding": "funding"} {
		if got := singular(w); got != want {
			t.Errorf("singular(%s) = %s, want %s", w, got, want)
		}
	}
	if plural("status") || plural("audit") || !plural("reports") {
		t.Error("plural misreads status, audit or reports")
	}
}

// score writes itself as a JSON number, as subsidy.Score does.
type score int

func (s score) MarshalJSON() ([]byte, error) { return []byte("87.5"), nil }

// code writes itself as text.
type code int

func (c code) MarshalText() ([]byte, error) { return []byte("C1"), nil }

// node is a tree, as a payment's trace is.
type node struct {
	Amount  money.Amount `json:"amount"`
	Sources []*node      `json:"sources,omitempty"`
}

// sample has one field of each kind the document must get right.
type sample struct {
	Root   node         `json:"root"`
	Score  score        `json:"score"`
	Code   code         `json:"code"`
	At     time.Time    `json:"at"`
	Next   *string      `json:"next"`
	Note   *string      `json:"note,omitempty"`
	Raw    []byte       `json:"raw"`
	Amount money.Amount `json:"amount"`
	Any    any          `json:"any"`
}

// TestSchemas: a type that writes its own JSON is described by what it
// writes, a tree is described once and referred to, a pointer without
// omitempty may be null, and a reply's amounts may be negative while a
// request's may not.
func TestSchemas(t *testing.T) {
	sb := &schemas{defs: map[string]any{}, names: map[schemaKey]string{}, open: map[reflect.Type]bool{}}
	reply := roundTrip(t, sb.reply(reflect.TypeFor[sample]()))
	props := reply["properties"].(map[string]any)
	for field, want := range map[string]string{
		"score": `{"type":"number"}`,
		"code":  `{"type":"string"}`,
		"at":    `{"type":"string"}`,
		"next":  `{"nullable":true,"type":"string"}`,
		"note":  `{"type":"string"}`,
		"raw":   `{"format":"byte","type":"string"}`,
		"any":   `{}`,
		"root":  `{"$ref":"#/components/schemas/WebNode"}`,
	} {
		if got := jsonOf(t, props[field]); got != want {
			t.Errorf("reply field %s: got %s, want %s", field, got, want)
		}
	}
	if got, want := jsonOf(t, reply["required"]), `["root","score","code","at","raw","amount","any"]`; got != want {
		t.Errorf("required: got %s, want %s", got, want)
	}
	if got, want := jsonOf(t, sb.defs["WebNode"]), `{"properties":{"amount":{"example":"1234.50","pattern":"^-?\\d+\\.\\d{2}$","type":"string"},`+
		`"sources":{"items":{"$ref":"#/components/schemas/WebNode"},"type":"array"}},"required":["amount"],"type":"object"}`; got != want {
		t.Errorf("the tree in components: got %s, want %s", got, want)
	}

	request := roundTrip(t, sb.request(reflect.TypeFor[sample]()))
	amount := request["properties"].(map[string]any)["amount"].(map[string]any)
	if amount["pattern"] != `^\d+(\.\d{1,2})?$` {
		t.Errorf("a request's amount: %v", amount)
	}
	if sb.defs["WebNodeInput"] == nil {
		t.Errorf("the tree as a request is described apart from the reply: %v", sortedDefs(sb.defs))
	}
}

// formIn is a multipart form with a file.
type formIn struct {
	File    string `json:"file"`
	Subject string `json:"subject"`
}

// TestDocument: the document of a small route table requires a bearer
// token except on the public routes, which say so; lists its servers and
// the tags it uses; names each operation's roles; and leaves pages out.
func TestDocument(t *testing.T) {
	noop := func(*gin.Context) {}
	s := New(Options{}, func(*Server) []Route {
		return []Route{
			{Method: "GET", Path: "/v1/things", Roles: []access.Role{access.Finance, access.Auditor}, Summary: "Things",
				Query: []string{"limit", "after"}, Resp: List[node]{}, Handle: noop},
			{Method: "POST", Path: "/v1/things/:id/files", Roles: []access.Role{access.Finance}, Summary: "Attach",
				Body: formIn{}, Form: true, Status: 201, Long: true, Handle: noop},
			{Method: "GET", Path: "/console/things", Roles: []access.Role{access.Finance}, Page: true, Handle: noop},
		}
	})
	doc := roundTrip(t, s.OpenAPI())
	if got := jsonOf(t, doc["security"]); got != `[{"bearer":[]}]` {
		t.Errorf("top-level security: %s", got)
	}
	if got := jsonOf(t, doc["components"].(map[string]any)["securitySchemes"].(map[string]any)["bearer"]); !strings.Contains(got, `"scheme":"bearer","type":"http"`) {
		t.Errorf("bearer scheme: %s", got)
	}
	if got := jsonOf(t, doc["servers"]); !strings.Contains(got, `"url":"/"`) || !strings.Contains(got, `"url":"http://127.0.0.1:8080"`) {
		t.Errorf("servers: %s", got)
	}
	if got := jsonOf(t, doc["tags"]); !strings.Contains(got, `"name":"service"`) || !strings.Contains(got, `"name":"things"`) {
		t.Errorf("tags: %s", got)
	}
	paths := doc["paths"].(map[string]any)
	if paths["/console/things"] != nil {
		t.Error("a page is in the document")
	}
	op := func(path, method string) map[string]any {
		t.Helper()
		item, _ := paths[path].(map[string]any)
		o, ok := item[method].(map[string]any)
		if !ok {
			t.Fatalf("%s %s is not in the document: %v", method, path, paths)
		}
		return o
	}
	health := op("/healthz", "get")
	if got := jsonOf(t, health["security"]); got != `[]` || health["operationId"] != "getHealthz" ||
		!strings.HasPrefix(health["description"].(string), "Public") {
		t.Errorf("public route: security %s, %v", got, health)
	}
	list := op("/v1/things", "get")
	if _, own := list["security"]; own || list["operationId"] != "listThings" ||
		jsonOf(t, list["x-roles"]) != `["finance","auditor"]` || list["description"] != "Roles: finance, auditor." {
		t.Errorf("list: %v", list)
	}
	params := jsonOf(t, list["parameters"])
	if !strings.Contains(params, `"maximum":1000`) || !strings.Contains(params, `"name":"after"`) {
		t.Errorf("paging parameters: %s", params)
	}
	attach := op("/v1/things/{id}/files", "post")
	got := jsonOf(t, attach)
	for _, want := range []string{`"operationId":"createThingFile"`, `"multipart/form-data"`,
		`"file":{"format":"binary","type":"string"}`, `{"in":"path","name":"id","required":true`,
		`"name":"Idempotency-Key"`, `"201":{"description":"Created"}`, `"4XX":{`, `#/components/schemas/Error`,
		`May run long`} {
		if !strings.Contains(got, want) {
			t.Errorf("POST with a form lacks %s: %s", want, got)
		}
	}
}

// roundTrip returns v as a JSON client reads it.
func roundTrip(t *testing.T, v any) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal([]byte(jsonOf(t, v)), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// jsonOf writes v as JSON, keys sorted.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sortedDefs names the schemas in components, for messages.
func sortedDefs(defs map[string]any) []string {
	set := map[string]bool{}
	for k := range defs {
		set[k] = true
	}
	return sortedKeys(set)
}
