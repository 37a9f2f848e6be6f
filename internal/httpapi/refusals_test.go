package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"renofund/internal/access"
	"renofund/internal/auth"
)

// rawJSON marshals v.
func rawJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRefusedAmounts sends every malformed amount of API.md's conventions to
// every place an amount is accepted: 400 invalid_amount, nothing written.
func TestRefusedAmounts(t *testing.T) {
	t.Parallel()
	bad := []struct {
		name string
		v    any
		zero bool // zero-like: valid for a budget, refused where money moves
	}{
		{"JSON number with decimals", 12.5, false},
		{"JSON integer", 12, false},
		{"negative", "-1", false},
		{"negative with decimals", "-0.01", false},
		{"third decimal", "1.234", false},
		{"third decimal zero", "1.230", false},
		{"empty", "", false},
		{"above 10^15 yuan", "1000000000000000.01", false},
		{"far above 10^15", "99999999999999999999", false},
		{"exponent", "1e3", false},
		{"leading space", " 1", false},
		{"trailing space", "1 ", false},
		{"plus sign", "+1", false},
		{"trailing dot", "1.", false},
		{"leading dot", ".5", false},
		{"thousands separator", "1,000", false},
		{"full-width digit", "１", false},
		{"hexadecimal", "0x10", false},
		{"NaN", "NaN", false},
		{"boolean", true, false},
		{"object", map[string]any{}, false},
		{"array", []any{"1"}, false},
		{"zero", "0", true},
		{"zero with decimals", "0.00", true},
		{"null", nil, true},
	}
	eachEnv(t, func(t *testing.T, e *env) {
		setupMoney(e)
		targets := []struct {
			name, path string
			body       func(amount any) map[string]any
			budget     bool
		}{
			{"receipt", "/v1/funds/CG/receipts", receiptBody, false},
			{"allocation", "/v1/allocations", func(a any) map[string]any {
				return map[string]any{"fund": "CG", "from": "city", "to": "district:HZ", "amount": a}
			}, false},
			{"expenditure", "/v1/expenditures", func(a any) map[string]any {
				return withField(expenditure("HZ-001", "basic", "1.00"), "amount", a)
			}, false},
			{"expenditure funding part", "/v1/expenditures", func(a any) map[string]any {
				b := expenditure("HZ-001", "basic", "10.00")
				b["funding"] = []map[string]any{{"fund": "CG", "amount": a}}
				return b
			}, false},
			{"project budget basic", "/v1/projects", func(a any) map[string]any {
				p := project("HZ-900", "HZ")
				p["budget"].(map[string]any)["basic"] = a
				return p
			}, true},
			{"project budget upgrade", "/v1/projects", func(a any) map[string]any {
				p := project("HZ-901", "HZ")
				p["budget"].(map[string]any)["upgrade"] = a
				return p
			}, true},
		}
		for _, tg := range targets {
			for _, b := range bad {
				if b.zero && tg.budget {
					continue
				}
				t.Run(tg.name+"/"+b.name, func(t *testing.T) {
					e.refuse(t, "finance", "POST", tg.path, tg.body(b.v), 400, "invalid_amount")
				})
			}
			if !tg.budget {
				t.Run(tg.name+"/missing", func(t *testing.T) {
					body := tg.body("1.00")
					if f, ok := body["funding"].([]map[string]any); ok {
						delete(f[0], "amount")
					} else {
						delete(body, "amount")
					}
					e.refuse(t, "finance", "POST", tg.path, body, 400, "invalid_amount")
				})
			}
		}
		// A budget of zero is fine: an amount of zero is refused only where money moves.
		p := project("HZ-902", "HZ")
		p["budget"] = map[string]any{"basic": "0", "improvement": "0.00", "upgrade": "1000000000000000"}
		got := e.Must("finance", "POST", "/v1/projects", p, 201)
		if b := got["budget"].(map[string]any); b["basic"] != "0.00" || b["upgrade"] != "1000000000000000.00" {
			t.Errorf("budget = %v", b)
		}
		e.checkBooks()
	})
}

// TestAmountBoundaries checks the accepted edges: exactly 10^15 yuan, one
// fen, one decimal, and the two-decimal form in the response.
func TestAmountBoundaries(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.Fund("BIG", "central_grant", "city", "basic")
		for in, want := range map[string]string{"1000000000000000": "1000000000000000.00", "0.01": "0.01", "12.5": "12.50", "007.10": "7.10"} {
			r := e.Must("finance", "POST", "/v1/funds/BIG/receipts", receiptBody(in), 201)
			if r["amount"] != want {
				t.Errorf("receipt of %q answered amount %v, want %s", in, r["amount"], want)
			}
		}
		e.checkBooks()
	})
}

