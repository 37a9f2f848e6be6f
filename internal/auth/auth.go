// Package auth issues, checks and revokes the bearer tokens of the API.
// Only a SHA-256 of each token is stored; the token itself is shown once.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/store"
)

// Tokens manages API tokens.
type Tokens struct {
	db *store.DB

	mu    sync.Mutex
	cache map[string]cached // by hash; short-lived so revocation takes effect quickly
}

type cached struct {
	actor access.Actor
	until time.Time
}

// cacheTTL bounds how long a revoked token may still work in another process.
const cacheTTL = 2 * time.Second

// New returns the token manager.
func New(db *store.DB) *Tokens { return &Tokens{db: db, cache: map[string]cached{}} }

// Token describes an issued token (never the secret).
type Token struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Role      string `json:"role"`
	District  string `json:"district,omitempty"`
	CreatedAt string `json:"created_at"`
	ExpiresAt string `json:"expires_at,omitempty"`
	RevokedAt string `json:"revoked_at,omitempty"`
}

func hashOf(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Issue creates a token and returns its secret, which is not stored.
// A district token must name an existing district; other roles must not.
func (t *Tokens) Issue(ctx context.Context, role access.Role, district, name string, ttl time.Duration) (string, *Token, error) {
	if name == "" || len(name) > 100 {
		return "", nil, fmt.Errorf("%w: name is required (at most 100 characters)", errs.ErrInvalidRequest)
	}
	if (role == access.District) != (district != "") {
		return "", nil, fmt.Errorf("%w: a district token needs --district, other roles take none", errs.ErrInvalidRequest)
	}
	if district != "" {
		var n int64
		if err := t.db.Conn(ctx).Raw("SELECT COUNT(*) FROM districts WHERE code = ?", district).Scan(&n).Error; err != nil {
			return "", nil, err
		}
		if n == 0 {
			return "", nil, fmt.Errorf("%w: district %q", errs.ErrNotFound, district)
		}
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, err
	}
	secret := "rf_" + base64.RawURLEncoding.EncodeToString(raw)
	tok := &Token{ID: ledger.NewID(), Name: name, Role: string(role), District: district, CreatedAt: store.Now()}
	if ttl > 0 {
		tok.ExpiresAt = store.FormatTime(time.Now().Add(ttl))
	}
	err := t.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Exec("INSERT INTO tokens (id, name, role, district_code, hash, created_at, expires_at) VALUES (?,?,?,?,?,?,?)",
			tok.ID, tok.Name, tok.Role, store.Null(district), hashOf(secret), tok.CreatedAt, store.Null(tok.ExpiresAt)).Error
	})
	if err != nil {
		return "", nil, err
	}
	return secret, tok, nil
}

// Authenticate returns the actor for a bearer token, or ErrUnauthenticated
// for an unknown, expired or revoked one.
func (t *Tokens) Authenticate(ctx context.Context, secret string) (access.Actor, error) {
	if !strings.HasPrefix(secret, "rf_") || len(secret) > 100 {
		return access.Actor{}, errs.ErrUnauthenticated
	}
	h := hashOf(secret)
	now := time.Now()
	t.mu.Lock()
	c, ok := t.cache[h]
	t.mu.Unlock()
	if ok && now.Before(c.until) {
		return c.actor, nil
	}
	var rows []struct {
		ID           string
		Name         string
		Role         string
		DistrictCode *string
		Hash         string
		ExpiresAt    *string
		RevokedAt    *string
	}
	err := t.db.Conn(ctx).Raw("SELECT id, name, role, district_code, hash, expires_at, revoked_at FROM tokens WHERE hash = ?", h).
		Scan(&rows).Error
	if err != nil {
		return access.Actor{}, store.Translate(err)
	}
	if len(rows) != 1 || subtle.ConstantTimeCompare([]byte(rows[0].Hash), []byte(h)) != 1 {
		return access.Actor{}, errs.ErrUnauthenticated
	}
	r := rows[0]
	if r.RevokedAt != nil || (r.ExpiresAt != nil && *r.ExpiresAt <= store.FormatTime(now)) {
		return access.Actor{}, errs.ErrUnauthenticated
	}
	a := access.Actor{TokenID: r.ID, Name: r.Name, Role: access.Role(r.Role), District: store.Str(r.DistrictCode)}
	until := now.Add(cacheTTL)
	if r.ExpiresAt != nil {
		if exp, err := time.Parse(time.RFC3339Nano, *r.ExpiresAt); err == nil && exp.Before(until) {
			until = exp
		}
	}
	t.mu.Lock()
	if len(t.cache) > 10000 {
		clear(t.cache)
	}
	t.cache[h] = cached{actor: a, until: until}
	t.mu.Unlock()
	return a, nil
}

// Revoke ends a token, named by id or by name; it reports how many it revoked.
func (t *Tokens) Revoke(ctx context.Context, idOrName string) (int64, error) {
	var n int64
	err := t.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Exec("UPDATE tokens SET revoked_at = ? WHERE (id = ? OR name = ?) AND revoked_at IS NULL",
			store.Now(), idOrName, idOrName)
		n = res.RowsAffected
		return res.Error
	})
	if err == nil {
		t.mu.Lock()
		clear(t.cache)
		t.mu.Unlock()
	}
	return n, err
}
