package httpapi_test

import (
	"encoding/json"
	"fmt"
	"renofund/internal/httpapi/apitest"
	"strings"
	"sync"
	"testing"

	"renofund/internal/field"
)

// worksCounts are the works register's rows, which a refusal leaves as they were.
func (e *env) worksCounts() [4]int64 {
	e.T.Helper()
	var n [4]int64
	for i, table := range []string{"payees", "contracts", "acceptances", "settlements"} {
		if err := e.DB.G.Raw("SELECT COUNT(*) FROM " + table).Scan(&n[i]).Error; err != nil {
			e.T.Fatal(err)
		}
	}
	return n
}

// refuseWorks refuses a request and checks that neither money nor the works
// register moved.
func (e *env) refuseWorks(t *testing.T, who, method, path string, body any, status int, code string) {
	t.Helper()
	before, works := e.snapshot(), e.worksCounts()
	e.refuse(t, who, method, path, body, status, code)
	if after := e.snapshot(); after != before {
		t.Errorf("%s %s: refused, yet the books changed: %+v → %+v", method, path, before, after)
	}
	if after := e.worksCounts(); after != works {
		t.Errorf("%s %s: refused, yet the works register changed: %v → %v", method, path, works, after)
	}
}

const repairerCode = "91320700MA1X00033L"

// contractPay is a payment under a contract: the contract gives the category
// and the payee.
func contractPay(contract, amount, on string) map[string]any {
	return map[string]any{"project": "HZ-001", "contract": contract, "amount": amount, "paid_on": on,
		"purpose": "工程进度款"}
}

