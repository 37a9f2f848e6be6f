package httpapi_test

import (
	"sync"
	"testing"
)

// TestProvidentCapOnEveryPath: a provident-fund withdrawal above the
// household's share of the work is refused alike whether it comes alone, in
// a batch or in an imported file, and nothing is written; concurrent
// withdrawals for one household stop exactly at the cap.
func TestProvidentCapOnEveryPath(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		// HZ-001: budget 4,700,000.00 over 320 households: 14,687.50 each.
		e.Fund("PF", "provident_fund", "project:HZ-001", "basic")
		withdrawal := func(household, amount string) map[string]any {
			return map[string]any{"amount": amount, "received_on": "2026-03-01", "household": household,
				"payer": map[string]any{"name": "住房公积金管理中心"}}
		}
		e.Must("hz", "POST", "/v1/funds/PF/receipts", withdrawal("H1", "10000.00"), 201)
		bad := withdrawal("H1", "5000.00") // 15,000.00 in all

		e.refuse(t, "hz", "POST", "/v1/funds/PF/receipts", bad, 422, "over_household_share")
		batchItem := func(m map[string]any) map[string]any {
			return withField(withField(m, "type", "receipt"), "fund", "PF")
		}
		r := e.refuse(t, "hz", "POST", "/v1/batches", map[string]any{"items": []map[string]any{
			batchItem(withdrawal("H9", "1.00")), batchItem(bad)}}, 422, "over_household_share")
		if got := r.JSON(t)["error"].(map[string]any)["message"].(string); len(got) < 9 || got[:9] != "items[1]:" {
			t.Errorf("the batch refusal does not name items[1]: %s", got)
		}
		csv := "household,amount,received_on,payer_name\nH9,1.00,2026-03-01,住户九\nH1,5000.00,2026-03-01,住户一\n"
		r = e.refuse(t, "hz", "POST", `/v1/funds/PF/receipts:import`, csv, 400, "invalid_request", "Content-Type", "text/csv")
		rows := r.JSON(t)["error"].(map[string]any)["rows"].([]any)
		if len(rows) != 1 || rows[0].(map[string]any)["code"] != "over_household_share" || rows[0].(map[string]any)["line"] != float64(3) {
			t.Errorf("import refusal rows: %v", rows)
		}

		// Up to the share exactly is accepted; a given share replaces the default.
		e.Must("hz", "POST", "/v1/funds/PF/receipts", withdrawal("H1", "4687.50"), 201)
		e.refuse(t, "hz", "POST", "/v1/funds/PF/receipts", withdrawal("H1", "0.01"), 422, "over_household_share")
		e.Must("hz", "POST", "/v1/funds/PF/receipts", withField(withdrawal("H2", "20000.00"), "share", "20000.00"), 201)
		e.refuse(t, "hz", "POST", "/v1/funds/PF/receipts", withField(withdrawal("H2", "0.01"), "share", "20000.00"), 422, "over_household_share")
		e.refuse(t, "hz", "POST", "/v1/funds/PF/receipts", withField(withdrawal("H2", "1.00"), "household", ""), 400, "invalid_request")
		e.Fund("CG", "central_grant", "city", "basic")
		e.refuse(t, "finance", "POST", "/v1/funds/CG/receipts", withField(receiptBody("1.00"), "share", "1.00"), 400, "invalid_request")

		// Eight withdrawals of 2,000.00 at once: seven fit in 14,687.50.
		var wg sync.WaitGroup
		statuses := make([]int, 8)
		for i := range statuses {
			wg.Go(func() { statuses[i] = e.Do("hz", "POST", "/v1/funds/PF/receipts", withdrawal("H3", "2000.00")).Status })
		}
		wg.Wait()
		ok := 0
		for _, s := range statuses {
			if s == 201 {
				ok++
			} else if s != 422 {
				t.Errorf("a concurrent withdrawal answered %d", s)
			}
		}
		if ok != 7 {
			t.Errorf("%d of 8 concurrent withdrawals of 2,000.00 accepted, want 7: %v", ok, statuses)
		}
		if got := e.Balance("PF", "project:HZ-001"); got != "48687.50" {
			t.Errorf("PF holds %s, want 48687.50", got)
		}
		e.checkBooks()
	})
}
