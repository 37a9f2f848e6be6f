package books_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"renofund/internal/console/consoletest"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// creditCode is a valid unified social credit code (GB 32100).
const creditCode = "91350100M000100Y43"

// city is a site with money in it, made through the API as the finance
// bureau: a central grant received and allocated to both projects, a
// payment from HZ-001, a works contract accepted, a property manager, a
// rating, a paid subsidy and a tax relief record, and a residents' fund.
type city struct {
	*consoletest.Site
	spend    string // the transfer of HZ-001's payment
	lySpend  string // a payment of LY-001
	contract string
}

// newCity builds the city on db.
func newCity(t *testing.T, db *store.DB) *city {
	t.Helper()
	s := &city{Site: consoletest.New(t, db)}
	s.api(t, "finance", "POST", "/v1/funds", map[string]any{"code": "CG-2026", "kind": "central_grant", "name": "2026年中央补助资金",
		"holder": "city", "fiscal_year": 2026, "document_no": "财综〔2026〕15号", "eligible_categories": []string{"basic", "improvement"}}, 201)
	s.api(t, "finance", "POST", "/v1/funds/CG-2026/receipts", map[string]any{"amount": "5000000.00", "received_on": "2026-03-01",
		"payer": map[string]any{"name": "江苏省财政厅"}}, 201)
	for to, amount := range map[string]string{"project:HZ-001": "3000000.00", "project:LY-001": "1000000.00"} {
		s.api(t, "finance", "POST", "/v1/allocations", map[string]any{"fund": "CG-2026", "from": "city", "to": to,
			"amount": amount, "allocated_on": "2026-03-05"}, 201)
	}
	s.spend = s.pay(t, "HZ-001", "123456.78")
	s.lySpend = s.pay(t, "LY-001", "2000.00")
	payee := s.api(t, "finance", "POST", "/v1/payees", map[string]any{"name": "海州建设工程有限公司", "credit_code": creditCode,
		"bank_account": "6222020000000009", "sme": true}, 201)
	s.contract = s.api(t, "finance", "POST", "/v1/projects/HZ-001/contracts", map[string]any{"payee": payee["id"], "category": "basic",
		"sum": "800000.00", "signed_on": "2026-03-10"}, 201)["id"].(string)
	s.api(t, "finance", "POST", "/v1/contracts/"+s.contract+"/acceptance", map[string]any{"accepted_on": "2026-05-01", "result": "passed",
		"participants": []map[string]any{{"name": "张三", "role": "业主代表"}}, "owner_reps": 1}, 201)
	s.api(t, "finance", "PUT", "/v1/projects/HZ-001/property-manager", map[string]any{"name": "海州物业服务有限公司",
		"credit_code": creditCode, "bank_account": "6222020000000077", "from": "2026-01-01"}, 200)
	s.api(t, "hz", "POST", "/v1/subsidy/ratings", map[string]any{"project": "HZ-001", "period": "2026-Q2", "score": 92.5,
		"assessors": []string{"李四", "王五"}, "owner_reps": 3}, 201)
	s.api(t, "finance", "POST", "/v1/funds", map[string]any{"code": "WY-2026", "kind": "city_fiscal", "name": "物业补贴资金",
		"holder": "city", "fiscal_year": 2026, "document_no": "连财〔2026〕8号", "eligible_categories": []string{"improvement"}}, 201)
	s.api(t, "finance", "POST", "/v1/funds/WY-2026/receipts", map[string]any{"amount": "100000.00", "received_on": "2026-03-01",
		"payer": map[string]any{"name": "连云港市财政局"}}, 201)
	s.api(t, "finance", "POST", "/v1/subsidy/schemes", map[string]any{"code": "S", "name": "物业补贴", "fund": "WY-2026",
		"basis": "per_household_month", "rate": "8.33", "period": "quarter", "valid_from": "2026-01-01",
		"bands": []map[string]any{{"min_score": 90, "ratio": "1"}}}, 201)
	run := s.api(t, "finance", "POST", "/v1/subsidy/runs", map[string]any{"scheme": "S", "period": "2026-Q2"}, 201)
	s.api(t, "reviewer", "POST", "/v1/subsidy/runs/"+run["id"].(string)+"/approve", nil, 200)
	s.api(t, "finance", "POST", "/v1/tax/service-relief", map[string]any{"service": "childcare", "on": "2026-05-01",
		"revenue": "100000.00", "vat_rate": "0.06", "project": "HZ-001", "provider": map[string]any{"name": "海州托育中心", "credit_code": creditCode}}, 201)
	s.api(t, "finance", "POST", "/v1/funds", map[string]any{"code": "HZ-RC-2026", "kind": "resident_contribution", "name": "新村居民出资",
		"holder": "project:HZ-001", "fiscal_year": 2026, "document_no": "居民出资协议", "eligible_categories": []string{"basic"}}, 201)
	return s
}

