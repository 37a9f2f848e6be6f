package httpapi_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// bulletinWorld books a small city for October 2026 (see TestBulletin for
// the figures it makes): HZ and LY, each with one project, and GY with none.
func (e *env) bulletinWorld(t *testing.T) (ka, kb, kc string) {
	t.Helper()
	e.Must("finance", "POST", "/v1/districts", map[string]any{"code": "GY", "name": "赣榆区"}, 201)
	fund := func(code, kind, holder string, year int, categories ...string) {
		e.Must("finance", "POST", "/v1/funds", map[string]any{"code": code, "kind": kind, "name": "fund " + code,
			"holder": holder, "fiscal_year": year, "document_no": "财建〔2026〕1号", "eligible_categories": categories}, 201)
	}
	receive := func(fund, amount, on string) {
		e.Must("finance", "POST", "/v1/funds/"+fund+"/receipts", map[string]any{"amount": amount, "received_on": on,
			"payer": map[string]any{"name": "江苏省财政厅"}}, 201)
	}
	allocate := func(who, fund, from, to, amount, on string) {
		e.Must(who, "POST", "/v1/allocations", map[string]any{"fund": fund, "from": from, "to": to, "amount": amount,
			"allocated_on": on}, 201)
	}
	fund("CF", "city_fiscal", "city", 2025, "improvement")
	receive("CF", "100000.00", "2025-12-10")
	allocate("finance", "CF", "city", "project:HZ-001", "100000.00", "2026-01-05") // 26 days: in time
	fund("CG", "central_grant", "city", 2026, "basic")
	receive("CG", "1000000.00", "2026-08-01")
	allocate("finance", "CG", "city", "project:HZ-001", "600000.00", "2026-08-10")
	allocate("finance", "CG", "city", "district:LY", "300000.00", "2026-10-05") // 65 days: late
	allocate("ly", "CG", "district:LY", "project:LY-001", "300000.00", "2026-10-20")
	fund("LY-DN", "donation", "project:LY-001", 2026, "upgrade")
	receive("LY-DN", "50000.00", "2026-10-12")

	payee := func(name, code, account string, sme bool) string {
		return e.Must("finance", "POST", "/v1/payees", map[string]any{"name": name, "credit_code": code,
			"bank_account": account, "sme": sme}, 201)["id"].(string)
	}
	small := payee("连云港市政工程有限公司", payeeCode, "6222020000000001", true)
	big := payee("中建某局有限公司", repairerCode, "6222020000000099", false)
	contract := func(project, payee, sum string) string {
		return e.Must("finance", "POST", "/v1/projects/"+project+"/contracts", map[string]any{"payee": payee,
			"category": "basic", "sum": sum, "signed_on": "2026-06-01"}, 201)["id"].(string)
	}
	accept := func(id, on string) {
		e.Must("finance", "POST", "/v1/contracts/"+id+"/acceptance", map[string]any{"accepted_on": on, "result": "passed",
			"participants": []map[string]any{{"name": "王建国", "role": "业主代表"}}, "owner_reps": 1}, 201)
	}
	pay := func(project, id, amount, on string) {
		e.Must("finance", "POST", "/v1/expenditures", map[string]any{"project": project, "contract": id, "amount": amount,
			"paid_on": on, "purpose": "工程款"}, 201)
	}
	ka = contract("HZ-001", small, "500000.00")
	accept(ka, "2026-09-01")
	pay("HZ-001", ka, "200000.00", "2026-09-15")
	pay("HZ-001", ka, "100000.00", "2026-10-10")
	kb = contract("LY-001", big, "300000.00")
	accept(kb, "2026-09-01")
	kc = contract("LY-001", small, "200000.00")
	accept(kc, "2026-08-20")
	e.Must("finance", "POST", "/v1/contracts/"+kc+"/settlement", map[string]any{"amount": "180000.00",
		"review_ref": "连财审〔2026〕9号", "settled_on": "2026-09-10"}, 201)
	pay("LY-001", kc, "100000.00", "2026-10-25")
	// After the month: neither the payment nor the acceptance is in October's bulletin.
	pay("LY-001", kc, "10000.00", "2026-11-05")

	// The programme: HZ-001 (plan year 2025) started in time for it to be
	// under construction at October's end; LY-001 (2026) is still only
	// planned then, since its works started in November: behind plan.
	plan := func(code string, year int, steps ...string) {
		e.Must("finance", "PUT", "/v1/projects/"+code, withField(projectEdit("小区 "+code), "plan_year", year), 200)
		for i := 0; i < len(steps); i += 2 {
			e.Must("finance", "POST", "/v1/projects/"+code+"/status", map[string]any{"status": steps[i], "on": steps[i+1],
				"document_no": "连改办〔2026〕1号"}, 201)
		}
	}
	plan("HZ-001", 2025, "planned", "2025-01-10", "under_construction", "2026-06-02")
	plan("LY-001", 2026, "planned", "2026-01-15", "under_construction", "2026-11-05")
	return ka, kb, kc
}

