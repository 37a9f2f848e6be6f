package httpapi_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// For a district, another district's objects do not exist: a request that
// names one is answered exactly as one that names an object nobody has
// made. Each case below is sent by district HZ twice with the same bytes:
// before district LY's object exists, and after LY has made it (with money
// in it). The two answers must be equal to the byte, apart from the request
// id, and neither may write anything.

var requestIDField = regexp.MustCompile(`,?"request_id":"[^"]*"`)

// answer is a response reduced to what a client can compare.
func answer(r response) string {
	return strconv.Itoa(r.Status) + " " + requestIDField.ReplaceAllString(string(r.Body), "")
}

type hiddenCase struct {
	name, method, path string
	body               any
	status             int      // what both answers must be
	headers            []string // name, value, …
}

func TestAnotherDistrictsObjectsDoNotExist(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		// HZ's own money, which the requests below could otherwise move.
		e.Fund("HZ-F", "district_fiscal", "district:HZ", "basic")
		e.Receive("HZ-F", "1000.00")
		e.Allocate("HZ-F", "district:HZ", "project:HZ-001", "500.00")

		cases := []hiddenCase{
			{"property manager of its project", "PUT", "/v1/projects/LY-002/property-manager", managerBody("物业"), 404, nil},
			{"read its project", "GET", "/v1/projects/LY-002", nil, 404, nil},
			{"its project's funding", "GET", "/v1/projects/LY-002/funding", nil, 404, nil},
			{"its project's tax expenditure", "GET", "/v1/projects/LY-002/tax-expenditure", nil, 404, nil},
			{"transfers of its project", "GET", "/v1/transfers?project=LY-002", nil, 404, nil},
			{"read its fund", "GET", "/v1/funds/LY-F2", nil, 404, nil},
			{"trace its fund", "GET", "/v1/trace/funds/LY-F2", nil, 404, nil},
			{"receipt into its fund", "POST", "/v1/funds/LY-F2/receipts", receiptBody("10.00"), 404, nil},
			{"receipt into its project's fund", "POST", "/v1/funds/LY-R2/receipts", receiptBody("10.00"), 404, nil},
			{"import receipts into its project's fund", "POST", `/v1/funds/LY-R2/receipts:import`, receiptsCSV, 404,
				[]string{"Content-Type", "text/csv"}},
			{"pay from its fund", "POST", "/v1/expenditures",
				withField(expenditure("HZ-001", "basic", "10.00"), "funding", []map[string]any{{"fund": "LY-F2", "amount": "10.00"}}), 404, nil},
			{"pay partly from its fund", "POST", "/v1/expenditures",
				withField(expenditure("HZ-001", "basic", "20.00"), "funding", []map[string]any{
					{"fund": "HZ-F", "amount": "10.00"}, {"fund": "LY-F2", "amount": "10.00"}}), 404, nil},
			{"allocate to its project", "POST", "/v1/allocations",
				map[string]any{"fund": "HZ-F", "from": "district:HZ", "to": "project:LY-002", "amount": "10.00", "allocated_on": "2026-03-02"}, 404, nil},
			{"allocate its fund", "POST", "/v1/allocations",
				map[string]any{"fund": "LY-F2", "from": "district:HZ", "to": "project:HZ-001", "amount": "10.00", "allocated_on": "2026-03-02"}, 404, nil},
			{"a project with its code", "POST", "/v1/projects", project("LY-002", "HZ"), 400, nil},
			{"a fund with its fund's code", "POST", "/v1/funds", fundBody("LY-F2", "district_fiscal", "district:HZ", nil, "basic"), 400, nil},
			{"a fund held by its project", "POST", "/v1/funds", fundBody("HZ-F9", "district_fiscal", "project:LY-002", nil, "basic"), 404, nil},
			{"rate its project", "POST", "/v1/subsidy/ratings", map[string]any{"project": "LY-002", "period": "2026-02", "score": "90"}, 404, nil},
			{"tax relief on its project", "POST", "/v1/tax/service-relief", withField(reliefBody("LY"), "project", "LY-002"), 404, nil},
			{"utility asset on its project", "POST", "/v1/tax/utility-assets", withField(assetBody("LY"), "project", "LY-002"), 404, nil},
			{"a plan of its fund", "POST", "/v1/allocation-plans", withField(planBody("HZ"), "fund", "LY-F2"), 404, nil},
			{"a batch into its fund", "POST", "/v1/batches", map[string]any{"items": []map[string]any{receiptItem("LY-F2", "1.00")}}, 404, nil},
			{"a batch paying from its fund", "POST", "/v1/batches", map[string]any{"items": []map[string]any{
				withField(withField(expenditure("HZ-001", "basic", "1.00"), "type", "expenditure"), "funding",
					[]map[string]any{{"fund": "LY-F2", "amount": "1.00"}})}}, 404, nil},
		}
		before := make([]string, len(cases))
		for i, c := range cases {
			before[i] = answer(e.refuse(t, "hz", c.method, c.path, c.body, c.status,
				map[int]string{400: "invalid_request", 404: "not_found"}[c.status], c.headers...))
		}

		// LY makes the objects and puts money in them.
		e.Must("finance", "POST", "/v1/projects", project("LY-002", "LY"), 201)
		e.Fund("LY-F2", "district_fiscal", "district:LY", "basic")
		e.Receive("LY-F2", "800.00")
		e.Fund("LY-R2", "resident_contribution", "project:LY-002", "basic")
		e.Receive("LY-R2", "50.00")
		e.Allocate("LY-F2", "district:LY", "project:LY-002", "300.00")
		e.Must("finance", "PUT", "/v1/projects/LY-002/property-manager", managerBody("连云物业"), 200)

		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				after := answer(e.refuse(t, "hz", c.method, c.path, c.body, c.status,
					map[int]string{400: "invalid_request", 404: "not_found"}[c.status], c.headers...))
				if after != before[i] {
					t.Errorf("%s %s tells the objects apart:\n before: %s\n after:  %s", c.method, c.path, before[i], after)
				}
				if c.status != 400 && strings.Contains(after, "LY\"") {
					t.Errorf("the answer names district LY: %s", after)
				}
			})
		}
		e.checkBooks()
	})
}

