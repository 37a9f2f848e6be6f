package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"renofund/internal/access"
	"renofund/internal/auth"
	"renofund/internal/errs"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// addDistricts registers districts directly, as the tokens need them.
func addDistricts(t *testing.T, db *store.DB, codes ...string) {
	t.Helper()
	for _, c := range codes {
		if err := db.G.Exec("INSERT INTO districts (code, name, created_at) VALUES (?, ?, ?)", c, c+" district", store.Now()).Error; err != nil {
			t.Fatalf("insert district %s: %v", c, err)
		}
	}
}

func countTokens(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var n int64
	if err := db.G.Raw("SELECT COUNT(*) FROM tokens").Scan(&n).Error; err != nil {
		t.Fatalf("count tokens: %v", err)
	}
	return n
}

func issue(t *testing.T, tk *auth.Tokens, role access.Role, district, name string, ttl time.Duration) (string, *auth.Token) {
	t.Helper()
	secret, tok, err := tk.Issue(context.Background(), role, district, name, ttl)
	if err != nil {
		t.Fatalf("Issue(%s, %q, %q): %v", role, district, name, err)
	}
	return secret, tok
}

func TestIssue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		addDistricts(t, db, "HZ")
		tk := auth.New(db)
		ctx := context.Background()
		tests := []struct {
			role     access.Role
			district string
			name     string
			ttl      time.Duration
		}{
			{access.Admin, "", "root", 0},
			{access.Finance, "", "bureau", 0},
			{access.Auditor, "", "audit office", time.Hour},
			{access.District, "HZ", "海州区 会计", 0},
			{access.Finance, "", strings.Repeat("n", 100), 0},
		}
		secrets := map[string]bool{}
		for _, tt := range tests {
			before := time.Now()
			secret, tok, err := tk.Issue(ctx, tt.role, tt.district, tt.name, tt.ttl)
			if err != nil {
				t.Fatalf("Issue(%s, %q, %q): %v", tt.role, tt.district, tt.name, err)
			}
			if !strings.HasPrefix(secret, "rf_") || len(secret) < 40 || len(secret) > 100 {
				t.Errorf("secret %q: want rf_ and at least 37 more characters, at most 100 in all", secret)
			}
			if secrets[secret] {
				t.Errorf("secret %q issued twice", secret)
			}
			secrets[secret] = true
			if tok.ID == "" || tok.Name != tt.name || tok.Role != string(tt.role) || tok.District != tt.district ||
				tok.CreatedAt == "" || tok.RevokedAt != "" {
				t.Errorf("Issue(%s, %q, %q) token = %+v", tt.role, tt.district, tt.name, tok)
			}
			if tt.ttl == 0 && tok.ExpiresAt != "" {
				t.Errorf("%s: no ttl but expires_at %q", tt.name, tok.ExpiresAt)
			}
			if tt.ttl > 0 {
				if lo, hi := store.FormatTime(before.Add(tt.ttl)), store.FormatTime(time.Now().Add(tt.ttl)); tok.ExpiresAt < lo || tok.ExpiresAt > hi {
					t.Errorf("%s: expires_at %q, want between %q and %q", tt.name, tok.ExpiresAt, lo, hi)
				}
			}
			a, err := tk.Authenticate(ctx, secret)
			want := access.Actor{TokenID: tok.ID, Name: tt.name, Role: tt.role, District: tt.district}
			if err != nil || a != want {
				t.Errorf("Authenticate(issued %s) = %+v, %v; want %+v", tt.name, a, err, want)
			}
		}
	})
}

func TestIssueRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		addDistricts(t, db, "HZ")
		tk := auth.New(db)
		tests := []struct {
			name     string
			role     access.Role
			district string
			tokName  string
			want     error
		}{
			{"empty name", access.Finance, "", "", errs.ErrInvalidRequest},
			{"name of 101 characters", access.Finance, "", strings.Repeat("n", 101), errs.ErrInvalidRequest},
			{"district token without a district", access.District, "", "hz-office", errs.ErrInvalidRequest},
			{"finance token with a district", access.Finance, "HZ", "x", errs.ErrInvalidRequest},
			{"admin token with a district", access.Admin, "HZ", "x", errs.ErrInvalidRequest},
			{"auditor token with a district", access.Auditor, "HZ", "x", errs.ErrInvalidRequest},
			{"unknown district", access.District, "NOPE", "x", errs.ErrNotFound},
			{"district in another case", access.District, "hz", "x", errs.ErrNotFound},
		}
		for _, tt := range tests {
			secret, tok, err := tk.Issue(context.Background(), tt.role, tt.district, tt.tokName, 0)
			if !errors.Is(err, tt.want) {
				t.Errorf("%s: error = %v, want %v", tt.name, err, tt.want)
			}
			if secret != "" || tok != nil {
				t.Errorf("%s: refused, yet returned %q, %+v", tt.name, secret, tok)
			}
		}
		if got := countTokens(t, db); got != 0 {
			t.Errorf("refused issues stored %d tokens, want 0", got)
		}
	})
}

func TestAuthenticateRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		tk := auth.New(db)
		ctx := context.Background()
		secret, _ := issue(t, tk, access.Finance, "", "bureau", 0)
		revoked, rtok := issue(t, tk, access.Finance, "", "gone", 0)
		if _, err := tk.RevokeID(ctx, rtok.ID); err != nil {
			t.Fatalf("RevokeID: %v", err)
		}
		tests := []struct {
			name   string
			secret string
		}{
			{"empty", ""},
			{"no prefix", strings.TrimPrefix(secret, "rf_")},
			{"wrong prefix", "xf_" + strings.TrimPrefix(secret, "rf_")},
			{"prefix in another case", "RF_" + strings.TrimPrefix(secret, "rf_")},
			{"unknown secret", "rf_" + strings.Repeat("A", 43)},
			{"one character changed", secret[:len(secret)-1] + string(secret[len(secret)-1]^1)},
			{"valid one with a suffix", secret + "x"},
			{"valid one truncated", secret[:len(secret)-1]},
			{"too long", "rf_" + strings.Repeat("A", 98)},
			{"padded", " " + secret},
			{"revoked", revoked},
		}
		for _, tt := range tests {
			a, err := tk.Authenticate(ctx, tt.secret)
			if !errors.Is(err, errs.ErrUnauthenticated) {
				t.Errorf("%s: error = %v, want %v", tt.name, err, errs.ErrUnauthenticated)
			}
			if a != (access.Actor{}) {
				t.Errorf("%s: refused, yet returned actor %+v", tt.name, a)
			}
		}
		if _, err := tk.Authenticate(ctx, secret); err != nil {
			t.Errorf("the valid token after the refusals: %v", err)
		}
	})
}

// TestAuthenticateExpired: a token past its expires_at is refused, read
// fresh or from the cache (a cached answer lasts no longer than the token).
func TestAuthenticateExpired(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tk := auth.New(db)
		secret, tok := issue(t, tk, access.Auditor, "", "short", time.Hour)
		if _, err := tk.Authenticate(ctx, secret); err != nil {
			t.Fatalf("Authenticate before expiry: %v", err)
		}
		past := store.FormatTime(time.Now().Add(-time.Second))
		if err := db.G.Exec("UPDATE tokens SET expires_at = ? WHERE id = ?", past, tok.ID).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := auth.New(db).Authenticate(ctx, secret); !errors.Is(err, errs.ErrUnauthenticated) {
			t.Errorf("expired token, fresh check: error = %v, want %v", err, errs.ErrUnauthenticated)
		}

		// A cached answer ends when the token does, even inside CacheTTL.
		ttl := 300 * time.Millisecond
		secret, tok = issue(t, tk, access.Auditor, "", "shorter", ttl)
		if _, err := tk.Authenticate(ctx, secret); err != nil {
			exp, _ := time.Parse(time.RFC3339Nano, tok.ExpiresAt)
			if time.Now().Before(exp) {
				t.Fatalf("Authenticate before expiry: %v", err)
			}
			t.Logf("too slow to see the token before it expired; checking only the refusal")
		}
		exp, err := time.Parse(time.RFC3339Nano, tok.ExpiresAt)
		if err != nil {
			t.Fatalf("expires_at %q: %v", tok.ExpiresAt, err)
		}
		time.Sleep(time.Until(exp) + 10*time.Millisecond)
		if _, err := tk.Authenticate(ctx, secret); !errors.Is(err, errs.ErrUnauthenticated) {
			t.Errorf("expired token, cached check: error = %v, want %v", err, errs.ErrUnauthenticated)
		}
	})
}

// TestRevocationHere: a token revoked through the same Tokens stops working
// at once, though its answer was cached.
func TestRevocationHere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tk := auth.New(db)
		byID, idTok := issue(t, tk, access.Finance, "", "by-id", 0)
		byName, _ := issue(t, tk, access.Finance, "", "by-name", 0)
		byRevokeID, rTok := issue(t, tk, access.Finance, "", "by-revoke-id", 0)
		for _, s := range []string{byID, byName, byRevokeID} {
			if _, err := tk.Authenticate(ctx, s); err != nil { // now cached
				t.Fatalf("Authenticate: %v", err)
			}
		}
		revocations := []struct {
			name   string
			revoke func() error
			secret string
		}{
			{"Revoke by id", func() error { _, err := tk.Revoke(ctx, idTok.ID); return err }, byID},
			{"Revoke by name", func() error { _, err := tk.Revoke(ctx, "by-name"); return err }, byName},
			{"RevokeID", func() error { _, err := tk.RevokeID(ctx, rTok.ID); return err }, byRevokeID},
		}
		for _, r := range revocations {
			if err := r.revoke(); err != nil {
				t.Fatalf("%s: %v", r.name, err)
			}
			if _, err := tk.Authenticate(ctx, r.secret); !errors.Is(err, errs.ErrUnauthenticated) {
				t.Errorf("%s: Authenticate right after = %v, want %v", r.name, err, errs.ErrUnauthenticated)
			}
		}
	})
}

