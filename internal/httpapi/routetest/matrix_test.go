package routetest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"renofund/internal/access"
	"renofund/internal/httpapi"
	"renofund/internal/httpapi/apitest"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// The access-control matrix is generated from the route table: every /v1
// route × every token (admin, finance, auditor, district HZ, district LY) ×
// an object of district HZ and one of district LY. For a district token the
// object of its own district is the "own" cell and the other district's the
// "other" cell; the other roles are checked on both objects alike. Where a
// path parameter can name several kinds of object (a fund held by the
// district, one held by its project, the city's fund), each is a cell of its
// own; a city object is neither district's, so a district reads it scoped
// to its share and may not write it. A route that offers ?format=csv is
// checked in JSON and in CSV.
//
// What the cells mean:
//
//	allow:  past authorization. A GET answers 200; a POST or PUT answers 2xx,
//	        or 409/422 when an earlier allowed cell already changed the object
//	        (a second reversal, an executed plan, a paid run). Never 401, 403,
//	        404 (the objects exist) or 5xx.
//	deny:   403 forbidden, and nothing written.
//	hidden: 403 forbidden or 404 not_found, nothing written, and the body
//	        names nothing of the other district.
//	scoped: a list or report: 200 with nothing of the other district in it,
//	        or 403/404 as for hidden.
//
// "Nothing of the other district" means none of its codes and ids: its
// project code, "district:CODE", the quoted district code, and the ids of
// its transfer, plan and reconciliation. A route marked shared (the district
// list, subsidy schemes) is city-wide reference data every reader sees.
//
// Within a route the refusals run first, so that they meet the objects as
// set up; the allowed cells run afterwards and may change them.

type verdict int

const (
	allow verdict = iota
	deny
	hidden
	scoped
)

func (w verdict) String() string { return [...]string{"allow", "deny", "hidden", "scoped"}[w] }

// accessRule is the expected outcome of one route for every kind of caller.
type accessRule struct {
	admin, finance, auditor, own, other verdict
	shared                              bool // city-wide data: no leak check
}

// Shorthands for the common rows.
var (
	// finance and the owning district write; admin and auditor may not.
	writeRule = accessRule{admin: deny, finance: allow, auditor: deny, own: allow, other: hidden}
	// finance, auditor and the owning district read one object.
	readRule = accessRule{admin: deny, finance: allow, auditor: allow, own: allow, other: hidden}
	// finance, auditor and districts read a list or report scoped to them.
	listRule = accessRule{admin: deny, finance: allow, auditor: allow, own: allow, other: scoped}
	// the finance bureau alone.
	financeRule = accessRule{admin: deny, finance: allow, auditor: deny, own: deny, other: deny}
	// every role reads city-wide reference data.
	everyoneRule = accessRule{admin: allow, finance: allow, auditor: allow, own: allow, other: allow, shared: true}
	// the administrator alone (tokens).
	adminRule = accessRule{admin: allow, finance: deny, auditor: deny, own: deny, other: deny}
)

