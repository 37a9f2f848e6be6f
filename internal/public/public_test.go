package public_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"renofund/funding/disclosure/disclosuretest"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/console/consoletest"
	"renofund/internal/public"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// answer is an HTTP answer as a test reads it.
type answer struct {
	Status int
	Header http.Header
	Body   string
}

// code is the error code of a JSON refusal.
func (a answer) code() string {
	var e struct{ Error struct{ Code string } }
	_ = json.Unmarshal([]byte(a.Body), &e)
	return e.Error.Code
}

// published reads "published" of a publication answer.
func (a answer) published() (bool, int) {
	var p struct {
		Published bool
		History   []any
	}
	_ = json.Unmarshal([]byte(a.Body), &p)
	return p.Published, len(p.History)
}

// call sends a request to the site as who (a token of consoletest.Who, or
// "" for none) with a JSON body (nil: none); header holds name, value pairs.
func call(t *testing.T, s *consoletest.Site, who, method, path string, body any, header ...string) answer {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+s.Tokens[who])
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// written is what a refused request must leave alone.
func written(t *testing.T, db *store.DB) string {
	t.Helper()
	var steps, keys int64
	if err := db.G.Raw("SELECT (SELECT COUNT(*) FROM project_publications), (SELECT COUNT(*) FROM idempotency_keys)").
		Row().Scan(&steps, &keys); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal([]int64{steps, keys})
	return string(b)
}

// asClerk acts as a finance-bureau clerk.
func asClerk() context.Context {
	return access.With(context.Background(), access.Actor{TokenID: "t", Role: access.Finance, Name: "clerk"})
}

var withdraw = map[string]any{"reason": "误发，数据待核"}

// TestPublishingAccess: only the finance bureau publishes and withdraws;
// district tokens (own or other district), the auditor and the
// administrator get 403, no token 401, an unknown project 404, a bad body
// 400, and none of them writes anything.
func TestPublishingAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := consoletest.New(t, db)
		before := written(t, db)
		for _, r := range []struct {
			who, path string
			body      any
			status    int
			code      string
		}{
			{"hz", "/v1/projects/HZ-001/publish", nil, 403, "forbidden"},
			{"hz", "/v1/projects/LY-001/publish", nil, 403, "forbidden"},
			{"ly", "/v1/projects/HZ-001/publish", nil, 403, "forbidden"},
			{"auditor", "/v1/projects/HZ-001/publish", nil, 403, "forbidden"},
			{"admin", "/v1/projects/HZ-001/publish", nil, 403, "forbidden"},
			{"hz", "/v1/projects/HZ-001/unpublish", withdraw, 403, "forbidden"},
			{"auditor", "/v1/projects/HZ-001/unpublish", withdraw, 403, "forbidden"},
			{"admin", "/v1/projects/HZ-001/unpublish", withdraw, 403, "forbidden"},
			{"", "/v1/projects/HZ-001/publish", nil, 401, "unauthenticated"},
			{"", "/v1/projects/HZ-001/unpublish", withdraw, 401, "unauthenticated"},
			{"finance", "/v1/projects/NOPE-9/publish", nil, 404, "not_found"},
			{"finance", "/v1/projects/NOPE-9/unpublish", withdraw, 404, "not_found"},
			{"finance", "/v1/projects/HZ-001/unpublish", map[string]any{}, 400, "invalid_request"},
			{"finance", "/v1/projects/HZ-001/unpublish", map[string]any{"reason": "x", "why": "y"}, 400, "invalid_request"},
		} {
			a := call(t, s, r.who, http.MethodPost, r.path, r.body, "Idempotency-Key", "k-"+r.who+r.path)
			if a.Status != r.status || a.code() != r.code {
				t.Errorf("%s %s: %d %s, want %d %s: %s", r.who, r.path, a.Status, a.code(), r.status, r.code, a.Body)
			}
		}
		if after := written(t, db); after != before {
			t.Errorf("refusals wrote: %s → %s", before, after)
		}
		a := call(t, s, "finance", http.MethodPost, "/v1/projects/HZ-001/publish", nil, "Idempotency-Key", "pub-1")
		if ok, n := a.published(); a.Status != 200 || !ok || n != 1 {
			t.Fatalf("publish: %d %s", a.Status, a.Body)
		}
		again := call(t, s, "finance", http.MethodPost, "/v1/projects/HZ-001/publish", nil, "Idempotency-Key", "pub-1")
		if again.Status != 200 || again.Header.Get("Idempotent-Replayed") != "true" || again.Body != a.Body {
			t.Errorf("the same key again: %d %v %s", again.Status, again.Header, again.Body)
		}
		a = call(t, s, "reviewer", http.MethodPost, "/v1/projects/HZ-001/unpublish", withdraw)
		if ok, n := a.published(); a.Status != 200 || ok || n != 2 || !strings.Contains(a.Body, "误发，数据待核") {
			t.Fatalf("unpublish by a second finance person: %d %s", a.Status, a.Body)
		}
	})
}

