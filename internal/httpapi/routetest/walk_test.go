//go:build !race

// The walk is built without the race detector only: it walks the full
// Lianyungang-scale demo city, which the race detector's thirtyfold slower
// embedded database could not load in time, and a walk of a shrunken city
// under -race would repeat the same requests and assertions. The GET
// handlers run under -race in the access matrix (every route as every
// token, in JSON and CSV) and in the tests of each export.

package routetest_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"renofund/funding/evidence"
	"renofund/funding/movement"
	"renofund/funding/works"
	"renofund/internal/access"
	"renofund/internal/demo"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// The route walk sends every GET route of the OpenAPI document, with every
// filter it declares, as every role, to a server on 127.0.0.1 holding the
// demo city, and fails on any 5xx: a read that runs into the request
// deadline answers 503. Path and query values come from the tables below;
// a route or filter added without walk values fails the walk, so nothing new
// goes unwalked. BenchmarkRouteWalk times the same requests and reports the
// slowest ten.

// walkTop is how many of the slowest requests BenchmarkRouteWalk lists.
var walkTop = flag.Int("walk.top", 10, "BenchmarkRouteWalk lists this many of the slowest requests")

// walkRoles are the tokens the walk uses: one of each role (hz is district HZ).
var walkRoles = []string{"admin", "finance", "auditor", "hz"}

// walked is one request of the walk and what it took.
type walked struct {
	role, path string
	status     int
	bytes      int64
	ttfb, took time.Duration
	body       []byte // kept up to 4 KiB for messages
	leak       string // for the district token: another district's code found in the answer
}

// walker holds the demo city behind a real listener and the values to fill
// paths and filters with.
type walker struct {
	e      *env
	base   string
	client *http.Client
	params map[string][]string // path parameter values, by the path segment before it
	query  map[string][]string // filter values, by name
}