// accessRules is the policy, one entry per "METHOD PATH" of the route table.
// A route without an entry, or an entry without a route, fails the test.
var accessRules = map[string]accessRule{
	"POST /v1/tokens":            adminRule,
	"GET /v1/tokens":             adminRule,
	"POST /v1/tokens/:id/revoke": adminRule,

	"POST /v1/districts": {admin: allow, finance: allow, auditor: deny, own: deny, other: deny},
	"GET /v1/districts":  everyoneRule,

	"POST /v1/projects":                         writeRule,
	"GET /v1/projects":                          listRule,
	"GET /v1/projects/:code":                    readRule,
	"GET /v1/projects/:code/funding":            readRule,
	"PUT /v1/projects/:code/property-manager":   writeRule,
	"GET /v1/projects/:code/property-manager":   readRule,
	"GET /v1/projects/:code/tax-expenditure":    readRule,
	"PUT /v1/projects/:code":                    writeRule,
	"GET /v1/projects/:code/versions":           readRule,
	"POST /v1/projects/:code/budget-amendments": financeRule,
	"GET /v1/projects/:code/budget-amendments":  readRule,

	"POST /v1/funds":                        writeRule,
	"GET /v1/funds":                         listRule,
	"GET /v1/imports":                       listRule,
	"GET /v1/funds/:code":                   readRule,
	"POST /v1/funds/:code/receipts":         writeRule,
	`POST /v1/funds/:code/receipts\:import`: writeRule,

	"POST /v1/allocations":                  writeRule,
	"POST /v1/expenditures":                 writeRule,
	"POST /v1/transfers/:id/reversal":       writeRule,
	"GET /v1/payment-requests":              listRule,
	"GET /v1/payment-requests/:id":          readRule,
	"POST /v1/payment-requests/:id/approve": financeRule,
	"POST /v1/payment-requests/:id/reject":  financeRule,

	// The payee register is city-wide: a district registers a company any
	// district may contract with.
	"POST /v1/payees":                          {admin: deny, finance: allow, auditor: deny, own: allow, other: allow},
	"GET /v1/payees":                           {admin: deny, finance: allow, auditor: allow, own: allow, other: allow, shared: true},
	"POST /v1/projects/:code/contracts":        writeRule,
	"GET /v1/projects/:code/contracts":         readRule,
	"GET /v1/contracts/:id":                    readRule,
	"POST /v1/contracts/:id/acceptance":        writeRule,
	"POST /v1/contracts/:id/settlement":        financeRule,
	"POST /v1/contracts/:id/retention-release": financeRule,
	"GET /v1/projects/:code/final-accounts":    readRule,
	"POST /v1/projects/:code/close":            financeRule,
	"POST /v1/projects/:code/publish":          financeRule,
	"POST /v1/projects/:code/unpublish":        financeRule,

	"POST /v1/projects/:code/status":           writeRule,
	"GET /v1/projects/:code/status":            readRule,
	"PUT /v1/programme/targets/:year":          financeRule,
	"GET /v1/programme":                        listRule,
	"PUT /v1/projects/:code/funding-plan":      writeRule,
	"GET /v1/projects/:code/funding-plan":      readRule,
	"PUT /v1/projects/:code/contribution-dues": writeRule,
	"GET /v1/projects/:code/contributions":     readRule,
	"GET /v1/contribution-arrears":             listRule,
	"GET /v1/transfers":                        listRule,
	"POST /v1/attachments":                     writeRule,
	"GET /v1/attachments":                      listRule,
	"GET /v1/attachments/:id":                  readRule,
	"GET /v1/transfers/:id":                    readRule,
	"POST /v1/batches":                         writeRule,
	"POST /v1/allocation-plans":                writeRule,
	"GET /v1/allocation-plans/:id":             readRule,
	"GET /v1/allocation-plans":                 listRule,
	"POST /v1/allocation-plans/:id/execute":    writeRule,

	"GET /v1/reports/funding":         listRule,
	"GET /v1/reports/budget":          listRule,
	"GET /v1/reports/idle":            listRule,
	"GET /v1/reports/direct":          listRule,
	"GET /v1/reports/tax-expenditure": listRule,

	"POST /v1/subsidy/schemes":              financeRule,
	"GET /v1/subsidy/schemes":               everyoneRule,
	"GET /v1/subsidy/schemes/:code":         everyoneRule,
	"POST /v1/subsidy/ratings":              writeRule,
	"POST /v1/subsidy/runs":                 financeRule,
	"GET /v1/subsidy/runs":                  listRule,
	"GET /v1/subsidy/runs/:id":              {admin: deny, finance: allow, auditor: allow, own: allow, other: scoped}, // a district sees its own lines
	"POST /v1/subsidy/runs/:id/approve":     financeRule,
	"POST /v1/subsidy/runs/:id/cancel":      financeRule,
	"GET /v1/subsidy/ratings":               listRule,
	"GET /v1/subsidy/clawbacks":             listRule,
	"POST /v1/subsidy/clawbacks/:id/settle": financeRule,

	"POST /v1/tax/service-relief":       writeRule,
	"POST /v1/tax/utility-assets":       writeRule,
	"POST /v1/tax/records/:id/reversal": writeRule,

	"POST /v1/reconciliations":    writeRule,
	"GET /v1/reconciliations":     listRule,
	"GET /v1/reconciliations/:id": readRule,

	"POST /v1/bank-accounts":                              writeRule,
	"GET /v1/bank-accounts":                               listRule,
	"POST /v1/reconciliations/:id/matches":                writeRule,
	"DELETE /v1/reconciliations/:id/matches/:match":       writeRule,
	"GET /v1/reconciliations/:id/balance-statement":       readRule,
	"POST /v1/reconciliations/:id/balance-statement/sign": writeRule,
	// finance reviews what a district signed.
	"POST /v1/reconciliations/:id/balance-statement/review": financeRule,

	"GET /v1/exports/trail":          listRule,
	"GET /v1/trace/expenditures/:id": readRule,
	"GET /v1/trace/funds/:code":      readRule,

	"POST /v1/periods/:period/close":          financeRule,
	"POST /v1/periods/:period/close/confirm":  financeRule,
	"POST /v1/periods/:period/reopen":         adminRule,
	"POST /v1/periods/:period/reopen/confirm": financeRule,
	"GET /v1/periods":                         everyoneRule,
	"GET /v1/reports/carry-forward":           listRule,

	"GET /v1/audit/exceptions":              listRule,
	"GET /v1/audit/exceptions/:id":          readRule,
	"POST /v1/audit/exceptions/:id/reviews": {admin: deny, finance: allow, auditor: allow, own: deny, other: deny},
	"GET /v1/audit/events":                  {admin: allow, finance: deny, auditor: allow, own: deny, other: deny},
	"GET /v1/audit/verify":                  {admin: deny, finance: allow, auditor: allow, own: deny, other: deny},

	// A month's bulletin is the city's: a district reads its rows of it.
	"GET /v1/bulletins":         listRule,
	"GET /v1/bulletins/:month":  listRule,
	"POST /v1/bulletins/:month": financeRule,
}

// world is an env with, for each district, one object of every kind a path
// parameter can name, so that every route can be called on an object of
// either district.
type world struct {
	*env
	// obj maps the path segment before a parameter to the objects it can
	// name, each as [HZ's, LY's]: every variant is tried.
	obj map[string][][2]string
	ids worldIDs
}

var bothSides = [2]string{"HZ", "LY"}

func sideIndex(side string) int {
	if side == "LY" {
		return 1
	}
	return 0
}

