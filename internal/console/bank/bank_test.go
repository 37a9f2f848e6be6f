package bank_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"renofund/internal/console/consoletest"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// call sends a JSON request to the API as who (consoletest.Call).
var call = consoletest.Call

// books gives HZ a district fund of 10,000.00 (received 03-01, half
// allocated to HZ-001) and four payments in April: 1,000.00 under voucher
// FK-001, 300.00 and 200.00 (one bank line of 500.00), and 400.00 on 04-28
// that the bank has not paid yet.
func books(t *testing.T, s *consoletest.Site) {
	call(t, s, "finance", "POST", "/v1/funds", map[string]any{"code": "HZ-F01", "kind": "district_fiscal", "name": "海州区改造资金",
		"holder": "district:HZ", "fiscal_year": 2026, "document_no": "海财〔2026〕1号", "eligible_categories": []string{"basic"}}, 201)
	call(t, s, "finance", "POST", "/v1/funds/HZ-F01/receipts", map[string]any{"amount": "10000.00", "received_on": "2026-03-01",
		"payer": map[string]any{"name": "连云港市财政局"}}, 201)
	call(t, s, "finance", "POST", "/v1/allocations", map[string]any{"fund": "HZ-F01", "from": "district:HZ", "to": "project:HZ-001",
		"amount": "5000.00", "allocated_on": "2026-03-02"}, 201)
	for _, p := range []struct{ amount, on, voucher string }{
		{"1000.00", "2026-04-02", "FK-001"}, {"300.00", "2026-04-03", ""}, {"200.00", "2026-04-03", ""}, {"400.00", "2026-04-28", ""}} {
		body := map[string]any{"project": "HZ-001", "category": "basic", "amount": p.amount, "paid_on": p.on, "purpose": "雨污分流管网改造",
			"payee": map[string]any{"name": "连云港市政工程有限公司", "credit_code": "91350100M000100Y43", "bank_account": "6222020000000001"}}
		if p.voucher != "" {
			body["voucher_no"] = p.voucher
		}
		call(t, s, "hz", "POST", "/v1/expenditures", body, 201)
	}
}

// statement is HZ's March–April statement, ICBC-like: 借方/贷方 columns
// and a running balance; the interest and the fee are not in the books.
const statement = `交易日期,摘要,凭证号,对方户名,对方账号,借方发生额,贷方发生额,余额
2026-03-01,上级拨款,,连云港市财政局,32001234567890,,"10,000.00","10,000.00"
2026-04-02,工程进度款,FK-001,连云港市政工程有限公司,32009876543210,"1,000.00",,"9,000.00"
2026-04-03,工程款（两张凭证）,,连云港市政工程有限公司,32009876543210,500.00,,"8,500.00"
2026-04-20,利息,,,,,1.25,"8,501.25"
2026-04-25,手续费,,,,15.00,,"8,486.25"
`

// upload sends the upload form as the browser would: the page's CSRF
// secret and form key, the fields and the file.
func upload(t *testing.T, s *consoletest.Site, b *consoletest.Browser, fields map[string]string, file string) consoletest.Page {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	if _, ok := fields["_csrf"]; !ok {
		_ = w.WriteField("_csrf", b.CSRF)
	}
	_ = w.WriteField("_key", b.Key)
	fw, _ := w.CreateFormFile("file", "对账单.csv")
	_, _ = fw.Write([]byte(file))
	_ = w.Close()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/console/reconciliations/new", &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Origin", s.URL)
	return b.Do(req)
}

// reconciled uploads statement for HZ as who through a fresh form and
// returns the new reconciliation's id.
func reconciled(t *testing.T, s *consoletest.Site, b *consoletest.Browser, fields map[string]string) string {
	t.Helper()
	if p := b.Get("/console/reconciliations/new"); p.Status != http.StatusOK {
		t.Fatalf("upload form: %d %s", p.Status, p.Body)
	}
	p := upload(t, s, b, fields, statement)
	id, ok := strings.CutPrefix(p.Location(), "/console/reconciliations/")
	if p.Status != http.StatusSeeOther || !ok {
		t.Fatalf("upload: %d %s %s", p.Status, p.Location(), p.Body)
	}
	id, _, _ = strings.Cut(id, "?")
	return id
}

// has fails the test unless page answered status and holds every text.
func has(t *testing.T, what string, p consoletest.Page, status int, texts ...string) {
	t.Helper()
	if p.Status != status {
		t.Errorf("%s: status %d, want %d", what, p.Status, status)
	}
	for _, s := range texts {
		if !strings.Contains(p.Body, s) {
			t.Errorf("%s: no %q on the page", what, s)
		}
	}
}

