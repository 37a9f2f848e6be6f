package httpapi_test

import (
	"bytes"
	"testing"
)

// TestOtherDistrict: a district token may neither move nor see another
// district's money. Writes are refused (403, or 404 when the object is not
// even visible) and write nothing; reads answer 404 or 403, never the object.
func TestOtherDistrict(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		setupMoney(e)
		// Transfers that belong to LY: an allocation into LY-001, an LY expenditure.
		lyAlloc := e.Must("finance", "POST", "/v1/allocations", map[string]any{"fund": "LYF", "from": "district:LY", "to": "project:LY-001", "amount": "100.00", "allocated_on": "2026-03-02"}, 201)["id"].(string)
		lySpend := e.Must("ly", "POST", "/v1/expenditures", expenditure("LY-001", "basic", "10.00"), 201)["id"].(string)
		e.Fund("LYP", "district_fiscal", "project:LY-001", "basic")

		writes := []struct {
			name, path string
			body       any
		}{
			{"spend from another district's project", "/v1/expenditures", expenditure("LY-001", "basic", "1.00")},
			{"spend from another district's project with explicit funding", "/v1/expenditures",
				withField(expenditure("LY-001", "basic", "1.00"), "funding", []map[string]any{{"fund": "LYF", "amount": "1.00"}})},
			{"allocate from another district", "/v1/allocations", map[string]any{"fund": "LYF", "from": "district:LY", "to": "project:LY-001", "amount": "1.00", "allocated_on": "2026-03-02"}},
			{"allocate the city fund from another district", "/v1/allocations", map[string]any{"fund": "CG", "from": "city", "to": "project:LY-001", "amount": "1.00", "allocated_on": "2026-03-02"}},
			{"receive into a fund held by another district", "/v1/funds/LYF/receipts", receiptBody("1.00")},
			{"receive into a fund held by another district's project", "/v1/funds/LYP/receipts", receiptBody("1.00")},
			{"reverse another district's allocation", "/v1/transfers/" + lyAlloc + "/reversal", map[string]any{"reason": "x"}},
			{"reverse another district's expenditure", "/v1/transfers/" + lySpend + "/reversal", map[string]any{"reason": "x"}},
			{"create a project in another district", "/v1/projects", project("LY-002", "LY")},
			{"create a fund held by another district", "/v1/funds", fundBody("X1", "district_fiscal", "district:LY", nil, "basic")},
		}
		for _, w := range writes {
			t.Run(w.name, func(t *testing.T) {
				te := e.forT(t)
				before := te.snapshot()
				r := te.Do("hz", "POST", w.path, w.body, "Idempotency-Key", "scope-"+w.name)
				if !(r.Status == 403 && r.Code() == "forbidden") && !(r.Status == 404 && r.Code() == "not_found") {
					t.Errorf("got %d %q, want 403 forbidden or 404 not_found: %s", r.Status, r.Code(), r.Body)
				}
				if after := te.snapshot(); after != before {
					t.Errorf("wrote: %+v → %+v", before, after)
				}
			})
		}

		reads := []struct {
			name, path string
			status     int
			code       string
		}{
			{"another district's project", "/v1/projects/LY-001", 404, "not_found"},
			{"another district's project funding", "/v1/projects/LY-001/funding", 404, "not_found"},
			{"another district's project list", "/v1/projects?district=LY", 403, "forbidden"},
			{"another district's transfers", "/v1/transfers?district=LY", 403, "forbidden"},
			{"another district's project transfers", "/v1/transfers?project=LY-001", 404, "not_found"},
			{"another district's transfer", "/v1/transfers/" + lySpend, 404, "not_found"},
			{"another district's allocation", "/v1/transfers/" + lyAlloc, 404, "not_found"},
			{"a fund held by another district", "/v1/funds/LYF", 404, "not_found"},
			{"a fund held by another district's project", "/v1/funds/LYP", 404, "not_found"},
		}
		for _, rd := range reads {
			t.Run(rd.name, func(t *testing.T) {
				r := e.forT(t).Do("hz", "GET", rd.path, nil)
				if r.Status != rd.status || r.Code() != rd.code {
					t.Errorf("GET %s: %d %q, want %d %q: %s", rd.path, r.Status, r.Code(), rd.status, rd.code, r.Body)
				}
				for _, leak := range []string{`"items"`, `"households"`, `"holdings"`, `"postings"`, `"totals"`} {
					if bytes.Contains(r.Body, []byte(leak)) {
						t.Errorf("GET %s leaks %s: %s", rd.path, leak, r.Body)
					}
				}
			})
		}

		t.Run("own projects only", func(t *testing.T) {
			te := e.forT(t)
			for _, path := range []string{"/v1/projects", "/v1/projects?district=HZ"} {
				l := te.Must("hz", "GET", path, nil, 200)
				items := l["items"].([]any)
				if len(items) != 1 || items[0].(map[string]any)["code"] != "HZ-001" {
					t.Errorf("GET %s as hz: %v", path, items)
				}
			}
		})
		t.Run("own transfers only", func(t *testing.T) {
			te := e.forT(t)
			mine := te.Must("hz", "GET", "/v1/transfers?limit=1000", nil, 200)["items"].([]any)
			all := te.Must("finance", "GET", "/v1/transfers?limit=1000", nil, 200)["items"].([]any)
			hzAll := te.Must("finance", "GET", "/v1/transfers?district=HZ&limit=1000", nil, 200)["items"].([]any)
			if len(mine) == 0 || len(mine) != len(hzAll) || len(mine) >= len(all) {
				t.Errorf("hz sees %d transfers; finance sees %d in HZ and %d in all", len(mine), len(hzAll), len(all))
			}
			for _, it := range mine {
				m := it.(map[string]any)
				if m["district"] != "HZ" {
					t.Errorf("hz sees a transfer of district %v: %v", m["district"], m["id"])
				}
				for _, p := range m["postings"].([]any) {
					h := p.(map[string]any)["holder"].(string)
					if h == "district:LY" || h == "project:LY-001" {
						t.Errorf("hz sees a posting at %s in transfer %v", h, m["id"])
					}
				}
			}
			for _, q := range []string{"?fund=LYF", "?type=expenditure", "?fund=CG"} {
				for _, it := range te.Must("hz", "GET", "/v1/transfers"+q, nil, 200)["items"].([]any) {
					if d := it.(map[string]any)["district"]; d != "HZ" {
						t.Errorf("GET /v1/transfers%s as hz shows district %v", q, d)
					}
				}
			}
		})
		t.Run("city fund shows only own holdings", func(t *testing.T) {
			te := e.forT(t)
			fv := te.Must("hz", "GET", "/v1/funds/CG", nil, 200)
			for _, h := range fv["holdings"].([]any) {
				holder := h.(map[string]any)["holder"].(string)
				if holder != "district:HZ" && holder != "project:HZ-001" {
					t.Errorf("hz sees CG holding at %s", holder)
				}
			}
			if tot := fv["totals"].(map[string]any); tot["available"] != "50000.00" {
				t.Errorf("hz sees CG available %v, want its own 50000.00", tot["available"])
			}
		})
		t.Run("the other way round", func(t *testing.T) {
			te := e.forT(t)
			for _, path := range []string{"/v1/projects/HZ-001", "/v1/funds/HZF", "/v1/projects/HZ-001/funding"} {
				if r := te.Do("ly", "GET", path, nil); r.Status != 404 {
					t.Errorf("GET %s as ly: %d %s", path, r.Status, r.Body)
				}
			}
		})
		e.checkBooks()
	})
}

