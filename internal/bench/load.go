package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// load runs op from n workers until the duration or the request budget runs
// out, and measures throughput and latency. When the time is up no worker
// starts another request, but those under way finish and count: the elapsed
// time runs to the last of them (cutting them off would drop whole batches
// and understate their throughput).
func load(ctx context.Context, name string, n int, d time.Duration, budget int,
	op func(ctx context.Context, worker, i int) (int, error)) Result {
	var next, transfers, errCount atomic.Int64
	lats := make([][]time.Duration, n)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && time.Now().Before(deadline) {
				i := int(next.Add(1))
				if i > budget {
					return
				}
				t0 := time.Now()
				k, err := op(ctx, w, i)
				if err != nil {
					if ctx.Err() == nil {
						errCount.Add(1)
					}
					continue
				}
				lats[w] = append(lats[w], time.Since(t0))
				transfers.Add(int64(k))
			}
		}()
	}
	wg.Wait()
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	p50, p99 := percentiles(all)
	return Result{Name: name, Transfers: int(transfers.Load()), Requests: len(all), Errors: int(errCount.Load()),
		Elapsed: time.Since(start), P50: p50, P99: p99}
}

// client sends requests to the real server over loopback.
type client struct {
	base, token string
	http        *http.Client
	run         string
}

func newClient(base, token string, conns int) *client {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: time.Minute}
	return &client{base: base, token: token, http: &http.Client{Transport: tr, Timeout: 60 * time.Second},
		run: fmt.Sprint(time.Now().UnixNano())}
}

func (c *client) post(ctx context.Context, path, key string, body []byte, want int) error {
	req, err := http.NewRequestWithContext(ctx, "POST", c.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		return fmt.Errorf("%s: %d %.200s", path, resp.StatusCode, msg)
	}
	return nil
}

var receiptBody = []byte(`{"amount":"1.00","received_on":"2026-06-01","payer":{"name":"bench"}}`)

// single sends one receipt per request into the funds, round robin.
func (c *client) single(funds []string) func(context.Context, int, int) (int, error) {
	return func(ctx context.Context, _, i int) (int, error) {
		return 1, c.post(ctx, "/v1/funds/"+funds[i%len(funds)]+"/receipts", fmt.Sprintf("%s-s-%d-%d", c.run, len(funds), i), receiptBody, 201)
	}
}

// batch sends size receipts per request, spread over the funds.
func (c *client) batch(funds []string, size int) func(context.Context, int, int) (int, error) {
	return func(ctx context.Context, _, i int) (int, error) {
		items := make([]map[string]any, size)
		for k := range items {
			items[k] = map[string]any{"type": "receipt", "fund": funds[(i*size+k)%len(funds)], "amount": "1.00",
				"received_on": "2026-06-01", "payer": map[string]any{"name": "bench"}}
		}
		body, _ := json.Marshal(map[string]any{"items": items})
		return size, c.post(ctx, "/v1/batches", fmt.Sprintf("%s-b-%d-%d", c.run, len(funds), i), body, 201)
	}
}

// get asks for path and wants 200, reading the whole answer.
func (c *client) get(ctx context.Context, path string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %d %.200s", path, resp.StatusCode, msg)
	}
	return nil
}