// TestUploadAndResult: HZ uploads its statement through the console; the
// result page lists what matched and how, the lines and vouchers left on
// each side, with amounts formatted, and the fee's audit finding; the same
// file again is refused as a duplicate in Chinese; the same form sent twice
// acts once; LY neither sees the result nor uploads for HZ.
func TestUploadAndResult(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := consoletest.New(t, db)
		books(t, s)
		hz := s.SignIn("hz")
		form := hz.Get("/console/reconciliations/new")
		has(t, "upload form", form, http.StatusOK, `enctype="multipart/form-data"`, `class="progress"`, `name="window_days"`,
			`<option value="HZ" selected>`, "上传对账单")
		if strings.Contains(form.Body, `value="LY"`) {
			t.Errorf("HZ's form offers LY")
		}
		p := upload(t, s, hz, map[string]string{"district": "HZ", "window_days": "3"}, statement)
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location(), "/console/reconciliations/") {
			t.Fatalf("upload: %d %s %s", p.Status, p.Location(), p.Body)
		}
		// The same form sent again (a double click) is the same request.
		if again := upload(t, s, hz, map[string]string{"district": "HZ", "window_days": "3"}, statement); again.Location() != p.Location() {
			t.Errorf("the form sent twice: %d %s, first %s", again.Status, again.Location(), p.Location())
		}
		id, _, _ := strings.Cut(strings.TrimPrefix(p.Location(), "/console/reconciliations/"), "?")
		page := hz.Get(p.Location())
		has(t, "result", page, http.StatusOK, "对账完成：自动匹配 3 项，银行未达 2 笔，账面未达 1 笔", "10,000.00", "1,000.00",
			"FK-001", "按参考号", "按金额与日期", "组合匹配", "8,501.25", "15.00", "400.00", "手工匹配所选", `name="bank_lines"`,
			"银行已付、单位未记账", "2026-04-25")

		// The same file again, through a fresh form: refused in Chinese.
		hz.Get("/console/reconciliations/new")
		dup := upload(t, s, hz, map[string]string{"district": "HZ"}, statement)
		has(t, "duplicate", dup, http.StatusConflict, "不能重复上传", "duplicate_statement", `name="file"`)

		// LY: the result does not exist for it, and it cannot upload for HZ.
		ly := s.SignIn("ly")
		has(t, "LY reads HZ's result", ly.Get("/console/reconciliations/"+id), http.StatusNotFound, "未找到")
		ly.Get("/console/reconciliations/new")
		has(t, "LY uploads for HZ", upload(t, s, ly, map[string]string{"district": "HZ"}, statement), http.StatusForbidden, "forbidden")
		if l := call(t, s, "finance", "GET", "/v1/reconciliations", nil, 200)["items"].([]any); len(l) != 1 {
			t.Errorf("%d reconciliations stored, want 1", len(l))
		}
		// Without the CSRF secret nothing is uploaded.
		hz.Get("/console/reconciliations/new")
		has(t, "no CSRF", upload(t, s, hz, map[string]string{"district": "HZ", "_csrf": "forged"}, statement), http.StatusForbidden)
		if l := call(t, s, "finance", "GET", "/v1/reconciliations", nil, 200)["items"].([]any); len(l) != 1 {
			t.Errorf("a forged upload was stored: %d reconciliations", len(l))
		}
		// The auditor reads the result without the matching form.
		if p := s.SignIn("auditor").Get("/console/reconciliations/" + id); p.Status != http.StatusOK || strings.Contains(p.Body, "手工匹配所选") {
			t.Errorf("auditor's result: %d, matching form shown %v", p.Status, strings.Contains(p.Body, "手工匹配所选"))
		}
	})
}

