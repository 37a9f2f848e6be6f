package httpapi_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// uploadFile posts a statement with form fields as multipart form data.
func (e *env) uploadFile(who string, fields map[string]string, file []byte) response {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("file", "statement.csv")
	fw.Write(file)
	w.Close()
	req := httptest.NewRequest("POST", "/v1/reconciliations", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+e.Tok[who])
	return e.Serve(req)
}

func gbk(t *testing.T, s string) []byte {
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// reconRows counts the rows of reconciliation's tables, for "nothing written".
func (e *env) reconRows() int64 {
	var n, total int64
	for _, table := range []string{"bank_accounts", "reconciliations", "recon_matches", "recon_unmatches", "balance_statements",
		"balance_statement_reviews"} {
		e.DB.G.Raw("SELECT COUNT(*) FROM " + table).Scan(&n)
		total += n
	}
	return total
}

// refuseUpload checks that an upload is refused with status and code and
// writes nothing.
func (e *env) refuseUpload(t *testing.T, who string, fields map[string]string, file []byte, status int, code string) response {
	t.Helper()
	before := e.reconRows()
	r := e.uploadFile(who, fields, file)
	if r.Status != status || r.Code() != code {
		t.Errorf("upload as %s: %d %s, want %d %s: %s", who, r.Status, r.Code(), status, code, r.Body)
	}
	if after := e.reconRows(); after != before {
		t.Errorf("a refused upload wrote %d rows", after-before)
	}
	return r
}

// icbcStatement is HZ's statement in an ICBC-like layout: title lines, then
// 借方发生额/贷方发生额/余额, then a total row.
const icbcStatement = `中国工商银行 单位账户交易明细
账号：1102020109000012345,,,,,,,
起止日期：2026-03-01 至 2026-04-30,,,,,,,
交易日期,摘要,凭证号,对方户名,对方账号,借方发生额,贷方发生额,余额
2026-03-01 09:00:00,上级拨款,,连云港市财政局,32001234567890,,"10,000.00","10,000.00"
2026-04-02 10:01:02,工程进度款,FK-001,连云港市政工程有限公司,32009876543210,"1,000.00",,"9,000.00"
2026-04-03 15:30:00,工程款（两张凭证）,,连云港市政工程有限公司,32009876543210,500.00,,"8,500.00"
2026-04-20 11:00:00,利息,,,,,1.25,"8,501.25"
2026-04-25 11:00:00,手续费,,,,15.00,,"8,486.25"
合计,,,,,"1,515.00","10,001.25",
`

func TestBankReconciliation(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.Fund("HZF", "district_fiscal", "district:HZ", "basic")
		e.Must("finance", "POST", "/v1/funds/HZF/receipts", map[string]any{"amount": "10000.00", "received_on": "2026-03-01",
			"payer": map[string]any{"name": "连云港市财政局"}}, 201)
		e.Allocate("HZF", "district:HZ", "project:HZ-001", "5000.00")
		for _, p := range []struct{ amount, on, voucher string }{
			{"1000.00", "2026-04-02", "FK-001"}, {"300.00", "2026-04-03", ""}, {"200.00", "2026-04-03", ""}, {"400.00", "2026-04-28", ""}} {
			body := expenditure("HZ-001", "basic", p.amount)
			body["paid_on"] = p.on
			if p.voucher != "" {
				body["voucher_no"] = p.voucher
			}
			e.Must("hz", "POST", "/v1/expenditures", body, 201)
		}
		acct := e.Must("hz", "POST", "/v1/bank-accounts", map[string]any{"district": "HZ", "bank": "中国工商银行连云港分行",
			"account_no": "1102 0201 0900 0012 345", "name": "老旧小区改造专户", "funds": []string{"HZF"}}, 201)
		id := acct["id"].(string)
		e.refuse(t, "hz", "POST", "/v1/bank-accounts", map[string]any{"district": "HZ", "bank": "工行", "account_no": "1102020109000012345",
			"name": "again"}, 409, "bank_account_exists")
		e.refuse(t, "ly", "POST", "/v1/bank-accounts", map[string]any{"district": "HZ", "bank": "工行", "account_no": "99990000",
			"name": "x"}, 403, "forbidden")
		e.refuse(t, "hz", "POST", "/v1/bank-accounts", map[string]any{"district": "HZ", "bank": "工行", "account_no": "99990000",
			"name": "x", "mapping": map[string]any{"colour": "颜色"}}, 400, "invalid_mapping")
		if l := e.Must("ly", "GET", "/v1/bank-accounts", nil, 200); len(l["items"].([]any)) != 0 {
			t.Errorf("LY sees HZ's accounts: %v", l)
		}

		// A running-balance break (the 500.00 line missing) is refused by line.
		broken := strings.Replace(icbcStatement, "2026-04-03 15:30:00,工程款（两张凭证）,,连云港市政工程有限公司,32009876543210,500.00,,\"8,500.00\"\n", "", 1)
		r := e.refuseUpload(t, "hz", map[string]string{"account": id}, gbk(t, broken), 422, "balance_break")
		if !strings.Contains(string(r.Body), `"line":7`) {
			t.Errorf("break not reported at line 7: %s", r.Body)
		}
		e.refuseUpload(t, "hz", map[string]string{"account": id}, append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 64)...), 400, "xls_unsupported")
		e.refuseUpload(t, "ly", map[string]string{"account": id}, gbk(t, icbcStatement), 404, "not_found")

		res := e.uploadFile("hz", map[string]string{"account": id}, gbk(t, icbcStatement))
		if res.Status != 201 {
			t.Fatalf("GBK ICBC statement: %d %s", res.Status, res.Body)
		}
		rec := res.JSON(t)
		rid := rec["id"].(string)
		if len(rec["matched"].([]any)) != 2 || len(rec["groups"].([]any)) != 1 || len(rec["unmatched_bank"].([]any)) != 2 ||
			len(rec["unmatched_ledger"].([]any)) != 1 {
			t.Errorf("matched %d, groups %d, unmatched bank %d, ledger %d: %s", len(rec["matched"].([]any)), len(rec["groups"].([]any)),
				len(rec["unmatched_bank"].([]any)), len(rec["unmatched_ledger"].([]any)), res.Body)
		}
		// The same file again, and the same lines in another layout (a
		// signed amount and a 借贷 flag, tab-separated, GB18030).
		e.refuseUpload(t, "hz", map[string]string{"account": id}, gbk(t, icbcStatement), 409, "duplicate_statement")
		tsv := "交易时间\t借贷标志\t交易金额\t余额\t交易流水号\n2026-03-01\t贷\t10000.00\t10000.00\t\n2026-04-02\t借\t1000.00\t9000.00\tFK-001\n" +
			"2026-04-03\t借\t500.00\t8500.00\t\n2026-04-20\t贷\t1.25\t8501.25\t\n2026-04-25\t借\t15.00\t8486.25\t\n"
		e.refuseUpload(t, "hz", map[string]string{"account": id}, gbk(t, tsv), 409, "duplicate_statement")

		// The balance statement for April: bank 8486.25, books 8100.00;
		// the 400.00 paid on 04-28 is not in the bank yet, interest and
		// the fee are not in the books yet.
		bs := e.Must("hz", "GET", "/v1/reconciliations/"+rid+"/balance-statement", nil, 200)
		for k, want := range map[string]any{"month": "2026-04", "bank_balance": "8486.25", "book_balance": "8100.00",
			"adjusted_bank_balance": "8086.25", "adjusted_book_balance": "8086.25", "difference": "0.00", "agrees": true} {
			if bs[k] != want {
				t.Errorf("balance statement %s = %v, want %v", k, bs[k], want)
			}
		}
		x := e.Do("auditor", "GET", "/v1/reconciliations/"+rid+"/balance-statement?format=xlsx", nil)
		if x.Status != 200 || !bytes.HasPrefix(x.Body, []byte("PK")) {
			t.Errorf("xlsx: %d", x.Status)
		}
		e.refuse(t, "ly", "POST", "/v1/reconciliations/"+rid+"/balance-statement/sign", nil, 404, "not_found")
		e.refuse(t, "auditor", "POST", "/v1/reconciliations/"+rid+"/balance-statement/sign", nil, 403, "forbidden")
		e.refuse(t, "finance", "POST", "/v1/reconciliations/"+rid+"/balance-statement/review", nil, 422, "not_signed")
		signed := e.Must("hz", "POST", "/v1/reconciliations/"+rid+"/balance-statement/sign", nil, 201)
		if signed["signed"] == nil || signed["sha256"] == "" {
			t.Errorf("signed: %v", signed)
		}
		e.refuse(t, "hz", "POST", "/v1/reconciliations/"+rid+"/balance-statement/sign", nil, 409, "already_signed")
		e.refuse(t, "hz", "POST", "/v1/reconciliations/"+rid+"/balance-statement/review", nil, 403, "forbidden")
		reviewed := e.Must("finance", "POST", "/v1/reconciliations/"+rid+"/balance-statement/review", nil, 200)
		if reviewed["reviewed"] == nil {
			t.Errorf("reviewed: %v", reviewed)
		}
		e.refuse(t, "reviewer", "POST", "/v1/reconciliations/"+rid+"/balance-statement/review", nil, 409, "already_reviewed")
	})
}

