package routetest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"renofund/internal/errs"
	"renofund/internal/httpapi/apitest"
	"renofund/internal/strictjson"
)

// Fuzz targets for every request decoder. Run one briefly with, e.g.,
//
//	go test -run '^$' -fuzz '^FuzzDecode$' -fuzztime 10s ./internal/httpapi/routetest/
//
// Without -fuzz they run their seeds as ordinary tests.

// decoderRoutes are the routes whose body is JSON, in table order.
func decoderRoutes(routes []apitest.RouteInfo) []apitest.RouteInfo {
	var out []apitest.RouteInfo
	for _, ri := range routes {
		if ri.Body != nil {
			out = append(out, ri)
		}
	}
	return out
}

// writeRoutes are the POST and PUT routes, in table order.
func writeRoutes(routes []apitest.RouteInfo) []apitest.RouteInfo {
	var out []apitest.RouteInfo
	for _, ri := range routes {
		if ri.Method == http.MethodPost || ri.Method == http.MethodPut {
			out = append(out, ri)
		}
	}
	return out
}

// fuzzSeeds are bodies worth starting from besides the valid ones.
var fuzzSeeds = []string{
	"", "{}", "[]", "null", `{"a":1,"A":2}`, `{"amount":1e400}`, `{"amount":"99999999999999999999"}`,
	strings.Repeat("[", 40) + strings.Repeat("]", 40), "{\"name\":\"a\\u0000b\"}", "{\"\xff\":1}", `{"x":"\ud800"}`,
	`{"name":"=HYPERLINK(\"x\")"}`, `{"code":"'; DROP TABLE transfers; --"}`,
}

// FuzzDecode feeds arbitrary bytes to the strict JSON decoder for every
// route's body type: it never panics, and what it refuses is a 400 with one
// of the stable codes; what it accepts is one valid UTF-8 JSON object.
func FuzzDecode(f *testing.F) {
	e := newEnv(f, openSQLite(f))
	routes := decoderRoutes(apitest.RouteTable(e.Srv))
	for i, ri := range routes {
		if b, ok := (worldIDs{}).validBody(ri.Method+" "+ri.Path, "HZ", 0); ok {
			f.Add(uint8(i), jsonBytes(b))
		}
	}
	for i, s := range fuzzSeeds {
		f.Add(uint8(i), []byte(s))
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		ri := routes[int(route)%len(routes)]
		dst := reflect.New(reflect.TypeOf(ri.Body)).Interface()
		err := strictjson.Decode(body, dst)
		if err != nil {
			e := errs.Classify(err)
			if e.Kind != errs.Invalid || !stableCodes[e.Code] {
				t.Fatalf("%s %s: %q refused with %v (kind %d, code %q), want a 400 with a stable code", ri.Method, ri.Path, body, err, e.Kind, e.Code)
			}
			return
		}
		trimmed := bytes.TrimSpace(body)
		if !utf8.Valid(body) || !json.Valid(body) || len(trimmed) == 0 || trimmed[0] != '{' {
			t.Fatalf("%s %s: accepted %q, which is not one valid UTF-8 JSON object", ri.Method, ri.Path, body)
		}
	})
}