// newWorld sets up the objects (as the finance bureau, except each
// district's own expenditure): setupMoney's funds and, for each district, a
// household-receipts fund, an allocation, an expenditure, a draft allocation
// plan, a property manager, a rating, a district-held subsidy scheme with a
// draft run, and a stored reconciliation.
func newWorld(t testing.TB, e *env) *world {
	t.Helper()
	w := &world{env: e.forT(t), obj: map[string][][2]string{}}
	cityReceipt := setupMoney(w.env)
	var alloc, spend, plan, run, recon, match, filed, tax, contract, clawback, attachment [2]string
	for i, d := range bothSides {
		w.ids.payees[i] = w.Must("finance", "POST", "/v1/payees", payeeBody(d), 201)["id"].(string)
		contract[i] = w.Must("finance", "POST", "/v1/projects/"+d+"-001/contracts", w.ids.contractBody(i, "2026-01-10"), 201)["id"].(string)
		w.ids.contracts[i] = contract[i]
		att := w.ids.attachmentBody(d, 0)
		ar := w.Do("finance", "POST", "/v1/attachments", att.body, "Content-Type", att.contentType)
		if ar.Status != 201 {
			t.Fatalf("attachment for %s: %d %s", d, ar.Status, ar.Body)
		}
		attachment[i] = ar.JSON(t)["id"].(string)
		w.Fund(d+"R", "resident_contribution", "project:"+d+"-001", "basic")
		alloc[i] = w.Must("finance", "POST", "/v1/allocations", map[string]any{"fund": d + "F", "from": "district:" + d,
			"to": "project:" + d + "-001", "amount": "100.00", "allocated_on": "2026-03-02"}, 201)["id"].(string)
		spend[i] = w.Must(strings.ToLower(d), "POST", "/v1/expenditures", expenditure(d+"-001", "basic", "5.00"), 201)["id"].(string)
		// Computed by a second finance person, so that the bureau's token
		// and the district may execute it (four eyes).
		plan[i] = w.Must("reviewer", "POST", "/v1/allocation-plans", planBody(d), 201)["id"].(string)
		forced := expenditure(d+"-001", "upgrade", "1.00")
		forced["funding"], forced["force_reason"] = []map[string]any{{"fund": d + "F", "amount": "1.00"}}, "应急抢修"
		filed[i] = w.Must("reviewer", "POST", "/v1/expenditures", forced, 202)["id"].(string)
		w.Must("finance", "PUT", "/v1/projects/"+d+"-001/property-manager", managerBody("物业 "+d), 200)
		w.Must("finance", "POST", "/v1/subsidy/ratings", map[string]any{"project": d + "-001", "period": "2026-01", "score": "90"}, 201)
		w.Must("finance", "POST", "/v1/subsidy/schemes", schemeBody("S"+d, d), 201)
		// Drafted by a second finance person, so that the bureau's token may
		// approve it (four eyes).
		run[i] = w.Must("reviewer", "POST", "/v1/subsidy/runs", map[string]any{"scheme": "S" + d, "period": "2026-01"}, 201)["id"].(string)
		clawback[i] = w.clawback(d)
		r := w.Do("finance", "POST", "/v1/reconciliations?district="+d, worldStatement, "Content-Type", "text/csv")
		if r.Status != 201 {
			t.Fatalf("reconciliation for %s: %d %s", d, r.Status, r.Body)
		}
		recon[i] = r.JSON(t)["id"].(string)
		if m := r.JSON(t)["matched"].([]any); len(m) != 1 {
			t.Fatalf("reconciliation for %s matched %d lines, want the payment: %s", d, len(m), r.Body)
		} else {
			match[i] = m[0].(map[string]any)["match"].(string)
		}
		tax[i] = w.Must("finance", "POST", "/v1/tax/service-relief", reliefBody(d), 201)["id"].(string)
	}
	w.obj["projects"] = [][2]string{{"HZ-001", "LY-001"}}
	// A fund held by the district, a household-receipts fund held by its
	// project, and the city's fund (with money in both districts).
	w.obj["funds"] = [][2]string{{"HZF", "LYF"}, {"HZR", "LYR"}, {"CG", "CG"}}
	// An allocation inside the district, an expenditure the district made,
	// and the city's receipt.
	w.obj["transfers"] = [][2]string{alloc, spend, {cityReceipt, cityReceipt}}
	w.obj["expenditures"] = [][2]string{spend}
	w.obj["allocation-plans"] = [][2]string{plan}
	w.obj["schemes"] = [][2]string{{"SHZ", "SLY"}}
	w.obj["runs"] = [][2]string{run}
	w.obj["clawbacks"] = [][2]string{clawback}
	w.obj["reconciliations"] = [][2]string{recon}
	w.obj["matches"] = [][2]string{match}
	w.obj["payment-requests"] = [][2]string{filed}
	w.obj["records"] = [][2]string{tax}
	w.obj["contracts"] = [][2]string{contract}
	w.obj["attachments"] = [][2]string{attachment}
	// A plan year's targets are the city's.
	w.obj["targets"] = [][2]string{{"2026", "2026"}}
	// A spare token of each district, for the revocation route.
	var spare [2]string
	for i, d := range bothSides {
		_, tok, err := e.Tokens.Issue(context.Background(), access.District, d, "spare-"+d, 0)
		if err != nil {
			t.Fatal(err)
		}
		spare[i] = tok.ID
	}
	w.obj["tokens"] = [][2]string{spare}
	// A month of the year before, its close asked for by a second finance
	// person, so that the bureau's own token may confirm it (four eyes).
	e.Issue("finance2", access.Finance, "")
	e.Must("finance2", "POST", "/v1/periods/2025-01/close", nil, 202)
	w.obj["periods"] = [][2]string{{"2025-01", "2025-01"}}
	// Each district's late entry: the world is booked months before it is recorded.
	var late [2]string
	for i, d := range bothSides {
		items, _ := w.Must("finance", "GET", "/v1/audit/exceptions?kind=late_entry&district="+d, nil, 200)["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("late entries of %s: %v", d, items)
		}
		late[i] = items[0].(map[string]any)["id"].(string)
	}
	w.obj["exceptions"] = [][2]string{late}
	// March's bulletin, stored: drafting it again is 409 bulletin_exists.
	e.Must("finance", "POST", "/v1/bulletins/2026-03", nil, 201)
	w.obj["bulletins"] = [][2]string{{"2026-03", "2026-03"}}
	return w
}