// TestBookError: LY books a payment of 105.00 as 150.00; matched by hand,
// the balance statement shows the 45.00 and cannot be signed; undone, the
// two sides are outstanding again. The statement is a CCB-like export in
// UTF-8 with a byte-order mark.
func TestBookError(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.Fund("LYF", "district_fiscal", "district:LY", "basic")
		e.Must("finance", "POST", "/v1/funds/LYF/receipts", map[string]any{"amount": "2000.00", "received_on": "2026-03-01",
			"payer": map[string]any{"name": "连云港市财政局"}}, 201)
		e.Allocate("LYF", "district:LY", "project:LY-001", "2000.00")
		e.Must("ly", "POST", "/v1/expenditures", expenditure("LY-001", "basic", "150.00"), 201)
		ccb := "\ufeff交易日期,摘要,收入金额,支出金额,账户余额,对方户名,对方账号\n20260301,财政拨款,\"2,000.00\",,\"2,000.00\",连云港市财政局,3200\n" +
			"20260402,支付工程款,,105.00,\"1,895.00\",连云港市政工程有限公司,3201\n"
		res := e.uploadFile("ly", map[string]string{"district": "LY"}, []byte(ccb))
		if res.Status != 201 {
			t.Fatalf("CCB statement: %d %s", res.Status, res.Body)
		}
		rec := res.JSON(t)
		rid := rec["id"].(string)
		line := rec["unmatched_bank"].([]any)[0].(map[string]any)["line"]
		transfer := rec["unmatched_ledger"].([]any)[0].(map[string]any)["id"]
		path := "/v1/reconciliations/" + rid
		before := e.Must("ly", "GET", path+"/balance-statement", nil, 200)
		if before["agrees"] != true || before["adjusted_bank_balance"] != "1745.00" {
			t.Errorf("before the manual match: %v", before)
		}
		manual := map[string]any{"bank_lines": []any{line}, "transfers": []any{transfer}, "reason": "凭证金额录错：应为105.00"}
		e.refuse(t, "hz", "POST", path+"/matches", manual, 404, "not_found")
		e.refuse(t, "ly", "POST", path+"/matches", map[string]any{"bank_lines": []any{99}, "transfers": []any{transfer}, "reason": "x"},
			422, "not_in_reconciliation")
		e.refuse(t, "ly", "POST", path+"/matches", map[string]any{"bank_lines": []any{line}, "transfers": []any{transfer}, "reason": " "},
			400, "invalid_request")
		m := e.Must("ly", "POST", path+"/matches", manual, 201)
		e.refuse(t, "ly", "POST", path+"/matches", manual, 409, "already_matched")
		bs := e.Must("ly", "GET", path+"/balance-statement", nil, 200)
		if bs["agrees"] != false || bs["difference"] != "45.00" || len(bs["differences"].([]any)) != 1 {
			t.Errorf("book error not shown: %v", bs)
		}
		e.refuse(t, "ly", "POST", path+"/balance-statement/sign", nil, 422, "balances_disagree")
		match := m["groups"].([]any)[0].(map[string]any)["match"].(string)
		e.refuse(t, "ly", "DELETE", path+"/matches/"+match, map[string]any{}, 400, "invalid_request")
		un := e.Must("ly", "DELETE", path+"/matches/"+match, map[string]any{"reason": "待更正凭证后重新核对"}, 200)
		if h := un["history"].([]any); len(h) != 2 || h[0].(map[string]any)["by"] == "" {
			t.Errorf("history: %v", h)
		}
		e.refuse(t, "ly", "DELETE", path+"/matches/"+match, map[string]any{"reason": "again"}, 409, "already_unmatched")
		if got := e.Must("auditor", "GET", path, nil, 200); len(got["unmatched_bank"].([]any)) != 1 {
			t.Errorf("after unmatch: %v", got)
		}
	})
}