// FuzzDuplicateKeyCheck checks the duplicate-key and depth guard against a
// reference written another way (decoding each value into json.RawMessage):
// on valid UTF-8 JSON it refuses exactly the documents with a key named
// twice in one object (as encoding/json folds names), nesting deeper than
// 32, or a control character in a string; on anything else it never panics
// and refuses only with invalid_request.
func FuzzDuplicateKeyCheck(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, s := range []string{`{"amount":"1.00","AMOUNT":"9.00"}`, `{"houſeholds":1,"households":2}`, `{"Kind":1,"kind":2}`,
		`{"a":{"b":1,"b":2}}`, `[{"a":1},{"a":1}]`, strings.Repeat("[", 32) + strings.Repeat("]", 32),
		strings.Repeat("[", 33) + strings.Repeat("]", 33), `{"a":"x\u007fy"}`, `{"a\n":1}`, `1 2`, `{"a":1}{"a":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		err := strictjson.CheckKeys(body)
		if err != nil {
			if e := errs.Classify(err); e.Kind != errs.Invalid || e.Code != "invalid_request" {
				t.Fatalf("%q refused with %v (code %q), want invalid_request", body, err, e.Code)
			}
		}
		if !utf8.Valid(body) || !json.Valid(body) {
			return
		}
		dup, deep, ctl := referenceCheck(body, 1)
		if want := dup || deep || ctl; want != (err != nil) {
			t.Fatalf("%q: check says %v; reference: duplicate %v, deeper than 32 %v, control character %v", body, err, dup, deep, ctl)
		}
	})
}

// referenceCheck walks one JSON value: dup when an object names a key twice
// (folded as encoding/json matches names to fields), deep when containers
// nest more than 32 levels, ctl when a string holds a control character.
func referenceCheck(raw []byte, depth int) (dup, deep, ctl bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return
	}
	switch raw[0] {
	case '{', '[':
		if depth > 32 {
			return false, true, false
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.Token() // the opening delimiter
		seen := map[string]bool{}
		for dec.More() {
			if raw[0] == '{' {
				tok, _ := dec.Token()
				k := tok.(string)
				ctl = ctl || hasControl(k)
				fk := foldLikeJSON(k)
				dup = dup || seen[fk]
				seen[fk] = true
			}
			var v json.RawMessage
			if dec.Decode(&v) != nil {
				return
			}
			d, dp, c := referenceCheck(v, depth+1)
			dup, deep, ctl = dup || d, deep || dp, ctl || c
		}
	case '"':
		var s string
		_ = json.Unmarshal(raw, &s)
		ctl = hasControl(s)
	}
	return
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// foldLikeJSON folds a name as encoding/json does when it matches object
// keys to struct fields (upper case of lower case, rune by rune).
func foldLikeJSON(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(unicode.ToUpper(unicode.ToLower(r)))
	}
	return b.String()
}

// FuzzPostRoutes feeds arbitrary bytes as the body of every POST and PUT
// route, through the whole handler as the finance bureau, on one SQLite
// environment made once per fuzzing process: never a 5xx (a panic is
// recovered as 500), and a 4xx has a stable code and writes nothing.
func FuzzPostRoutes(f *testing.F) {
	e := newEnv(f, openSQLite(f))
	w := newWorld(f, e)
	routes := writeRoutes(apitest.RouteTable(e.Srv))
	for i, ri := range routes {
		b, _ := w.ids.validBody(ri.Method+" "+ri.Path, "HZ", 0)
		switch b := b.(type) {
		case nil:
			f.Add(uint8(i), []byte{})
		case rawBody:
			f.Add(uint8(i), []byte(b.body))
		default:
			f.Add(uint8(i), jsonBytes(b))
		}
	}
	for i, s := range fuzzSeeds {
		f.Add(uint8(i), []byte(s))
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		w := &world{env: w.env.forT(t), obj: w.obj, ids: w.ids}
		ri := routes[int(route)%len(routes)]
		p, err := w.path(ri, "HZ", 0)
		if err != nil {
			t.Fatal(err)
		}
		ctype := "application/json"
		if b, _ := w.ids.validBody(ri.Method+" "+ri.Path, "HZ", 0); b != nil {
			if rb, ok := b.(rawBody); ok {
				p, ctype = p+rb.query, rb.contentType
			}
		}
		fuzzOne(t, w, ri.Method, p, ctype, body)
	})
}

// FuzzUploads feeds arbitrary files (CSV or XLSX) to the routes that take
// one: bank statements and household receipt imports.
func FuzzUploads(f *testing.F) {
	e := newEnv(f, openSQLite(f))
	w := newWorld(f, e)
	var routes []apitest.RouteInfo
	for _, ri := range writeRoutes(apitest.RouteTable(e.Srv)) {
		if b, _ := w.ids.validBody(ri.Method+" "+ri.Path, "HZ", 0); b != nil {
			if _, ok := b.(rawBody); ok {
				routes = append(routes, ri)
			}
		}
	}
	if len(routes) == 0 {
		f.Skip("no upload route")
	}
	for i := range routes {
		for _, s := range []string{receiptsCSV, statementCSV, "household,amount,received_on,payer_name\n1-1-1,1e400,2026-03-01,x\n",
			"date,amount,reference,counterparty\n2026-02-30,-1.00,,=cmd\n", "PK\x03\x04", ""} {
			f.Add(uint8(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, file []byte) {
		w := &world{env: w.env.forT(t), obj: w.obj, ids: w.ids}
		ri := routes[int(route)%len(routes)]
		p, err := w.path(ri, "HZ", 1) // for the import route: the household-receipts fund
		if err != nil {
			t.Fatal(err)
		}
		b, _ := w.ids.validBody(ri.Method+" "+ri.Path, "HZ", 0)
		rb := b.(rawBody)
		ctype := rb.contentType
		if bytes.HasPrefix(file, []byte("PK")) {
			ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		}
		fuzzOne(t, w, ri.Method, p+rb.query, ctype, file)
	})
}

func fuzzOne(t *testing.T, w *world, method, path, ctype string, body []byte) {
	before := w.counts()
	req := w.request("finance", method, path, nil, "Content-Type", ctype)
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	r := w.Serve(req)
	if r.Status >= 500 {
		t.Fatalf("%s %s with %q: %d %s", method, path, body, r.Status, r.Body)
	}
	if r.Status >= 400 {
		if !stableCodes[r.Code()] {
			t.Fatalf("%s %s with %q: %d with code %q", method, path, body, r.Status, r.Code())
		}
		if after := w.counts(); after != before {
			t.Fatalf("%s %s with %q was refused (%d) but wrote:\n before %s\n after  %s", method, path, body, r.Status, before, after)
		}
	}
}