// pay pays amount from project and returns the transfer's id.
func (s *city) pay(t *testing.T, project, amount string) string {
	t.Helper()
	return s.api(t, "finance", "POST", "/v1/expenditures", map[string]any{"project": project, "category": "basic", "amount": amount,
		"payee":   map[string]any{"name": "连云港市政工程有限公司", "credit_code": creditCode, "bank_account": "6222020000000001"},
		"paid_on": "2026-04-02", "purpose": "雨污分流管网改造"}, 201)["id"].(string)
}

// api calls the JSON API as who and wants status; it returns the answer.
func (s *city) api(t *testing.T, who, method, path string, body any, status int) map[string]any {
	t.Helper()
	code, out := s.try(who, method, path, body)
	if code != status {
		t.Fatalf("%s %s as %s: %d %v, want %d", method, path, who, code, out, status)
	}
	return out
}

// try calls the JSON API as who and returns the status and the answer.
func (s *city) try(who, method, path string, body any) (int, map[string]any) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Authorization", "Bearer "+s.Tokens[who])
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.API.Handler().ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

// count is the number of items the API lists at path, as finance.
func (s *city) count(t *testing.T, path string) int {
	t.Helper()
	items, _ := s.api(t, "finance", "GET", path, nil, 200)["items"].([]any)
	return len(items)
}

// has fails the test unless the page holds every text.
func has(t *testing.T, what string, p consoletest.Page, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(p.Body, s) {
			t.Errorf("%s lacks %q", what, s)
		}
	}
}

// hasNot fails the test if the page holds any of the texts.
func hasNot(t *testing.T, what string, p consoletest.Page, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(p.Body, s) {
			t.Errorf("%s holds %q", what, s)
		}
	}
}

// TestProjectPage: the project page shows the project's facts, its money
// per fund and category, its movements, contract and acceptance, property
// manager, rating, paid subsidy and tax expenditure, formatted; the payment
// form only to those who may pay; another district's project is the API's
// 404 and the administrator, who reads no money, is refused.
func TestProjectPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newCity(t, db)
		for _, who := range []string{"finance", "auditor", "hz"} {
			p := s.SignIn(who).Get("/console/projects/HZ-001")
			if p.Status != http.StatusOK {
				t.Fatalf("as %s: %d %s", who, p.Status, p.Body)
			}
			has(t, who+"'s project page", p,
				"海州区新村", "海州区（HZ）", "1,000,000.00", "200,000.00", // facts and budget
				"3,000,000.00", "123,456.78", "2,876,543.22", // received, spent, available
				`href="/console/funds/CG-2026"`, "中央补助资金", // the source
				`href="/console/transfers/`+s.spend+`"`, "雨污分流管网改造", // the movement
				"海州建设工程有限公司", "800,000.00", "合格（2026-05-01）", // the contract and its acceptance
				"海州物业服务有限公司", "2026-Q2", "92.5", "李四、王五", "2,998.80", // manager, rating, subsidy paid
				"8,500.00", "社区服务税收优惠", // tax expenditure
				"/console/projects/HZ-001/final-accounts?format=xlsx")
			hasNot(t, who+"'s project page", p, "LY-001")
			form := strings.Contains(p.Body, `action="/console/projects/HZ-001/expenditures"`)
			if form != (who != "auditor") {
				t.Errorf("as %s: payment form shown %v", who, form)
			}
		}
		p := s.SignIn("ly").Get("/console/projects/HZ-001")
		if p.Status != http.StatusNotFound || strings.Contains(p.Body, "海州区新村") || !strings.Contains(p.Body, "没有找到") {
			t.Errorf("another district's project: %d", p.Status)
		}
		if p = s.SignIn("admin").Get("/console/projects/HZ-001"); p.Status != http.StatusForbidden || !strings.Contains(p.Body, "无权") {
			t.Errorf("admin: %d", p.Status)
		}
	})
}

