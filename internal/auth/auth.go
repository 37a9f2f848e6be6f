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
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/store"
)

// Tokens manages API tokens.
type Tokens struct {
	db *store.DB

	mu    sync.Mutex
	cache map[string]cached // by hash; short-lived so revocation takes effect quickly
	// gen counts revocations: an answer read from the database before a
	// revocation is not cached after it, so a token revoked here stops
	// working here at once, even while a request for it is in flight.
	gen uint64
}

type cached struct {
	actor access.Actor
	until time.Time
}

// CacheTTL bounds how long a token revoked by another process (another
// instance, or the command line) may still work in this one.
const CacheTTL = 2 * time.Second

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
// A ttl of zero means no expiry.
func (t *Tokens) Issue(ctx context.Context, role access.Role, district, name string, ttl time.Duration) (string, *Token, error) {
	if _, err := access.ParseRole(string(role)); err != nil {
		return "", nil, err
	}
	if err := field.Text("name", name, true, 100); err != nil {
		return "", nil, err
	}
	if ttl < 0 {
		return "", nil, fmt.Errorf("%w: a token's lifetime cannot be negative", errs.ErrInvalidRequest)
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
	gen := t.gen
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
	until := now.Add(CacheTTL)
	if r.ExpiresAt != nil {
		if exp, err := time.Parse(time.RFC3339Nano, *r.ExpiresAt); err == nil && exp.Before(until) {
			until = exp
		}
	}
	t.mu.Lock()
	if len(t.cache) > 10000 {
		clear(t.cache)
	}
	if t.gen == gen {
		t.cache[h] = cached{actor: a, until: until}
	}
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
		t.Forget()
	}
	return n, err
}

// tokenRow is a stored token as read back (never its hash).
type tokenRow struct {
	ID, Name, Role, CreatedAt        string
	DistrictCode, ExpiresAt, Revoked *string
}

const selectToken = `SELECT id, name, role, district_code, created_at, expires_at, revoked_at AS revoked FROM tokens`

func (r tokenRow) token() Token {
	return Token{ID: r.ID, Name: r.Name, Role: r.Role, District: store.Str(r.DistrictCode), CreatedAt: r.CreatedAt,
		ExpiresAt: store.Str(r.ExpiresAt), RevokedAt: store.Str(r.Revoked)}
}

// List returns tokens (never their secrets) in id order, a page after the
// cursor.
func (t *Tokens) List(ctx context.Context, after string, limit int) ([]Token, error) {
	var rows []tokenRow
	if err := t.db.Conn(ctx).Raw(selectToken+" WHERE id > ? ORDER BY id LIMIT ?", after, limit).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Token, len(rows))
	for i, r := range rows {
		out[i] = r.token()
	}
	return out, nil
}

// RevokeID ends one token named by its id and returns it; an unknown id is
// not found, and revoking a revoked token changes nothing. It takes effect
// in this process at once.
func (t *Tokens) RevokeID(ctx context.Context, id string) (*Token, error) {
	err := t.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Exec("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", store.Now(), id).Error
	})
	if err != nil {
		return nil, err
	}
	t.Forget()
	var rows []tokenRow
	if err := t.db.Conn(ctx).Raw(selectToken+" WHERE id = ?", id).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w: token %q", errs.ErrNotFound, id)
	}
	tok := rows[0].token()
	return &tok, nil
}

// Forget drops every cached answer and any being read now; a caller that
// revoked a token inside its own transaction calls it again after commit.
func (t *Tokens) Forget() {
	t.mu.Lock()
	t.gen++
	clear(t.cache)
	t.mu.Unlock()
}