// TestWorksPipeline walks one community's contract through the gates: two
// progress payments (the second refused at the ceiling), acceptance with
// the owners' representatives, settlement, the final payment less 3%
// retention, a repair paid from the retention, the release of the rest after
// the defect-liability period; each refusal writes nothing.
func TestWorksPipeline(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.Fund("CG24", "central_grant", "city", "basic", "improvement")
		e.Must("finance", "POST", "/v1/funds/CG24/receipts", map[string]any{"amount": "2000000.00",
			"received_on": "2024-01-10", "payer": map[string]any{"name": "江苏省财政厅"}}, 201)
		down := e.Must("finance", "POST", "/v1/allocations", map[string]any{"fund": "CG24", "from": "city",
			"to": "project:HZ-001", "amount": "1500000.00", "allocated_on": "2024-01-15"}, 201)["id"].(string)

		payee := e.Must("hz", "POST", "/v1/payees", map[string]any{"name": "连云港市政工程有限公司",
			"credit_code": payeeCode, "bank_account": "6222020000000001", "sme": true}, 201)["id"].(string)
		e.refuseWorks(t, "finance", "POST", "/v1/payees", map[string]any{"name": "重复", "credit_code": payeeCode,
			"bank_account": "6222020000000001"}, 409, "conflict")
		e.refuseWorks(t, "finance", "POST", "/v1/payees", map[string]any{"name": "坏码", "credit_code": "123",
			"bank_account": "1"}, 400, "invalid_credit_code")
		repairer := e.Must("finance", "POST", "/v1/payees", map[string]any{"name": "海州维修服务部",
			"credit_code": repairerCode, "bank_account": "6222020000000099"}, 201)["id"].(string)

		contract := map[string]any{"payee": payee, "category": "basic", "sum": "1000000.00", "signed_on": "2024-02-01",
			"tender_ref": "LYG-ZB-2024-018", "review_ref": "连财评〔2024〕33号"}
		for _, bad := range []struct {
			field  string
			value  any
			status int
			code   string
		}{
			{"progress_ceiling", "0.95", 422, "rule_violation"},
			{"progress_ceiling", "0.50", 422, "rule_violation"},
			{"retention_rate", "0.05", 422, "rule_violation"},
			{"liability_months", 25, 422, "rule_violation"},
			{"signed_on", "2099-01-01", 422, "future_date"},
			{"payee", "no-such-payee", 404, "not_found"},
			{"category", "roof", 400, "invalid_request"},
			{"sum", "0", 400, "invalid_amount"},
		} {
			e.refuseWorks(t, "finance", "POST", "/v1/projects/HZ-001/contracts", withField(contract, bad.field, bad.value),
				bad.status, bad.code)
		}
		e.refuseWorks(t, "ly", "POST", "/v1/projects/HZ-001/contracts", contract, 404, "not_found")
		c := e.Must("hz", "POST", "/v1/projects/HZ-001/contracts", contract, 201)
		id := c["id"].(string)
		if c["progress_ceiling"] != "0.8" || c["retention_rate"] != "0.03" || c["liability_months"] != float64(12) {
			t.Errorf("contract defaults: %v", c)
		}
		e.refuseWorks(t, "ly", "GET", "/v1/contracts/"+id, nil, 404, "not_found")

		// Progress payments: within 80% of the sum before settlement.
		p1 := e.Must("hz", "POST", "/v1/expenditures", contractPay(id, "500000.00", "2024-03-01"), 201)
		if p1["contract"] != id || p1["contract_part"] != "payment" || p1["category"] != "basic" ||
			p1["payee"].(map[string]any)["credit_code"] != payeeCode {
			t.Errorf("a payment under the contract: %v", p1)
		}
		e.refuseWorks(t, "hz", "POST", "/v1/expenditures", contractPay(id, "300000.01", "2024-05-01"), 422, "over_progress_ceiling")
		other := withField(contractPay(id, "1000.00", "2024-05-01"), "payee", map[string]any{"name": "别人",
			"credit_code": repairerCode, "bank_account": "6222020000000099"})
		e.refuseWorks(t, "hz", "POST", "/v1/expenditures", other, 422, "rule_violation")
		e.refuseWorks(t, "hz", "POST", "/v1/expenditures", withField(contractPay(id, "1000.00", "2024-05-01"),
			"category", "improvement"), 422, "rule_violation")
		// A batch counts its own earlier items against the ceiling.
		item := func(amount string) map[string]any {
			return withField(contractPay(id, amount, "2024-05-01"), "type", "expenditure")
		}
		e.refuseWorks(t, "finance", "POST", "/v1/batches", map[string]any{"items": []map[string]any{
			item("200000.00"), item("100000.01")}}, 422, "over_progress_ceiling")
		e.Must("hz", "POST", "/v1/expenditures", contractPay(id, "300000.00", "2024-05-01"), 201)

		// Settlement and retention wait for a passed acceptance with the owners present.
		settle := map[string]any{"amount": "980000.00", "review_ref": "连财审〔2024〕71号", "settled_on": "2024-11-30"}
		e.refuseWorks(t, "finance", "POST", "/v1/contracts/"+id+"/settlement", settle, 422, "not_accepted")
		e.refuseWorks(t, "hz", "POST", "/v1/expenditures", withField(contractPay(id, "1000.00", "2024-06-01"),
			"retention", true), 422, "not_accepted")
		people := []map[string]any{{"name": "王建国", "role": "业主代表"}, {"name": "李工", "role": "监理"}}
		accept := map[string]any{"accepted_on": "2024-09-30", "result": "passed", "participants": people, "owner_reps": 1}
		e.refuseWorks(t, "hz", "POST", "/v1/contracts/"+id+"/acceptance", withField(accept, "owner_reps", 0), 422, "rule_violation")
		e.refuseWorks(t, "ly", "POST", "/v1/contracts/"+id+"/acceptance", accept, 404, "not_found")
		e.Must("hz", "POST", "/v1/contracts/"+id+"/acceptance", withField(withField(accept, "result", "failed"),
			"accepted_on", "2024-09-15"), 201)
		e.Must("hz", "POST", "/v1/contracts/"+id+"/acceptance", accept, 201)
		e.refuseWorks(t, "hz", "POST", "/v1/contracts/"+id+"/acceptance", accept, 409, "conflict")
		e.refuseWorks(t, "hz", "POST", "/v1/expenditures", contractPay(id, "0.01", "2024-10-01"), 422, "over_progress_ceiling")
		e.refuseWorks(t, "hz", "POST", "/v1/contracts/"+id+"/settlement", settle, 403, "forbidden")
		e.refuseWorks(t, "finance", "POST", "/v1/contracts/"+id+"/settlement", withField(settle, "amount", "820000.00"),
			422, "over_settlement") // 3% of 820,000 held back leaves 795,400, below the 800,000 paid
		st := e.Must("finance", "POST", "/v1/contracts/"+id+"/settlement", settle, 201)
		if st["retention"] != "29400.00" {
			t.Errorf("retention of 980,000 at 3%%: %v", st["retention"])
		}
		e.refuseWorks(t, "finance", "POST", "/v1/contracts/"+id+"/settlement", settle, 409, "conflict")

		// The final payment reaches the settlement less retention, not a fen more.
		e.refuseWorks(t, "hz", "POST", "/v1/expenditures", contractPay(id, "150600.01", "2024-12-15"), 422, "over_settlement")
		e.Must("hz", "POST", "/v1/expenditures", contractPay(id, "150600.00", "2024-12-15"), 201)

		// The retention stays in the project's holding and funds nothing else:
		// 1,500,000 − 950,600 = 549,400 held, 29,400 of it reserved.
		free := expenditure("HZ-001", "basic", "520000.01")
		free["paid_on"] = "2025-01-10"
		e.refuseWorks(t, "hz", "POST", "/v1/expenditures", free, 422, "retention_held")
		free["amount"] = "520000.00"
		outside := e.Must("hz", "POST", "/v1/expenditures", free, 201)["id"].(string)
		// Nor is the money that came in taken back from under the retention.
		e.refuseWorks(t, "finance", "POST", "/v1/transfers/"+down+"/reversal", map[string]any{"reason": "退回"}, 422, "retention_held")

		// A repair by another contractor is paid from the retention during the
		// liability period; the release to the contractor waits for its end.
		repair := map[string]any{"project": "HZ-001", "contract": id, "retention": true, "amount": "5000.00",
			"paid_on": "2025-03-01", "purpose": "保修期内维修", "payee_id": repairer}
		e.Must("hz", "POST", "/v1/expenditures", repair, 201)
		e.refuseWorks(t, "finance", "POST", "/v1/contracts/"+id+"/retention-release",
			map[string]any{"released_on": "2025-09-29"}, 422, "retention_held")
		e.refuseWorks(t, "hz", "POST", "/v1/contracts/"+id+"/retention-release",
			map[string]any{"released_on": "2025-10-01"}, 403, "forbidden")
		e.refuseWorks(t, "finance", "POST", "/v1/contracts/"+id+"/retention-release",
			map[string]any{"released_on": "2025-10-01", "amount": "24400.01"}, 422, "over_settlement")
		rel := e.Must("finance", "POST", "/v1/contracts/"+id+"/retention-release",
			map[string]any{"released_on": "2025-09-30"}, 201)
		if rel["amount"] != "24400.00" || rel["contract_part"] != "retention" ||
			rel["payee"].(map[string]any)["credit_code"] != payeeCode {
			t.Errorf("the release: %v", rel)
		}
		e.refuseWorks(t, "finance", "POST", "/v1/contracts/"+id+"/retention-release",
			map[string]any{"released_on": "2025-10-01"}, 422, "over_settlement")

		pos := e.Must("auditor", "GET", "/v1/contracts/"+id, nil, 200)["position"].(map[string]any)
		want := map[string]any{"paid": "950600.00", "limit": "950600.00", "payable": "0.00", "retention": "29400.00",
			"retention_used": "29400.00", "retention_outstanding": "0.00", "accepted_on": "2024-09-30",
			"liability_ends": "2025-09-30"}
		for k, v := range want {
			if pos[k] != v {
				t.Errorf("position %s = %v, want %v", k, pos[k], v)
			}
		}
		if n := len(e.Must("hz", "GET", "/v1/projects/HZ-001/contracts", nil, 200)["items"].([]any)); n != 1 {
			t.Errorf("HZ-001 lists %d contracts", n)
		}
		// The 520,000 paid to the contractor outside the contract goes around
		// the gates; the exceptions list finds it, and the overdue final accounts.
		findings := func(kind string) []any {
			return e.Must("auditor", "GET", "/v1/audit/exceptions?kind="+kind, nil, 200)["items"].([]any)
		}
		if fs := findings("over_contract"); len(fs) != 1 || fs[0].(map[string]any)["id"] != "over_contract:"+id ||
			fs[0].(map[string]any)["amount"] != "490600.00" {
			t.Errorf("over_contract findings: %v", fs)
		}
		if fs := findings("final_accounts_overdue"); len(fs) != 1 || fs[0].(map[string]any)["id"] != "final_accounts_overdue:HZ-001" {
			t.Errorf("final_accounts_overdue findings: %v", fs)
		}
		if fs := e.Must("ly", "GET", "/v1/audit/exceptions?kind=over_contract", nil, 200)["items"].([]any); len(fs) != 0 {
			t.Errorf("LY sees HZ's findings: %v", fs)
		}
		// Reversing a progress payment frees its room under the contract.
		e.Must("finance", "POST", "/v1/transfers/"+p1["id"].(string)+"/reversal", map[string]any{"reason": "重复支付"}, 201)
		if p := e.Must("auditor", "GET", "/v1/contracts/"+id, nil, 200)["position"].(map[string]any); p["paid"] != "450600.00" {
			t.Errorf("paid after the reversal: %v", p["paid"])
		}
		if e.Balance("CG24", "project:HZ-001") != "500000.00" {
			t.Errorf("HZ-001 holds %s", e.Balance("CG24", "project:HZ-001"))
		}
		if fs := findings("over_contract"); len(fs) != 0 {
			t.Errorf("over_contract after the reversal: %v", fs)
		}
		closeWorks(t, e, payee, outside)
		if fs := findings("final_accounts_overdue"); len(fs) != 0 {
			t.Errorf("final_accounts_overdue after closing: %v", fs)
		}
		e.checkBooks()
	})
}