// TestProjectTablesPageAndExport: a detail page's tables page through the
// API and export whole; the final accounts are relayed as CSV and XLSX.
func TestProjectTablesPageAndExport(t *testing.T) {
	s := newCity(t, storetest.Open(t, store.SQLite))
	for range 25 {
		s.pay(t, "HZ-001", "10.00")
	}
	b := s.SignIn("hz")
	p := b.Get("/console/projects/HZ-001")
	next := between(p.Body, `<a href="`, `">下一页`)
	if !strings.Contains(next, "moves=") {
		t.Fatalf("movements: no next page (%q)", next)
	}
	p = b.Get(strings.ReplaceAll(next, "&amp;", "&"))
	if p.Status != 200 || !strings.Contains(p.Body, "第一页") || strings.Count(p.Body, `<td class="num">10.00</td>`) == 0 {
		t.Errorf("second page of movements: %d", p.Status)
	}
	p = b.Get("/console/projects/HZ-001?table=moves&export=csv")
	lines := strings.Split(strings.TrimSpace(p.Body), "\n")
	if p.Status != 200 || !strings.HasPrefix(lines[0], "\ufeff凭证号,记账日期,类型") || len(lines) != 1+1+1+1+25 { // the allocation, the payments, the subsidy
		t.Errorf("movements CSV: %d, %d lines: %q", p.Status, len(lines), lines[0])
	}
	if !strings.Contains(p.Body, "123456.78") || !strings.Contains(p.Header.Get("Content-Disposition"), "projects-HZ-001-moves.csv") {
		t.Errorf("movements CSV: %v", p.Header)
	}
	p = b.Get("/console/projects/HZ-001?table=contracts&export=csv")
	if p.Status != 200 || !strings.Contains(p.Body, "合格（2026-05-01）") || !strings.Contains(p.Body, "800000.00") {
		t.Errorf("contracts CSV: %d %s", p.Status, p.Body)
	}
	p = b.Get("/console/projects/HZ-001?table=sources&export=xlsx")
	if p.Status != 200 || !strings.HasPrefix(p.Body, "PK") {
		t.Errorf("sources XLSX: %d", p.Status)
	}
	if p = b.Get("/console/projects/HZ-001?table=nothing&export=csv"); p.Status != http.StatusBadRequest {
		t.Errorf("unknown table: %d", p.Status)
	}
	p = b.Get("/console/projects/HZ-001/final-accounts?format=csv")
	if p.Status != 200 || !strings.Contains(p.Body, "CG-2026") || !strings.Contains(p.Header.Get("Content-Disposition"), "final-accounts-HZ-001") {
		t.Errorf("final accounts CSV: %d %v", p.Status, p.Header)
	}
	if p = b.Get("/console/projects/HZ-001/final-accounts?format=xlsx"); p.Status != 200 || !strings.HasPrefix(p.Body, "PK") {
		t.Errorf("final accounts XLSX: %d", p.Status)
	}
	if p = b.Get("/console/projects/HZ-001/final-accounts?format=pdf"); p.Status != http.StatusBadRequest {
		t.Errorf("final accounts as pdf: %d", p.Status)
	}
	if p = s.SignIn("ly").Get("/console/projects/HZ-001/final-accounts?format=csv"); p.Status != http.StatusNotFound || strings.Contains(p.Body, "CG-2026") {
		t.Errorf("another district's final accounts: %d", p.Status)
	}
}