// TestDistrictCannotReverseCityAllocation: API.md lets a reversal be made by
// "who could make it". An allocation from the city to a district (or to one
// of its projects) can only be made by the finance bureau, so the receiving
// district must not be able to undo it and send the money back to the city.
func TestDistrictCannotReverseCityAllocation(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.Fund("CG", "central_grant", "city", "basic")
		e.Receive("CG", "1000.00")
		toDistrict := e.Must("finance", "POST", "/v1/allocations", map[string]any{"fund": "CG", "from": "city", "to": "district:HZ", "amount": "600.00", "allocated_on": "2026-03-02"}, 201)["id"].(string)
		toProject := e.Must("finance", "POST", "/v1/allocations", map[string]any{"fund": "CG", "from": "city", "to": "project:HZ-001", "amount": "100.00", "allocated_on": "2026-03-02"}, 201)["id"].(string)
		// hz could not have made these allocations itself.
		e.refuse(t, "hz", "POST", "/v1/allocations", map[string]any{"fund": "CG", "from": "city", "to": "district:HZ", "amount": "1.00", "allocated_on": "2026-03-02"}, 403, "forbidden")
		for _, id := range []string{toDistrict, toProject} {
			e.refuse(t, "hz", "POST", "/v1/transfers/"+id+"/reversal", map[string]any{"reason": "不要了"}, 403, "forbidden")
		}
		// The finance bureau may.
		third := e.Must("finance", "POST", "/v1/allocations", map[string]any{"fund": "CG", "from": "city", "to": "project:HZ-001", "amount": "50.00", "allocated_on": "2026-03-02"}, 201)["id"].(string)
		e.Must("finance", "POST", "/v1/transfers/"+third+"/reversal", map[string]any{"reason": "调整"}, 201)
		e.checkBooks()
	})
}

// TestDistrictFundTotals: a district's view of a city fund counts what
// reached the district from outside it, what it spent and what it holds, so
// that received − spent = available, as in the finance bureau's view. Moving
// money from district:HZ down to project:HZ-001 is not new money for HZ.
func TestDistrictFundTotals(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		setupMoney(e) // CG: 50000 to district:HZ, 20000 of it on to project:HZ-001
		e.Must("hz", "POST", "/v1/expenditures", expenditure("HZ-001", "basic", "1234.56"), 201)
		fv := e.Must("hz", "GET", "/v1/funds/CG", nil, 200)
		tot := fv["totals"].(map[string]any)
		if tot["received"] != "50000.00" || tot["spent"] != "1234.56" || tot["available"] != "48765.44" {
			t.Errorf("hz's totals of CG = %v, want received 50000.00, spent 1234.56, available 48765.44", tot)
		}
		rec, spent, avail := mustAmount(t, tot["received"]), mustAmount(t, tot["spent"]), mustAmount(t, tot["available"])
		if rec-spent != avail {
			t.Errorf("hz's view of CG: received %v − spent %v ≠ available %v", tot["received"], tot["spent"], tot["available"])
		}
	})
}