// TestRefusedBodies sends malformed bodies to every POST route.
func TestRefusedBodies(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		receipt := setupMoney(e)
		routes := []struct {
			name, path string
			body       map[string]any
			nested     string // a field holding an object, for nested unknown fields and duplicates
		}{
			{"district", "/v1/districts", map[string]any{"code": "XZ", "name": "新区"}, ""},
			{"project", "/v1/projects", project("HZ-900", "HZ"), "budget"},
			{"fund", "/v1/funds", fundBody("NEWF", "central_grant", "city", nil, "basic"), ""},
			{"receipt", "/v1/funds/CG/receipts", receiptBody("10.00"), "payer"},
			{"allocation", "/v1/allocations", map[string]any{"fund": "CG", "from": "city", "to": "district:HZ", "amount": "10.00", "allocated_on": "2026-03-02"}, ""},
			{"expenditure", "/v1/expenditures", expenditure("HZ-001", "basic", "10.00"), "payee"},
			{"reversal", "/v1/transfers/" + receipt + "/reversal", map[string]any{"reason": "录入错误"}, ""},
		}
		for _, rt := range routes {
			valid := rawJSON(t, rt.body)
			// the first key in the marshalled (sorted) object, and its value
			var firstKey string
			for _, k := range sortedKeys(rt.body) {
				firstKey = k
				break
			}
			firstVal := string(rawJSON(t, rt.body[firstKey]))
			cases := []struct {
				name   string
				body   any
				status int
				code   string
			}{
				{"unknown field", withField(rt.body, "extra", 1), 400, "invalid_request"},
				{"unknown field null", withField(rt.body, "comment", nil), 400, "invalid_request"},
				{"malformed JSON", string(valid[:len(valid)-1]) + ",", 400, "invalid_request"},
				{"single quotes", strings.ReplaceAll(string(valid), `"`, `'`), 400, "invalid_request"},
				{"trailing garbage", string(valid) + " x", 400, "invalid_request"},
				{"trailing comma", string(valid[:len(valid)-1]) + ",}", 400, "invalid_request"},
				{"two objects", string(valid) + "{}", 400, "invalid_request"},
				{"two copies", string(valid) + string(valid), 400, "invalid_request"},
				{"duplicate key", `{"` + firstKey + `":` + firstVal + `,` + string(valid[1:]), 400, "invalid_request"},
				{"duplicate key at the end", string(valid[:len(valid)-1]) + `,"` + firstKey + `":` + firstVal + `}`, 400, "invalid_request"},
				{"invalid UTF-8", bytes.Replace(valid, []byte(`{"`), []byte("{\"\xff"), 1), 400, "invalid_request"},
				{"invalid UTF-8 in a value", invalidUTF8Value(t, rt.body), 400, "invalid_request"},
				{"empty body", "", 400, "invalid_request"},
				{"whitespace only", "  \n", 400, "invalid_request"},
				{"JSON array", "[" + string(valid) + "]", 400, "invalid_request"},
				{"JSON string", `"hello"`, 400, "invalid_request"},
				{"nesting too deep", string(valid[:len(valid)-1]) + `,"deep":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "}", 400, "invalid_request"},
				{"nesting far too deep", strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000), 400, "invalid_request"},
				{"wrong type", withField(rt.body, firstKey, []int{1}), 400, firstKeyTypeCode(firstKey)},
			}
			if rt.nested != "" {
				inner := maps.Clone(rt.body[rt.nested].(map[string]any))
				inner["unexpected"] = "x"
				cases = append(cases, struct {
					name   string
					body   any
					status int
					code   string
				}{"unknown nested field", withField(rt.body, rt.nested, inner), 400, "invalid_request"})
				innerRaw := rawJSON(t, rt.body[rt.nested])
				var k0 string
				for _, k := range sortedKeys(rt.body[rt.nested].(map[string]any)) {
					k0 = k
					break
				}
				dupInner := `{"` + k0 + `":` + string(rawJSON(t, rt.body[rt.nested].(map[string]any)[k0])) + "," + string(innerRaw[1:])
				outer := withField(rt.body, rt.nested, "@@INNER@@")
				dup := strings.Replace(string(rawJSON(t, outer)), `"@@INNER@@"`, dupInner, 1)
				cases = append(cases, struct {
					name   string
					body   any
					status int
					code   string
				}{"duplicate nested key", dup, 400, "invalid_request"})
			}
			for _, c := range cases {
				t.Run(rt.name+"/"+c.name, func(t *testing.T) {
					e.refuse(t, "finance", "POST", rt.path, c.body, c.status, c.code)
				})
			}
			t.Run(rt.name+"/body over 1 MiB", func(t *testing.T) {
				big := withField(rt.body, "name", strings.Repeat("a", 1<<20))
				e.refuse(t, "finance", "POST", rt.path, big, 413, "too_large")
			})
			t.Run(rt.name+"/body over 1 MiB without Content-Length", func(t *testing.T) {
				big := rawJSON(t, withField(rt.body, "name", strings.Repeat("a", 1<<20)))
				before := e.forT(t).snapshot()
				req := httptest.NewRequest("POST", rt.path, io.MultiReader(bytes.NewReader(big)))
				if req.ContentLength != -1 {
					t.Fatalf("ContentLength = %d, want unknown", req.ContentLength)
				}
				req.Header.Set("Authorization", "Bearer "+e.Tok["finance"])
				req.Header.Set("Content-Type", "application/json")
				r := e.Serve(req)
				if r.Status != 413 || r.Code() != "too_large" {
					t.Errorf("got %d %q, want 413 too_large: %.200s", r.Status, r.Code(), r.Body)
				}
				if after := e.forT(t).snapshot(); after != before {
					t.Errorf("wrote: %+v → %+v", before, after)
				}
			})
			t.Run(rt.name+"/padded body of 1 MiB + 1 with a lying small Content-Length", func(t *testing.T) {
				big := rawJSON(t, withField(rt.body, "name", strings.Repeat("a", 1<<20)))
				before := e.forT(t).snapshot()
				req := httptest.NewRequest("POST", rt.path, bytes.NewReader(big))
				req.ContentLength = 100
				req.Header.Set("Authorization", "Bearer "+e.Tok["finance"])
				r := e.Serve(req)
				if r.Status < 400 || r.Status >= 500 {
					t.Errorf("got %d, want a 4xx refusal: %.200s", r.Status, r.Body)
				}
				if after := e.forT(t).snapshot(); after != before {
					t.Errorf("wrote: %+v → %+v", before, after)
				}
			})
		}
		e.checkBooks()
	})
}

// TestDuplicateKeysDifferingInCase: encoding/json matches object keys to
// struct fields case-insensitively, so {"amount":"1.00","AMOUNT":"900.00"}
// names the amount twice. A reviewer reading the raw request sees 1.00; the
// books would record 900.00. It must be refused like any duplicate key.
func TestDuplicateKeysDifferingInCase(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		setupMoney(e)
		e.refuse(t, "finance", "POST", "/v1/funds/CG/receipts",
			`{"amount":"1.00","received_on":"2026-03-01","payer":{"name":"江苏省财政厅"},"AMOUNT":"900.00"}`,
			400, "invalid_request")
		e.refuse(t, "hz", "POST", "/v1/expenditures",
			`{"project":"HZ-001","category":"basic","amount":"1.00","Amount":"900.00","paid_on":"2026-04-02",`+
				`"purpose":"p","payee":{"name":"n","credit_code":"`+payeeCode+`","bank_account":"1"}}`,
			400, "invalid_request")
		// encoding/json folds keys as unicode.ToUpper(unicode.ToLower(r)):
		// "ſ" (U+017F) matches "s" and "K" (U+212A, Kelvin) matches "k", so a
		// plain ASCII lower-casing of keys misses these duplicates.
		p := project("HZ-900", "HZ")
		raw := string(rawJSON(t, p))
		e.refuse(t, "finance", "POST", "/v1/projects", raw[:len(raw)-1]+`,"houſeholds":9999}`, 400, "invalid_request")
		exp := string(rawJSON(t, expenditure("HZ-001", "basic", "1.00")))
		e.refuse(t, "hz", "POST", "/v1/expenditures", exp[:len(exp)-1]+`,"purpoſe":"其他用途"}`, 400, "invalid_request")
		fb := string(rawJSON(t, fundBody("NEWF", "central_grant", "city", nil, "basic")))
		e.refuse(t, "finance", "POST", "/v1/funds", fb[:len(fb)-1]+`,"Kind":"maintenance_fund"}`, 400, "invalid_request")
	})
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	for i := range ks {
		for j := i + 1; j < len(ks); j++ {
			if ks[j] < ks[i] {
				ks[i], ks[j] = ks[j], ks[i]
			}
		}
	}
	return ks
}

func withField(m map[string]any, k string, v any) map[string]any {
	c := maps.Clone(m)
	c[k] = v
	return c
}

// invalidUTF8Value puts a byte that is not UTF-8 inside a string value.
func invalidUTF8Value(t testing.TB, m map[string]any) []byte {
	var key string
	for _, k := range sortedKeys(m) {
		if _, ok := m[k].(string); ok {
			key = k
			break
		}
	}
	raw := rawJSON(t, withField(m, key, "@@X@@"))
	return bytes.Replace(raw, []byte("@@X@@"), []byte("ab\xff\xfecd"), 1)
}

// firstKeyTypeCode: a wrong type for an amount field is an invalid amount;
// for any other field an invalid request.
func firstKeyTypeCode(k string) string {
	if k == "amount" {
		return "invalid_amount"
	}
	return "invalid_request"
}

// TestWrongRole checks 403 forbidden for every role or district that may not
// do something, and that nothing was written.
func TestWrongRole(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		receipt := setupMoney(e)
		district := map[string]any{"code": "XZ", "name": "新区"}
		alloc := map[string]any{"fund": "CG", "from": "city", "to": "district:HZ", "amount": "10.00"}
		cases := []struct {
			name, who, method, path string
			body                    any
		}{
			{"auditor creates a district", "auditor", "POST", "/v1/districts", district},
			{"auditor creates a project", "auditor", "POST", "/v1/projects", project("HZ-900", "HZ")},
			{"auditor creates a fund", "auditor", "POST", "/v1/funds", fundBody("NEWF", "central_grant", "city", nil, "basic")},
			{"auditor receives", "auditor", "POST", "/v1/funds/CG/receipts", receiptBody("10")},
			{"auditor allocates", "auditor", "POST", "/v1/allocations", alloc},
			{"auditor spends", "auditor", "POST", "/v1/expenditures", expenditure("HZ-001", "basic", "10")},
			{"auditor reverses", "auditor", "POST", "/v1/transfers/" + receipt + "/reversal", map[string]any{"reason": "x"}},
			{"admin creates a project", "admin", "POST", "/v1/projects", project("HZ-900", "HZ")},
			{"admin creates a fund", "admin", "POST", "/v1/funds", fundBody("NEWF", "central_grant", "city", nil, "basic")},
			{"admin receives", "admin", "POST", "/v1/funds/CG/receipts", receiptBody("10")},
			{"admin allocates", "admin", "POST", "/v1/allocations", alloc},
			{"admin spends", "admin", "POST", "/v1/expenditures", expenditure("HZ-001", "basic", "10")},
			{"admin reverses", "admin", "POST", "/v1/transfers/" + receipt + "/reversal", map[string]any{"reason": "x"}},
			{"admin lists projects", "admin", "GET", "/v1/projects", nil},
			{"admin lists transfers", "admin", "GET", "/v1/transfers", nil},
			{"admin reads a fund", "admin", "GET", "/v1/funds/CG", nil},
			{"district verifies", "hz", "GET", "/v1/audit/verify", nil},
			{"admin verifies", "admin", "GET", "/v1/audit/verify", nil},
			{"district creates a district", "hz", "POST", "/v1/districts", district},
			{"district creates a city-held fund", "hz", "POST", "/v1/funds", fundBody("NEWF", "district_fiscal", "city", nil, "basic")},
			{"district creates a fund for another district", "hz", "POST", "/v1/funds", fundBody("NEWF", "district_fiscal", "district:LY", nil, "basic")},
			{"district creates a project in another district", "hz", "POST", "/v1/projects", project("LY-900", "LY")},
			{"district receives into a city-held fund", "hz", "POST", "/v1/funds/CG/receipts", receiptBody("10")},
			{"district allocates from the city", "hz", "POST", "/v1/allocations", alloc},
			{"district forces an ineligible payment", "hz", "POST", "/v1/expenditures",
				withField(expenditure("HZ-001", "upgrade", "10"), "force_reason", "急需")},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := e.refuse(t, c.who, c.method, c.path, c.body, 403, "forbidden")
				if bytes.Contains(r.Body, []byte(`"items"`)) {
					t.Errorf("refusal carries data: %s", r.Body)
				}
			})
		}
		// A district may not reverse the city's receipt; it may not even learn
		// that the transfer exists (404), or is told it may not (403).
		t.Run("district reverses a city receipt", func(t *testing.T) {
			path := "/v1/transfers/" + receipt + "/reversal"
			before := e.forT(t).snapshot()
			r := e.forT(t).Do("hz", "POST", path, map[string]any{"reason": "x"})
			if !(r.Status == 404 && r.Code() == "not_found") && !(r.Status == 403 && r.Code() == "forbidden") {
				t.Errorf("got %d %q, want 404 not_found or 403 forbidden: %s", r.Status, r.Code(), r.Body)
			}
			if after := e.forT(t).snapshot(); after != before {
				t.Errorf("wrote: %+v → %+v", before, after)
			}
		})
		e.checkBooks()
	})
}

// TestUnauthenticated checks 401 for a missing, unknown, garbled or expired
// token on reads and writes, and that nothing was written.
func TestUnauthenticated(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		setupMoney(e)
		tokens := auth.New(e.DB)
		expired, _, err := tokens.Issue(context.Background(), access.Finance, "", "expired", time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
		good := e.Tok["finance"]
		headers := []struct{ name, value string }{
			{"missing", ""},
			{"empty bearer", "Bearer "},
			{"blank bearer", "Bearer    "},
			{"unknown token", "Bearer rf_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
			{"token without prefix", "Bearer " + strings.TrimPrefix(good, "rf_")},
			{"truncated token", "Bearer " + good[:len(good)-1]},
			{"token with a suffix", "Bearer " + good + "x"},
			{"garbled token", "Bearer " + strings.ToUpper(good)},
			{"wrong scheme", "Basic " + good},
			{"no scheme", good},
			{"over-long token", "Bearer rf_" + strings.Repeat("A", 5000)},
			{"expired token", "Bearer " + expired},
		}
		requests := []struct {
			method, path string
			body         any
		}{
			{"POST", "/v1/funds/CG/receipts", receiptBody("10")},
			{"POST", "/v1/districts", map[string]any{"code": "XZ", "name": "新区"}},
			{"POST", "/v1/expenditures", expenditure("HZ-001", "basic", "10")},
			{"GET", "/v1/districts", nil},
			{"GET", "/v1/transfers", nil},
			{"GET", "/v1/audit/verify", nil},
		}
		for _, h := range headers {
			for _, rq := range requests {
				t.Run(h.name+"/"+rq.method+" "+rq.path, func(t *testing.T) {
					var hs []string
					if h.value != "" {
						hs = []string{"Authorization", h.value, "Idempotency-Key", "k-" + h.name}
					}
					r := e.refuse(t, "", rq.method, rq.path, rq.body, 401, "unauthenticated", hs...)
					if bytes.Contains(r.Body, []byte(`"items"`)) {
						t.Errorf("refusal carries data: %s", r.Body)
					}
				})
			}
		}
		e.checkBooks()
	})
}

// TestFundRules covers category eligibility and expiry, explicitly funded and
// automatically attributed.
func TestFundRules(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.Fund("IMP", "central_grant", "city", "improvement")
		e.Receive("IMP", "1000")
		e.Allocate("IMP", "city", "project:HZ-001", "1000")
		e.Must("finance", "POST", "/v1/funds", fundBody("OLD", "provincial_grant", "city", map[string]any{"expires_on": "2026-04-01"}, "basic"), 201)
		e.Receive("OLD", "1000")
		e.Allocate("OLD", "city", "project:HZ-001", "1000")

		part := func(fund, category, paidOn string) map[string]any {
			b := expenditure("HZ-001", category, "10.00")
			b["paid_on"] = paidOn
			b["funding"] = []map[string]any{{"fund": fund, "amount": "10.00"}}
			return b
		}
		auto := func(category, paidOn string) map[string]any {
			b := expenditure("HZ-001", category, "10.00")
			b["paid_on"] = paidOn
			return b
		}
		// Explicit funding from a fund not eligible for the category.
		e.refuse(t, "hz", "POST", "/v1/expenditures", part("IMP", "basic", "2026-03-01"), 422, "category_not_eligible")
		e.refuse(t, "finance", "POST", "/v1/expenditures", part("IMP", "upgrade", "2026-03-01"), 422, "category_not_eligible")
		// One eligible part and one ineligible part: the whole payment is refused.
		mixed := expenditure("HZ-001", "basic", "20.00")
		mixed["paid_on"] = "2026-03-01"
		mixed["funding"] = []map[string]any{{"fund": "OLD", "amount": "10.00"}, {"fund": "IMP", "amount": "10.00"}}
		e.refuse(t, "hz", "POST", "/v1/expenditures", mixed, 422, "category_not_eligible")
		// Explicit funding from an expired fund.
		e.refuse(t, "hz", "POST", "/v1/expenditures", part("OLD", "basic", "2026-04-02"), 422, "fund_expired")
		e.refuse(t, "hz", "POST", "/v1/expenditures", part("OLD", "basic", "2027-01-01"), 422, "fund_expired")
		// Automatic: the only eligible fund has expired, the other is not eligible.
		e.refuse(t, "hz", "POST", "/v1/expenditures", auto("basic", "2026-04-02"), 422, "insufficient_funds")
		e.refuse(t, "hz", "POST", "/v1/expenditures", auto("upgrade", "2026-03-01"), 422, "insufficient_funds")
		// More than the eligible funds hold.
		over := auto("improvement", "2026-03-01")
		over["amount"] = "1000.01"
		e.refuse(t, "hz", "POST", "/v1/expenditures", over, 422, "insufficient_funds")
		overPart := part("IMP", "improvement", "2026-03-01")
		overPart["amount"] = "1000.01"
		overPart["funding"] = []map[string]any{{"fund": "IMP", "amount": "1000.01"}}
		e.refuse(t, "hz", "POST", "/v1/expenditures", overPart, 422, "insufficient_funds")

		// The boundaries that pass: paid on the expiry date itself.
		r := e.Must("hz", "POST", "/v1/expenditures", part("OLD", "basic", "2026-04-01"), 201)
		if f := r["funding"].([]any); len(f) != 1 || f[0].(map[string]any)["fund"] != "OLD" {
			t.Errorf("funding = %v", r["funding"])
		}
		r = e.Must("hz", "POST", "/v1/expenditures", auto("basic", "2026-04-01"), 201)
		if f := r["funding"].([]any); len(f) != 1 || f[0].(map[string]any)["fund"] != "OLD" {
			t.Errorf("automatic funding = %v", r["funding"])
		}
		// A fund without expiry pays on any date up to today, never later.
		e.refuse(t, "hz", "POST", "/v1/expenditures", part("IMP", "improvement", "2030-01-01"), 422, "future_date")
		e.Must("hz", "POST", "/v1/expenditures", part("IMP", "improvement", "2026-11-30"), 201)
		// The finance bureau may force an ineligible payment with a reason, never an expired one.
		forced := part("IMP", "basic", "2026-03-02")
		forced["force_reason"] = "应急抢修"
		e.PayApproved("finance", forced)
		forcedExpired := part("OLD", "basic", "2026-05-01")
		forcedExpired["force_reason"] = "应急抢修"
		e.refuse(t, "finance", "POST", "/v1/expenditures", forcedExpired, 422, "fund_expired")
		if got := e.Balance("OLD", "project:HZ-001"); got != "980.00" {
			t.Errorf("OLD at project holds %s, want 980.00", got)
		}
		if got := e.Balance("IMP", "project:HZ-001"); got != "980.00" {
			t.Errorf("IMP at project holds %s, want 980.00", got)
		}
		e.checkBooks()
	})
}

// TestRequestRefusals covers the remaining 400 and 404 refusals of money
// movements.
func TestRequestRefusals(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		setupMoney(e)
		e.Fund("CG2", "central_grant", "city", "basic")
		e.Receive("CG2", "500")
		e.Allocate("CG2", "city", "project:HZ-001", "500")
		alloc := func(fund, from, to string) map[string]any {
			return map[string]any{"fund": fund, "from": from, "to": to, "amount": "1.00"}
		}
		withFunding := func(amount string, parts ...[2]string) map[string]any {
			b := expenditure("HZ-001", "basic", amount)
			fs := []map[string]any{}
			for _, p := range parts {
				fs = append(fs, map[string]any{"fund": p[0], "amount": p[1]})
			}
			b["funding"] = fs
			return b
		}
		badPayee := func(code string) map[string]any {
			b := expenditure("HZ-001", "basic", "1.00")
			b["payee"].(map[string]any)["credit_code"] = code
			return b
		}
		noCode := expenditure("HZ-001", "basic", "1.00")
		delete(noCode["payee"].(map[string]any), "credit_code")
		cases := []struct {
			name, who, method, path string
			body                    any
			status                  int
			code                    string
		}{
			{"allocate district to city", "finance", "POST", "/v1/allocations", alloc("CG", "district:HZ", "city"), 400, "invalid_request"},
			{"allocate project to district", "finance", "POST", "/v1/allocations", alloc("CG", "project:HZ-001", "district:HZ"), 400, "invalid_request"},
			{"allocate project to city", "finance", "POST", "/v1/allocations", alloc("CG", "project:HZ-001", "city"), 400, "invalid_request"},
			{"allocate district to another district's project", "finance", "POST", "/v1/allocations", alloc("CG", "district:HZ", "project:LY-001"), 400, "invalid_request"},
			{"allocate district to another district", "finance", "POST", "/v1/allocations", alloc("CG", "district:HZ", "district:LY"), 400, "invalid_request"},
			{"allocate city to city", "finance", "POST", "/v1/allocations", alloc("CG", "city", "city"), 400, "invalid_request"},
			{"allocate district to itself", "finance", "POST", "/v1/allocations", alloc("CG", "district:HZ", "district:HZ"), 400, "invalid_request"},
			{"allocate project to project", "finance", "POST", "/v1/allocations", alloc("CG", "project:HZ-001", "project:HZ-001"), 400, "invalid_request"},
			{"district allocates upwards", "hz", "POST", "/v1/allocations", alloc("CG", "district:HZ", "city"), 400, "invalid_request"},
			// For a district, another district's project does not exist.
			{"district allocates sideways", "hz", "POST", "/v1/allocations", alloc("CG", "district:HZ", "project:LY-001"), 404, "not_found"},
			{"district creates a fund for another district's project", "hz", "POST", "/v1/funds",
				fundBody("HZ-NEWF", "district_fiscal", "project:LY-001", nil, "basic"), 404, "not_found"},
			{"allocate to the outside world", "finance", "POST", "/v1/allocations", alloc("CG", "city", "external"), 400, "invalid_request"},
			{"allocate to a malformed holder", "finance", "POST", "/v1/allocations", alloc("CG", "city", "HZ"), 400, "invalid_request"},
			{"allocate an unknown fund", "finance", "POST", "/v1/allocations", alloc("NOPE", "city", "district:HZ"), 404, "not_found"},
			{"allocate to an unknown district", "finance", "POST", "/v1/allocations", alloc("CG", "city", "district:XX"), 404, "not_found"},
			{"allocate to an unknown project", "finance", "POST", "/v1/allocations", alloc("CG", "city", "project:XX-001"), 404, "not_found"},
			{"allocate more than held", "finance", "POST", "/v1/allocations",
				map[string]any{"fund": "CG", "from": "district:HZ", "to": "project:HZ-001", "amount": "30000.01", "allocated_on": "2026-03-02"}, 422, "insufficient_funds"},
			{"allocate a fund the holder never had", "finance", "POST", "/v1/allocations", alloc("LYF", "city", "district:LY"), 422, "insufficient_funds"},
			{"receive into an unknown fund", "finance", "POST", "/v1/funds/NOPE/receipts", receiptBody("1"), 404, "not_found"},
			{"spend from an unknown project", "finance", "POST", "/v1/expenditures", expenditure("XX-001", "basic", "1.00"), 404, "not_found"},
			{"spend from an unknown fund", "finance", "POST", "/v1/expenditures", withFunding("1.00", [2]string{"NOPE", "1.00"}), 404, "not_found"},
			{"funding short of amount", "hz", "POST", "/v1/expenditures", withFunding("10.00", [2]string{"CG", "6.00"}, [2]string{"CG2", "3.99"}), 400, "invalid_request"},
			{"funding over amount", "hz", "POST", "/v1/expenditures", withFunding("10.00", [2]string{"CG", "6.00"}, [2]string{"CG2", "4.01"}), 400, "invalid_request"},
			{"funding names a fund twice", "hz", "POST", "/v1/expenditures", withFunding("10.00", [2]string{"CG", "5.00"}, [2]string{"CG", "5.00"}), 400, "invalid_request"},
			{"funding empty", "hz", "POST", "/v1/expenditures", withFunding("10.00"), 400, "invalid_request"},
			{"unknown category", "hz", "POST", "/v1/expenditures", expenditure("HZ-001", "luxury", "1.00"), 400, "invalid_request"},
			{"bad paid_on", "hz", "POST", "/v1/expenditures", withField(expenditure("HZ-001", "basic", "1.00"), "paid_on", "2026-02-30"), 400, "invalid_request"},
			{"missing purpose", "hz", "POST", "/v1/expenditures", withField(expenditure("HZ-001", "basic", "1.00"), "purpose", ""), 400, "invalid_request"},
			{"payee credit code check character", "hz", "POST", "/v1/expenditures", badPayee(payeeCode[:17] + "X"), 400, "invalid_credit_code"},
			{"payee credit code lower case", "hz", "POST", "/v1/expenditures", badPayee(strings.ToLower(payeeCode)), 400, "invalid_credit_code"},
			{"payee credit code too short", "hz", "POST", "/v1/expenditures", badPayee(payeeCode[:17]), 400, "invalid_credit_code"},
			{"payee credit code with letters I/O", "hz", "POST", "/v1/expenditures", badPayee("91350100M000100IO3"), 400, "invalid_credit_code"},
			{"payee without credit code", "hz", "POST", "/v1/expenditures", noCode, 400, "invalid_credit_code"},
			{"payer credit code", "finance", "POST", "/v1/funds/CG/receipts",
				withField(receiptBody("1"), "payer", map[string]any{"name": "某公司", "credit_code": "91350100M000100Y44"}), 400, "invalid_credit_code"},
			{"receipt with a bad date", "finance", "POST", "/v1/funds/CG/receipts", withField(receiptBody("1"), "received_on", "01/03/2026"), 400, "invalid_request"},
			{"receipt with a control character", "finance", "POST", "/v1/funds/CG/receipts",
				withField(receiptBody("1"), "payer", map[string]any{"name": "a\u0000b"}), 400, "invalid_request"},
			{"fund with an unknown kind", "finance", "POST", "/v1/funds", fundBody("NEWF", "lottery", "city", nil, "basic"), 400, "invalid_request"},
			{"fund with an unknown category", "finance", "POST", "/v1/funds", fundBody("NEWF", "central_grant", "city", nil, "luxury"), 400, "invalid_request"},
			{"fund with no category", "finance", "POST", "/v1/funds", fundBody("NEWF", "central_grant", "city", nil), 400, "invalid_request"},
			{"fund with an unknown holder", "finance", "POST", "/v1/funds", fundBody("NEWF", "central_grant", "project:XX-001", nil, "basic"), 404, "not_found"},
			{"fund that exists", "finance", "POST", "/v1/funds", fundBody("CG", "central_grant", "city", nil, "basic"), 409, "conflict"},
			{"district that exists", "finance", "POST", "/v1/districts", map[string]any{"code": "HZ", "name": "海州区"}, 409, "conflict"},
			{"project that exists", "finance", "POST", "/v1/projects", project("HZ-001", "HZ"), 409, "conflict"},
			{"project in an unknown district", "finance", "POST", "/v1/projects", project("XX-001", "XX"), 404, "not_found"},
			{"reverse an unknown transfer", "finance", "POST", "/v1/transfers/00000000-0000-0000-0000-000000000000/reversal", map[string]any{"reason": "x"}, 404, "not_found"},
			{"unknown route", "finance", "POST", "/v1/nothing", map[string]any{}, 404, "not_found"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				e.refuse(t, c.who, c.method, c.path, c.body, c.status, c.code)
			})
		}
		e.checkBooks()
	})
}

// vote builds a vote body.
func vote(totalArea string, totalOwners int, partArea string, partOwners int, yesArea string, yesOwners int, purpose string) map[string]any {
	return map[string]any{
		"total_area_m2": totalArea, "total_owners": totalOwners,
		"participating_area_m2": partArea, "participating_owners": partOwners,
		"yes_area_m2": yesArea, "yes_owners": yesOwners, "held_on": "2026-02-15", "purpose": purpose,
	}
}

// TestVote judges maintenance-fund and public-revenue votes by 民法典 §278
// at its boundaries: quorum of exactly 2/3 passes, exactly half yes fails for
// use, exactly 3/4 passes for raising.
func TestVote(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		cases := []struct {
			name   string
			vote   any // nil: no vote
			kind   string
			status int
			code   string
		}{
			{"use: exact 2/3 quorum, just over half yes", vote("900", 300, "600", 200, "300.01", 101, "use"), "maintenance_fund", 201, ""},
			{"use: everyone yes", vote("900", 300, "900", 300, "900", 300, "use"), "maintenance_fund", 201, ""},
			{"use: public revenue passes", vote("900", 300, "600", 200, "300.01", 101, "use"), "public_revenue", 201, ""},
			{"use: area quorum short by a hundredth", vote("900", 300, "599.99", 200, "599.99", 200, "use"), "maintenance_fund", 422, "vote_failed"},
			{"use: owner quorum short by one", vote("900", 300, "600", 199, "600", 199, "use"), "maintenance_fund", 422, "vote_failed"},
			{"use: owner quorum 2/3 rounded down", vote("900", 301, "600", 200, "600", 200, "use"), "maintenance_fund", 422, "vote_failed"},
			{"use: exactly half of the area", vote("900", 300, "600", 200, "300", 150, "use"), "maintenance_fund", 422, "vote_failed"},
			{"use: exactly half of the owners", vote("900", 300, "600", 200, "400", 100, "use"), "maintenance_fund", 422, "vote_failed"},
			{"use: public revenue exactly half", vote("900", 300, "600", 200, "300", 100, "use"), "public_revenue", 422, "vote_failed"},
			{"use: no quorum, unanimous", vote("900", 300, "100", 10, "100", 10, "use"), "maintenance_fund", 422, "vote_failed"},
			{"raise: exactly 3/4", vote("900", 300, "600", 200, "450", 150, "raise"), "maintenance_fund", 201, ""},
			{"raise: area a hundredth under 3/4", vote("900", 300, "600", 200, "449.99", 200, "raise"), "maintenance_fund", 422, "vote_failed"},
			{"raise: owners one under 3/4", vote("900", 300, "600", 200, "600", 149, "raise"), "maintenance_fund", 422, "vote_failed"},
			{"raise: a majority is not enough", vote("900", 300, "900", 300, "600", 200, "raise"), "maintenance_fund", 422, "vote_failed"},
			{"raise: no quorum", vote("900", 300, "500", 300, "500", 300, "raise"), "maintenance_fund", 422, "vote_failed"},
			{"no vote: maintenance fund", nil, "maintenance_fund", 422, "vote_failed"},
			{"no vote: public revenue", nil, "public_revenue", 422, "vote_failed"},
			{"yes area above participating", vote("900", 300, "600", 200, "600.01", 150, "use"), "maintenance_fund", 400, "invalid_request"},
			{"yes owners above participating", vote("900", 300, "600", 200, "400", 201, "use"), "maintenance_fund", 400, "invalid_request"},
			{"participating area above total", vote("900", 300, "900.01", 300, "900", 300, "use"), "maintenance_fund", 400, "invalid_request"},
			{"participating owners above total", vote("900", 300, "900", 301, "900", 300, "use"), "maintenance_fund", 400, "invalid_request"},
			{"zero total area", vote("0", 300, "0", 300, "0", 300, "use"), "maintenance_fund", 400, "invalid_request"},
			{"zero owners", vote("900", 0, "900", 0, "900", 0, "use"), "maintenance_fund", 400, "invalid_request"},
			{"negative owners", vote("900", 300, "900", -1, "900", -1, "use"), "maintenance_fund", 400, "invalid_request"},
			{"unknown purpose", vote("900", 300, "900", 300, "900", 300, "spend"), "maintenance_fund", 400, "invalid_request"},
			{"missing held_on", withField(vote("900", 300, "900", 300, "900", 300, "use"), "held_on", ""), "maintenance_fund", 400, "invalid_request"},
			{"area as a JSON number", withField(vote("900", 300, "900", 300, "900", 300, "use"), "total_area_m2", 900), "maintenance_fund", 400, "invalid_request"},
			{"owners as a string", withField(vote("900", 300, "900", 300, "900", 300, "use"), "total_owners", "300"), "maintenance_fund", 400, "invalid_request"},
			{"unknown vote field", withField(vote("900", 300, "900", 300, "900", 300, "use"), "abstain_owners", 0), "maintenance_fund", 400, "invalid_request"},
		}
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				extra := map[string]any{}
				if c.vote != nil {
					extra["vote"] = c.vote
				}
				body := fundBody(fmt.Sprintf("HZ-MF-%02d", i), c.kind, "project:HZ-001", extra, "basic", "improvement")
				if c.status == 201 {
					r := e.forT(t).Must("hz", "POST", "/v1/funds", body, 201)
					v, _ := r["vote"].(map[string]any)
					if v == nil || v["rule_set"] != "civil_code_278" {
						t.Errorf("vote = %v", r["vote"])
					}
					return
				}
				e.refuse(t, "hz", "POST", "/v1/funds", body, c.status, c.code)
			})
		}
		// A fund that needs a vote can receive and pay once the vote passes.
		e.Receive("HZ-MF-00", "100")
		e.Must("hz", "POST", "/v1/expenditures", expenditure("HZ-001", "basic", "100"), 201)
		e.checkBooks()
	})
}

// holdings returns every holding's balance.
func (e *env) holdings() map[string]int64 {
	e.T.Helper()
	var rows []struct {
		FundCode string
		Holder   string
		Balance  int64
	}
	if err := e.DB.G.Raw("SELECT fund_code, holder, balance FROM holdings").Scan(&rows).Error; err != nil {
		e.T.Fatal(err)
	}
	m := map[string]int64{}
	for _, r := range rows {
		m[r.FundCode+"@"+r.Holder] = r.Balance
	}
	return m
}

func sameHoldings(a, b map[string]int64) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

// TestReversals: a reversal restores exactly what the transfer moved; a
// second reversal, reversing a reversal, and reversing an allocation whose
// money was spent below are refused.
func TestReversals(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.Fund("CG", "central_grant", "city", "basic")
		e.Fund("CG2", "special_bond", "city", "basic")
		r1 := e.Must("finance", "POST", "/v1/funds/CG/receipts", receiptBody("1000.00"), 201)["id"].(string)
		e.Receive("CG2", "100.00")
		a1 := e.Must("finance", "POST", "/v1/allocations", map[string]any{"fund": "CG", "from": "city", "to": "district:HZ", "amount": "600.00", "allocated_on": "2026-03-02"}, 201)["id"].(string)
		a2 := e.Must("finance", "POST", "/v1/allocations", map[string]any{"fund": "CG", "from": "district:HZ", "to": "project:HZ-001", "amount": "500.00", "allocated_on": "2026-03-02"}, 201)["id"].(string)
		e.Allocate("CG2", "city", "project:HZ-001", "100.00")
		beforeSpend := e.holdings()
		exp := expenditure("HZ-001", "basic", "250.55")
		exp["funding"] = []map[string]any{{"fund": "CG", "amount": "200.50"}, {"fund": "CG2", "amount": "50.05"}}
		e1 := e.Must("hz", "POST", "/v1/expenditures", exp, 201)["id"].(string)

		rev := func(id string) string { return "/v1/transfers/" + id + "/reversal" }
		reason := map[string]any{"reason": "重复支付"}
		// The project holds 299.50 of CG: the 500.00 allocated to it cannot come back.
		e.refuse(t, "finance", "POST", rev(a2), reason, 422, "insufficient_funds")
		e.refuse(t, "hz", "POST", rev(a2), reason, 422, "insufficient_funds")
		// The city holds 400.00 of CG: the receipt of 1000.00 cannot be undone.
		e.refuse(t, "finance", "POST", rev(r1), reason, 422, "insufficient_funds")
		e.refuse(t, "finance", "POST", rev(e1), map[string]any{"reason": ""}, 400, "invalid_request")
		e.refuse(t, "finance", "POST", rev(e1), map[string]any{}, 400, "invalid_request")

		// Reversing the two-fund expenditure restores both holdings exactly.
		x := e.Must("hz", "POST", rev(e1), reason, 201)
		x1 := x["id"].(string)
		if x["reversal_of"] != e1 || x["amount"] != "250.55" || x["type"] != "reversal" {
			t.Errorf("reversal = %v", x)
		}
		if got := e.holdings(); !sameHoldings(got, beforeSpend) {
			t.Errorf("after reversing the expenditure holdings are %v, want %v", got, beforeSpend)
		}
		e.refuse(t, "hz", "POST", rev(e1), reason, 409, "already_reversed")
		e.refuse(t, "finance", "POST", rev(e1), reason, 409, "already_reversed")
		e.refuse(t, "finance", "POST", rev(x1), reason, 409, "conflict")

		// Now the allocations and the receipts can be undone, in order.
		e.Must("finance", "POST", rev(a2), reason, 201)
		e.refuse(t, "finance", "POST", rev(a2), reason, 409, "already_reversed")
		e.Must("finance", "POST", rev(a1), reason, 201)
		e.Must("finance", "POST", rev(r1), reason, 201)
		e.refuse(t, "finance", "POST", rev(r1), reason, 409, "already_reversed")
		for k, v := range e.holdings() {
			if strings.HasPrefix(k, "CG@") && v != 0 {
				t.Errorf("%s holds %d fen after every CG movement was reversed", k, v)
			}
		}
		if got := e.Balance("CG2", "project:HZ-001"); got != "100.00" {
			t.Errorf("CG2 at the project holds %s, want 100.00", got)
		}
		// The funding view nets the reversals out.
		v := e.Must("hz", "GET", "/v1/projects/HZ-001/funding", nil, 200)
		tot := v["totals"].(map[string]any)
		if tot["spent"] != "0.00" || tot["available"] != "100.00" {
			t.Errorf("funding view totals = %v", tot)
		}
		e.checkBooks()
	})
}

// TestAutomaticAttribution: earliest expires_on first, funds without expiry
// last, then fund code; ineligible and expired funds are skipped; the
// response states the split and it sums to the amount.
func TestAutomaticAttribution(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		funds := []struct{ code, expires, category string }{
			{"F-LATE", "2026-12-31", "basic"},
			{"F-EARLY", "2026-06-30", "basic"},
			{"B-NONE", "", "basic"},
			{"A-NONE", "", "basic"},
			{"D-SAME", "2026-09-30", "basic"},
			{"C-SAME", "2026-09-30", "basic"},
			{"E-GONE", "2026-04-01", "basic"},    // expired on 2026-04-02
			{"0-OTHER", "2026-01-01", "upgrade"}, // not eligible for basic (and expired)
			{"1-OTHER", "", "improvement"},       // not eligible for basic
		}
		for _, f := range funds {
			extra := map[string]any{}
			if f.expires != "" {
				extra["expires_on"] = f.expires
			}
			e.Must("finance", "POST", "/v1/funds", fundBody(f.code, "central_grant", "city", extra, f.category), 201)
			e.Receive(f.code, "100.00")
			e.Allocate(f.code, "city", "project:HZ-001", "100.00")
		}
		spend := func(amount string) (map[string]any, response) {
			r := e.Do("hz", "POST", "/v1/expenditures", expenditure("HZ-001", "basic", amount))
			if r.Status != 201 {
				t.Fatalf("spend %s: %d %s", amount, r.Status, r.Body)
			}
			return r.JSON(t), r
		}
		check := func(got map[string]any, amount string, want [][2]string) {
			t.Helper()
			parts := got["funding"].([]any)
			var fmtd [][2]string
			for _, p := range parts {
				m := p.(map[string]any)
				fmtd = append(fmtd, [2]string{m["fund"].(string), m["amount"].(string)})
			}
			if fmt.Sprint(fmtd) != fmt.Sprint(want) {
				t.Errorf("spending %s split as %v, want %v", amount, fmtd, want)
			}
			if got["amount"] != amount {
				t.Errorf("amount = %v, want %s", got["amount"], amount)
			}
		}
		got, _ := spend("450.01")
		check(got, "450.01", [][2]string{{"F-EARLY", "100.00"}, {"C-SAME", "100.00"}, {"D-SAME", "100.00"}, {"F-LATE", "100.00"}, {"A-NONE", "50.01"}})
		// The stored transfer states the same split.
		stored := e.Must("auditor", "GET", "/v1/transfers/"+got["id"].(string), nil, 200)
		if fmt.Sprint(stored["funding"]) != fmt.Sprint(got["funding"]) {
			t.Errorf("stored funding %v, answered %v", stored["funding"], got["funding"])
		}
		// A-NONE has 49.99 left and B-NONE 100.00: 150.00 is more than they hold.
		e.refuse(t, "hz", "POST", "/v1/expenditures", expenditure("HZ-001", "basic", "150.00"), 422, "insufficient_funds")
		got, _ = spend("149.99")
		check(got, "149.99", [][2]string{{"A-NONE", "49.99"}, {"B-NONE", "100.00"}})
		e.refuse(t, "hz", "POST", "/v1/expenditures", expenditure("HZ-001", "basic", "0.01"), 422, "insufficient_funds")
		// The skipped funds are untouched; improvement still draws on 1-OTHER.
		for _, f := range []string{"E-GONE", "0-OTHER", "1-OTHER"} {
			if b := e.Balance(f, "project:HZ-001"); b != "100.00" {
				t.Errorf("%s at the project holds %s, want 100.00", f, b)
			}
		}
		got = e.Must("hz", "POST", "/v1/expenditures", expenditure("HZ-001", "improvement", "0.01"), 201)
		check(got, "0.01", [][2]string{{"1-OTHER", "0.01"}})
		e.checkBooks()
	})
}

// TestConservation runs a mixed sequence of movements and refusals, then
// checks the books.
func TestConservation(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		setupMoney(e)
		e.Fund("CG2", "special_bond", "city", "basic", "upgrade")
		e.Receive("CG2", "777.77")
		e.Allocate("CG2", "city", "district:LY", "700.00")
		e.Must("ly", "POST", "/v1/allocations", map[string]any{"fund": "CG2", "from": "district:LY", "to": "project:LY-001", "amount": "333.33", "allocated_on": "2026-03-02"}, 201)
		e.Must("ly", "POST", "/v1/allocations", map[string]any{"fund": "LYF", "from": "district:LY", "to": "project:LY-001", "amount": "999.99", "allocated_on": "2026-03-02"}, 201)
		e.Must("hz", "POST", "/v1/allocations", map[string]any{"fund": "HZF", "from": "district:HZ", "to": "project:HZ-001", "amount": "0.01", "allocated_on": "2026-03-02"}, 201)
		ids := []string{}
		for i := range 12 {
			b := expenditure("LY-001", []string{"basic", "upgrade"}[i%2], fmt.Sprintf("%d.%02d", 10+i, i*7%100))
			r := e.Do("ly", "POST", "/v1/expenditures", b)
			if r.Status != 201 && r.Code() != "insufficient_funds" {
				t.Fatalf("spend: %d %s", r.Status, r.Body)
			}
			if r.Status == 201 {
				ids = append(ids, r.JSON(t)["id"].(string))
			}
		}
		e.Must("hz", "POST", "/v1/expenditures", expenditure("HZ-001", "basic", "19999.99"), 201)
		e.refuse(t, "hz", "POST", "/v1/expenditures", expenditure("HZ-001", "basic", "0.03"), 422, "insufficient_funds")
		for i, id := range ids {
			if i%3 == 0 {
				e.Must("ly", "POST", "/v1/transfers/"+id+"/reversal", map[string]any{"reason": "退回"}, 201)
			}
		}
		e.Must("finance", "POST", "/v1/funds/CG/receipts", receiptBody("0.01"), 201)
		e.checkBooks()
		v := e.Must("auditor", "GET", "/v1/audit/verify", nil, 200)
		if v["ok"] != true {
			t.Errorf("verify = %v", v)
		}
		// Every fund's totals agree with its holdings: received − spent = available.
		for _, f := range []string{"CG", "CG2", "HZF", "LYF"} {
			fv := e.Must("finance", "GET", "/v1/funds/"+f, nil, 200)
			tot := fv["totals"].(map[string]any)
			rec, spent, avail := mustAmount(t, tot["received"]), mustAmount(t, tot["spent"]), mustAmount(t, tot["available"])
			if rec-spent != avail {
				t.Errorf("fund %s: received %v − spent %v ≠ available %v", f, tot["received"], tot["spent"], tot["available"])
			}
			var sum int64
			for _, h := range fv["holdings"].([]any) {
				sum += mustAmount(t, h.(map[string]any)["available"])
			}
			if sum != avail {
				t.Errorf("fund %s: holdings sum to %d fen, available %d", f, sum, avail)
			}
		}
	})
}

// mustAmount parses a two-decimal amount string into fen.
func mustAmount(t testing.TB, v any) int64 {
	t.Helper()
	s, ok := v.(string)
	if !ok {
		t.Fatalf("amount %v is not a string", v)
	}
	var yuan, fen int64
	if _, err := fmt.Sscanf(s, "%d.%02d", &yuan, &fen); err != nil || len(s) < 4 || s[len(s)-3] != '.' {
		t.Fatalf("amount %q is not two-decimal", s)
	}
	return yuan*100 + fen
}