// TestFundPage: the fund page shows a fund's totals and holdings, in a
// window too, and the fund list links to it; a district sees its own
// holdings only, and another district's fund is not found.
func TestFundPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newCity(t, db)
		b := s.SignIn("finance")
		if p := b.Get("/console/funds"); !strings.Contains(p.Body, `href="/console/funds/CG-2026"`) {
			t.Error("the fund list does not link to the fund")
		}
		p := b.Get("/console/funds/CG-2026")
		if p.Status != 200 {
			t.Fatalf("fund page: %d %s", p.Status, p.Body)
		}
		has(t, "fund page", p, "2026年中央补助资金", "财综〔2026〕15号", "基础类、完善类",
			"5,000,000.00", "125,456.78", "4,874,543.22", // received; spent (123,456.78 + 2,000.00); available
			"项目 HZ-001", "2,876,543.22", "项目 LY-001", "998,000.00", "1,000,000.00") // holdings
		p = b.Get("/console/funds/CG-2026?fiscal_year=2025")
		if p.Status != 200 || !strings.Contains(p.Body, `value="2025"`) || strings.Contains(p.Body, "5,000,000.00") {
			t.Errorf("fund in 2025: %d", p.Status)
		}
		p = b.Get("/console/funds/CG-2026?from=2026-03-02&to=2026-12-31")
		has(t, "fund from 2026-03-02", p, "期初", "5,000,000.00")
		if p = b.Get("/console/funds/CG-2026?fiscal_year=2026&from=2026-01-01"); p.Status != http.StatusBadRequest {
			t.Errorf("both windows: %d", p.Status)
		}
		p = b.Get("/console/funds/CG-2026?table=holdings&export=csv")
		if p.Status != 200 || !strings.Contains(p.Body, "项目 HZ-001,2876543.22") {
			t.Errorf("holdings CSV: %d %s", p.Status, p.Body)
		}
		p = s.SignIn("hz").Get("/console/funds/CG-2026")
		if p.Status != 200 || !strings.Contains(p.Body, "2,876,543.22") || strings.Contains(p.Body, "LY-001") {
			t.Errorf("a district's view of the city's fund: %d", p.Status)
		}
		if p = s.SignIn("ly").Get("/console/funds/HZ-RC-2026"); p.Status != http.StatusNotFound || strings.Contains(p.Body, "新村居民出资") {
			t.Errorf("another district's fund: %d", p.Status)
		}
	})
}

// TestTransferListAndPage: the transfer list filters and links to a
// transfer's page, which shows its postings as the API gives them.
func TestTransferListAndPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newCity(t, db)
		b := s.SignIn("auditor")
		p := b.Get("/console/transfers?project=HZ-001&type=expenditure")
		if p.Status != 200 || !strings.Contains(p.Body, `href="/console/transfers/`+s.spend+`"`) || strings.Contains(p.Body, s.lySpend) ||
			!strings.Contains(p.Body, "123,456.78") || strings.Contains(p.Body, "3,000,000.00") {
			t.Errorf("filtered list: %d", p.Status)
		}
		p = b.Get("/console/transfers/" + s.spend)
		if p.Status != 200 {
			t.Fatalf("transfer page: %d %s", p.Status, p.Body)
		}
		has(t, "transfer page", p, "123,456.78", "-123,456.78", "连云港市政工程有限公司", "6222020000000001", "项目 HZ-001", "账外", "雨污分流管网改造")
		if strings.Contains(p.Body, "/reversal") {
			t.Error("the auditor is offered the reversal form")
		}
		if p = s.SignIn("hz").Get("/console/transfers/" + s.spend); !strings.Contains(p.Body, `action="/console/transfers/`+s.spend+`/reversal"`) ||
			!strings.Contains(p.Body, "data-confirm") || !strings.Contains(p.Body, `name="_key"`) {
			t.Error("the district is not offered the reversal form")
		}
		if p = s.SignIn("ly").Get("/console/transfers/" + s.spend); p.Status != http.StatusNotFound || strings.Contains(p.Body, "123,456.78") {
			t.Errorf("another district's transfer: %d", p.Status)
		}
		p = s.SignIn("hz").Get("/console/transfers")
		if p.Status != 200 || strings.Contains(p.Body, s.lySpend) || !strings.Contains(p.Body, s.spend) {
			t.Errorf("a district's transfer list: %d", p.Status)
		}
	})
}