// worldIDs are the payees and contracts a world registered for HZ and LY,
// which the contract bodies name as payee and the attachment bodies as their
// subject. Each world has its own, so that worlds on both engines can be
// built and used at once; the zero value gives bodies that decode but name
// no stored payee or contract.
type worldIDs struct {
	payees, contracts [2]string
}

// attachmentBody is a multipart form attaching a small invoice to district
// d's contract; n makes its content unique.
func (ids worldIDs) attachmentBody(d string, n int) rawBody {
	const boundary = "renofund-evidence"
	body := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"subject\"\r\n\r\ncontract:" +
		ids.contracts[sideIndex(d)] + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\ninvoice\r\n--" +
		boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"发票,2026.pdf\"\r\n" +
		"Content-Type: application/pdf\r\n\r\n%PDF-1.4 发票 " + fmt.Sprintf("%s %d", d, n) + "\r\n--" + boundary + "--\r\n"
	return rawBody{contentType: "multipart/form-data; boundary=" + boundary, body: body}
}

// contractBody is a contract with the world's payee of side.
func (ids worldIDs) contractBody(side int, signed string) map[string]any {
	return apitest.ContractBody(ids.payees[side], signed)
}

// clawback pays district d's project for 2026-02, corrects its rating below
// every band and pays the next run: the id of the clawback request it makes.
func (w *world) clawback(d string) string {
	rate := func(score string) {
		w.Must("finance", "POST", "/v1/subsidy/ratings", map[string]any{"project": d + "-001", "period": "2026-02", "score": score}, 201)
	}
	pay := func() string {
		id := w.Must("reviewer", "POST", "/v1/subsidy/runs", map[string]any{"scheme": "S" + d, "period": "2026-02"}, 201)["id"].(string)
		w.Must("finance", "POST", "/v1/subsidy/runs/"+id+"/approve", nil, 200)
		return id
	}
	rate("90")
	pay()
	rate("10")
	return pay() + ".1"
}

// worldStatement is each district's statement in the world: a bank layout
// with a running balance, whose payment matches the district's 5.00.
const worldStatement = "交易日期,摘要,收入金额,支出金额,余额\n2026-03-01,拨款,1.00,,1.00\n2026-04-02,工程款,,5.00,-4.00\n"

// rawBody is a request body that is not JSON (a bank statement, a receipts file).
type rawBody struct {
	query, contentType string
	body               string
}

