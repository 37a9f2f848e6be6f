package books_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"renofund/funding/movement"
	"renofund/internal/console/consoletest"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// aboveThreshold is an amount just above the approval threshold the
// service starts with (RENOFUND_APPROVAL_ABOVE, movement.ApprovalAbove):
// the site under test keeps that default.
var aboveThreshold = (movement.DefaultApprovalAbove + money.Amount(1)).String()

// paymentForm is the project page's payment form filled in for HZ-001.
func paymentForm(b *consoletest.Browser, amount string) url.Values {
	return url.Values{"category": {"basic"}, "amount": {amount}, "paid_on": {"2026-06-01"}, "purpose": {"外墙保温工程进度款"},
		"payee_name": {"连云港市政工程有限公司"}, "payee_credit_code": {creditCode}, "payee_bank_account": {"6222020000000001"},
		"_key": {b.Key}}
}

// TestFourEyes: finance files a payment above the threshold through the
// project page (202: a payment request, not a transfer); the same person's
// approval is refused with same_person, shown in Chinese, and changes
// nothing; a second finance person approves and the transfer exists with
// both names; the district sees the request but may not decide it.
func TestFourEyes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newCity(t, db)
		finance := s.SignIn("finance")
		finance.Get("/console/projects/HZ-001")
		before := s.count(t, "/v1/transfers?project=HZ-001&type=expenditure")
		p := finance.PostForm("/console/projects/HZ-001/expenditures", paymentForm(finance, aboveThreshold))
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location(), "/console/payment-requests/") {
			t.Fatalf("filing: %d %q %s", p.Status, p.Location(), p.Body)
		}
		id := strings.TrimPrefix(strings.SplitN(p.Location(), "?", 2)[0], "/console/payment-requests/")
		p = finance.Get(p.Location())
		has(t, "the filed payment", p, "已提交复核", "1,000,000.01", "待复核", "finance:finance", "外墙保温工程进度款",
			"您本人提交的", `action="/console/payment-requests/`+id+`/approve"`)
		if n := s.count(t, "/v1/transfers?project=HZ-001&type=expenditure"); n != before {
			t.Fatalf("filing paid at once: %d payments, want %d", n, before)
		}
		if p := finance.Get("/console/payment-requests?status=pending"); !strings.Contains(p.Body, `href="/console/payment-requests/`+id+`"`) ||
			!strings.Contains(p.Body, "1,000,000.01") {
			t.Error("the pending list does not show the request")
		}

		// The preparer approving their own payment.
		p = finance.PostForm("/console/payment-requests/"+id+"/approve", url.Values{"_key": {finance.Key}})
		if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "四眼原则") || !strings.Contains(p.Body, "same_person") {
			t.Errorf("own approval: %d %s", p.Status, p.Body)
		}
		if r := s.api(t, "finance", "GET", "/v1/payment-requests/"+id, nil, 200); r["status"] != "pending" {
			t.Errorf("after the refused approval the request is %v", r["status"])
		}

		// The district sees it, may not decide it.
		hz := s.SignIn("hz")
		if p = hz.Get("/console/payment-requests/" + id); p.Status != 200 || strings.Contains(p.Body, "/approve") {
			t.Errorf("district's view: %d, approve form shown %v", p.Status, strings.Contains(p.Body, "/approve"))
		}
		if p = hz.PostForm("/console/payment-requests/"+id+"/approve", url.Values{}); p.Status != http.StatusForbidden {
			t.Errorf("district approving: %d", p.Status)
		}
		if p = s.SignIn("ly").Get("/console/payment-requests/" + id); p.Status != http.StatusNotFound || strings.Contains(p.Body, "1,000,000.01") {
			t.Errorf("another district's request: %d", p.Status)
		}

		// A second person approves.
		reviewer := s.SignIn("reviewer")
		if p = reviewer.Get("/console/payment-requests/" + id); strings.Contains(p.Body, "您本人提交的") {
			t.Error("the reviewer is told it is their own")
		}
		p = reviewer.PostForm("/console/payment-requests/"+id+"/approve", url.Values{"_key": {reviewer.Key}})
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location(), "/console/transfers/") {
			t.Fatalf("approval: %d %s", p.Status, p.Body)
		}
		r := s.api(t, "finance", "GET", "/v1/payment-requests/"+id, nil, 200)
		tid, _ := r["transfer_id"].(string)
		if r["status"] != "approved" || tid == "" || !strings.HasPrefix(p.Location(), "/console/transfers/"+tid+"?ok=") {
			t.Fatalf("request after approval: %v (sent to %q)", r, p.Location())
		}
		tr := s.api(t, "auditor", "GET", "/v1/transfers/"+tid, nil, 200)
		if tr["amount"] != "1000000.01" || tr["prepared_by"] != "finance:finance" || tr["approved_by"] != "finance:reviewer" {
			t.Errorf("the payment: %v", tr)
		}
		p = reviewer.Get(p.Location())
		has(t, "the payment's page", p, "已复核并支付", "1,000,000.01", "finance:finance", "finance:reviewer")
		if p = reviewer.Get("/console/payment-requests/" + id); strings.Contains(p.Body, "/approve") || !strings.Contains(p.Body, "已批准") {
			t.Error("a decided request still offers the forms, or does not say it was approved")
		}
	})
}