// bankFindings lists the bank findings (both codes) under the query q.
func (e *env) bankFindings(t *testing.T, who, q string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, kind := range []string{"bank_debit_unbooked", "voucher_not_in_bank"} {
		for _, it := range e.Must(who, "GET", "/v1/audit/exceptions?kind="+kind+"&"+q, nil, 200)["items"].([]any) {
			f := it.(map[string]any)
			out[f["id"].(string)] = f
		}
	}
	return out
}

// TestBankFindings: LY's March–April statement (a CCB-like export) shows a
// 33.00 fee with no voucher, and LY's books a payment of 80.00 (03-10) the
// statement, running to 04-30, never shows; a payment of 60.00 on 04-28 is
// too recent for the statement to tell, and a reversed payment never went
// to the bank. Found 30 days on (or as bank_days says), in LY's scope only,
// reviewable; matched by hand, the fee's finding goes.
func TestBankFindings(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.Fund("LYF", "district_fiscal", "district:LY", "basic")
		e.Must("finance", "POST", "/v1/funds/LYF/receipts", map[string]any{"amount": "2000.00", "received_on": "2026-03-01",
			"payer": map[string]any{"name": "连云港市财政局"}}, 201)
		e.Allocate("LYF", "district:LY", "project:LY-001", "2000.00")
		pay := func(amount, on string) map[string]any {
			body := expenditure("LY-001", "basic", amount)
			body["paid_on"] = on
			return e.Must("ly", "POST", "/v1/expenditures", body, 201)
		}
		pay("105.00", "2026-03-05")
		unpaid := pay("80.00", "2026-03-10")["voucher_no"].(string)
		reversed := pay("70.00", "2026-03-12")["id"].(string)
		e.Must("ly", "POST", "/v1/transfers/"+reversed+"/reversal", map[string]any{"reason": "录入重复"}, 201)
		recent := pay("60.00", "2026-04-28")["voucher_no"].(string)
		// The fee, booked late, after the window the automatic pass looks in.
		feeVoucher := pay("33.00", "2026-04-05")
		ccb := "\ufeff交易日期,摘要,收入金额,支出金额,账户余额,对方户名,对方账号\n20260301,财政拨款,\"2,000.00\",,\"2,000.00\",连云港市财政局,3200\n" +
			"20260306,支付工程款,,105.00,\"1,895.00\",连云港市政工程有限公司,3201\n" +
			"20260320,账户管理费,,33.00,\"1,862.00\",,\n" +
			"20260430,利息,0.50,,\"1,862.50\",,\n"
		res := e.uploadFile("ly", map[string]string{"district": "LY"}, []byte(ccb))
		if res.Status != 201 {
			t.Fatalf("statement: %d %s", res.Status, res.Body)
		}
		rid := res.JSON(t)["id"].(string)
		fee := "bank_debit_unbooked:" + rid + "@4"
		const asOf = "as_of=2026-05-15"
		got := e.bankFindings(t, "auditor", asOf)
		if len(got) != 2 || got[fee] == nil || got["voucher_not_in_bank:"+unpaid] == nil {
			t.Fatalf("findings as of 05-15: %v", got)
		}
		if f := got[fee]; f["amount"] != "33.00" || f["on"] != "2026-03-20" || f["district"] != "LY" || f["severity"] != "high" ||
			f["status"] != "open" {
			t.Errorf("the fee's finding: %v", f)
		}
		if f := got["voucher_not_in_bank:"+unpaid]; f["amount"] != "80.00" || f["on"] != "2026-03-10" || f["severity"] != "medium" {
			t.Errorf("the unpaid voucher's finding: %v", f)
		}
		for q, want := range map[string][]string{
			"as_of=2026-04-01": nil,
			"as_of=2026-04-15": {"voucher_not_in_bank:" + unpaid},
			asOf + "&bank_days=0": {fee, "voucher_not_in_bank:" + unpaid, "voucher_not_in_bank:" + recent,
				"voucher_not_in_bank:" + feeVoucher["voucher_no"].(string)},
			asOf + "&bank_days=52":          {fee},
			asOf + "&bank_days=60":          nil,
			asOf + "&district=LY":           {fee, "voucher_not_in_bank:" + unpaid},
			asOf + "&district=HZ":           nil,
			asOf + "&period=2026-03":        {fee, "voucher_not_in_bank:" + unpaid},
			asOf + "&status=acknowledged":   nil,
			asOf + "&severity=high&limit=5": {fee},
		} {
			got := e.bankFindings(t, "finance", q)
			if len(got) != len(want) {
				t.Errorf("?%s: %d findings, want %v: %v", q, len(got), want, got)
			}
			for _, id := range want {
				if got[id] == nil {
					t.Errorf("?%s: no %s in %v", q, id, got)
				}
			}
		}
		if got := e.bankFindings(t, "ly", asOf); len(got) != 2 {
			t.Errorf("LY sees %d of its findings: %v", len(got), got)
		}
		if got := e.bankFindings(t, "hz", asOf); len(got) != 0 {
			t.Errorf("HZ sees LY's findings: %v", got)
		}
		e.refuse(t, "hz", "GET", "/v1/audit/exceptions?kind=bank_debit_unbooked&district=LY&"+asOf, nil, 403, "forbidden")
		e.refuse(t, "hz", "GET", "/v1/audit/exceptions/"+fee+"?"+asOf, nil, 404, "not_found")
		e.refuse(t, "finance", "GET", "/v1/audit/exceptions?bank_days=-1", nil, 400, "invalid_request")
		e.refuse(t, "finance", "GET", "/v1/audit/exceptions?bank_days=x", nil, 400, "invalid_request")
		before := e.reviewRows()
		e.refuse(t, "ly", "POST", "/v1/audit/exceptions/"+fee+"/reviews?"+asOf, map[string]any{"action": "acknowledge", "note": "待补记"},
			403, "forbidden")
		e.refuse(t, "finance", "POST", "/v1/audit/exceptions/"+fee+"/reviews?as_of=2026-04-01", map[string]any{"action": "acknowledge",
			"note": "待补记"}, 404, "not_found")
		if e.reviewRows() != before {
			t.Errorf("a refused review was stored")
		}
		e.Must("finance", "POST", "/v1/audit/exceptions/"+fee+"/reviews?"+asOf, map[string]any{"action": "acknowledge",
			"note": "已通知区财政补记凭证"}, 201)
		if one := e.Must("ly", "GET", "/v1/audit/exceptions/"+fee+"?"+asOf, nil, 200); one["status"] != "acknowledged" ||
			len(one["reviews"].([]any)) != 1 {
			t.Errorf("the reviewed finding: %v", one)
		}

		// The fee matched by hand with its voucher: neither is a finding.
		e.Must("ly", "POST", "/v1/reconciliations/"+rid+"/matches", map[string]any{"bank_lines": []int{4},
			"transfers": []string{feeVoucher["id"].(string)}, "reason": "账户管理费，凭证迟记"}, 201)
		got = e.bankFindings(t, "auditor", asOf+"&bank_days=0")
		if len(got) != 2 || got["voucher_not_in_bank:"+unpaid] == nil || got["voucher_not_in_bank:"+recent] == nil {
			t.Errorf("after the manual match: %v", got)
		}
	})
}