// TestAccountAndFinance: finance registers an HZ account through the
// console and uploads the same statement for it (another scope than the
// district's); the lists show both.
func TestAccountAndFinance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := consoletest.New(t, db)
		books(t, s)
		hz := s.SignIn("hz")
		reconciled(t, s, hz, map[string]string{"district": "HZ"})
		fin := s.SignIn("finance")
		has(t, "account form", fin.Get("/console/bank-accounts/new"), http.StatusOK, `name="account_no"`)
		p := fin.PostForm("/console/bank-accounts/new", url.Values{"_key": {fin.Key}, "district": {"HZ"}, "bank": {"中国工商银行连云港分行"},
			"account_no": {"1102 0201 0900 0012 345"}, "name": {"老旧小区改造专户"}, "funds": {"HZ-F01"}})
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location(), "/console/reconciliations/new?account=") {
			t.Fatalf("register: %d %s %s", p.Status, p.Location(), p.Body)
		}
		accounts := call(t, s, "finance", "GET", "/v1/bank-accounts", nil, 200)["items"].([]any)
		if len(accounts) != 1 {
			t.Fatalf("accounts: %v", accounts)
		}
		acct := accounts[0].(map[string]any)["id"].(string)
		has(t, "upload form with the account", fin.Get(p.Location()), http.StatusOK, "已登记银行账户 1102020109000012345",
			`<option value="`+acct+`" selected>`)
		// The same number again is refused on the form, which keeps what was typed.
		again := fin.PostForm("/console/bank-accounts/new", url.Values{"_key": {fin.Key}, "district": {"HZ"}, "bank": {"工行"},
			"account_no": {"1102020109000012345"}, "name": {"重复登记"}})
		has(t, "account again", again, http.StatusConflict, "该银行账户已经登记过", `value="重复登记"`)

		id := reconciled(t, s, fin, map[string]string{"account": acct})
		has(t, "finance's result", fin.Get("/console/reconciliations/"+id), http.StatusOK, acct, "10,000.00")
		has(t, "list", fin.Get("/console/reconciliations"), http.StatusOK, id, "银行对账")
		has(t, "accounts list", fin.Get("/console/bank-accounts"), http.StatusOK, "1102020109000012345", "老旧小区改造专户")
		if ly := s.SignIn("ly").Get("/console/bank-accounts"); strings.Contains(ly.Body, "1102020109000012345") {
			t.Errorf("LY sees HZ's account")
		}
	})
}

// unmatched reads the reconciliation's unmatched bank lines (by amount)
// and vouchers (by amount) through the API.
func unmatched(t *testing.T, s *consoletest.Site, id string) (lines map[string]string, vouchers map[string]string, groups []any) {
	t.Helper()
	r := call(t, s, "auditor", "GET", "/v1/reconciliations/"+id, nil, 200)
	lines, vouchers = map[string]string{}, map[string]string{}
	for _, l := range r["unmatched_bank"].([]any) {
		m := l.(map[string]any)
		lines[m["amount"].(string)] = fmt.Sprint(m["line"])
	}
	for _, l := range r["unmatched_ledger"].([]any) {
		m := l.(map[string]any)
		vouchers[m["amount"].(string)] = m["id"].(string)
	}
	groups, _ = r["groups"].([]any)
	return lines, vouchers, groups
}

// TestMatchByHand: HZ matches the fee with the 400.00 voucher by hand (a
// booking error the balance statement then shows), and undoes it; a form
// without its CSRF secret changes nothing.
func TestMatchByHand(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := consoletest.New(t, db)
		books(t, s)
		hz := s.SignIn("hz")
		id := reconciled(t, s, hz, map[string]string{"district": "HZ"})
		path := "/console/reconciliations/" + id
		lines, vouchers, groups := unmatched(t, s, id)
		hz.Get(path)
		form := url.Values{"_key": {hz.Key}, "bank_lines": {lines["-15.00"]}, "transfers": {vouchers["-400.00"]}, "reason": {"手续费误记为工程款"}}
		forged := url.Values{"_csrf": {"forged"}, "bank_lines": form["bank_lines"], "transfers": form["transfers"], "reason": form["reason"]}
		has(t, "match without CSRF", hz.PostForm(path+"/matches", forged), http.StatusForbidden, "页面已过期")
		if l, _, _ := unmatched(t, s, id); len(l) != 2 {
			t.Fatalf("a forged match was stored: %v", l)
		}
		has(t, "match nothing", hz.PostForm(path+"/matches", url.Values{"reason": {"x"}}), http.StatusBadRequest, "请至少勾选")
		p := hz.PostForm(path+"/matches", form)
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location(), path+"?ok=") {
			t.Fatalf("match: %d %s %s", p.Status, p.Location(), p.Body)
		}
		has(t, "after the match", hz.Get(p.Location()), http.StatusOK, "已手工匹配 1 笔银行流水与 1 笔凭证", "手续费误记为工程款", "手工匹配")
		l, v, g := unmatched(t, s, id)
		if len(l) != 1 || len(v) != 0 || len(g) != len(groups)+1 {
			t.Fatalf("after the match: lines %v, vouchers %v, %d groups", l, v, len(g))
		}
		has(t, "the booking error", hz.Get(path+"/balance-statement"), http.StatusOK, "调节后余额不符", "385.00", "金额不符的匹配")
		hz.Get(path)
		form.Set("_key", hz.Key)
		has(t, "the same match again", hz.PostForm(path+"/matches", form), http.StatusConflict, "已经匹配过")

		match := g[len(g)-1].(map[string]any)["match"].(string)
		ly := s.SignIn("ly")
		ly.Get(path)
		has(t, "LY undoes HZ's match", ly.PostForm(path+"/matches/"+match+"/unmatch", url.Values{"reason": {"x"}}), http.StatusNotFound)
		hz.Get(path)
		p = hz.PostForm(path+"/matches/"+match+"/unmatch", url.Values{"reason": {"误匹配，撤销"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("unmatch: %d %s", p.Status, p.Body)
		}
		has(t, "after the unmatch", hz.Get(p.Location()), http.StatusOK, "已撤销该匹配", "撤销匹配", "误匹配，撤销")
		if l, v, _ := unmatched(t, s, id); len(l) != 2 || len(v) != 1 {
			t.Errorf("after the unmatch: lines %v, vouchers %v", l, v)
		}
		has(t, "unmatch again", hz.PostForm(path+"/matches/"+match+"/unmatch", url.Values{"reason": {"again"}}), http.StatusConflict,
			"已经撤销过")
	})
}