// closeWorks closes HZ-001's final accounts: refused while a contract is
// unsettled or money remains, then closed with the remainder returned to the
// city; nothing more moves into or out of the project, nor is anything
// undone there: neither a payment (spent) nor the return itself.
func closeWorks(t *testing.T, e *env, payee, spent string) {
	t.Helper()
	second := map[string]any{"payee": payee, "category": "improvement", "sum": "10000.00", "signed_on": "2025-01-02",
		"retention_rate": "0", "liability_months": 1}
	id := e.Must("finance", "POST", "/v1/projects/HZ-001/contracts", second, 201)["id"].(string)
	// Closed today: the reversal above returned money to the project today.
	today := field.Today()
	closing := map[string]any{"closed_on": today, "document_no": "连财决〔2026〕9号", "return_remainder": true}
	e.refuseWorks(t, "finance", "POST", "/v1/projects/HZ-001/close", closing, 422, "accounts_unbalanced")
	e.Must("hz", "POST", "/v1/contracts/"+id+"/acceptance", map[string]any{"accepted_on": "2025-02-01", "result": "passed",
		"owner_reps": 2, "participants": []map[string]any{{"name": "业委会 赵", "role": "业主代表"}, {"name": "居民 钱", "role": "居民代表"}}}, 201)
	e.Must("finance", "POST", "/v1/contracts/"+id+"/settlement", map[string]any{"amount": "10000.00",
		"review_ref": "连财审〔2025〕5号", "settled_on": "2025-03-01"}, 201)

	fa := e.Must("auditor", "GET", "/v1/projects/HZ-001/final-accounts", nil, 200)
	src := fa["sources"].([]any)[0].(map[string]any)
	if src["fund"] != "CG24" || src["allocated_in"] != "1500000.00" || src["spent"] != "1000000.00" ||
		src["remainder"] != "500000.00" || fa["remainder"] != "500000.00" || fa["balanced"] != false {
		t.Errorf("final accounts before closing: %v", fa)
	}
	basic := fa["categories"].([]any)[0].(map[string]any)
	if basic["budget"] != "3000000.00" || basic["contracted"] != "1000000.00" || basic["settled"] != "980000.00" ||
		basic["paid"] != "1000000.00" {
		t.Errorf("basic works in the final accounts: %v", basic)
	}
	if r := e.Do("auditor", "GET", "/v1/projects/HZ-001/final-accounts?format=csv", nil); r.Status != 200 ||
		!strings.HasPrefix(string(r.Body), "section,item,kind,received,allocated_in,spent,returned,remainder") {
		t.Errorf("final accounts as CSV: %d %.200s", r.Status, r.Body)
	}
	e.refuseWorks(t, "hz", "POST", "/v1/projects/HZ-001/close", closing, 403, "forbidden")
	e.refuseWorks(t, "finance", "POST", "/v1/projects/HZ-001/close", withField(closing, "return_remainder", false),
		422, "accounts_unbalanced")
	done := e.Must("finance", "POST", "/v1/projects/HZ-001/close", closing, 200)
	returns := done["returns"].([]any)
	if len(returns) != 1 || done["remainder"] != "0.00" || done["balanced"] != true || done["closure"] == nil {
		t.Fatalf("closed: %v", done)
	}
	if r := returns[0].(map[string]any); r["to"] != "city" || r["amount"] != "500000.00" || r["booked_on"] != today {
		t.Errorf("the remainder returned: %v", r)
	}
	if e.Balance("CG24", "project:HZ-001") != "0.00" || e.Balance("CG24", "city") != "1000000.00" {
		t.Errorf("after closing: HZ-001 holds %s, the city %s", e.Balance("CG24", "project:HZ-001"), e.Balance("CG24", "city"))
	}
	e.refuseWorks(t, "finance", "POST", "/v1/projects/HZ-001/close", closing, 409, "conflict")
	e.refuseWorks(t, "finance", "POST", "/v1/allocations", map[string]any{"fund": "CG24", "from": "city",
		"to": "project:HZ-001", "amount": "1.00", "allocated_on": today}, 409, "project_closed")
	spend := expenditure("HZ-001", "basic", "1.00")
	e.refuseWorks(t, "hz", "POST", "/v1/expenditures", spend, 409, "project_closed")
	for _, id := range []string{spent, returns[0].(map[string]any)["id"].(string)} {
		e.refuseWorks(t, "finance", "POST", "/v1/transfers/"+id+"/reversal", map[string]any{"reason": "更正"}, 409, "project_closed")
	}
}

