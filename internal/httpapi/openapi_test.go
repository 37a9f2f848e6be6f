package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"renofund/internal/web"
)

// ginToOpenAPI turns gin's /x/:id and /x/*rest into OpenAPI's /x/{id} and /x/{rest}.
func ginToOpenAPI(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if name, ok := strings.CutPrefix(s, ":"); ok {
			segs[i] = "{" + name + "}"
		} else if name, ok := strings.CutPrefix(s, "*"); ok {
			segs[i] = "{" + name + "}"
		}
	}
	return strings.Join(segs, "/")
}

// TestOpenAPIMatchesRouter: GET /openapi.json (no token) is an OpenAPI 3
// document; every route the router serves is in its paths with its method,
// and every documented path and method is served; and the document is good
// enough to generate a client from (checkClientReady).
func TestOpenAPIMatchesRouter(t *testing.T) {
	t.Parallel()
	eachEnv(t, testOpenAPI)
}

func testOpenAPI(t *testing.T, e *env) {
	r := e.Do("", "GET", "/openapi.json", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /openapi.json: %d %s", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Info    map[string]any                        `json:"info"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatalf("document is not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") || doc.Info["title"] == nil || doc.Info["version"] == nil {
		t.Errorf("not an OpenAPI 3 document: openapi=%q info=%v", doc.OpenAPI, doc.Info)
	}

	engine, ok := e.Srv.Handler().(*gin.Engine)
	if !ok {
		t.Fatalf("Handler() is %T, not *gin.Engine", e.Srv.Handler())
	}
	pages := map[string]bool{}
	for _, r := range e.Srv.Routes() {
		if r.Page { // HTML for browsers: the console and the public pages
			pages[r.Method+" "+r.Path] = true
		}
	}
	served := map[string]bool{}
	for _, ri := range engine.Routes() {
		if pages[ri.Method+" "+ri.Path] {
			continue
		}
		served[strings.ToLower(ri.Method)+" "+ginToOpenAPI(ri.Path)] = true
	}
	documented := map[string]bool{}
	methods := map[string]bool{"get": true, "put": true, "post": true, "delete": true, "options": true, "head": true, "patch": true, "trace": true}
	for path, item := range doc.Paths {
		if !strings.HasPrefix(path, "/") {
			t.Errorf("path %q does not start with /", path)
		}
		for m, raw := range item {
			if !methods[m] {
				continue // parameters, summary, …
			}
			documented[m+" "+path] = true
			var op struct {
				Responses map[string]any `json:"responses"`
			}
			if err := json.Unmarshal(raw, &op); err != nil || len(op.Responses) == 0 {
				t.Errorf("%s %s has no responses", m, path)
			}
		}
	}
	var missing, extra []string
	for k := range served {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !served[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	for _, k := range missing {
		t.Errorf("served but not in /openapi.json: %s", k)
	}
	for _, k := range extra {
		t.Errorf("in /openapi.json but not served: %s", k)
	}
	if len(served) == 0 {
		t.Fatal("the router serves no routes")
	}

	// The routes API.md names must be served (and therefore documented).
	for _, k := range []string{
		"get /healthz", "get /readyz", "get /metrics", "get /openapi.json",
		"post /v1/districts", "get /v1/districts", "post /v1/projects", "get /v1/projects", "get /v1/projects/{code}",
		"get /v1/projects/{code}/funding", "post /v1/funds", "get /v1/funds/{code}", "post /v1/funds/{code}/receipts",
		"post /v1/allocations", "post /v1/expenditures", "post /v1/transfers/{id}/reversal", "get /v1/transfers",
		"get /v1/audit/verify",
	} {
		if !served[k] {
			t.Errorf("API.md route not served: %s", k)
		}
	}

	checkClientReady(t, r.Body, e.Srv.Routes())
}

// operationIDPattern is what generators turn into method names as is.
var operationIDPattern = regexp.MustCompile(`^[a-z][A-Za-z0-9]*$`)

// checkClientReady asserts what a client generator and Redocly's
// recommended rules need, so that a plain go test catches a regression
// without npm: every operation has a unique operationId, a tag the
// document declares, the roles that may call it and a 4XX answer; security
// is declared (a bearer token everywhere, an empty requirement on the
// public routes); servers are listed; every path parameter is declared and
// every declared one is in the path.
func checkClientReady(t *testing.T, body []byte, routes []web.Route) {
	type operation struct {
		OperationID string           `json:"operationId"`
		Tags        []string         `json:"tags"`
		Description string           `json:"description"`
		Roles       []string         `json:"x-roles"`
		Security    *json.RawMessage `json:"security"`
		Parameters  []struct {
			Name     string `json:"name"`
			In       string `json:"in"`
			Required bool   `json:"required"`
		} `json:"parameters"`
		Responses map[string]struct {
			Content map[string]struct {
				Schema map[string]any `json:"schema"`
			} `json:"content"`
		} `json:"responses"`
	}
	var doc struct {
		Servers    []struct{ URL string }               `json:"servers"`
		Security   json.RawMessage                      `json:"security"`
		Tags       []struct{ Name, Description string } `json:"tags"`
		Paths      map[string]map[string]operation      `json:"paths"`
		Components struct {
			SecuritySchemes map[string]struct{ Type, Scheme string } `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("document: %v", err)
	}
	servers := map[string]bool{}
	for _, s := range doc.Servers {
		servers[s.URL] = true
	}
	if !servers["/"] || !servers["http://127.0.0.1:8080"] {
		t.Errorf("servers %+v: want / and http://127.0.0.1:8080", doc.Servers)
	}
	if b := doc.Components.SecuritySchemes["bearer"]; b.Type != "http" || b.Scheme != "bearer" {
		t.Errorf("securitySchemes.bearer is %+v, want http bearer", b)
	}
	if got := compactJSON(t, doc.Security); got != `[{"bearer":[]}]` {
		t.Errorf("top-level security %s, want the bearer scheme", got)
	}
	tags := map[string]bool{}
	for _, tag := range doc.Tags {
		if tag.Description == "" {
			t.Errorf("tag %s has no description", tag.Name)
		}
		tags[tag.Name] = true
	}
	public := map[string]bool{}
	roles := map[string][]string{}
	for _, r := range routes {
		key := strings.ToLower(r.Method) + " " + ginToOpenAPI(strings.ReplaceAll(r.Path, `\:`, ":"))
		if r.Roles == nil {
			public[key] = true
		}
		for _, role := range r.Roles {
			roles[key] = append(roles[key], string(role))
		}
	}
	ids := map[string]string{}
	for path, item := range doc.Paths {
		for m, op := range item {
			key := m + " " + path
			if !operationIDPattern.MatchString(op.OperationID) {
				t.Errorf("%s: operationId %q", key, op.OperationID)
			} else if other, dup := ids[op.OperationID]; dup {
				t.Errorf("operationId %s names both %s and %s", op.OperationID, other, key)
			}
			ids[op.OperationID] = key
			if len(op.Tags) != 1 || !tags[op.Tags[0]] {
				t.Errorf("%s: tags %v, want one the document declares", key, op.Tags)
			}
			switch {
			case public[key]:
				if op.Security == nil || compactJSON(t, *op.Security) != "[]" || !strings.HasPrefix(op.Description, "Public") {
					t.Errorf("%s is public but does not say so (security: [] and a description saying Public): %s", key, item[m].Description)
				}
			case op.Security != nil:
				t.Errorf("%s overrides the bearer requirement: %s", key, *op.Security)
			case strings.Join(op.Roles, ",") != strings.Join(roles[key], ",") || len(op.Roles) == 0 ||
				!strings.Contains(op.Description, "Roles: "+strings.Join(op.Roles, ", ")):
				t.Errorf("%s: x-roles %v and description %q, want the route's roles %v", key, op.Roles, op.Description, roles[key])
			}
			if ref := op.Responses["4XX"].Content["application/json"].Schema["$ref"]; ref != "#/components/schemas/Error" {
				t.Errorf("%s: no 4XX answer with the Error schema", key)
			}
			inPath := map[string]bool{}
			for _, seg := range strings.Split(path, "/") {
				if strings.HasPrefix(seg, "{") {
					inPath[strings.Trim(seg, "{}")] = true
				}
			}
			declared := map[string]bool{}
			for _, p := range op.Parameters {
				if p.In != "path" {
					continue
				}
				declared[p.Name] = true
				if !inPath[p.Name] || !p.Required {
					t.Errorf("%s declares path parameter %q, which its path lacks or does not require", key, p.Name)
				}
			}
			for name := range inPath {
				if !declared[name] {
					t.Errorf("%s does not declare path parameter %q", key, name)
				}
			}
		}
	}
	if len(ids) == 0 {
		t.Fatal("no operations")
	}
	for _, k := range []string{"get /healthz", "get /readyz", "get /metrics", "get /openapi.json"} {
		if !public[k] {
			t.Errorf("%s is not a public route", k)
		}
	}
}

// compactJSON is raw JSON without spaces, for comparing.
func compactJSON(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return b.String()
}