// TestDisclosurePage: a filled community's page is 404 before it is
// published and after it is withdrawn (the same page, to the byte, as for
// a project that does not exist), and 200 while published: it shows the
// works, the money by source, the contractor and the acceptance result,
// the maintenance fund's use, ratings and subsidies, and none of the
// personal data in the books; it weighs under 200 kB, runs no script,
// loads nothing, and its QR code reads as its own address.
func TestDisclosurePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := consoletest.New(t, db)
		disclosuretest.Community(t, s.App, "HZ-001")
		const path = "/public/projects/HZ-001"
		unknown := call(t, s, "", http.MethodGet, "/public/projects/NOPE-9", nil)
		if unknown.Status != 404 || !strings.Contains(unknown.Body, "没有找到该公示") {
			t.Fatalf("unknown project: %d %s", unknown.Status, unknown.Body)
		}
		if a := call(t, s, "", http.MethodGet, path, nil); a.Status != 404 || a.Body != unknown.Body {
			t.Errorf("before publishing: %d, the same page as for an unknown project: %v", a.Status, a.Body == unknown.Body)
		}
		if a := call(t, s, "", http.MethodGet, "/public/", nil); a.Status != 200 || strings.Contains(a.Body, "HZ-001") ||
			!strings.Contains(a.Body, "目前没有已发布的公示") {
			t.Errorf("the list before publishing: %d %s", a.Status, a.Body)
		}
		if a := call(t, s, "finance", http.MethodPost, "/v1/projects/HZ-001/publish", nil); a.Status != 200 {
			t.Fatalf("publish: %d %s", a.Status, a.Body)
		}
		page := call(t, s, "", http.MethodGet, path, nil)
		if page.Status != 200 || page.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Fatalf("published page: %d %v %.300s", page.Status, page.Header, page.Body)
		}
		body := page.Body
		for _, want := range append([]string{"<h1>公示<small>海州区新村老旧小区改造</small></h1>", "市财政局", "公示期",
			"一、项目概况", "二、改造内容与预算", "三、施工单位、进度与验收", "四、资金来源与使用", "五、住宅专项维修资金使用情况",
			"六、物业服务评价与补贴", "基础类", "完善类",
			`<strong class="passed">合格</strong> 2026年5月1日`, "业主代表1人参加", "80.0%",
			"政府资金", "中央补助资金", "居民出资", "住宅专项维修资金", "业主大会于2026年2月20日表决使用住宅专项维修资金",
			"2026年第一季度", "100%", "2,880.00", "如对公示内容有异议", "@page{size:A4", "@media print",
			disclosuretest.ContractSum, disclosuretest.ContractPaid, disclosuretest.Settled, disclosuretest.Government,
			disclosuretest.Residents, disclosuretest.MaintenanceIn, disclosuretest.MaintenanceUp, disclosuretest.Score,
			"本公示网址：" + s.URL + path}, disclosuretest.Public...) {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		for _, p := range disclosuretest.Private {
			if strings.Contains(body, p) {
				t.Errorf("the page shows personal data %q", p)
			}
		}
		checkLight(t, page)
		if got := decodeQR(t, body); got != s.URL+path {
			t.Errorf("the QR code reads %q, want %q", got, s.URL+path)
		}
		if a := call(t, s, "", http.MethodGet, "/public/", nil); a.Status != 200 ||
			!strings.Contains(a.Body, `<a href="/public/projects/HZ-001">海州区新村</a>`) || strings.Contains(a.Body, "LY-001") {
			t.Errorf("the list once published: %d %s", a.Status, a.Body)
		}
		if a := call(t, s, "finance", http.MethodPost, "/v1/projects/HZ-001/unpublish", withdraw); a.Status != 200 {
			t.Fatalf("unpublish: %d %s", a.Status, a.Body)
		}
		if a := call(t, s, "", http.MethodGet, path, nil); a.Status != 404 || a.Body != unknown.Body {
			t.Errorf("after withdrawing: %d, the same page as for an unknown project: %v", a.Status, a.Body == unknown.Body)
		}
		if a := call(t, s, "", http.MethodGet, "/public/", nil); strings.Contains(a.Body, "HZ-001") {
			t.Errorf("the list still names the withdrawn page")
		}
	})
}

