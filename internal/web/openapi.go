package web

import (
	"encoding"
	"encoding/json"
	"net/http"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/gin-gonic/gin"

	"renofund/internal/money"
)

var (
	amountType    = reflect.TypeFor[money.Amount]()
	rateType      = reflect.TypeFor[money.Rate]()
	marshalerType = reflect.TypeFor[json.Marshaler]()
	texterType    = reflect.TypeFor[encoding.TextMarshaler]()
)

// servers are the document's servers: the one that served it (a relative
// URL, so a client generated from a deployed document calls that
// deployment), and the address `renofund serve` listens on by default.
var servers = []map[string]any{
	{"url": "/", "description": "The server this document came from"},
	{"url": "http://127.0.0.1:8080", "description": "renofund serve on its default address (RENOFUND_ADDR)"},
}

// OpenAPI builds the OpenAPI 3 document from the route table, so it cannot
// drift from what the router serves. Every operation has an operationId
// (see operationID), a tag (the first word of its path), the roles that may
// call it (x-roles, and in its description) and its refusals; a bearer
// token is required everywhere but on the public routes, which say so with
// an empty security requirement.
func (s *Server) OpenAPI() map[string]any {
	sb := &schemas{defs: map[string]any{}, names: map[schemaKey]string{}, open: map[reflect.Type]bool{}}
	sb.defs["Error"] = sb.reply(reflect.TypeFor[errorBody]())
	paths := map[string]map[string]any{}
	tags := map[string]string{} // tag → its description
	for _, r := range s.routes {
		if r.Page {
			continue // HTML for browsers, not part of the JSON API
		}
		p := openapiPath(r.Path)
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		op := sb.operation(r)
		if tag := tagOf(r.Path); tag == "service" {
			tags[tag] = "The service itself, without a token: liveness, readiness, metrics and this document."
		} else {
			tags[tag] = "Operations under " + p[:strings.Index(p, tag)+len(tag)] + "."
		}
		paths[p][strings.ToLower(r.Method)] = op
	}
	var tagList []any
	for _, t := range sortedKeys(tags) {
		tagList = append(tagList, map[string]any{"name": t, "description": tags[t]})
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "renofund", "version": "1",
			"description": "Funding and subsidy accounting for old-community renovation (城镇老旧小区改造). " +
				"Amounts are decimal strings in yuan with two decimals. Every /v1 call takes `Authorization: Bearer <token>`; " +
				"every POST takes an `Idempotency-Key`. Errors are `{\"error\": {\"code\", \"message\"}}` with a stable snake_case code."},
		"servers":  servers,
		"security": []any{map[string]any{"bearer": []string{}}},
		"tags":     tagList,
		"paths":    paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer",
				"description": "A token issued by `renofund token issue` or POST /v1/tokens; its role (and district) decide what it may do."}},
			"schemas": sb.defs,
		},
	}
}