// TestCloseUnderConcurrentMovements: a project closes while clerks allocate
// to it and pay from it. Each movement lands wholly before the closing (and
// its money is in the closing's return) or is refused as project_closed;
// the closed project holds nothing.
func TestCloseUnderConcurrentMovements(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		setupMoney(e)
		today := field.Today()
		for round := range 4 {
			code := fmt.Sprintf("HZ-1%02d", round)
			e.Must("finance", "POST", "/v1/projects", project(code, "HZ"), 201)
			e.Allocate("CG", "city", "project:"+code, "100")
			const clerks = 8
			answers := make(chan string, 2*clerks+1)
			var wg sync.WaitGroup
			for range clerks {
				wg.Go(func() {
					r := e.Do("finance", "POST", "/v1/allocations", map[string]any{"fund": "CG", "from": "city",
						"to": "project:" + code, "amount": "1.00", "allocated_on": today})
					answers <- fmt.Sprintf("allocation %d %s", r.Status, r.Code())
				})
				wg.Go(func() {
					pay := expenditure(code, "basic", "1.00")
					pay["paid_on"] = today
					r := e.Do("hz", "POST", "/v1/expenditures", pay)
					answers <- fmt.Sprintf("payment %d %s", r.Status, r.Code())
				})
			}
			wg.Go(func() {
				r := e.Do("finance", "POST", "/v1/projects/"+code+"/close", map[string]any{"closed_on": today,
					"document_no": "连财决〔2026〕" + code, "return_remainder": true})
				answers <- fmt.Sprintf("close %d %s", r.Status, r.Code())
			})
			wg.Wait()
			close(answers)
			got := map[string]int{}
			for a := range answers {
				got[a]++
			}
			if got["close 200 "] != 1 || got["allocation 201 "]+got["allocation 409 project_closed"] != clerks ||
				got["payment 201 "]+got["payment 409 project_closed"] != clerks {
				t.Errorf("%s: answers %v", code, got)
			}
			if b := e.Balance("CG", "project:"+code); b != "0.00" {
				t.Errorf("%s holds %s after closing (answers %v)", code, b, got)
			}
		}
		e.checkBooks()
	})
}