// TestRevocationElsewhere: a token revoked through another Tokens (another
// instance, the command line) still works here from the cache, and stops
// within auth.CacheTTL.
func TestRevocationElsewhere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		here, elsewhere := auth.New(db), auth.New(db)
		secret, tok := issue(t, here, access.Finance, "", "clerk", 0)
		cachedFrom := time.Now()
		if _, err := here.Authenticate(ctx, secret); err != nil {
			t.Fatalf("Authenticate: %v", err)
		}
		if _, err := elsewhere.RevokeID(ctx, tok.ID); err != nil {
			t.Fatalf("RevokeID elsewhere: %v", err)
		}
		revoked := time.Now()
		if _, err := elsewhere.Authenticate(ctx, secret); !errors.Is(err, errs.ErrUnauthenticated) {
			t.Errorf("where it was revoked: error = %v, want %v", err, errs.ErrUnauthenticated)
		}
		if _, err := here.Authenticate(ctx, secret); time.Since(cachedFrom) < auth.CacheTTL-100*time.Millisecond && err != nil {
			t.Errorf("within CacheTTL of the cached answer: error = %v, want the cached actor", err)
		}
		deadline := revoked.Add(auth.CacheTTL + 2*time.Second)
		for {
			_, err := here.Authenticate(ctx, secret)
			if errors.Is(err, errs.ErrUnauthenticated) {
				break
			}
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if time.Now().After(deadline) {
				t.Fatalf("revoked elsewhere: still accepted %v after the revocation, want refused within %v",
					time.Since(revoked), auth.CacheTTL)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if waited := time.Since(cachedFrom); waited < auth.CacheTTL-100*time.Millisecond {
			t.Errorf("refused after %v, before the cached answer's CacheTTL %v ran out", waited, auth.CacheTTL)
		}
	})
}

func TestRevoke(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tk := auth.New(db)
		_, a := issue(t, tk, access.Finance, "", "shared", 0)
		issue(t, tk, access.Auditor, "", "shared", 0)
		_, c := issue(t, tk, access.Admin, "", "alone", 0)
		keep, _ := issue(t, tk, access.Finance, "", "keep", 0)
		tests := []struct {
			name     string
			idOrName string
			want     int64
		}{
			{"by id", c.ID, 1},
			{"by id again", c.ID, 0},
			{"by a name two tokens share", "shared", 2},
			{"by the same name again", "shared", 0},
			{"by the id of a token revoked by name", a.ID, 0},
			{"unknown", "nobody", 0},
			{"empty", "", 0},
		}
		for _, tt := range tests {
			got, err := tk.Revoke(ctx, tt.idOrName)
			if err != nil || got != tt.want {
				t.Errorf("%s: Revoke(%q) = %d, %v; want %d, nil", tt.name, tt.idOrName, got, err, tt.want)
			}
		}
		if _, err := tk.Authenticate(ctx, keep); err != nil {
			t.Errorf("a token no revocation named: %v", err)
		}
		list, err := tk.List(ctx, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range list {
			if got, want := tok.RevokedAt != "", tok.Name != "keep"; got != want {
				t.Errorf("token %s: revoked = %v, want %v", tok.Name, got, want)
			}
		}
	})
}

func TestRevokeID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		addDistricts(t, db, "HZ")
		tk := auth.New(db)
		_, tok := issue(t, tk, access.District, "HZ", "hz-office", time.Hour)
		first, err := tk.RevokeID(ctx, tok.ID)
		if err != nil {
			t.Fatalf("RevokeID: %v", err)
		}
		if first.RevokedAt == "" || first.ID != tok.ID || first.Name != "hz-office" || first.District != "HZ" ||
			first.Role != "district" || first.ExpiresAt != tok.ExpiresAt || first.CreatedAt != tok.CreatedAt {
			t.Errorf("RevokeID = %+v, want %+v revoked", first, tok)
		}
		time.Sleep(2 * time.Millisecond) // a second stamp would differ
		again, err := tk.RevokeID(ctx, tok.ID)
		if err != nil {
			t.Fatalf("RevokeID again: %v", err)
		}
		if again.RevokedAt != first.RevokedAt {
			t.Errorf("revoked_at moved on a second revocation: %q → %q", first.RevokedAt, again.RevokedAt)
		}
		for _, id := range []string{"no-such-token", "", "hz-office"} {
			got, err := tk.RevokeID(ctx, id)
			if !errors.Is(err, errs.ErrNotFound) || got != nil {
				t.Errorf("RevokeID(%q) = %+v, %v; want nil, %v", id, got, err, errs.ErrNotFound)
			}
		}
	})
}

