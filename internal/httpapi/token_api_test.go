package httpapi_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"renofund/internal/access"
	"renofund/internal/auth"
)

// TestBearerScheme: the scheme name is case-insensitive (RFC 9110 §11.1) and
// the spaces around the token do not matter; a header without a token is
// still refused.
func TestBearerScheme(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		tok := e.Tok["finance"]
		for _, h := range []string{"bearer " + tok, "BEARER " + tok, "BeArEr " + tok, "Bearer  " + tok, "  Bearer " + tok + "  "} {
			if r := e.Do("", "GET", "/v1/districts", nil, "Authorization", h); r.Status != 200 {
				t.Errorf("Authorization %q: %d %s", h, r.Status, r.Body)
			}
		}
		for _, h := range []string{"bearer", "bearer ", "Bearer" + tok, "Token " + tok} {
			if r := e.Do("", "GET", "/v1/districts", nil, "Authorization", h); r.Status != 401 {
				t.Errorf("Authorization %q: %d, want 401", h, r.Status)
			}
		}
	})
}

// TestTokensOverHTTP: the administrator issues a token (its secret shown
// once, never listed), lists tokens and revokes one; revoking takes effect
// at once on this instance, even for requests in flight with the token, and
// every request that starts after the revocation has answered is refused.
func TestTokensOverHTTP(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		issued := e.Must("admin", "POST", "/v1/tokens", map[string]any{"role": "district", "district": "HZ", "name": "海州区 会计"}, 201)
		secret, _ := issued["secret"].(string)
		tok, _ := issued["token"].(map[string]any)
		id, _ := tok["id"].(string)
		if !strings.HasPrefix(secret, "rf_") || id == "" || tok["role"] != "district" || tok["district"] != "HZ" {
			t.Fatalf("issued %v", issued)
		}
		for _, bad := range []map[string]any{
			{"role": "root", "name": "x"}, {"role": "district", "name": "x"}, {"role": "finance", "district": "HZ", "name": "x"},
			{"role": "district", "district": "NOPE", "name": "x"}, {"role": "auditor", "name": ""},
			{"role": "auditor", "name": "x", "ttl": "forever"}, {"role": "auditor", "name": "x", "ttl": "-1h"},
		} {
			if r := e.Do("admin", "POST", "/v1/tokens", bad); r.Status != 400 && r.Status != 404 {
				t.Errorf("issue %v: %d %s", bad, r.Status, r.Body)
			}
		}
		list := e.Do("admin", "GET", "/v1/tokens?limit=1000", nil)
		if list.Status != 200 || !strings.Contains(string(list.Body), id) || strings.Contains(string(list.Body), secret) ||
			strings.Contains(string(list.Body), hashHex(secret)) {
			t.Fatalf("list: %d %s", list.Status, list.Body)
		}

		e.Tok["clerk"] = secret
		e.Must("clerk", "GET", "/v1/projects", nil, 200) // now cached by the token check
		var revokedAt atomic.Int64                       // unix nanoseconds once the revocation answered
		var late, served atomic.Int64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 10_000; i++ {
					select {
					case <-stop:
						return
					default:
					}
					started := time.Now().UnixNano()
					r := e.Do("clerk", "GET", "/v1/districts", nil)
					if r.Status == 200 {
						served.Add(1)
						if at := revokedAt.Load(); at != 0 && started > at {
							late.Add(1)
						}
					} else if r.Status != 401 {
						t.Errorf("during revocation: %d %s", r.Status, r.Body)
					}
				}
			}()
		}
		time.Sleep(50 * time.Millisecond)
		rev := e.Must("admin", "POST", "/v1/tokens/"+id+"/revoke", nil, 200)
		revokedAt.Store(time.Now().UnixNano())
		time.Sleep(100 * time.Millisecond)
		close(stop)
		wg.Wait()
		if rev["revoked_at"] == nil || rev["revoked_at"] == "" {
			t.Errorf("revoke answered %v", rev)
		}
		if late.Load() != 0 {
			t.Errorf("%d requests that started after the revocation answered were served", late.Load())
		}
		if served.Load() == 0 {
			t.Errorf("the token never worked before its revocation")
		}
		if r := e.Do("clerk", "GET", "/v1/districts", nil); r.Status != 401 {
			t.Errorf("after revocation: %d", r.Status)
		}
		again := e.Must("admin", "POST", "/v1/tokens/"+id+"/revoke", nil, 200)
		if again["revoked_at"] != rev["revoked_at"] {
			t.Errorf("a second revocation moved revoked_at: %v → %v", rev["revoked_at"], again["revoked_at"])
		}
		e.refuse(t, "admin", "POST", "/v1/tokens/no-such-token/revoke", nil, 404, "not_found")
		e.refuse(t, "finance", "POST", "/v1/tokens/"+id+"/revoke", nil, 403, "forbidden")
	})
}

// TestRevocationElsewhere: a token revoked by another process (another
// instance, or the command line) stops working here within auth.CacheTTL,
// the bound the README states.
func TestRevocationElsewhere(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		secret, _, err := e.Tokens.Issue(ctx, access.Auditor, "", "elsewhere", 0)
		if err != nil {
			t.Fatal(err)
		}
		e.Tok["elsewhere"] = secret
		e.Must("elsewhere", "GET", "/v1/districts", nil, 200) // cached here
		other := auth.New(e.DB)                               // the other instance's token manager
		if n, err := other.Revoke(ctx, "elsewhere"); err != nil || n != 1 {
			t.Fatalf("revoke elsewhere: %d %v", n, err)
		}
		revoked := time.Now()
		for {
			r := e.Do("elsewhere", "GET", "/v1/districts", nil)
			if r.Status == 401 {
				break
			}
			if time.Since(revoked) > auth.CacheTTL+time.Second {
				t.Fatalf("still served %s after a revocation elsewhere", time.Since(revoked))
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// TestTokensStoredHashed: the tokens table holds a SHA-256 of each token,
// never the token or any part of its random body.
func TestTokensStoredHashed(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		rows, err := e.DB.G.Raw("SELECT * FROM tokens").Rows()
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		hashes := map[string]bool{}
		count := 0
		for rows.Next() {
			count++
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				var s string
				switch x := v.(type) {
				case string:
					s = x
				case []byte:
					s = string(x)
				default:
					continue
				}
				if cols[i] == "hash" {
					hashes[s] = true
				}
				for who, secret := range e.Tok {
					body := strings.TrimPrefix(secret, "rf_")
					if strings.Contains(s, body[:16]) || strings.Contains(s, body[len(body)-16:]) {
						t.Errorf("column %s holds the token of %s", cols[i], who)
					}
				}
			}
		}
		if count != len(e.Tok) {
			t.Errorf("%d token rows, want %d", count, len(e.Tok))
		}
		for who, secret := range e.Tok {
			if !hashes[hashHex(secret)] {
				t.Errorf("no row holds the SHA-256 of %s's token", who)
			}
		}
	})
}