// newWalker loads the full demo city into db,
// with a bank reconciliation in HZ and in GY, and starts the server.
func newWalker(t testing.TB, db *store.DB) *walker {
	t.Helper()
	e := newBareEnv(t, db)
	ctx := context.Background()
	if _, err := demo.Load(ctx, e.App); err != nil {
		t.Fatalf("demo: %v", err)
	}
	e.Issue("hz", access.District, "HZ")
	e.Issue("gy", access.District, "GY")
	recon := map[string]string{}
	for who, d := range map[string]string{"hz": "HZ", "gy": "GY"} {
		r := e.Upload(who, d, "date,amount,reference,counterparty\n2026-04-02,-1000.00,FK-1,施工单位\n2026-04-03,500.00,,区财政局\n")
		if r.Status != 201 {
			t.Fatalf("reconciliation in %s: %d %s", d, r.Status, r.Body)
		}
		recon[d] = r.JSON(t)["id"].(string)
	}
	one := func(q string, args ...any) string {
		var s []string
		if err := db.G.Raw(q, args...).Scan(&s).Error; err != nil || len(s) == 0 {
			t.Fatalf("walk value %q: %v (%d rows)", q, err, len(s))
		}
		return s[0]
	}
	payment := func(district string) string {
		return one("SELECT id FROM transfers WHERE type = 'expenditure' AND district_code = ? ORDER BY id LIMIT 1", district)
	}
	receipt := one("SELECT id FROM transfers WHERE type = 'receipt' AND district_code IS NULL ORDER BY id LIMIT 1")
	subsidyPaid := one("SELECT id FROM transfers WHERE type = 'subsidy_payment' AND district_code = 'HZ' ORDER BY id LIMIT 1")
	plan := one("SELECT id FROM allocation_plans ORDER BY id LIMIT 1")
	run := one("SELECT id FROM subsidy_runs ORDER BY id LIMIT 1")
	scheme := one("SELECT code FROM subsidy_schemes ORDER BY code LIMIT 1")
	period := one("SELECT period FROM subsidy_runs ORDER BY id LIMIT 1")
	hzFund := one("SELECT code FROM funds WHERE district_code = 'HZ' AND kind = 'resident_contribution' ORDER BY code LIMIT 1")
	gyFund := one("SELECT code FROM funds WHERE district_code = 'GY' AND kind = 'resident_contribution' ORDER BY code LIMIT 1")
	schemeFund := one("SELECT fund_code FROM subsidy_schemes ORDER BY code LIMIT 1")
	// A forced payment filed by the bureau and waiting for a second person.
	held := one("SELECT fund_code FROM holdings WHERE holder = 'project:HZ-001' AND balance >= 100 ORDER BY fund_code LIMIT 1")
	fin := access.With(ctx, access.Actor{TokenID: "walk", Role: access.Finance, Name: "walk"})
	_, filed, err := e.App.Movements.Pay(fin, movement.Expenditure{Project: "HZ-001", Category: "upgrade", Amount: 1_00,
		Payee:  movement.Party{Name: "连云港市政工程有限公司", CreditCode: payeeCode, BankAccount: "6222020000000001"},
		PaidOn: "2026-11-02", Purpose: "应急抢修", Funding: []movement.Part{{Fund: held, Amount: 1_00}}, ForceReason: "应急抢修"})
	if err != nil || filed == nil {
		t.Fatalf("walk: a filed payment: %v", err)
	}
	contracts := map[string]string{}
	var attachments []string
	for i, d := range []string{"HZ", "GY"} {
		p, err := e.App.Movements.Works.CreatePayee(fin, works.Payee{Name: "施工单位 " + d, CreditCode: payeeCode,
			BankAccount: fmt.Sprintf("6222-%d", i)})
		if err != nil {
			t.Fatalf("walk: a payee: %v", err)
		}
		c, err := e.App.Movements.Works.CreateContract(fin, d+"-001", works.ContractIn{Payee: p.ID, Category: "basic",
			Sum: 100_000_00, SignedOn: "2026-02-01"})
		if err != nil {
			t.Fatalf("walk: a contract: %v", err)
		}
		contracts[d] = c.ID
		a, err := e.App.Movements.Evidence.Add(fin, evidence.Upload{Subject: "contract:" + c.ID, Kind: "contract",
			FileName: "合同.pdf", Content: []byte("%PDF-1.4 合同 " + d)})
		if err != nil {
			t.Fatalf("walk: an attachment: %v", err)
		}
		attachments = append(attachments, a.ID)
	}
	srv := httptest.NewServer(e.Srv.Handler())
	t.Cleanup(srv.Close)
	return &walker{
		e: e, base: srv.URL, client: srv.Client(),
		params: map[string][]string{
			"projects":         {"HZ-001", "GY-001", "NO-SUCH"},
			"funds":            {"CG-2026", schemeFund, hzFund, gyFund, "NO-SUCH"},
			"transfers":        {payment("HZ"), payment("GY"), receipt, "no-such"},
			"expenditures":     {payment("HZ"), payment("GY"), subsidyPaid, receipt},
			"allocation-plans": {plan, "no-such"},
			"runs":             {run, "no-such"},
			"schemes":          {scheme, "NO-SUCH"},
			"reconciliations":  {recon["HZ"], recon["GY"], "no-such"},
			"matches":          {"no-such"},
			"payment-requests": {filed.ID, "no-such"},
			"exceptions":       {"idle_money:city", "retention:CF-2026@city", "no-such"},
			"contracts":        {contracts["HZ"], contracts["GY"], "no-such"},
			"bulletins":        {"2026-06", "2099-01", "no-such"},
			"attachments":      append(attachments, "no-such"),
		},
		query: map[string][]string{
			"district":       {"HZ", "GY"},
			"project":        {"HZ-001", "GY-001"},
			"fund":           {"CG-2026", schemeFund, hzFund, gyFund},
			"type":           {"receipt", "allocation", "expenditure", "subsidy_payment", "reversal"},
			"limit":          {"1", "1000"},
			"after":          {receipt},
			"format":         {"csv", "jsonl", "xlsx"},
			"days":           {"0", "60"},
			"as_of":          {"2026-12-31"},
			"month":          {"2026-03"},
			"scheme":         {scheme},
			"period":         {period},
			"status":         {"paid", "draft", "executed", "pending", "open"},
			"severity":       {"high"},
			"idle_days":      {"30"},
			"idle_min":       {"100000"},
			"duplicate_days": {"30"},
			"late_days":      {"0"},
			"bank_days":      {"0"},
			"kind":           {"central_grant", "resident_contribution"},
			"holder":         {"city", "district:HZ", "project:HZ-001"},
			"year":           {"2021", "2026"},
			"token_name":     {"finance"},
			"route":          {"/v1/reconciliations"},
			"method":         {"POST"},
			"from":           {"2026-04-01"},
			"to":             {"2026-04-30"},
			"fiscal_year":    {"2026", "2025"},
			"credit_code":    {payeeCode},
			"subject":        {"contract:" + contracts["HZ"], "transfer:" + payment("GY"), evidence.Pending, "nonsense"},
			"full":           {"true", "false"},
		},
	}
}