// TestBulletin drafts October 2026 over bulletinWorld and checks every
// figure: per district and city-wide, per fund kind, the rates and the
// ranking, the late pass-down, the overdue SME payments (a non-SME one left
// out); then immutability, scoping, the workbook and the refusals.
func TestBulletin(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		ka, kb, kc := e.bulletinWorld(t)
		e.refuse(t, "finance", "GET", "/v1/bulletins/2026-10", nil, 404, "not_found")
		if items := e.Must("auditor", "GET", "/v1/bulletins", nil, 200)["items"].([]any); len(items) != 0 {
			t.Errorf("bulletins before any is drafted: %v", items)
		}

		// Refusals write nothing.
		for _, c := range []struct {
			who, month string
			status     int
			code       string
		}{
			{"auditor", "2026-10", 403, "forbidden"},
			{"hz", "2026-10", 403, "forbidden"},
			{"finance", "2026-13", 400, "invalid_request"},
			{"finance", "2026-1", 400, "invalid_request"},
			{"finance", "2099-01", 422, "period_not_ended"},
		} {
			e.refuse(t, c.who, "POST", "/v1/bulletins/"+c.month, nil, c.status, c.code)
			if n := e.bulletinCount(); n != 0 {
				t.Fatalf("POST %s as %s refused, yet %d bulletins are stored", c.month, c.who, n)
			}
		}

		drafted := e.Must("finance", "POST", "/v1/bulletins/2026-10", nil, 201)
		if drafted["drafted_by"] != "finance:finance" || drafted["month"] != "2026-10" || drafted["scope"] != "city" {
			t.Errorf("drafted: %v", drafted)
		}
		sum := drafted["sha256"].(string)
		b := drafted["body"].(map[string]any)
		if b["from"] != "2026-10-01" || b["to"] != "2026-10-31" || b["year_from"] != "2026-01-01" {
			t.Errorf("dates: %v %v %v", b["from"], b["to"], b["year_from"])
		}

		// Spending: HZ 300,000 of 700,000 (42.86%), LY 100,000 of 350,000
		// (28.57%), GY nothing available; city-wide 400,000 of 1,150,000.
		sp := b["spending"].(map[string]any)
		city := sp["city"].(map[string]any)
		wantFigures(t, "city", city, map[string]any{"allocated_month": "300000.00", "received_month": "50000.00",
			"spent_month": "200000.00", "allocated_ytd": "1000000.00", "received_ytd": "1050000.00", "spent_ytd": "400000.00",
			"opening": "100000.00", "available": "1150000.00", "spending_rate": "0.3478", "name": "全市"})
		kinds := city["kinds"].([]any)
		if len(kinds) != 3 {
			t.Fatalf("city kinds: %v", kinds)
		}
		wantFigures(t, "city central_grant", kinds[0].(map[string]any), map[string]any{"kind": "central_grant",
			"received_ytd": "1000000.00", "allocated_ytd": "900000.00", "allocated_month": "300000.00",
			"spent_ytd": "400000.00", "available": "1000000.00", "spending_rate": "0.4000", "opening": "0.00"})
		wantFigures(t, "city city_fiscal", kinds[1].(map[string]any), map[string]any{"kind": "city_fiscal",
			"opening": "100000.00", "allocated_ytd": "100000.00", "received_ytd": "0.00", "available": "100000.00",
			"spending_rate": "0.0000"})
		wantFigures(t, "city donation", kinds[2].(map[string]any), map[string]any{"kind": "donation",
			"received_month": "50000.00", "received_ytd": "50000.00", "available": "50000.00", "spending_rate": "0.0000"})

		ds := sp["districts"].([]any)
		if len(ds) != 3 {
			t.Fatalf("districts: %v", ds)
		}
		wantFigures(t, "HZ", ds[0].(map[string]any), map[string]any{"district": "HZ", "name": "海州区", "rank": float64(1),
			"allocated_month": "0.00", "allocated_ytd": "700000.00", "received_ytd": "0.00", "spent_month": "100000.00",
			"spent_ytd": "300000.00", "opening": "0.00", "available": "700000.00", "spending_rate": "0.4286"})
		wantFigures(t, "LY", ds[1].(map[string]any), map[string]any{"district": "LY", "rank": float64(2),
			"allocated_month": "300000.00", "allocated_ytd": "300000.00", "received_month": "50000.00",
			"spent_month": "100000.00", "spent_ytd": "100000.00", "available": "350000.00", "spending_rate": "0.2857"})
		wantFigures(t, "GY", ds[2].(map[string]any), map[string]any{"district": "GY", "available": "0.00", "spending_rate": ""})
		if _, ranked := ds[2].(map[string]any)["rank"]; ranked {
			t.Errorf("GY, with nothing available, is ranked: %v", ds[2])
		}
		hzKinds := ds[0].(map[string]any)["kinds"].([]any)
		if len(hzKinds) != 2 {
			t.Fatalf("HZ kinds: %v", hzKinds)
		}
		wantFigures(t, "HZ central_grant", hzKinds[0].(map[string]any), map[string]any{"kind": "central_grant",
			"allocated_ytd": "600000.00", "spent_ytd": "300000.00", "available": "600000.00", "spending_rate": "0.5000"})

		// Late pass-down: the city held 100,000 of CG since 1 August (91 days
		// at the month's end) and passed 300,000 down late on 5 October.
		late := b["late_pass_down"].([]any)
		if len(late) != 1 {
			t.Fatalf("late pass-down: %v", late)
		}
		wantFigures(t, "late CG", late[0].(map[string]any), map[string]any{"fund": "CG", "kind": "central_grant",
			"holder": "city", "deadline_days": float64(30), "held": "100000.00", "since": "2026-08-01",
			"days_held": float64(91), "passed_late": "300000.00"})

		// Overdue to SMEs: KA (not settled: 80% of 500,000 less 300,000 paid)
		// and KC (settled: 180,000 less 5,400 retention less 100,000 paid);
		// KB's contractor is not an SME.
		over := b["overdue_sme_payments"].([]any)
		if len(over) != 2 {
			t.Fatalf("overdue SME payments: %v", over)
		}
		wantFigures(t, "KA", over[0].(map[string]any), map[string]any{"district": "HZ", "project": "HZ-001", "contract": ka,
			"payee": "连云港市政工程有限公司", "credit_code": payeeCode, "accepted_on": "2026-09-01", "due_on": "2026-10-01",
			"days_overdue": float64(30), "settled": false, "amount_due": "100000.00"})
		wantFigures(t, "KC", over[1].(map[string]any), map[string]any{"district": "LY", "project": "LY-001", "contract": kc,
			"accepted_on": "2026-08-20", "due_on": "2026-09-19", "days_overdue": float64(42), "settled": true,
			"amount_due": "74600.00"})
		for _, o := range over {
			if o.(map[string]any)["contract"] == kb {
				t.Errorf("a non-SME contract is listed: %v", o)
			}
		}

		// Stored once: a second draft is 409 and leaves the stored body and its hash as they were.
		body, stored, err := e.App.Bulletins.Stored(t.Context(), "2026-10")
		if err != nil {
			t.Fatal(err)
		}
		if h := sha256.Sum256(body); hex.EncodeToString(h[:]) != sum || stored != sum {
			t.Errorf("stored hash %s, body hashes to %x, drafted %s", stored, h, sum)
		}
		e.refuse(t, "finance", "POST", "/v1/bulletins/2026-10", nil, 409, "bulletin_exists")
		e.Must("finance", "POST", "/v1/expenditures", map[string]any{"project": "HZ-001", "contract": ka,
			"amount": "1000.00", "paid_on": "2026-10-30", "purpose": "补记工程款"}, 201) // booked into October afterwards
		again := e.Must("auditor", "GET", "/v1/bulletins/2026-10", nil, 200)
		if again["sha256"] != sum || again["drafted_at"] != drafted["drafted_at"] {
			t.Errorf("read back: hash %v drafted %v; want %s %v", again["sha256"], again["drafted_at"], sum, drafted["drafted_at"])
		}
		if spent := again["body"].(map[string]any)["spending"].(map[string]any)["city"].(map[string]any)["spent_ytd"]; spent != "400000.00" {
			t.Errorf("the stored bulletin changed with a later booking: spent_ytd %v", spent)
		}
		after, _, _ := e.App.Bulletins.Stored(t.Context(), "2026-10")
		if !bytes.Equal(after, body) {
			t.Errorf("the stored body changed")
		}
		list := e.Must("hz", "GET", "/v1/bulletins", nil, 200)["items"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["month"] != "2026-10" || list[0].(map[string]any)["sha256"] != sum {
			t.Errorf("list: %v", list)
		}

		// A district sees its own rows and the city's totals.
		hz := e.Must("hz", "GET", "/v1/bulletins/2026-10", nil, 200)
		hb := hz["body"].(map[string]any)
		hds := hb["spending"].(map[string]any)["districts"].([]any)
		if hz["scope"] != "HZ" || len(hds) != 1 || hds[0].(map[string]any)["district"] != "HZ" ||
			hb["spending"].(map[string]any)["city"].(map[string]any)["spent_ytd"] != "400000.00" {
			t.Errorf("HZ's view: %v", hb["spending"])
		}
		if l := hb["late_pass_down"].([]any); len(l) != 0 {
			t.Errorf("HZ sees the city's late pass-down: %v", l)
		}
		if o := hb["overdue_sme_payments"].([]any); len(o) != 1 || o[0].(map[string]any)["contract"] != ka {
			t.Errorf("HZ's overdue payments: %v", o)
		}
		ly := e.Must("ly", "GET", "/v1/bulletins/2026-10", nil, 200)
		if raw := e.Do("ly", "GET", "/v1/bulletins/2026-10", nil).Body; strings.Contains(string(raw), "HZ-001") ||
			strings.Contains(string(raw), "海州区") {
			t.Errorf("LY's view names HZ's objects: %s", raw)
		}
		if o := ly["body"].(map[string]any)["overdue_sme_payments"].([]any); len(o) != 1 || o[0].(map[string]any)["contract"] != kc {
			t.Errorf("LY's overdue payments: %v", o)
		}
		// Behind plan: LY-001 should have started by 30 June 2026; HZ-001 is on time.
		behind := b["behind_plan"].([]any)
		if len(behind) != 1 {
			t.Fatalf("behind plan: %v", behind)
		}
		wantFigures(t, "behind plan", behind[0].(map[string]any), map[string]any{"project": "LY-001", "district": "LY",
			"plan_year": float64(2026), "status": "planned", "since": "2026-01-15", "expected": "under_construction",
			"due_by": "2026-06-30", "days_late": float64(123)})
		if l := hb["behind_plan"].([]any); len(l) != 0 {
			t.Errorf("HZ sees LY's projects behind plan: %v", l)
		}
		if l := ly["body"].(map[string]any)["behind_plan"].([]any); len(l) != 1 {
			t.Errorf("LY's projects behind plan: %v", l)
		}

		// The workbook: a sheet per section, headed in Chinese.
		x := e.Do("finance", "GET", "/v1/bulletins/2026-10?format=xlsx", nil)
		if x.Status != 200 {
			t.Fatalf("xlsx: %d %s", x.Status, x.Body)
		}
		f, err := excelize.OpenReader(bytes.NewReader(x.Body))
		if err != nil {
			t.Fatalf("the workbook does not open: %v", err)
		}
		if got := strings.Join(f.GetSheetList(), ","); got != "资金支出进度,资金下达滞留,中小企业逾期账款,项目进度滞后" {
			t.Errorf("sheets: %s", got)
		}
		rows, _ := f.GetRows("资金支出进度")
		// Header, city total and 3 kinds, HZ total and 2 kinds, LY total and 2 kinds, GY total.
		if len(rows) != 1+4+3+3+1 || rows[0][1] != "排名" || rows[1][3] != "全市" || rows[1][13] != "0.3478" {
			t.Errorf("spending sheet: %v", rows)
		}
		if bp, _ := f.GetRows("项目进度滞后"); len(bp) != 2 || bp[1][1] != "LY-001" || bp[1][4] != "已列入计划" || bp[1][8] != "123" {
			t.Errorf("behind-plan sheet: %v", bp)
		}
		od, _ := f.GetRows("中小企业逾期账款")
		if len(od) != 3 || od[1][2] != ka || od[1][9] != "100000.00" {
			t.Errorf("overdue sheet: %v", od)
		}
		hx := e.Do("hz", "GET", "/v1/bulletins/2026-10?format=xlsx", nil)
		hf, err := excelize.OpenReader(bytes.NewReader(hx.Body))
		if err != nil {
			t.Fatal(err)
		}
		if od, _ := hf.GetRows("中小企业逾期账款"); len(od) != 2 {
			t.Errorf("HZ's overdue sheet: %v", od)
		}
		csvOut := e.Do("ly", "GET", "/v1/bulletins/2026-10?format=csv", nil)
		if text := string(csvOut.Body); csvOut.Status != 200 || !strings.HasPrefix(text, "资金支出进度\n月份,排名,") ||
			!strings.Contains(text, "\n中小企业逾期账款\n") || !strings.Contains(text, kc+",连云港市政工程有限公司") ||
			strings.Contains(text, "HZ-001") {
			t.Errorf("LY's CSV: %d %s", csvOut.Status, text)
		}
		e.refuse(t, "finance", "GET", "/v1/bulletins/2026-10?format=jsonl", nil, 400, "invalid_request")
		e.refuse(t, "finance", "GET", "/v1/bulletins/October", nil, 400, "invalid_request")
		e.refuse(t, "admin", "GET", "/v1/bulletins/2026-10", nil, 403, "forbidden")
	})
}

// wantFigures checks the named fields of one object of a bulletin.
func wantFigures(t *testing.T, what string, got map[string]any, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if got[k] != v && !(v == "" && got[k] == nil) {
			t.Errorf("%s %s = %v, want %v", what, k, got[k], v)
		}
	}
}

func (e *env) bulletinCount() int64 {
	e.T.Helper()
	var n int64
	if err := e.DB.G.Raw("SELECT COUNT(*) FROM bulletins").Scan(&n).Error; err != nil {
		e.T.Fatal(err)
	}
	return n
}