// TestContractFindings: payments to a contractor outside its contract go
// around the gates; the exceptions list finds those made past the progress
// ceiling before acceptance, those into the retention before the
// defect-liability period ended, and those past the settlement.
func TestContractFindings(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		setupMoney(e)
		payee := e.Must("finance", "POST", "/v1/payees", payeeBody("HZ"), 201)["id"].(string)
		c := apitest.ContractBody(payee, "2026-03-05")
		c["sum"] = "10000.00"
		id := e.Must("hz", "POST", "/v1/projects/HZ-001/contracts", c, 201)["id"].(string)
		pay := func(amount, on string, under bool) {
			t.Helper()
			body := expenditure("HZ-001", "basic", amount)
			body["paid_on"] = on
			if under {
				body = contractPay(id, amount, on)
			}
			e.Must("hz", "POST", "/v1/expenditures", body, 201)
		}
		findings := func(kind string) []any {
			t.Helper()
			return e.Must("auditor", "GET", "/v1/audit/exceptions?kind="+kind, nil, 200)["items"].([]any)
		}
		pay("8000.00", "2026-04-01", true)
		pay("1000.00", "2026-05-01", false) // outside the contract, past the 80% ceiling
		e.Must("hz", "POST", "/v1/contracts/"+id+"/acceptance", map[string]any{"accepted_on": "2026-05-31",
			"result": "passed", "owner_reps": 1, "participants": []map[string]any{{"name": "业主 孙", "role": "业主代表"}}}, 201)
		e.Must("finance", "POST", "/v1/contracts/"+id+"/settlement", map[string]any{"amount": "10000.00",
			"review_ref": "连财审〔2026〕1号", "settled_on": "2026-06-15"}, 201)
		pay("1700.00", "2026-06-20", true) // the final payment: 10,000 less 300 retention less 8,000
		// The trail names the contract of each payment under it, and the
		// acceptance of those made after it passed.
		accepted := e.Must("auditor", "GET", "/v1/contracts/"+id, nil, 200)["acceptances"].([]any)[0].(map[string]any)["id"]
		r := e.Do("auditor", "GET", "/v1/exports/trail?format=jsonl&project=HZ-001", nil)
		under := map[string]any{}
		for _, line := range strings.Split(strings.TrimSpace(string(r.Body)), "\n") {
			var row map[string]any
			if err := json.Unmarshal([]byte(line), &row); err != nil {
				t.Fatalf("trail line %q: %v", line, err)
			}
			if row["contract_id"] == id {
				under[fmt.Sprint(row["amount"])] = row["acceptance_id"]
			}
		}
		if len(under) != 2 || under["8000.00"] != nil || under["1700.00"] != accepted {
			t.Errorf("the trail's contract payments and their acceptances: %v (acceptance %v)", under, accepted)
		}
		before := findings("payment_before_acceptance")
		if len(before) != 1 || before[0].(map[string]any)["id"] != "payment_before_acceptance:"+id ||
			before[0].(map[string]any)["amount"] != "1000.00" || before[0].(map[string]any)["on"] != "2026-05-01" {
			t.Errorf("payment_before_acceptance: %v", before)
		}
		early := findings("retention_released_early")
		if len(early) != 1 || early[0].(map[string]any)["amount"] != "300.00" || early[0].(map[string]any)["on"] != "2026-06-20" {
			t.Errorf("retention_released_early: %v", early)
		}
		if over := findings("over_contract"); len(over) != 1 || over[0].(map[string]any)["amount"] != "700.00" {
			t.Errorf("over_contract: %v", over)
		}
		if fs := e.Must("ly", "GET", "/v1/audit/exceptions?kind=payment_before_acceptance", nil, 200)["items"].([]any); len(fs) != 0 {
			t.Errorf("LY sees HZ's findings: %v", fs)
		}
	})
}