// TestPaymentForm: a payment under the threshold is paid at once (201) and
// shown; a double click (the same form key) pays once; an amount the API
// refuses is shown in Chinese and pays nothing; a form without its CSRF
// secret is refused and writes nothing; the auditor may not pay; a
// rejected request is closed with its note.
func TestPaymentForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newCity(t, db)
		b := s.SignIn("hz")
		b.Get("/console/projects/HZ-001")
		count := func() int { return s.count(t, "/v1/transfers?project=HZ-001&type=expenditure") }
		before := count()
		form := paymentForm(b, "4321.09")
		p := b.PostForm("/console/projects/HZ-001/expenditures", form)
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location(), "/console/transfers/") || !strings.Contains(p.Location(), "ok=") {
			t.Fatalf("paying: %d %q %s", p.Status, p.Location(), p.Body)
		}
		first := p.Location()
		has(t, "the payment's page", b.Get(first), "已支付 4,321.09 元", "外墙保温工程进度款")
		if p = b.PostForm("/console/projects/HZ-001/expenditures", form); p.Location() != first {
			t.Errorf("the same form again: %d %q, want %q", p.Status, p.Location(), first)
		}
		if n := count(); n != before+1 {
			t.Errorf("%d payments after a double submit, want %d", n, before+1)
		}
		for amount, code := range map[string]string{"1,234.00": "invalid_amount", "12.345": "invalid_amount", "": "invalid_amount",
			"9999999.00": "insufficient_funds"} {
			b.Get("/console/projects/HZ-001")
			f := paymentForm(b, amount)
			if amount == "9999999.00" {
				f.Set("payee_name", "另一家公司") // not a payment above the threshold filed for approval: hz's own refusal
			}
			p = b.PostForm("/console/projects/HZ-001/expenditures", f)
			if p.Status < 400 || !strings.Contains(p.Body, code) {
				t.Errorf("amount %q: %d, want %s", amount, p.Status, code)
			}
		}
		if p = b.PostForm("/console/projects/HZ-001/expenditures", url.Values{"amount": {"1.00"}, "_csrf": {""}}); p.Status != http.StatusForbidden {
			t.Errorf("without CSRF: %d", p.Status)
		}
		if n := count(); n != before+1 {
			t.Errorf("refused forms paid: %d payments, want %d", n, before+1)
		}
		auditor := s.SignIn("auditor")
		auditor.Get("/console/projects/HZ-001")
		if p = auditor.PostForm("/console/projects/HZ-001/expenditures", paymentForm(auditor, "1.00")); p.Status != http.StatusForbidden {
			t.Errorf("the auditor paying: %d", p.Status)
		}

		// A filed payment rejected with a note.
		f := s.SignIn("finance")
		f.Get("/console/projects/HZ-001")
		p = f.PostForm("/console/projects/HZ-001/expenditures", paymentForm(f, aboveThreshold))
		id := strings.TrimPrefix(strings.SplitN(p.Location(), "?", 2)[0], "/console/payment-requests/")
		reviewer := s.SignIn("reviewer")
		reviewer.Get("/console/payment-requests/" + id)
		if p = reviewer.PostForm("/console/payment-requests/"+id+"/reject", url.Values{"note": {""}}); p.Status != http.StatusBadRequest {
			t.Errorf("rejecting without a note: %d", p.Status)
		}
		p = reviewer.PostForm("/console/payment-requests/"+id+"/reject", url.Values{"note": {"合同未到付款节点"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("rejecting: %d %s", p.Status, p.Body)
		}
		has(t, "the rejected request", reviewer.Get(p.Location()), "已驳回", "合同未到付款节点")
		if r := s.api(t, "finance", "GET", "/v1/payment-requests/"+id, nil, 200); r["status"] != "rejected" || r["transfer_id"] != nil {
			t.Errorf("rejected request: %v", r)
		}
	})
}

