package httpapi_test

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
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
// and every documented path and method is served.
func TestOpenAPIMatchesRouter(t *testing.T) {
	eachEnv(t, testOpenAPI)
}

func testOpenAPI(t *testing.T, e *env) {
	r := e.do("", "GET", "/openapi.json", nil)
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

	engine, ok := e.srv.Handler().(*gin.Engine)
	if !ok {
		t.Fatalf("Handler() is %T, not *gin.Engine", e.srv.Handler())
	}
	pages := map[string]bool{}
	for _, r := range e.srv.Routes() {
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

	// Every documented path parameter is declared.
	for path, item := range doc.Paths {
		for m, raw := range item {
			if !methods[m] {
				continue
			}
			var op struct {
				Parameters []struct {
					Name string `json:"name"`
					In   string `json:"in"`
				} `json:"parameters"`
			}
			json.Unmarshal(raw, &op)
			for _, seg := range strings.Split(path, "/") {
				if !strings.HasPrefix(seg, "{") {
					continue
				}
				name := strings.Trim(seg, "{}")
				found := false
				for _, p := range op.Parameters {
					found = found || (p.Name == name && p.In == "path")
				}
				if !found {
					t.Errorf("%s %s does not declare path parameter %q", m, path, name)
				}
			}
		}
	}
}