// TestBankLayouts uploads the statements of internal/recon/testdata, as
// three banks export them (ICBC-like GBK with title and total rows, CCB-like
// UTF-8 with a BOM and 收入/支出 columns, BOC-like GBK tab-separated with a
// signed amount and 借贷 flag, newest first), each to its own account; and
// the ICBC statement whose running balance breaks, refused at its line.
func TestBankLayouts(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		for i, c := range []struct {
			file  string
			lines int
		}{{"icbc_gbk.csv", 4}, {"ccb_utf8bom.csv", 3}, {"boc_signed_gbk.tsv", 2}, {"icbc_break_gbk.csv", 0}} {
			raw, err := os.ReadFile(filepath.Join("..", "recon", "testdata", c.file))
			if err != nil {
				t.Fatal(err)
			}
			acct := e.Must("ly", "POST", "/v1/bank-accounts", map[string]any{"district": "LY", "bank": "银行 " + c.file,
				"account_no": fmt.Sprintf("6217%08d", i), "name": "专户 " + c.file}, 201)["id"].(string)
			fields := map[string]string{"account": acct}
			if c.lines == 0 {
				r := e.refuseUpload(t, "ly", fields, raw, 422, "balance_break")
				rows := r.JSON(t)["error"].(map[string]any)["rows"].([]any)
				if len(rows) != 1 || rows[0].(map[string]any)["line"] != float64(8) || rows[0].(map[string]any)["column"] != "余额" {
					t.Errorf("the break is reported at %v, want line 8, 余额", rows)
				}
				continue
			}
			r := e.uploadFile("ly", fields, raw)
			if r.Status != 201 {
				t.Fatalf("%s: %d %s", c.file, r.Status, r.Body)
			}
			if n := len(r.JSON(t)["unmatched_bank"].([]any)); n != c.lines {
				t.Errorf("%s: %d bank lines read, want %d: %s", c.file, n, c.lines, r.Body)
			}
			e.refuseUpload(t, "ly", fields, raw, 409, "duplicate_statement")
		}
	})
}
