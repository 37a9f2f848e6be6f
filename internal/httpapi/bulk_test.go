package httpapi_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"renofund/internal/money"
)

func TestBatchAllOrNone(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.Fund("CG", "central_grant", "city", "basic")
		e.Receive("CG", "100.00")
		before := e.snapshot()
		items := []map[string]any{
			receiptItem("CG", "50.00"),
			{"type": "allocation", "fund": "CG", "from": "city", "to": "project:HZ-001", "amount": "120.00", "allocated_on": "2026-03-02"},
			expenditure("HZ-001", "basic", "200.00"), // more than the project will hold
		}
		items[2]["type"] = "expenditure"
		r := e.Do("finance", "POST", "/v1/batches", map[string]any{"items": items})
		if r.Status != 422 || r.Code() != "insufficient_funds" {
			t.Fatalf("status %d code %s, want 422 insufficient_funds: %s", r.Status, r.Code(), r.Body)
		}
		if msg := string(r.Body); !contains(msg, "items[2]") {
			t.Errorf("error does not name the item: %s", msg)
		}
		if after := e.snapshot(); after != before {
			t.Errorf("refused batch wrote: before %+v after %+v", before, after)
		}
		// An invalid item is named too.
		bad := []map[string]any{receiptItem("CG", "1.00"), receiptItem("CG", "1.001")}
		r = e.Do("finance", "POST", "/v1/batches", map[string]any{"items": bad})
		if r.Status != 400 || r.Code() != "invalid_amount" {
			t.Fatalf("status %d code %s, want 400 invalid_amount", r.Status, r.Code())
		}
		// Automatic attribution sees earlier items of the same batch.
		items[2]["amount"] = "120.00"
		out := e.Must("finance", "POST", "/v1/batches", map[string]any{"items": items}, 201)
		if out["count"].(float64) != 3 {
			t.Errorf("count = %v", out["count"])
		}
		if got := e.Balance("CG", "project:HZ-001"); got != "0.00" {
			t.Errorf("project holds %s, want 0.00", got)
		}
		e.checkBooks()
	})
}

func TestBatchOf10000(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.Fund("CG", "central_grant", "city", "basic")
		items := make([]map[string]any, 0, 10000)
		var total money.Amount
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range 10000 {
			amt := money.Amount(rng.IntN(100000) + 1)
			total += amt
			it := receiptItem("CG", amt.String())
			it["household"] = fmt.Sprintf("H%05d", i)
			items = append(items, it)
		}
		out := e.Must("finance", "POST", "/v1/batches", map[string]any{"items": items}, 201)
		if out["total"] != total.String() || out["count"].(float64) != 10000 {
			t.Errorf("total %v count %v, want %s 10000", out["total"], out["count"], total)
		}
		if got := e.Balance("CG", "city"); got != total.String() {
			t.Errorf("city holds %s, want %s", got, total)
		}
		e.checkBooks()
	})
}

func TestPlanSharesAndExecuteOnce(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.Fund("CG", "central_grant", "city", "basic")
		e.Receive("CG", "1000000.00")
		plan := map[string]any{
			"fund": "CG", "from": "city", "total": "999999.99",
			"recipients": []map[string]any{
				{"to": "district:HZ", "area_m2": "1200000", "households": 12000, "buildings": 300, "communities": 60, "coefficient": "1.1", "performance": "92"},
				{"to": "district:LY", "area_m2": "400000.5", "households": 4100, "buildings": 90, "communities": 21, "coefficient": "1.3", "performance": "85"},
			},
			"weights":          map[string]any{"area": "0.4", "households": "0.3", "buildings": "0.1", "communities": "0.1", "performance": "0.1"},
			"performance_pool": "0",
		}
		p := e.Must("finance", "POST", "/v1/allocation-plans", plan, 201)
		var sum money.Amount
		for _, sh := range p["shares"].([]any) {
			sum += money.MustParse(sh.(map[string]any)["amount"].(string))
		}
		if sum.String() != "999999.99" {
			t.Errorf("shares sum to %s", sum)
		}
		id := p["id"].(string)
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := e.Do("reviewer", "POST", "/v1/allocation-plans/"+id+"/execute", nil)
				if r.Status != 200 {
					t.Errorf("execute: %d %s", r.Status, r.Body)
				}
			}()
		}
		wg.Wait()
		var n int64
		e.DB.G.Raw("SELECT COUNT(*) FROM transfers WHERE plan_id = ?", id).Scan(&n)
		if n != 2 {
			t.Errorf("plan posted %d transfers, want 2", n)
		}
		if got := e.Balance("CG", "city"); got != "0.01" {
			t.Errorf("city keeps %s, want 0.01", got)
		}
		e.checkBooks()
	})
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// TestBatchReplay: a batch's idempotency record is a reference and a digest,
// not its answer, and a replay rebuilds from the stored transfers the answer
// first given, byte for byte: items of two fiscal years interleaved (two
// voucher blocks), and a payment funded from two funds.
func TestBatchReplay(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.Fund("CG", "central_grant", "city", "basic")
		e.Fund("PG", "provincial_grant", "city", "basic")
		var items []map[string]any
		for i := range 40 {
			it := receiptItem([]string{"CG", "PG"}[i%2], fmt.Sprintf("%d.%02d", 10+i, i))
			if i%3 == 0 {
				it["received_on"] = "2025-12-30"
			}
			items = append(items, it)
		}
		for _, f := range []string{"CG", "PG"} {
			items = append(items, map[string]any{"type": "allocation", "fund": f, "from": "city", "to": "project:HZ-001",
				"amount": "100.00", "allocated_on": "2026-03-02"})
		}
		pay := expenditure("HZ-001", "basic", "150.00")
		pay["type"] = "expenditure"
		pay["funding"] = []map[string]any{{"fund": "CG", "amount": "100.00"}, {"fund": "PG", "amount": "50.00"}}
		items = append(items, pay)
		body := map[string]any{"items": items}
		first := e.Do("finance", "POST", "/v1/batches", body, "Idempotency-Key", "batch-replay")
		if first.Status != 201 {
			t.Fatalf("first: %d %s", first.Status, first.Body)
		}
		var stored string
		if err := e.DB.G.Raw("SELECT body FROM idempotency_keys WHERE key = 'batch-replay'").Scan(&stored).Error; err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(stored, "@ref batch ") || len(stored) > 400 {
			t.Errorf("stored record of %d bytes, want a reference: %.200s", len(stored), stored)
		}
		after := e.snapshot()
		for range 2 {
			again := e.Do("finance", "POST", "/v1/batches", body, "Idempotency-Key", "batch-replay")
			if again.Status != 201 || !bytes.Equal(again.Body, first.Body) {
				t.Fatalf("replay: %d %s\nfirst: %s", again.Status, again.Body, first.Body)
			}
			if again.Header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("replay lacks Idempotent-Replayed: true")
			}
		}
		if now := e.snapshot(); now != after {
			t.Errorf("replay wrote: %+v → %+v", after, now)
		}
		e.refuse(t, "finance", "POST", "/v1/batches", map[string]any{"items": items[:3]}, 409, "idempotency_key_reused",
			"Idempotency-Key", "batch-replay")
		e.checkBooks()
	})
}
