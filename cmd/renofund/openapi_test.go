package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestOpenAPICommand: `renofund openapi` prints the document the server
// serves at /openapi.json, indented, without touching the configured
// database; `openapi --help` prints the usage naming it.
func TestOpenAPICommand(t *testing.T) {
	dir := t.TempDir()
	configured := filepath.Join(dir, "configured.db")
	env := func(k string) string {
		return map[string]string{"RENOFUND_DATABASE_URL": "sqlite:" + configured}[k]
	}
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"openapi"}, env, &out, &errOut); err != nil {
		t.Fatalf("openapi: %v (%s)", err, errOut.String())
	}
	if _, err := os.Stat(configured); !os.IsNotExist(err) {
		t.Errorf("openapi touched the configured database: %v", err)
	}
	if !strings.HasPrefix(out.String(), "{\n  \"components\"") || !strings.Contains(out.String(), `"operationId": "listProjects"`) {
		t.Errorf("not the indented document: %.200s", out.String())
	}
	var printed map[string]any
	if err := json.Unmarshal(out.Bytes(), &printed); err != nil {
		t.Fatalf("printed document: %v", err)
	}

	db, err := openDB(ctx, loadConfig(env))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := wire(db, loadConfig(env), nil)
	defer a.Close()
	rec := httptest.NewRecorder()
	a.API(nil, 0).Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/openapi.json", nil))
	var served map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &served); rec.Code != http.StatusOK || err != nil {
		t.Fatalf("GET /openapi.json: %d %v", rec.Code, err)
	}
	if !reflect.DeepEqual(printed, served) {
		t.Error("the printed document differs from the served one")
	}

	out.Reset()
	if err := run(ctx, []string{"openapi", "--help"}, env, &out, &errOut); err != nil || !strings.Contains(out.String(), "  openapi ") {
		t.Errorf("openapi --help: %v %q", err, out.String())
	}
}