var (
	styleBlock = regexp.MustCompile(`(?s)<style>(.*?)</style>`)
	loads      = regexp.MustCompile(`(?i)\s(src|srcset|data|action|formaction|background)\s*=|url\(|@import|<(link|iframe|object|embed|img|form)\b`)
)

// checkLight checks a public page's weight and headers: under 200 kB with
// everything it loads (it loads nothing), no script of any kind, and a
// Content-Security-Policy that lets nothing load or run but its own style
// sheet, which it names by hash.
func checkLight(t *testing.T, a answer) {
	t.Helper()
	if len(a.Body) >= 200_000 {
		t.Errorf("the page weighs %d bytes", len(a.Body))
	}
	lower := strings.ToLower(a.Body)
	if strings.Contains(lower, "<script") || strings.Contains(lower, "javascript:") || handler.MatchString(a.Body) {
		t.Errorf("the page carries script")
	}
	if m := loads.FindString(a.Body); m != "" {
		t.Errorf("the page loads something: %q", m)
	}
	csp := a.Header.Get("Content-Security-Policy")
	css := styleBlock.FindStringSubmatch(a.Body)
	if css == nil {
		t.Fatalf("no style sheet")
	}
	sum := sha256.Sum256([]byte(css[1]))
	if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe") ||
		!strings.Contains(csp, "style-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	if a.Header.Get("X-Content-Type-Options") != "nosniff" || a.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("headers %v", a.Header)
	}
}

// TestConfiguredAddress: with RENOFUND_PUBLIC_URL set (Config.BaseURL) the
// page's address and QR code use it whatever host the request names, the
// notice carries the configured bureau; without it, a request that came by
// TLS through a proxy gets an https address.
func TestConfiguredAddress(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	svc := app.New(db, nil)
	t.Cleanup(svc.Close)
	disclosuretest.Register(t, svc)
	svc.Public = public.Config{BaseURL: "https://gaizao.example.gov.cn/", Bureau: "连云港市财政局"}
	api := svc.API(nil, 0)
	t.Cleanup(api.Close)
	if _, err := svc.Disclosure.Publish(asClerk(), "HZ-001"); err != nil {
		t.Fatal(err)
	}
	get := func(h http.Handler, header ...string) answer {
		req := httptest.NewRequest(http.MethodGet, "http://evil.example/public/projects/HZ-001", nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return answer{rec.Code, rec.Header(), rec.Body.String()}
	}
	a := get(api.Handler())
	const want = "https://gaizao.example.gov.cn/public/projects/HZ-001"
	if a.Status != 200 || decodeQR(t, a.Body) != want || !strings.Contains(a.Body, "本公示网址："+want) ||
		strings.Contains(a.Body, "evil.example") || !strings.Contains(a.Body, "向连云港市财政局或海州区财政部门反映") {
		t.Errorf("configured address: %d %.500s", a.Status, a.Body)
	}
	svc.Public = public.Config{}
	bare := svc.API(nil, 0)
	t.Cleanup(bare.Close)
	if got := decodeQR(t, get(bare.Handler(), "X-Forwarded-Proto", "https").Body); got != "https://evil.example/public/projects/HZ-001" {
		t.Errorf("the request's own address behind TLS: %q", got)
	}
	if a := get(bare.Handler()); !strings.Contains(a.Body, "市财政局") || strings.Contains(a.Body, "连云港市财政局") {
		t.Errorf("the default bureau: %.300s", a.Body)
	}
}