// validBody returns a valid body for a POST or PUT route acting on district
// side; n makes codes unique. ok is false for a route it does not know, so
// a new write route fails the tests until it is taught here.
func (ids worldIDs) validBody(key, side string, n int) (body any, ok bool) {
	d := side
	u := fmt.Sprintf("%s%d", d, n)
	switch key {
	case "POST /v1/districts":
		return map[string]any{"code": "N" + u, "name": "新区 " + u}, true
	case "POST /v1/projects":
		return project(d+"-N"+u, d), true
	case "POST /v1/funds":
		return fundBody(d+"-F"+u, "district_fiscal", "district:"+d, nil, "basic"), true
	case "POST /v1/tokens":
		return map[string]any{"role": "auditor", "name": "审计 " + u, "ttl": "24h"}, true
	case "POST /v1/tokens/:id/revoke":
		return nil, true
	case "POST /v1/funds/:code/receipts":
		return receiptBody("1.00"), true
	case "POST /v1/allocations":
		return map[string]any{"fund": d + "F", "from": "district:" + d, "to": "project:" + d + "-001", "amount": "1.00"}, true
	case "POST /v1/expenditures":
		return expenditure(d+"-001", "basic", "1.00"), true
	case "POST /v1/transfers/:id/reversal":
		return map[string]any{"reason": "录入错误"}, true
	case "POST /v1/batches":
		return map[string]any{"items": []map[string]any{receiptItem(d+"F", "1.00")}}, true
	case "POST /v1/allocation-plans":
		return planBody(d), true
	case "POST /v1/allocation-plans/:id/execute", "POST /v1/subsidy/runs/:id/approve", "POST /v1/subsidy/runs/:id/cancel",
		"POST /v1/periods/:period/close", "POST /v1/periods/:period/close/confirm", "POST /v1/periods/:period/reopen/confirm",
		"POST /v1/reconciliations/:id/balance-statement/sign", "POST /v1/reconciliations/:id/balance-statement/review":
		return nil, true
	case "POST /v1/payment-requests/:id/approve", "POST /v1/bulletins/:month":
		return nil, true
	case "POST /v1/subsidy/clawbacks/:id/settle":
		return map[string]any{"settled_on": time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly), "note": "已退回"}, true
	case "POST /v1/payment-requests/:id/reject":
		return map[string]any{"note": "依据不足"}, true
	case "POST /v1/periods/:period/reopen":
		return map[string]any{"reason": "补记漏记的利息收入"}, true
	case "POST /v1/audit/exceptions/:id/reviews":
		return map[string]any{"action": "explain", "note": "演示数据补录 " + u}, true
	case "PUT /v1/projects/:code/property-manager":
		return managerBody("物业 " + u), true
	case "POST /v1/subsidy/schemes":
		return schemeBody("S"+u, d), true
	case "POST /v1/subsidy/ratings":
		return map[string]any{"project": d + "-001", "period": "2026-02", "score": "88.5"}, true
	case "POST /v1/subsidy/runs":
		return map[string]any{"scheme": "S" + d, "period": "2026-02"}, true
	case "POST /v1/tax/service-relief":
		return reliefBody(d), true
	case "POST /v1/tax/utility-assets":
		return assetBody(d), true
	case "POST /v1/tax/records/:id/reversal":
		return map[string]any{"reason": "录入错误"}, true
	case "POST /v1/payees":
		return payeeBody(u), true
	case "POST /v1/projects/:code/contracts":
		return ids.contractBody(sideIndex(d), "2026-02-01"), true
	case "POST /v1/contracts/:id/acceptance":
		return map[string]any{"accepted_on": "2026-03-01", "result": "passed", "owner_reps": 1,
			"participants": []map[string]any{{"name": "业主 " + u, "role": "业主代表"}}}, true
	case "POST /v1/contracts/:id/settlement":
		return map[string]any{"amount": "90000.00", "review_ref": "评审 " + u, "settled_on": "2026-03-10"}, true
	case "POST /v1/projects/:code/close":
		return map[string]any{"closed_on": "2026-11-30", "document_no": "决算批复 " + u, "return_remainder": true}, true
	case "POST /v1/projects/:code/publish":
		return nil, true
	case "POST /v1/projects/:code/unpublish":
		return map[string]any{"reason": "误发 " + u}, true
	case "POST /v1/contracts/:id/retention-release":
		return map[string]any{"released_on": "2026-04-01"}, true
	case "PUT /v1/projects/:code":
		return projectEdit("小区 " + u), true
	case "POST /v1/projects/:code/status":
		return map[string]any{"status": "planned", "on": "2026-01-05", "document_no": "计划 " + u}, true
	case "PUT /v1/programme/targets/:year":
		return map[string]any{"communities": 10, "households": 1000, "floor_area_m2": "50000.5", "document_no": "目标 " + u}, true
	case "PUT /v1/projects/:code/funding-plan":
		return map[string]any{"lines": []map[string]any{{"kind": "central_grant", "amount": "100.00"}}, "document_no": "方案 " + u}, true
	case "PUT /v1/projects/:code/contribution-dues":
		return map[string]any{"per_household": "10.00", "households": []map[string]any{{"household": "1-1-1", "due": "12.00"}}}, true
	case "POST /v1/projects/:code/budget-amendments":
		return amendment(fmt.Sprintf("%d.00", 3000001+n), "500000.00"), true
	case "POST /v1/reconciliations":
		return rawBody{query: "?district=" + d, contentType: "text/csv", body: "date,amount,reference,counterparty\n2026-03-01,1.00,R" + u + ",江苏省财政厅\n"}, true
	case "POST /v1/bank-accounts":
		return map[string]any{"district": d, "bank": "工行 " + u, "account_no": fmt.Sprintf("62220200%06d", n+sideIndex(d)*500000), "name": "专户 " + u}, true
	case "POST /v1/reconciliations/:id/matches":
		return map[string]any{"bank_lines": []int{2}, "transfers": []string{"none"}, "reason": "核对 " + u}, true
	case "DELETE /v1/reconciliations/:id/matches/:match":
		return map[string]any{"reason": "撤销 " + u}, true
	case "POST /v1/attachments":
		return ids.attachmentBody(d, n), true
	case `POST /v1/funds/:code/receipts\:import`:
		return rawBody{contentType: "text/csv", body: receiptsCSV}, true
	}
	return nil, false
}

// variants says in how many ways route ri is called: once per object its
// parameter can name, and for a route that offers ?format=csv once more per
// object in CSV.
func (w *world) variants(ri apitest.RouteInfo) int {
	n := w.objVariants(ri)
	if ri.Method == http.MethodGet && slices.Contains(ri.Query, "format") {
		n *= 2
	}
	return n
}

func (w *world) objVariants(ri apitest.RouteInfo) int {
	n := 1
	segs := strings.Split(ri.Path, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") {
			n = max(n, len(w.obj[segs[i-1]]))
		}
	}
	return n
}

// cityObject reports whether variant v of route ri names a city-level
// object (the same for both districts).
func (w *world) cityObject(ri apitest.RouteInfo, v int) bool {
	v %= w.objVariants(ri)
	segs := strings.Split(ri.Path, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") {
			objs := w.obj[segs[i-1]]
			if o := objs[min(v, len(objs)-1)]; o[0] == o[1] {
				return true
			}
		}
	}
	return false
}

// path fills the route's parameters with side's objects (variant v of each)
// and, for a route that takes ?district=, names side.
func (w *world) path(ri apitest.RouteInfo, side string, v int) (string, error) {
	nobj := w.objVariants(ri)
	csv := v >= nobj
	v %= nobj
	segs := strings.Split(ri.Path, "/")
	for i, s := range segs {
		if !strings.HasPrefix(s, ":") {
			continue
		}
		objs, ok := w.obj[segs[i-1]]
		if !ok {
			return "", fmt.Errorf("no object to put in %s of %s: add one to newWorld", s, ri.Path)
		}
		segs[i] = objs[min(v, len(objs)-1)][sideIndex(side)]
	}
	p := strings.ReplaceAll(strings.Join(segs, "/"), `\:`, ":") // gin escapes a literal colon
	var q []string
	if ri.Method == http.MethodGet && slices.Contains(ri.Query, "district") {
		q = append(q, "district="+side)
	}
	if csv {
		q = append(q, "format=csv")
	}
	if len(q) > 0 {
		p += "?" + strings.Join(q, "&")
	}
	return p, nil
}