// upload sends the import form with file as a browser would.
func upload(t *testing.T, s *city, b *consoletest.Browser, fund, name, file string, partial bool) consoletest.Page {
	t.Helper()
	b.Get("/console/funds/" + fund + "/receipts-import")
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("_csrf", b.CSRF)
	w.WriteField("_key", b.Key)
	if partial {
		w.WriteField("partial", "true")
	}
	fw, _ := w.CreateFormFile("file", name)
	fw.Write([]byte(file))
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/console/funds/"+fund+"/receipts-import", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Origin", s.URL)
	return b.Do(req)
}

// TestImport: the import page takes a CSV upload and shows what became of
// its rows; a file with a bad row is refused, listed by line, and writes
// nothing; with "only the good rows" the bad one comes back to download;
// the form shows progress while it runs; the auditor may not import and
// another district's fund is not found.
func TestImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newCity(t, db)
		b := s.SignIn("hz")
		p := b.Get("/console/funds/HZ-RC-2026/receipts-import")
		has(t, "the import form", p, `enctype="multipart/form-data"`, `type="file"`, `class="progress"`, "<progress>", `name="_key"`)
		if p = b.Get("/console/funds/HZ-RC-2026"); !strings.Contains(p.Body, `href="/console/funds/HZ-RC-2026/receipts-import"`) {
			t.Error("the fund page does not offer the import")
		}
		received := func() string {
			return s.api(t, "finance", "GET", "/v1/funds/HZ-RC-2026", nil, 200)["totals"].(map[string]any)["received"].(string)
		}

		bad := "household,amount,received_on,payer_name\n1-101,1500.00,2026-06-01,张三\n1-102,abc,2026-06-02,李四\n"
		p = upload(t, s, b, "HZ-RC-2026", "bad.csv", bad, false)
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "文件未导入") || !strings.Contains(p.Body, "<td>3</td>") ||
			!strings.Contains(p.Body, "amount") {
			t.Errorf("a bad file: %d %s", p.Status, p.Body)
		}
		if got := received(); got != "0.00" {
			t.Errorf("a refused import wrote: received %s", got)
		}

		good := "household,amount,received_on,payer_name\n1-101,1500.00,2026-06-01,张三\n1-102,2500.50,2026-06-02,李四\n"
		p = upload(t, s, b, "HZ-RC-2026", "receipts.csv", good, false)
		if p.Status != http.StatusOK {
			t.Fatalf("import: %d %s", p.Status, p.Body)
		}
		has(t, "the import's result", p, "导入完成", "新记入 2 行", "4,000.50", "receipts.csv")
		if got := received(); got != "4000.50" {
			t.Errorf("received %s after the import, want 4000.50", got)
		}
		p = upload(t, s, b, "HZ-RC-2026", "receipts.csv", good, false)
		has(t, "the same file again", p, "新记入 0 行", "2 行此前已导入")

		mixed := "household,amount,received_on,payer_name\n2-201,100.00,2026-06-03,王五\n2-202,-5,2026-06-03,赵六\n"
		p = upload(t, s, b, "HZ-RC-2026", "mixed.csv", mixed, true)
		has(t, "a partial import", p, "新记入 1 行", "1 行被拒收", "<td>3</td>", `download="rejects-HZ-RC-2026.csv"`, "data:text/csv")
		if got := received(); got != "4100.50" {
			t.Errorf("received %s after the partial import, want 4100.50", got)
		}

		if p = s.SignIn("ly").Get("/console/funds/HZ-RC-2026/receipts-import"); p.Status != http.StatusNotFound {
			t.Errorf("another district's import page: %d", p.Status)
		}
		if p = upload(t, s, s.SignIn("ly"), "HZ-RC-2026", "receipts.csv", good, false); p.Status != http.StatusNotFound && p.Status != http.StatusForbidden {
			t.Errorf("another district importing: %d", p.Status)
		}
		if p = s.SignIn("auditor").Get("/console/funds/HZ-RC-2026/receipts-import"); p.Status != http.StatusForbidden {
			t.Errorf("the auditor's import page: %d", p.Status)
		}
		if got := received(); got != "4100.50" {
			t.Errorf("refused imports wrote: received %s", got)
		}
	})
}