// TestReversal: the reversal form reverses (the API shows the reversal and
// both pages link to each other), a second reversal shows the refusal in
// Chinese and writes nothing, the auditor may not reverse, and a form
// without its CSRF secret is refused with nothing written.
func TestReversal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newCity(t, db)
		b := s.SignIn("hz")
		b.Get("/console/transfers/" + s.spend)
		if p := b.PostForm("/console/transfers/"+s.spend+"/reversal", url.Values{"reason": {"重复支付"}, "_csrf": {""}, "_key": {b.Key}}); p.Status != http.StatusForbidden || !strings.Contains(p.Body, "页面已过期") {
			t.Errorf("without CSRF: %d", p.Status)
		}
		if n := s.count(t, "/v1/transfers?type=reversal"); n != 0 {
			t.Fatalf("a refused form wrote %d reversals", n)
		}
		auditor := s.SignIn("auditor")
		auditor.Get("/console/transfers/" + s.spend)
		if p := auditor.PostForm("/console/transfers/"+s.spend+"/reversal", url.Values{"reason": {"试试"}}); p.Status != http.StatusForbidden {
			t.Errorf("the auditor reversing: %d", p.Status)
		}
		p := b.PostForm("/console/transfers/"+s.spend+"/reversal", url.Values{"reason": {"重复支付"}, "_key": {b.Key}})
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location(), "/console/transfers/") {
			t.Fatalf("reversal: %d %s", p.Status, p.Body)
		}
		rev := s.api(t, "finance", "GET", "/v1/transfers?type=reversal", nil, 200)["items"].([]any)
		if len(rev) != 1 || rev[0].(map[string]any)["reversal_of"] != s.spend || rev[0].(map[string]any)["amount"] != "123456.78" {
			t.Fatalf("reversals: %v", rev)
		}
		revID := rev[0].(map[string]any)["id"].(string)
		if !strings.HasPrefix(p.Location(), "/console/transfers/"+revID+"?ok=") {
			t.Errorf("sent to %q, not the reversal", p.Location())
		}
		p = b.Get(p.Location())
		has(t, "the reversal's page", p, "已冲销", "冲销凭证", `href="/console/transfers/`+s.spend+`"`, "重复支付")
		hasNot(t, "the reversal's page", p, `/reversal"`)
		p = b.Get("/console/transfers/" + s.spend)
		has(t, "the reversed transfer's page", p, "已于", "被冲销", `href="/console/transfers/`+revID+`"`)
		hasNot(t, "the reversed transfer's page", p, `action="/console/transfers/`+s.spend+`/reversal"`)
		// Sent again (another tab, a stale page): the API refuses it.
		p = b.PostForm("/console/transfers/"+s.spend+"/reversal", url.Values{"reason": {"再冲一次"}, "_key": {"another-key"}})
		if p.Status != http.StatusConflict || !strings.Contains(p.Body, "已经冲销过") || !strings.Contains(p.Body, "already_reversed") {
			t.Errorf("second reversal: %d %s", p.Status, p.Body)
		}
		if n := s.count(t, "/v1/transfers?type=reversal"); n != 1 {
			t.Errorf("%d reversals after the refused one", n)
		}
		// Another district's transfer does not exist for this user.
		p = b.PostForm("/console/transfers/"+s.lySpend+"/reversal", url.Values{"reason": {"错付"}, "_key": {"k1"}})
		if p.Status != http.StatusNotFound {
			t.Errorf("reversing another district's transfer: %d", p.Status)
		}
		if n := s.count(t, "/v1/transfers?type=reversal"); n != 1 {
			t.Errorf("%d reversals after another district's", n)
		}

		// The city's own transfers: a receipt whose money moved on cannot be
		// taken back; one that stayed can, and its page then says so.
		f := s.SignIn("finance")
		cg := s.api(t, "finance", "GET", "/v1/transfers?fund=CG-2026&type=receipt", nil, 200)["items"].([]any)[0].(map[string]any)["id"].(string)
		f.Get("/console/transfers/" + cg)
		p = f.PostForm("/console/transfers/"+cg+"/reversal", url.Values{"reason": {"退回"}, "_key": {f.Key}})
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "余额不足") {
			t.Errorf("reversing money that moved on: %d", p.Status)
		}
		s.api(t, "finance", "POST", "/v1/funds", map[string]any{"code": "DON-2026", "kind": "donation", "name": "捐赠",
			"holder": "city", "fiscal_year": 2026, "document_no": "捐赠协议", "eligible_categories": []string{"upgrade"}}, 201)
		don := s.api(t, "finance", "POST", "/v1/funds/DON-2026/receipts", map[string]any{"amount": "1000.00", "received_on": "2026-06-01",
			"payer": map[string]any{"name": "某企业"}}, 201)["id"].(string)
		f.Get("/console/transfers/" + don)
		if p = f.PostForm("/console/transfers/"+don+"/reversal", url.Values{"reason": {"误记"}, "_key": {f.Key}}); p.Status != http.StatusSeeOther {
			t.Fatalf("reversing a city receipt: %d %s", p.Status, p.Body)
		}
		has(t, "the reversed city receipt", f.Get("/console/transfers/"+don), "被冲销", "误记")
		if n := s.count(t, "/v1/transfers?type=reversal"); n != 2 {
			t.Errorf("%d reversals, want 2", n)
		}
	})
}

func between(s, from, to string) string {
	i := strings.Index(s, to)
	if i < 0 {
		return ""
	}
	j := strings.LastIndex(s[:i], from)
	if j < 0 {
		return ""
	}
	return s[j+len(from) : i]
}
