package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"time"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/store"
)

// Session limits. A session unused for IdleTimeout ends; none outlives
// MaxSessionAge; last use is written at most once per touchEvery, so that
// reading pages does not write on every click.
const (
	IdleTimeout   = 30 * time.Minute
	MaxSessionAge = 12 * time.Hour
	touchEvery    = time.Minute
)

// Session is a signed-in browser: the actor of its token and the secret its
// state-changing forms must carry.
type Session struct {
	Actor access.Actor
	CSRF  string
}

// StartSession checks a token's secret and opens a session for it. It
// returns the session's secret, for the cookie; only its hash is stored.
func (t *Tokens) StartSession(ctx context.Context, secret string) (string, *Session, error) {
	a, err := t.Authenticate(ctx, secret)
	if err != nil {
		return "", nil, err
	}
	id, csrf := randomSecret(), randomSecret()
	now := time.Now()
	err = t.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Exec("INSERT INTO console_sessions (hash, token_id, csrf, created_at, last_seen_at, expires_at) VALUES (?,?,?,?,?,?)",
			hashOf(id), a.TokenID, csrf, store.FormatTime(now), store.FormatTime(now), store.FormatTime(now.Add(MaxSessionAge))).Error
	})
	if err != nil {
		return "", nil, err
	}
	return id, &Session{Actor: a, CSRF: csrf}, nil
}

// ResumeSession returns the live session of a cookie's secret, or
// ErrUnauthenticated when it is unknown, ended, idle too long, past its age
// or its token is revoked or expired.
func (t *Tokens) ResumeSession(ctx context.Context, id string) (*Session, error) {
	if id == "" || len(id) > 100 {
		return nil, errs.ErrUnauthenticated
	}
	var rows []struct {
		TokenID, CSRF, LastSeenAt, ExpiresAt string
		EndedAt                              *string
		Name, Role                           string
		DistrictCode, TokenExpires, Revoked  *string
	}
	err := t.db.Conn(ctx).Raw(`SELECT s.token_id, s.csrf, s.last_seen_at, s.expires_at, s.ended_at,
		t.name, t.role, t.district_code, t.expires_at AS token_expires, t.revoked_at AS revoked
		FROM console_sessions s JOIN tokens t ON t.id = s.token_id WHERE s.hash = ?`, hashOf(id)).Scan(&rows).Error
	if err != nil {
		return nil, store.Translate(err)
	}
	if len(rows) != 1 {
		return nil, errs.ErrUnauthenticated
	}
	r := rows[0]
	now := time.Now()
	nowText := store.FormatTime(now)
	switch {
	case r.EndedAt != nil, r.Revoked != nil, r.ExpiresAt <= nowText,
		r.TokenExpires != nil && *r.TokenExpires <= nowText,
		r.LastSeenAt <= store.FormatTime(now.Add(-IdleTimeout)):
		return nil, errs.ErrUnauthenticated
	}
	if r.LastSeenAt <= store.FormatTime(now.Add(-touchEvery)) {
		err := t.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
			return tx.Exec("UPDATE console_sessions SET last_seen_at = ? WHERE hash = ? AND ended_at IS NULL", nowText, hashOf(id)).Error
		})
		if err != nil {
			return nil, err
		}
	}
	a := access.Actor{TokenID: r.TokenID, Name: r.Name, Role: access.Role(r.Role), District: store.Str(r.DistrictCode)}
	return &Session{Actor: a, CSRF: r.CSRF}, nil
}

// EndSession signs a session out; an unknown or ended one is left as it is.
func (t *Tokens) EndSession(ctx context.Context, id string) error {
	return t.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Exec("UPDATE console_sessions SET ended_at = ? WHERE hash = ? AND ended_at IS NULL", store.Now(), hashOf(id)).Error
	})
}

func randomSecret() string {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(raw)
}