// requests lists the walk: every GET route of the OpenAPI document with each
// value of each path parameter, bare, with each value of each filter, and
// with all its filters at once.
func (w *walker) requests(t testing.TB) []string {
	t.Helper()
	r := w.e.Do("", "GET", "/openapi.json", nil)
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct{ Name, In string } `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatalf("openapi: %v", err)
	}
	var out []string
	for path, ops := range doc.Paths {
		get, ok := ops["get"]
		if !ok {
			continue
		}
		var query []string
		for _, p := range get.Parameters {
			if p.In == "query" {
				if w.query[p.Name] == nil {
					t.Fatalf("GET %s takes ?%s, which the walk has no values for: add them to newWalker", path, p.Name)
				}
				query = append(query, p.Name)
			}
		}
		for _, filled := range w.fill(t, path) {
			out = append(out, filled)
			for _, name := range query {
				for _, v := range w.query[name] {
					out = append(out, filled+"?"+url.Values{name: {v}}.Encode())
				}
			}
			// Every filter at once, each with its first value.
			if len(query) > 1 {
				all := url.Values{}
				for _, name := range query {
					if name != "after" {
						all.Set(name, w.query[name][0])
					}
				}
				out = append(out, filled+"?"+all.Encode())
			}
			// Every format with a district filter, as the bureau exports one district.
			if slices.Contains(query, "format") && slices.Contains(query, "district") {
				for _, f := range w.query["format"] {
					out = append(out, filled+"?"+url.Values{"format": {f}, "district": {"HZ"}}.Encode())
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// fill substitutes every value for the path's parameters.
func (w *walker) fill(t testing.TB, path string) []string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if !strings.HasPrefix(s, "{") {
			continue
		}
		vals := w.params[segs[i-1]]
		if vals == nil {
			t.Fatalf("GET %s: the walk has no values for %s after /%s/: add them to newWalker", path, s, segs[i-1])
		}
		var out []string
		for _, v := range vals {
			next := slices.Clone(segs)
			next[i] = url.PathEscape(v)
			out = append(out, w.fill(t, strings.Join(next, "/"))...)
		}
		return out
	}
	return []string{path}
}

// send makes one request and reads the whole answer.
func (w *walker) send(t testing.TB, role, path string) walked {
	t.Helper()
	res := walked{role: role, path: path}
	start := time.Now()
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		GotFirstResponseByte: func() { res.ttfb = time.Since(start) },
	})
	req, err := http.NewRequestWithContext(ctx, "GET", w.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+w.e.Tok[role])
	resp, err := w.client.Do(req)
	if err != nil {
		t.Fatalf("GET %s as %s: %v", path, role, err)
	}
	var all bytes.Buffer
	n, err := io.Copy(&all, resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Errorf("GET %s as %s: reading the answer: %v", path, role, err)
	}
	res.status, res.bytes, res.took = resp.StatusCode, n, time.Since(start)
	res.body = all.Bytes()[:min(4096, all.Len())]
	// A refusal echoes the code asked for, exactly as for a code that does
	// not exist (the refusal tests compare the two); an answer must name
	// nothing of another district.
	if role == "hz" && res.status == http.StatusOK && !shared(path) {
		res.leak = otherDistrict(all.Bytes(), "HZ")
	}
	return res
}

// shared says whether a path is city-wide reference data every reader sees
// (the district list, subsidy schemes).
func shared(path string) bool {
	return strings.HasPrefix(path, "/v1/districts") || strings.HasPrefix(path, "/v1/subsidy/schemes") ||
		!strings.HasPrefix(path, "/v1/")
}

// otherDistrict finds a code of a demo district other than own in body:
// as a project or fund code segment, or as a holder. A workbook (a zip) is
// searched in its unzipped parts: its compressed bytes may hold any
// sequence by chance.
func otherDistrict(body []byte, own string) string {
	if zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body))); err == nil && bytes.HasPrefix(body, []byte("PK\x03\x04")) {
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				return "unreadable workbook part " + f.Name
			}
			part, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				return "unreadable workbook part " + f.Name
			}
			if leak := otherDistrict(part, own); leak != "" {
				return leak
			}
		}
		return ""
	}
	for _, d := range demo.Districts {
		if d.Code == own {
			continue
		}
		for _, pat := range []string{`"` + d.Code + "-", ":" + d.Code + "-", "-" + d.Code + "-", "district:" + d.Code,
			`"district":"` + d.Code + `"`, "," + d.Code + "-", "\n" + d.Code + "-"} {
			if bytes.Contains(body, []byte(pat)) {
				return pat
			}
		}
	}
	return ""
}