// TestAnotherDistrictsIDs compares, for routes that name an object by a
// generated id, the answer for another district's object with the answer for
// an id nobody issued; the id itself is the only difference.
func TestAnotherDistrictsIDs(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		setupMoney(e)
		lyAlloc := e.Must("finance", "POST", "/v1/allocations", map[string]any{"fund": "LYF", "from": "district:LY",
			"to": "project:LY-001", "amount": "100.00", "allocated_on": "2026-03-02"}, 201)["id"].(string)
		lySpend := e.Must("ly", "POST", "/v1/expenditures", expenditure("LY-001", "basic", "5.00"), 201)["id"].(string)
		lyPlan := e.Must("finance", "POST", "/v1/allocation-plans", planBody("LY"), 201)["id"].(string)
		const unknown = "01a00000-0000-7000-8000-000000000000"
		cases := []struct {
			name, method, path string
			body               any
		}{
			{"reverse its allocation", "POST", "/v1/transfers/%s/reversal", map[string]any{"reason": "录入错误"}},
			{"read its transfer", "GET", "/v1/transfers/%s", nil},
			{"trace its payment", "GET", "/v1/trace/expenditures/%s", nil},
			{"execute its plan", "POST", "/v1/allocation-plans/%s/execute", nil},
			{"read its plan", "GET", "/v1/allocation-plans/%s", nil},
		}
		ids := map[string]string{"reverse its allocation": lyAlloc, "read its transfer": lyAlloc,
			"trace its payment": lySpend, "execute its plan": lyPlan, "read its plan": lyPlan}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				id := ids[c.name]
				theirs := answer(e.refuse(t, "hz", c.method, strings.Replace(c.path, "%s", id, 1), c.body, 404, "not_found"))
				missing := answer(e.refuse(t, "hz", c.method, strings.Replace(c.path, "%s", unknown, 1), c.body, 404, "not_found"))
				if strings.ReplaceAll(theirs, id, unknown) != missing {
					t.Errorf("another district's object and a missing one differ:\n theirs:  %s\n missing: %s", theirs, missing)
				}
			})
		}
	})
}
