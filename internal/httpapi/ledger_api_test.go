package httpapi_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

func TestWalkthrough(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.Fund("CG", "central_grant", "city", "basic")
		e.Receive("CG", "1000000.00")
		e.Allocate("CG", "city", "district:HZ", "600000")
		e.Allocate("CG", "district:HZ", "project:HZ-001", "500000.5")
		spent := e.Must("hz", "POST", "/v1/expenditures", expenditure("HZ-001", "basic", "250000.25"), 201)
		if spent["voucher_no"] != "2026-00000004" {
			t.Errorf("voucher_no = %v, want 2026-00000004", spent["voucher_no"])
		}
		f := e.Must("hz", "GET", "/v1/projects/HZ-001/funding", nil, 200)
		tot := f["totals"].(map[string]any)
		if tot["received"] != "500000.50" || tot["spent"] != "250000.25" || tot["available"] != "250000.25" {
			t.Errorf("totals = %v", tot)
		}
		fv := e.Must("finance", "GET", "/v1/funds/CG", nil, 200)
		ft := fv["totals"].(map[string]any)
		if ft["received"] != "1000000.00" || ft["spent"] != "250000.25" || ft["available"] != "749999.75" {
			t.Errorf("fund totals = %v", ft)
		}
		e.checkBooks()
	})
}

// TestConcurrentExpenditures is the acceptance test: 64 goroutines try 20
// expenditures each against a project holding exactly enough for 300.
func TestConcurrentExpenditures(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.Fund("CG", "central_grant", "city", "basic", "improvement")
		e.Receive("CG", "3000.00")
		e.Allocate("CG", "city", "project:HZ-001", "3000.00")
		var ok, refused, other atomic.Int64
		var wg sync.WaitGroup
		for g := range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 20 {
					body := expenditure("HZ-001", "basic", "10.00")
					if i%2 == 1 {
						body["funding"] = []map[string]any{{"fund": "CG", "amount": "10.00"}}
					}
					r := e.Do("hz", "POST", "/v1/expenditures", body, "Idempotency-Key", fmt.Sprintf("g%d-%d", g, i))
					switch {
					case r.Status == 201:
						ok.Add(1)
					case r.Status == 422 && r.Code() == "insufficient_funds":
						refused.Add(1)
					default:
						other.Add(1)
						t.Errorf("unexpected %d: %s", r.Status, r.Body)
					}
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 300 || refused.Load() != 980 || other.Load() != 0 {
			t.Errorf("succeeded %d, refused %d, other %d; want 300, 980, 0", ok.Load(), refused.Load(), other.Load())
		}
		if got := e.Balance("CG", "project:HZ-001"); got != "0.00" {
			t.Errorf("project holds %s, want 0.00", got)
		}
		e.checkBooks()
	})
}

// TestSubsidyPaymentNotReversible: a paid subsidy line is corrected by a
// corrected rating and the next run, never by reversing the payment behind
// the run's back.
func TestSubsidyPaymentNotReversible(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.Fund("WY", "city_fiscal", "city", "improvement")
		e.Receive("WY", "100000.00")
		e.Must("finance", "PUT", "/v1/projects/HZ-001/property-manager",
			map[string]any{"name": "物业公司", "credit_code": payeeCode, "bank_account": "1"}, 200)
		e.Must("hz", "POST", "/v1/subsidy/ratings", map[string]any{"project": "HZ-001", "period": "2026-Q2", "score": 95}, 201)
		e.Must("finance", "POST", "/v1/subsidy/schemes", map[string]any{"code": "S", "name": "物业补贴", "fund": "WY",
			"basis": "per_household_month", "rate": "8.33", "period": "quarter", "valid_from": "2026-01-01",
			"bands": []map[string]any{{"min_score": 90, "ratio": "1"}}}, 201)
		run := e.Must("finance", "POST", "/v1/subsidy/runs", map[string]any{"scheme": "S", "period": "2026-Q2"}, 201)
		e.Must("reviewer", "POST", "/v1/subsidy/runs/"+run["id"].(string)+"/approve", nil, 200)
		var id string
		e.DB.G.Raw("SELECT id FROM transfers WHERE type = 'subsidy_payment'").Scan(&id)
		before := e.snapshot()
		r := e.Do("finance", "POST", "/v1/transfers/"+id+"/reversal", map[string]any{"reason": "错付"})
		if r.Status != 409 || r.Code() != "conflict" {
			t.Errorf("reversing a subsidy payment: %d %s", r.Status, r.Body)
		}
		if e.snapshot() != before {
			t.Error("refused reversal wrote")
		}
		e.checkBooks()
	})
}