// TestContractCeilingUnderConcurrency: twenty clerks pay ¥50,000 each on one
// ¥1,000,000 contract at once; exactly sixteen fit under its 80% ceiling,
// the rest are refused, and the books hold.
func TestContractCeilingUnderConcurrency(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		setupMoney(e)
		e.Must("finance", "POST", "/v1/allocations", map[string]any{"fund": "CG", "from": "city", "to": "project:HZ-001",
			"amount": "40000.00", "allocated_on": "2026-03-02"}, 201)
		payee := e.Must("finance", "POST", "/v1/payees", payeeBody("HZ"), 201)["id"].(string)
		c := apitest.ContractBody(payee, "2026-03-01")
		c["sum"] = "50000.00"
		id := e.Must("hz", "POST", "/v1/projects/HZ-001/contracts", c, 201)["id"].(string)
		const clerks = 20
		codes := make(chan string, clerks)
		var wg sync.WaitGroup
		for range clerks {
			wg.Go(func() {
				r := e.Do("hz", "POST", "/v1/expenditures", contractPay(id, "2500.00", "2026-04-01"))
				codes <- fmt.Sprintf("%d %s", r.Status, r.Code())
			})
		}
		wg.Wait()
		close(codes)
		got := map[string]int{}
		for c := range codes {
			got[c]++
		}
		if got["201 "] != 16 || got["422 over_progress_ceiling"] != 4 {
			t.Errorf("answers: %v, want 16 paid and 4 over the ceiling", got)
		}
		if p := e.Must("auditor", "GET", "/v1/contracts/"+id, nil, 200)["position"].(map[string]any); p["paid"] != "40000.00" {
			t.Errorf("paid on the contract: %v", p["paid"])
		}
		e.checkBooks()
	})
}