// TestBalanceStatement: April's statement agrees (bank 8,486.25, books
// 8,100.00, both 8,086.25 adjusted); HZ signs, finance reviews; on the
// account's reconciliation finance signs and may not also review, another
// finance clerk does; the workbook downloads.
func TestBalanceStatement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := consoletest.New(t, db)
		books(t, s)
		hz := s.SignIn("hz")
		id := reconciled(t, s, hz, map[string]string{"district": "HZ"})
		path := "/console/reconciliations/" + id + "/balance-statement"
		page := hz.Get(path)
		has(t, "statement", page, http.StatusOK, "8,486.25", "8,100.00", "8,086.25", "调节后余额相符", "2026-04", "签字</button>")
		if strings.Contains(page.Body, "复核</button>") {
			t.Errorf("HZ is offered the review")
		}
		fin := s.SignIn("finance")
		fin.Get(path)
		has(t, "review before signing", fin.PostForm(path+"/review", url.Values{"month": {"2026-04"}}), http.StatusUnprocessableEntity,
			"尚未签字")
		hz.Get(path)
		p := hz.PostForm(path+"/sign", url.Values{"_key": {hz.Key}, "month": {"2026-04"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("sign: %d %s", p.Status, p.Body)
		}
		has(t, "signed", hz.Get(p.Location()), http.StatusOK, "余额调节表已签字", "hz（")
		has(t, "HZ reviews", hz.PostForm(path+"/review", url.Values{"month": {"2026-04"}}), http.StatusForbidden)
		has(t, "finance's view", fin.Get(path), http.StatusOK, "复核</button>")
		p = fin.PostForm(path+"/review", url.Values{"_key": {fin.Key}, "month": {"2026-04"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("review: %d %s", p.Status, p.Body)
		}
		has(t, "reviewed", fin.Get(p.Location()), http.StatusOK, "余额调节表已复核", "finance（")

		x := fin.Get(path + "?month=2026-04&format=xlsx")
		if x.Status != http.StatusOK || !strings.HasPrefix(x.Body, "PK") || !strings.Contains(x.Header.Get("Content-Type"), "spreadsheetml") {
			t.Errorf("xlsx: %d %s", x.Status, x.Header.Get("Content-Type"))
		}
		has(t, "March", fin.Get(path+"?month=2026-03"), http.StatusOK, "10,000.00")

		// The same person may not sign and review.
		call(t, s, "finance", "POST", "/v1/bank-accounts", map[string]any{"district": "HZ", "bank": "工行", "account_no": "99990000",
			"name": "专户"}, 201)
		acct := call(t, s, "finance", "GET", "/v1/bank-accounts", nil, 200)["items"].([]any)[0].(map[string]any)["id"].(string)
		other := "/console/reconciliations/" + reconciled(t, s, fin, map[string]string{"account": acct}) + "/balance-statement"
		fin.Get(other)
		if p := fin.PostForm(other+"/sign", url.Values{"month": {"2026-04"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("finance signs: %d %s", p.Status, p.Body)
		}
		fin.Get(other)
		has(t, "the signer reviews", fin.PostForm(other+"/review", url.Values{"month": {"2026-04"}}), http.StatusForbidden,
			"same_person", "四眼原则")
		rev := s.SignIn("reviewer")
		rev.Get(other)
		if p := rev.PostForm(other+"/review", url.Values{"month": {"2026-04"}}); p.Status != http.StatusSeeOther {
			t.Errorf("another clerk reviews: %d %s", p.Status, p.Body)
		}
	})
}