// send calls route ri as who on side's objects (variant v) with its valid body.
func (w *world) send(who string, ri apitest.RouteInfo, side string, v, n int) (response, error) {
	p, err := w.path(ri, side, v)
	if err != nil {
		return response{}, err
	}
	key := ri.Method + " " + ri.Path
	var body any
	if ri.Method != http.MethodGet {
		b, ok := w.ids.validBody(key, side, n)
		if !ok {
			return response{}, fmt.Errorf("no valid body for %s: add one to validBody", key)
		}
		body = b
	}
	if rb, ok := body.(rawBody); ok {
		return w.Do(who, ri.Method, p+rb.query, rb.body, "Content-Type", rb.contentType), nil
	}
	return w.Do(who, ri.Method, p, body), nil
}

// leakMarkers are the strings that name district d's data.
func (w *world) leakMarkers(d string) []string {
	i := sideIndex(d)
	m := []string{d + "-001", "district:" + d, `"` + d + `"`, "," + d + ",", "," + d + "\n"}
	for _, kind := range []string{"transfers", "allocation-plans", "reconciliations", "attachments"} {
		for _, o := range w.obj[kind] {
			if o[0] != o[1] { // a city object is no district's
				m = append(m, o[i])
			}
		}
	}
	return m
}

var matrixTokens = []struct{ who, district string }{
	{"admin", ""}, {"finance", ""}, {"auditor", ""}, {"hz", "HZ"}, {"ly", "LY"},
}

func (r accessRule) expect(tokenDistrict, side, who string) verdict {
	switch who {
	case "admin":
		return r.admin
	case "finance":
		return r.finance
	case "auditor":
		return r.auditor
	}
	if tokenDistrict == side {
		return r.own
	}
	return r.other
}

// v1Routes returns the /v1 rows of the route table.
func v1Routes(e *env) []apitest.RouteInfo {
	var out []apitest.RouteInfo
	for _, ri := range apitest.RouteTable(e.Srv) {
		if strings.HasPrefix(ri.Path, "/v1/") {
			out = append(out, ri)
		}
	}
	return out
}

// TestAccessRulesCoverRouteTable: every /v1 route has a accessRule and every accessRule
// a route; every route outside /v1 is public and every /v1 route is not.
func TestAccessRulesCoverRouteTable(t *testing.T) {
	t.Parallel()
	e := newEnv(t, openSQLite(t))
	seen := map[string]bool{}
	for _, ri := range apitest.RouteTable(e.Srv) {
		key := ri.Method + " " + ri.Path
		if !strings.HasPrefix(ri.Path, "/v1/") {
			if ri.Roles != nil {
				t.Errorf("%s is outside /v1 but needs a token", key)
			}
			continue
		}
		seen[key] = true
		if ri.Roles == nil {
			t.Errorf("%s is public: every /v1 route needs a token", key)
		}
		if _, ok := accessRules[key]; !ok {
			t.Errorf("route %s has no access rule: add one to accessRules in matrix_test.go", key)
		}
		if ri.Method != http.MethodGet {
			if _, ok := (worldIDs{}).validBody(key, "HZ", 0); !ok {
				t.Errorf("write route %s has no valid body: add one to validBody in matrix_test.go", key)
			}
		}
	}
	for key := range accessRules {
		if !seen[key] {
			t.Errorf("access accessRule for %s names no route in the table: remove it", key)
		}
	}
}

// TestAccessMatrix runs every cell of the matrix on both engines.
func TestAccessMatrix(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		type cell struct {
			who, district, side string
			variant             int
			verdict             verdict
		}
		cells, n := 0, 0
		tally := map[string]int{}
		for _, ri := range v1Routes(e) {
			key := ri.Method + " " + ri.Path
			r, ok := accessRules[key]
			if !ok {
				continue // reported by TestAccessRulesCoverRouteTable
			}
			var cs []cell
			for _, tok := range matrixTokens {
				for _, side := range bothSides {
					for v := range w.variants(ri) {
						want := r.expect(tok.district, side, tok.who)
						if tok.district != "" && w.cityObject(ri, v) && want != deny {
							// The city's object is neither district's: a
							// district reads its own rotating of it at most,
							// and may not write it.
							want = scoped
							if ri.Method != http.MethodGet {
								want = hidden
							}
						}
						cs = append(cs, cell{tok.who, tok.district, side, v, want})
					}
				}
			}
			// Refusals first, on the objects as set up.
			sort.SliceStable(cs, func(i, j int) bool { return cs[i].verdict != allow && cs[j].verdict == allow })
			for _, c := range cs {
				cells++
				n++
				p, _ := w.path(ri, c.side, c.variant)
				name := fmt.Sprintf("%s %s as %s on %s's object (want %s)", ri.Method, p, c.who, c.side, c.verdict)
				write := ri.Method != http.MethodGet
				var before string
				if write && c.verdict != allow {
					before = w.counts()
				}
				resp, err := w.send(c.who, ri, c.side, c.variant, n)
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				var leaks []string
				if c.district != "" && !r.shared {
					other := "LY"
					if c.district == "LY" {
						other = "HZ"
					}
					leaks = w.leakMarkers(other)
				}
				tally[fmt.Sprintf("%s→%d", c.verdict, resp.Status)]++
				if problem := judgeCell(c.verdict, ri.Method, resp, leaks); problem != "" {
					t.Errorf("%s: %s: %.300s", name, problem, resp.Body)
				}
				if before != "" {
					if after := w.counts(); after != before {
						t.Errorf("%s was refused but wrote:\n before %s\n after  %s", name, before, after)
					}
				}
			}
		}
		t.Logf("%d matrix cells; verdict→status: %v", cells, tally)
		e.forT(t).checkBooks()
	})
}

