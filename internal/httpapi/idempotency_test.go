package httpapi_test

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestIdempotentReplay: on every POST route the same key with the same body
// replays the first response byte for byte and writes nothing more; the same
// key with a different body, or on another route, is refused with 409
// idempotency_key_reused and writes nothing.
func TestIdempotentReplay(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		setupMoney(e)
		receipt := e.Must("finance", "POST", "/v1/funds/CG/receipts", receiptBody("50.00"), 201)["id"].(string)
		other := e.Must("finance", "POST", "/v1/funds/CG/receipts", receiptBody("60.00"), 201)["id"].(string)
		routes := []struct {
			name, who, path string
			body, other     map[string]any
		}{
			{"district", "admin", "/v1/districts", map[string]any{"code": "XZ", "name": "新区"}, map[string]any{"code": "XY", "name": "新区"}},
			{"project", "hz", "/v1/projects", project("HZ-002", "HZ"), project("HZ-003", "HZ")},
			{"fund", "finance", "/v1/funds", fundBody("NEWF", "central_grant", "city", nil, "basic"), fundBody("NEWG", "central_grant", "city", nil, "basic")},
			{"receipt", "finance", "/v1/funds/CG/receipts", receiptBody("12.34"), receiptBody("12.35")},
			{"allocation", "hz", "/v1/allocations",
				map[string]any{"fund": "CG", "from": "district:HZ", "to": "project:HZ-001", "amount": "5.00", "allocated_on": "2026-03-02"},
				map[string]any{"fund": "CG", "from": "district:HZ", "to": "project:HZ-001", "amount": "5.01"}},
			{"expenditure", "hz", "/v1/expenditures", expenditure("HZ-001", "basic", "7.00"), expenditure("HZ-001", "basic", "7.01")},
			{"reversal", "finance", "/v1/transfers/" + receipt + "/reversal", map[string]any{"reason": "录入错误"}, map[string]any{"reason": "重复录入"}},
		}
		for i, rt := range routes {
			t.Run(rt.name, func(t *testing.T) {
				te := e.forT(t)
				key := fmt.Sprintf("replay-%d-%s", i, rt.name)
				first := te.Do(rt.who, "POST", rt.path, rt.body, "Idempotency-Key", key)
				if first.Status != 201 {
					t.Fatalf("first: %d %s", first.Status, first.Body)
				}
				if first.Header.Get("Idempotent-Replayed") != "" {
					t.Errorf("first response is marked replayed")
				}
				after := te.snapshot()
				for range 3 {
					again := te.Do(rt.who, "POST", rt.path, rt.body, "Idempotency-Key", key)
					if again.Status != first.Status || !bytes.Equal(again.Body, first.Body) {
						t.Errorf("replay: %d %s\nfirst:  %d %s", again.Status, again.Body, first.Status, first.Body)
					}
					if again.Header.Get("Idempotent-Replayed") != "true" {
						t.Errorf("replay lacks Idempotent-Replayed: true (headers %v)", again.Header)
					}
					if ct := again.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
						t.Errorf("replay Content-Type %q", ct)
					}
				}
				if now := te.snapshot(); now != after {
					t.Errorf("replay wrote: %+v → %+v", after, now)
				}
				te.refuse(t, rt.who, "POST", rt.path, rt.other, 409, "idempotency_key_reused", "Idempotency-Key", key)
				if rt.name == "reversal" {
					// The same key and body for another transfer is another request:
					// replaying would claim that transfer was reversed.
					te.refuse(t, rt.who, "POST", "/v1/transfers/"+other+"/reversal", rt.body, 409, "idempotency_key_reused", "Idempotency-Key", key)
				}
				// Still replayed after the refusals.
				if again := te.Do(rt.who, "POST", rt.path, rt.body, "Idempotency-Key", key); !bytes.Equal(again.Body, first.Body) {
					t.Errorf("replay after refusals: %d %s", again.Status, again.Body)
				}
			})
		}
		e.checkBooks()
	})
}

// TestIdempotencyKeyPerToken: a key is the client's; another token using the
// same key and body must not be handed the first client's response.
func TestIdempotencyKeyPerToken(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		setupMoney(e)
		body := receiptBody("1.00")
		a := e.Do("finance", "POST", "/v1/funds/HZF/receipts", body, "Idempotency-Key", "shared")
		b := e.Do("hz", "POST", "/v1/funds/HZF/receipts", body, "Idempotency-Key", "shared")
		if a.Status != 201 || b.Status != 201 {
			t.Fatalf("%d %s / %d %s", a.Status, a.Body, b.Status, b.Body)
		}
		if bytes.Equal(a.Body, b.Body) || b.Header.Get("Idempotent-Replayed") != "" {
			t.Errorf("hz was handed finance's response for the same key")
		}
		e.checkBooks()
	})
}