// walk sends every request as every role.
func (w *walker) walk(t testing.TB) []walked {
	var out []walked
	for _, path := range w.requests(t) {
		for _, role := range walkRoles {
			out = append(out, w.send(t, role, path))
		}
	}
	return out
}

func TestRouteWalk(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWalker(t, db)
		results := w.walk(t)
		statuses := map[int]int{}
		for _, r := range results {
			statuses[r.status]++
			if r.status >= 500 {
				t.Errorf("GET %s as %s: %d after %s: %s", r.path, r.role, r.status, r.took.Round(time.Millisecond), r.body)
			}
			if r.leak != "" {
				t.Errorf("GET %s as %s: the answer names another district (%s): %.300s", r.path, r.role, r.leak, r.body)
			}
		}
		if statuses[200] == 0 || len(results) < 500 {
			t.Errorf("the walk sent %d requests: %v", len(results), statuses)
		}
		t.Logf("%d requests: %v", len(results), statuses)
	})
}

// BenchmarkRouteWalk walks every route as every role on the demo city and
// reports the slowest ten requests (time to the whole answer, and to its
// first byte for streamed exports) (-walk.top N for more). Run with
//
//	go test -run '^$' -bench RouteWalk -benchtime 1x ./internal/httpapi/routetest/
func BenchmarkRouteWalk(b *testing.B) {
	for _, d := range storetest.Engines() {
		b.Run(string(d), func(b *testing.B) {
			w := newWalker(b, storetest.Open(b, d))
			var results []walked
			for b.Loop() {
				results = w.walk(b)
			}
			sort.Slice(results, func(i, j int) bool { return results[i].took > results[j].took })
			var lines []string
			for _, r := range results[:min(*walkTop, len(results))] {
				lines = append(lines, fmt.Sprintf("%8.1f ms (first byte %7.1f ms) %d %9d B  %-7s GET %s",
					ms(r.took), ms(r.ttfb), r.status, r.bytes, r.role, r.path))
			}
			b.ReportMetric(ms(results[0].took), "slowest-ms")
			b.Logf("%d requests on the demo city; the slowest %d:\n%s", len(results), len(lines), strings.Join(lines, "\n"))
		})
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