// judgeCell says what is wrong with resp for a cell expecting w ("" if nothing).
func judgeCell(w verdict, method string, resp response, leaks []string) string {
	refused := (resp.Status == 403 && resp.Code() == "forbidden") || (resp.Status == 404 && resp.Code() == "not_found")
	// A refusal may echo what the caller asked for, but carries nothing
	// else; an answer must not name the other district's data.
	leak := func() string {
		if resp.Status >= 400 {
			var m map[string]json.RawMessage
			if err := json.Unmarshal(resp.Body, &m); err != nil || len(m) != 1 || m["error"] == nil {
				return "a refusal that is not a bare error object"
			}
			return ""
		}
		for _, m := range leaks {
			if m != "" && strings.Contains(string(resp.Body), m) {
				return "the answer names the other district's " + m
			}
		}
		return ""
	}
	switch w {
	case allow:
		if method == http.MethodGet && resp.Status != 200 {
			return fmt.Sprintf("status %d %q, want 200", resp.Status, resp.Code())
		}
		if ok := resp.Status/100 == 2 || resp.Status == 409 || resp.Status == 422; !ok {
			return fmt.Sprintf("status %d %q, want 2xx (or 409/422 after an earlier cell)", resp.Status, resp.Code())
		}
		return leak()
	case deny:
		if resp.Status != 403 || resp.Code() != "forbidden" {
			return fmt.Sprintf("status %d %q, want 403 forbidden", resp.Status, resp.Code())
		}
	case hidden:
		if !refused {
			return fmt.Sprintf("status %d %q, want 403 forbidden or 404 not_found", resp.Status, resp.Code())
		}
		return leak()
	case scoped:
		if resp.Status != 200 && !refused {
			return fmt.Sprintf("status %d %q, want 200 scoped to the caller, or 403/404", resp.Status, resp.Code())
		}
		return leak()
	}
	return ""
}

// countedTables are the tables a refused request must not change; tables
// that do not exist (yet) are skipped. audit_events is left out: it records
// refusals too, by design.
var countedTables = []string{
	"districts", "projects", "funds", "holdings", "transfers", "postings", "checkpoints", "voucher_counters",
	"idempotency_keys", "allocation_plans", "subsidy_schemes", "subsidy_ratings", "subsidy_property_managers",
	"subsidy_runs", "subsidy_run_lines", "tax_records", "reconciliations", "imports", "import_rows", "tokens",
	"bank_accounts", "recon_matches", "recon_unmatches", "balance_statements", "balance_statement_reviews",
	"bulletins",
	"attachments", "attachment_contents", "attachment_bindings",
	"project_publications",
}

// counts describes the state a refused request must leave alone: the row
// count of every table, the sum of all holdings, the last voucher numbers,
// and how many plans and runs have left the draft state.
func (e *env) counts() string {
	e.T.Helper()
	q := countQueries(e)
	rows, err := e.DB.G.Raw(q.sql).Rows()
	if err != nil {
		e.T.Fatalf("counts: %v", err)
	}
	defer rows.Close()
	names := q.names
	vals := make([]int64, len(names))
	ptrs := make([]any, len(names))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if !rows.Next() {
		e.T.Fatalf("counts: no row")
	}
	if err := rows.Scan(ptrs...); err != nil {
		e.T.Fatalf("counts: %v", err)
	}
	var b strings.Builder
	for i, v := range vals {
		fmt.Fprintf(&b, "%s=%d ", names[i], v)
	}
	return b.String()
}

type countQuery struct {
	sql   string
	names []string
}

var countQueryCache sync.Map // *store.DB → countQuery

// countQueries builds, once per database, the one query behind counts.
func countQueries(e *env) countQuery {
	if q, ok := countQueryCache.Load(e.DB); ok {
		return q.(countQuery)
	}
	var parts, names []string
	for _, tb := range countedTables {
		var n int64
		if err := e.DB.G.Raw("SELECT COUNT(*) FROM " + tb).Scan(&n).Error; err != nil {
			continue // no such table
		}
		parts = append(parts, "(SELECT COUNT(*) FROM "+tb+")")
		names = append(names, tb)
	}
	parts = append(parts, "(SELECT COALESCE(SUM(balance), 0) FROM holdings)", "(SELECT COALESCE(SUM(last_seq), 0) FROM voucher_counters)",
		"(SELECT COUNT(*) FROM allocation_plans WHERE status <> 'draft')", "(SELECT COUNT(*) FROM subsidy_runs WHERE status <> 'draft')",
		"(SELECT COUNT(*) FROM tokens WHERE revoked_at IS NOT NULL)")
	names = append(names, "balance", "vouchers", "plans_done", "runs_done", "revoked")
	q := countQuery{sql: "SELECT " + strings.Join(parts, ", "), names: names}
	countQueryCache.Store(e.DB, q)
	return q
}