// TestIdempotencyKeyLength: up to 128 characters; longer → 400, nothing written.
func TestIdempotencyKeyLength(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		setupMoney(e)
		e.refuse(t, "finance", "POST", "/v1/funds/CG/receipts", receiptBody("1.00"), 400, "invalid_request",
			"Idempotency-Key", strings.Repeat("k", 129))
		e.refuse(t, "finance", "POST", "/v1/funds/CG/receipts", receiptBody("1.00"), 400, "invalid_request",
			"Idempotency-Key", strings.Repeat("k", 4096))
		e.refuse(t, "finance", "POST", "/v1/districts", map[string]any{"code": "XZ", "name": "新区"}, 400, "invalid_request",
			"Idempotency-Key", strings.Repeat("k", 129))
		before := e.snapshot()
		r := e.Do("finance", "POST", "/v1/funds/CG/receipts", receiptBody("1.00"), "Idempotency-Key", strings.Repeat("k", 128))
		if r.Status != 201 {
			t.Fatalf("128-character key: %d %s", r.Status, r.Body)
		}
		if after := e.snapshot(); after.Keys != before.Keys+1 || after.Transfers != before.Transfers+1 {
			t.Errorf("128-character key: %+v → %+v", before, after)
		}
		e.checkBooks()
	})
}

// TestIdempotencyRefusalNotStored: a refused request stores no key (it
// writes nothing), so the same key may be used again once the refusal's
// cause is gone.
func TestIdempotencyRefusalNotStored(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		setupMoney(e)
		body := expenditure("HZ-001", "basic", "25000.00")
		e.refuse(t, "hz", "POST", "/v1/expenditures", body, 422, "insufficient_funds", "Idempotency-Key", "retry-me")
		e.refuse(t, "hz", "POST", "/v1/expenditures", withField(body, "amount", 1.5), 400, "invalid_amount", "Idempotency-Key", "retry-me")
		e.refuse(t, "auditor", "POST", "/v1/expenditures", body, 403, "forbidden", "Idempotency-Key", "retry-me")
		e.Allocate("CG", "district:HZ", "project:HZ-001", "5000")
		r := e.Do("hz", "POST", "/v1/expenditures", body, "Idempotency-Key", "retry-me")
		if r.Status != 201 || r.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("after funding: %d %v %s", r.Status, r.Header, r.Body)
		}
		e.checkBooks()
	})
}

// concurrently sends the same request with the same key from n goroutines
// and checks that exactly one transfer was written and every answer is the
// same successful response.
func concurrently(t *testing.T, e *env, n int, who, path string, body any, key string) {
	t.Helper()
	before := e.transferCount()
	rs := make([]response, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			rs[i] = e.Do(who, "POST", path, body, "Idempotency-Key", key)
		}()
	}
	close(start)
	wg.Wait()
	if got := e.transferCount() - before; got != 1 {
		t.Errorf("%d concurrent requests with one key wrote %d transfers, want 1", n, got)
	}
	fresh := 0
	for i, r := range rs {
		if r.Status != 201 {
			t.Errorf("request %d: %d %s (want the one stored 201 response)", i, r.Status, r.Body)
			continue
		}
		if !bytes.Equal(r.Body, rs[0].Body) {
			t.Errorf("request %d answered a different body:\n%s\n%s", i, r.Body, rs[0].Body)
		}
		if r.Header.Get("Idempotent-Replayed") == "" {
			fresh++
		}
	}
	if fresh != 1 {
		t.Errorf("%d responses were not marked as replays, want exactly 1", fresh)
	}
}

// TestIdempotencyConcurrent: 16 goroutines send the same request with the
// same key at once; exactly one transfer is written and all get its response.
func TestIdempotencyConcurrent(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		setupMoney(e)
		t.Run("receipt", func(t *testing.T) {
			concurrently(t, e.forT(t), 16, "finance", "/v1/funds/CG/receipts", receiptBody("10.00"), "conc-receipt")
		})
		t.Run("allocation", func(t *testing.T) {
			concurrently(t, e.forT(t), 16, "hz", "/v1/allocations",
				map[string]any{"fund": "HZF", "from": "district:HZ", "to": "project:HZ-001", "amount": "1.00", "allocated_on": "2026-03-02"}, "conc-alloc")
		})
		t.Run("expenditure", func(t *testing.T) {
			concurrently(t, e.forT(t), 16, "hz", "/v1/expenditures", expenditure("HZ-001", "basic", "1.00"), "conc-spend")
		})
		e.checkBooks()
	})
}

// TestIdempotencyConcurrentExhaustingRequest: the retried request is one
// that can succeed only once (it spends the whole holding, or reverses a
// transfer). A client that retries it while the first attempt is still in
// flight must be answered with the first attempt's stored 201, not with the
// refusal the request would earn if run again (422 insufficient_funds, 409
// already_reversed): "the first response is stored and replayed for the
// same key and same body".
func TestIdempotencyConcurrentExhaustingRequest(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		setupMoney(e)
		receipt := e.Must("finance", "POST", "/v1/funds/CG/receipts", receiptBody("50.00"), 201)["id"].(string)
		t.Run("expenditure of the whole holding", func(t *testing.T) {
			concurrently(t, e.forT(t), 16, "hz", "/v1/expenditures", expenditure("HZ-001", "basic", "20000.00"), "conc-all")
		})
		t.Run("reversal", func(t *testing.T) {
			concurrently(t, e.forT(t), 16, "finance", "/v1/transfers/"+receipt+"/reversal", map[string]any{"reason": "重复"}, "conc-rev")
		})
		e.checkBooks()
	})
}
