-- Console sessions: a token, typed once at sign-in, is exchanged for a
-- session whose cookie holds a random secret (only its hash is stored here).
-- A session ends at sign-out, after an idle spell, at its absolute limit, and
-- with its token (revoked or expired). csrf is the per-session secret every
-- state-changing form carries.

-- +goose Up
CREATE TABLE console_sessions (
    hash         TEXT PRIMARY KEY,
    token_id     TEXT NOT NULL REFERENCES tokens (id),
    csrf         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    ended_at     TEXT
);
CREATE INDEX console_sessions_token ON console_sessions (token_id);

-- +goose Down
DROP TABLE console_sessions;