// TestUnauthenticatedEveryRoute: every /v1 route answers 401 unauthenticated without a
// token, with a malformed or unknown one, with a revoked one and with an
// expired one, and writes nothing.
func TestUnauthenticatedEveryRoute(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		w := newWorld(t, e)
		ctx := context.Background()
		issue := func(name string, ttl time.Duration) string {
			secret, _, err := w.Srv.Tokens.Issue(ctx, access.Finance, "", name, ttl)
			if err != nil {
				t.Fatal(err)
			}
			return secret
		}
		revoked := issue("revoked", 0)
		cachedRevoked := issue("cached-revoked", 0)
		expired := issue("expired", time.Nanosecond)
		cachedExpired := issue("cached-expired", time.Second)
		// Used once (and so cached by the token check) before it ends.
		for _, s := range []string{cachedRevoked, cachedExpired} {
			w.Tok["probe"] = s
			w.Must("probe", "GET", "/v1/districts", nil, 200)
		}
		for _, name := range []string{"revoked", "cached-revoked"} {
			if n, err := w.Srv.Tokens.Revoke(ctx, name); err != nil || n != 1 {
				t.Fatalf("revoke %s: %d, %v", name, n, err)
			}
		}
		time.Sleep(1100 * time.Millisecond)
		valid := w.Tok["finance"]
		headers := []struct{ name, value string }{
			{"no header", ""},
			{"empty bearer", "Bearer "},
			{"basic scheme", "Basic " + valid},
			{"scheme without a space", "Bearer" + valid},
			{"scheme only", "Bearer"},
			{"unknown token", "Bearer rf_" + strings.Repeat("A", 43)},
			{"no prefix", "Bearer " + strings.TrimPrefix(valid, "rf_")},
			{"token with a changed last character", "Bearer " + valid[:len(valid)-1] + flipChar(valid[len(valid)-1])},
			{"token too long", "Bearer " + valid + strings.Repeat("x", 200)},
			{"the token's hash", "Bearer " + hashHex(valid)},
			{"revoked", "Bearer " + revoked},
			{"revoked after use", "Bearer " + cachedRevoked},
			{"expired", "Bearer " + expired},
			{"expired after use", "Bearer " + cachedExpired},
		}
		before := w.counts()
		n := 0
		for _, ri := range v1Routes(e) {
			p, err := w.path(ri, "HZ", 0)
			if err != nil {
				t.Error(err)
				continue
			}
			var body any
			if ri.Method != http.MethodGet {
				body, _ = w.ids.validBody(ri.Method+" "+ri.Path, "HZ", 0)
				if rb, ok := body.(rawBody); ok {
					p, body = p+rb.query, rb.body
				}
			}
			for _, h := range headers {
				n++
				args := []string{}
				if h.value != "" {
					args = append(args, "Authorization", h.value)
				}
				r := w.Do("", ri.Method, p, body, args...)
				if r.Status != 401 || r.Code() != "unauthenticated" {
					t.Errorf("%s %s with %s: %d %q, want 401 unauthenticated", ri.Method, ri.Path, h.name, r.Status, r.Code())
				}
			}
		}
		if after := w.counts(); after != before {
			t.Errorf("unauthenticated requests wrote:\n before %s\n after  %s", before, after)
		}
		t.Logf("%d unauthenticated requests", n)
	})
}

func flipChar(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

// TestRateLimit: with Deps.RateLimit = 5 per second (bursts of 20) a token
// that sends faster is answered 429 rate_limited with Retry-After, while
// another token is still served.
func TestRateLimit(t *testing.T) {
	e := newEnv(t, openSQLite(t))
	d := e.Srv.Deps
	d.RateLimit = 5
	limited := httpapi.New(d)
	t.Cleanup(limited.Close)
	le := *e
	le.Srv = limited
	for i := range 20 {
		if r := le.Do("hz", "GET", "/v1/districts", nil); r.Status != 200 {
			t.Fatalf("request %d of the burst: %d %s", i+1, r.Status, r.Body)
		}
	}
	// drain sends reads until one is refused (refill at 5/s is far slower
	// than these requests) and returns the refusal.
	drain := func() response {
		for range 200 {
			if r := le.Do("hz", "GET", "/v1/districts", nil); r.Status != 200 {
				return r
			}
		}
		t.Fatalf("220 requests at once were all served")
		return response{}
	}
	limitedResp := drain()
	if limitedResp.Status != 429 || limitedResp.Code() != "rate_limited" {
		t.Errorf("over the limit: %d %q, want 429 rate_limited", limitedResp.Status, limitedResp.Code())
	}
	if ra := limitedResp.Header.Get("Retry-After"); ra == "" {
		t.Errorf("429 without Retry-After")
	}
	// A write over the limit is refused and writes nothing. (Right after a
	// refusal the bucket holds less than one request; should a slow machine
	// let it refill in between, drain again.)
	refusedWrite := false
	for range 5 {
		before := le.counts()
		r := le.Do("hz", "POST", "/v1/expenditures", expenditure("HZ-001", "basic", "1.00"))
		if r.Status == 429 {
			refusedWrite = true
			if after := le.counts(); after != before {
				t.Errorf("a rate-limited write wrote:\n before %s\n after  %s", before, after)
			}
			break
		}
		drain()
	}
	if !refusedWrite {
		t.Errorf("a write right after a 429 was served, five times over")
	}
	if r := le.Do("ly", "GET", "/v1/districts", nil); r.Status != 200 {
		t.Errorf("another token: %d, want 200", r.Status)
	}
	// Without a token the limiter is never reached: 401, not 429.
	if r := le.Do("", "GET", "/v1/districts", nil); r.Status != 401 {
		t.Errorf("no token: %d, want 401", r.Status)
	}
	// The limit refills: after a second the token is served again.
	time.Sleep(1100 * time.Millisecond)
	if r := le.Do("hz", "GET", "/v1/districts", nil); r.Status != 200 {
		t.Errorf("after a second: %d, want 200", r.Status)
	}
	// The unlimited server is not affected.
	if r := e.Do("hz", "GET", "/v1/districts", nil); r.Status != 200 {
		t.Errorf("default server: %d", r.Status)
	}
}

// openSQLite opens a fresh embedded database, for tests that need one
// engine only.
func openSQLite(t testing.TB) *store.DB {
	t.Helper()
	return storetest.Open(t, store.SQLite)
}