// operation describes one route.
func (sb *schemas) operation(r Route) map[string]any {
	status := r.Status
	if status == 0 {
		status = http.StatusOK
	}
	op := map[string]any{"operationId": operationID(r), "summary": r.Summary, "tags": []string{tagOf(r.Path)}}
	var params []any
	for _, w := range pathWords(r.Path) {
		if w.param {
			params = append(params, map[string]any{"name": w.word, "in": "path", "required": true, "schema": str()})
		}
	}
	for _, q := range r.Query {
		params = append(params, queryParam(q))
	}
	if r.Method == http.MethodPost {
		params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header",
			"description": "Any string up to 128 characters: the first answer is stored and replayed for the same key and body, so a retry acts once.",
			"schema":      map[string]any{"type": "string", "maxLength": 128}})
	}
	if params != nil {
		op["parameters"] = params
	}
	if r.Body != nil {
		ct, schema := "application/json", sb.request(reflect.TypeOf(r.Body))
		if r.Form {
			ct = "multipart/form-data"
			if props, ok := schema["properties"].(map[string]any); ok && props["file"] != nil {
				props["file"] = map[string]any{"type": "string", "format": "binary"}
			}
		}
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{ct: map[string]any{"schema": schema}}}
	}
	resp := map[string]any{"description": http.StatusText(status)}
	if r.Resp != nil {
		resp["content"] = map[string]any{"application/json": map[string]any{"schema": sb.reply(reflect.TypeOf(r.Resp))}}
	}
	refusal := func(what string) map[string]any {
		return map[string]any{"description": what, "content": map[string]any{"application/json": map[string]any{
			"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	}
	op["responses"] = map[string]any{strconv.Itoa(status): resp,
		"4XX": refusal("Refused: the error's code says why; nothing was written"),
		"5XX": refusal("The service failed or is unavailable")}
	var desc []string
	if r.Roles != nil {
		roles := make([]string, len(r.Roles))
		for i, role := range r.Roles {
			roles[i] = string(role)
		}
		op["x-roles"] = roles
		desc = append(desc, "Roles: "+strings.Join(roles, ", ")+".")
	} else {
		op["security"] = []any{} // public: no token
		desc = append(desc, "Public: no token needed.")
	}
	if r.Long {
		desc = append(desc, "May run long: it is not cut off at the usual request deadline, so allow the client time.")
	}
	op["description"] = strings.Join(desc, " ")
	return op
}

// queryParam describes a query parameter; paging's are typed and explained.
func queryParam(name string) map[string]any {
	p := map[string]any{"name": name, "in": "query", "schema": str()}
	switch name {
	case "limit":
		p["schema"] = map[string]any{"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}
		p["description"] = "Items per page."
	case "after":
		p["description"] = "The `next` cursor of the previous page."
	case "full":
		p["schema"] = map[string]any{"type": "boolean", "default": false}
		p["description"] = "true: recompute everything; false (the default): what was written since the newest checkpoint."
	}
	return p
}

var openapiOnce sync.Once
var openapiDoc map[string]any

func (s *Server) openapi(c *gin.Context) {
	openapiOnce.Do(func() { openapiDoc = s.OpenAPI() })
	SendJSON(c, http.StatusOK, openapiDoc)
}

// openapiPath turns gin's /x/:id (and /x/*rest) into OpenAPI's /x/{id}; a
// colon escaped for gin (receipts\:import) is a plain colon.
func openapiPath(p string) string {
	segs := strings.Split(strings.ReplaceAll(p, `\:`, ":"), "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
			segs[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(segs, "/")
}

func str() map[string]any { return map[string]any{"type": "string"} }

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// schemas describes Go types as JSON schemas, following json tags. A type
// that contains itself (a tree) is described once in defs and referred to.
// Requests and replies are told apart: a request's amounts are
// non-negative with at most two decimals, a reply's always carry two and
// may be negative (a posting out of a holding, a shortfall).
type schemas struct {
	defs    map[string]any        // components.schemas
	names   map[schemaKey]string  // the recursive types described in defs
	open    map[reflect.Type]bool // the structs being described, to spot recursion
	replies bool                  // describing a reply, not a request
}

// schemaKey is a type as a request or as a reply.
type schemaKey struct {
	t     reflect.Type
	reply bool
}

// request describes a request body's type.
func (sb *schemas) request(t reflect.Type) map[string]any {
	sb.replies = false
	return sb.of(t)
}

// reply describes a response body's type.
func (sb *schemas) reply(t reflect.Type) map[string]any {
	sb.replies = true
	return sb.of(t)
}

// of describes the type t.
func (sb *schemas) of(t reflect.Type) map[string]any {
	switch {
	case t == amountType && sb.replies:
		return map[string]any{"type": "string", "pattern": `^-?\d+\.\d{2}$`, "example": "1234.50"}
	case t == amountType:
		return map[string]any{"type": "string", "pattern": `^\d+(\.\d{1,2})?$`, "example": "1234.5"}
	case t == rateType && sb.replies:
		return map[string]any{"type": "string", "pattern": `^-?\d+(\.\d+)?$`, "example": "0.25"}
	case t == rateType:
		return map[string]any{"type": "string", "pattern": `^\d+(\.\d+)?$`, "example": "0.25"}
	}
	if s, ok := written(t); ok {
		return s
	}
	switch t.Kind() {
	case reflect.Pointer:
		return sb.of(t.Elem())
	case reflect.String:
		return str()
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Int16, reflect.Int8,
		reflect.Uint, reflect.Uint64, reflect.Uint32, reflect.Uint16, reflect.Uint8:
		return map[string]any{"type": "integer"}
	case reflect.Float64, reflect.Float32:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "format": "byte"} // []byte is written in base64
		}
		return map[string]any{"type": "array", "items": sb.of(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": sb.of(t.Elem())}
	case reflect.Struct:
		key := schemaKey{t, sb.replies}
		if name, ok := sb.names[key]; ok {
			return ref(name)
		}
		if sb.open[t] { // t contains itself: describe it once, in defs
			sb.names[key] = schemaName(t, sb.replies)
			return ref(sb.names[key])
		}
		sb.open[t] = true
		props := map[string]any{}
		var required []string
		sb.addFields(t, props, &required)
		delete(sb.open, t)
		s := map[string]any{"type": "object", "properties": props}
		if len(required) > 0 {
			s["required"] = required
		}
		if name, ok := sb.names[key]; ok {
			sb.defs[name] = s
			return ref(name)
		}
		return s
	}
	return map[string]any{} // an interface: any JSON value
}

// addFields describes t's fields, those of embedded structs inline. A
// field is required unless omitempty; a pointer without omitempty may be
// null.
func (sb *schemas) addFields(t reflect.Type, props map[string]any, required *[]string) {
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
			sb.addFields(ft, props, required)
			continue
		}
		if name == "" {
			name = f.Name
		}
		s := sb.of(f.Type)
		omit := strings.Contains(opts, "omitempty")
		if f.Type.Kind() == reflect.Pointer && !omit {
			if _, isRef := s["$ref"]; isRef {
				s = map[string]any{"allOf": []any{s}}
			}
			s["nullable"] = true
		}
		props[name] = s
		if !omit && f.Type.Kind() != reflect.Pointer {
			*required = append(*required, name)
		}
	}
}

// written describes a type that writes its own JSON by what its zero value
// writes (a score as a number, a code as a string), unless it is a struct
// whose fields say more.
func written(t reflect.Type) (s map[string]any, ok bool) {
	if t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface {
		return nil, false
	}
	if t.Kind() == reflect.Struct {
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				return nil, false
			}
		}
	}
	pt := reflect.PointerTo(t)
	if !pt.Implements(marshalerType) {
		if pt.Implements(texterType) {
			return str(), true
		}
		return nil, false
	}
	defer func() {
		if recover() != nil { // a zero value it cannot write: describe it by its kind
			s, ok = nil, false
		}
	}()
	out, err := reflect.New(t).Interface().(json.Marshaler).MarshalJSON()
	if err != nil || len(out) == 0 {
		return nil, false
	}
	switch c := out[0]; {
	case c == '"':
		return str(), true
	case c == '-' || (c >= '0' && c <= '9'):
		return map[string]any{"type": "number"}, true
	case c == 't' || c == 'f':
		return map[string]any{"type": "boolean"}, true
	case c == '[':
		return map[string]any{"type": "array", "items": map[string]any{}}, true
	case c == '{':
		return map[string]any{"type": "object"}, true
	}
	return map[string]any{}, true
}

// ref points at a schema in components.
func ref(name string) map[string]any {
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

// schemaName names a type in components: its package and its name
// (audit.Node: AuditNode; as a request, AuditNodeInput).
func schemaName(t reflect.Type, reply bool) string {
	name := camel(path.Base(t.PkgPath())) + camel(t.Name())
	if !reply {
		name += "Input"
	}
	var b strings.Builder
	for _, r := range name {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
