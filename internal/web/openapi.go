package web

import (
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"renofund/internal/money"
)

var (
	amountType = reflect.TypeFor[money.Amount]()
	rateType   = reflect.TypeFor[money.Rate]()
)

// OpenAPI builds the OpenAPI 3 document from the route table, so it cannot
// drift from what the router serves.
func (s *Server) OpenAPI() map[string]any {
	paths := map[string]map[string]any{}
	schemas := map[string]any{
		"Error": map[string]any{"type": "object", "properties": map[string]any{"error": map[string]any{
			"type": "object", "properties": map[string]any{"code": str(), "message": str(), "request_id": str()}}}},
	}
	for _, r := range s.routes {
		if r.Page {
			continue // HTML for browsers, not part of the JSON API
		}
		p := openapiPath(r.Path)
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		status := r.Status
		if status == 0 {
			status = http.StatusOK
		}
		op := map[string]any{"summary": r.Summary}
		var params []any
		for _, seg := range strings.Split(r.Path, "/") {
			if name, ok := strings.CutPrefix(seg, ":"); ok {
				params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": str()})
			}
		}
		for _, q := range r.Query {
			params = append(params, map[string]any{"name": q, "in": "query", "schema": str()})
		}
		if r.Method == http.MethodPost {
			params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "schema": map[string]any{"type": "string", "maxLength": 128}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if r.Body != nil {
			ct := "application/json"
			if r.Form {
				ct = "multipart/form-data"
			}
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				ct: map[string]any{"schema": schemaOf(reflect.TypeOf(r.Body), 0)}}}
		}
		resp := map[string]any{"description": "success"}
		if r.Resp != nil {
			resp["content"] = map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(r.Resp), 0)}}
		}
		errRef := map[string]any{"description": "error", "content": map[string]any{"application/json": map[string]any{
			"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
		op["responses"] = map[string]any{itoa(status): resp, "4XX": errRef, "5XX": errRef}
		if r.Roles != nil {
			roles := make([]string, len(r.Roles))
			for i, role := range r.Roles {
				roles[i] = string(role)
			}
			op["security"] = []any{map[string]any{"bearer": []string{}}}
			op["x-roles"] = roles
		}
		paths[p][strings.ToLower(r.Method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "renofund", "version": "1",
			"description": "Funding and subsidy accounting for old-community renovation. Amounts are decimal strings in yuan with two decimals."},
		"paths": paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"schemas":         schemas,
		},
	}
}

var openapiOnce sync.Once
var openapiDoc map[string]any

func (s *Server) openapi(c *gin.Context) {
	openapiOnce.Do(func() { openapiDoc = s.OpenAPI() })
	SendJSON(c, http.StatusOK, openapiDoc)
}

// openapiPath turns gin's /x/:id into OpenAPI's /x/{id}.
func openapiPath(p string) string {
	segs := strings.Split(strings.ReplaceAll(p, `\:`, ":"), "/")
	for i, s := range segs {
		if name, ok := strings.CutPrefix(s, ":"); ok {
			segs[i] = "{" + name + "}"
		}
	}
	return strings.Join(segs, "/")
}

func str() map[string]any { return map[string]any{"type": "string"} }

func itoa(n int) string { return strconv.Itoa(n) }

// schemaOf describes a Go type as a JSON schema, following json tags.
func schemaOf(t reflect.Type, depth int) map[string]any {
	if depth > 8 {
		return map[string]any{"type": "object"}
	}
	switch t {
	case amountType:
		return map[string]any{"type": "string", "pattern": `^\d+(\.\d{1,2})?$`, "example": "1234.56"}
	case rateType:
		return map[string]any{"type": "string", "pattern": `^\d+(\.\d+)?$`, "example": "0.25"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return schemaOf(t.Elem(), depth)
	case reflect.String:
		return str()
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer"}
	case reflect.Float64, reflect.Float32:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), depth+1)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), depth+1)}
	case reflect.Struct:
		props := map[string]any{}
		var required []string
		addFields(t, props, &required, depth)
		s := map[string]any{"type": "object", "properties": props}
		if len(required) > 0 {
			s["required"] = required
		}
		return s
	}
	return map[string]any{}
}

func addFields(t reflect.Type, props map[string]any, required *[]string, depth int) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			addFields(ft, props, required, depth)
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = schemaOf(f.Type, depth+1)
		if !strings.Contains(opts, "omitempty") && f.Type.Kind() != reflect.Pointer {
			*required = append(*required, name)
		}
	}
}