func TestList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		addDistricts(t, db, "HZ")
		tk := auth.New(db)
		var issued []*auth.Token
		for i, role := range []access.Role{access.Admin, access.Finance, access.District, access.Auditor, access.Finance} {
			district := ""
			if role == access.District {
				district = "HZ"
			}
			_, tok := issue(t, tk, role, district, string(role)+"-"+string(rune('a'+i)), 0)
			issued = append(issued, tok)
		}
		all, err := tk.List(ctx, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != len(issued) {
			t.Fatalf("List = %d tokens, want %d", len(all), len(issued))
		}
		byID := map[string]*auth.Token{}
		for _, tok := range issued {
			byID[tok.ID] = tok
		}
		for i, got := range all {
			if i > 0 && got.ID <= all[i-1].ID {
				t.Errorf("List not in id order: %q after %q", got.ID, all[i-1].ID)
			}
			if want := byID[got.ID]; want == nil || got != *want {
				t.Errorf("listed %+v, want %+v", got, want)
			}
		}

		pages := []struct {
			after string
			limit int
			want  []auth.Token
		}{
			{"", 2, all[:2]},
			{all[1].ID, 2, all[2:4]},
			{all[3].ID, 2, all[4:]},
			{all[4].ID, 2, nil},
			{"", 5, all},
			{all[0].ID, 100, all[1:]},
			{"", 0, nil},
		}
		for _, p := range pages {
			got, err := tk.List(ctx, p.after, p.limit)
			if err != nil {
				t.Fatalf("List(%q, %d): %v", p.after, p.limit, err)
			}
			if len(got) != len(p.want) {
				t.Errorf("List(%q, %d) = %d tokens, want %d", p.after, p.limit, len(got), len(p.want))
				continue
			}
			for i := range got {
				if got[i] != p.want[i] {
					t.Errorf("List(%q, %d)[%d] = %+v, want %+v", p.after, p.limit, i, got[i], p.want[i])
				}
			}
		}

		// Walking the pages visits every token once.
		var walked []string
		for after := ""; ; {
			page, err := tk.List(ctx, after, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, tok := range page {
				walked = append(walked, tok.ID)
			}
			after = page[len(page)-1].ID
		}
		if len(walked) != len(all) {
			t.Errorf("walked %d tokens, want %d", len(walked), len(all))
		}
	})
}

// TestOnlyHashStored: the database never holds a secret, only its SHA-256.
func TestOnlyHashStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		tk := auth.New(db)
		secrets := map[string]string{}
		for _, name := range []string{"one", "two", "three"} {
			s, tok := issue(t, tk, access.Finance, "", name, 0)
			secrets[tok.ID] = s
		}
		var rows []struct {
			ID, Name, Role, Hash, CreatedAt string
		}
		if err := db.G.Raw("SELECT id, name, role, hash, created_at FROM tokens").Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(secrets) {
			t.Fatalf("%d rows, want %d", len(rows), len(secrets))
		}
		for _, r := range rows {
			secret := secrets[r.ID]
			if r.Hash == "" || r.Hash == secret || strings.Contains(r.Hash, strings.TrimPrefix(secret, "rf_")) {
				t.Errorf("token %s: stored hash %q holds the secret %q", r.Name, r.Hash, secret)
			}
			if sum := sha256.Sum256([]byte(secret)); r.Hash != hex.EncodeToString(sum[:]) {
				t.Errorf("token %s: hash %q, want the hex SHA-256 of the secret", r.Name, r.Hash)
			}
			for _, col := range []string{r.ID, r.Name, r.Role, r.CreatedAt} {
				if strings.Contains(col, strings.TrimPrefix(secret, "rf_")) {
					t.Errorf("token %s: column %q holds the secret", r.Name, col)
				}
			}
		}
		// Issued tokens never come back from List with anything secret.
		list, err := tk.List(context.Background(), "", 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range list {
			secret := secrets[tok.ID]
			if s := tok.ID + tok.Name + tok.Role + tok.District + tok.CreatedAt + tok.ExpiresAt + tok.RevokedAt; strings.Contains(s, strings.TrimPrefix(secret, "rf_")) {
				t.Errorf("listed token %+v holds its secret", tok)
			}
		}
	})
}
