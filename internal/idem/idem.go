// Package idem keeps Idempotency-Keys: a key, the hash of the request that
// first used it and the response that request got, stored in the same
// transaction as the request's effects, so a response a client saw is
// stored exactly when its effects are.
package idem

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"renofund/internal/errs"
	"renofund/internal/store"
)

// ErrKeyReused reports an Idempotency-Key sent again with a different request.
var ErrKeyReused = errs.New(errs.Conflict, "idempotency_key_reused", "Idempotency-Key was used with a different request")

// Keys stores idempotency keys, per token.
type Keys struct{ db *store.DB }

// New returns the keys stored in db.
func New(db *store.DB) *Keys { return &Keys{db: db} }

// Stored is the response a request was answered with.
type Stored struct {
	Status int
	Body   []byte
}

// Claim takes key for the request with hash reqHash, in the transaction
// ctx carries. claimed is true when the key is new: the caller runs the
// request and then calls Save in the same transaction. Otherwise prev is the
// stored response to replay; a key taken by a different request is
// ErrKeyReused, and one taken by a request that has not committed yet is
// store.ErrSerialization, so that the caller's transaction runs again.
func (k *Keys) Claim(ctx context.Context, tokenID, key, reqHash string) (prev *Stored, claimed bool, err error) {
	// A concurrent request with the same key waits on the unique index
	// until the first commits, then finds its stored response.
	tx := k.db.Conn(ctx)
	// The claim needs nothing a group holds back written first: a key a
	// member of the same group claimed is in the table already, and the
	// read below, which needs its response, writes that first.
	res := store.Quiet(tx).Exec(`INSERT INTO idempotency_keys (token_id, key, request_hash, status, body, created_at)
		VALUES (?,?,?,0,'',?) ON CONFLICT (token_id, key) DO NOTHING`, tokenID, key, reqHash, store.Now())
	if res.Error != nil {
		return nil, false, res.Error
	}
	if res.RowsAffected == 1 {
		return nil, true, nil
	}
	var rows []struct {
		RequestHash string
		Status      int
		Body        string
	}
	if err := tx.Raw("SELECT request_hash, status, body FROM idempotency_keys WHERE token_id = ? AND key = ?", tokenID, key).
		Scan(&rows).Error; err != nil {
		return nil, false, err
	}
	if len(rows) == 0 {
		return nil, false, store.ErrSerialization // not visible in this snapshot yet: run again
	}
	if rows[0].RequestHash != reqHash {
		return nil, false, fmt.Errorf("%w: key %q", ErrKeyReused, key)
	}
	if rows[0].Status == 0 {
		return nil, false, store.ErrSerialization // claimed by a request not committed yet: run again
	}
	return &Stored{rows[0].Status, []byte(rows[0].Body)}, false, nil
}

// Save stores the response of the request that claimed key. In a
// set-based group commit the group's responses are stored together, with
// one statement, when the group flushes.
func (k *Keys) Save(ctx context.Context, tokenID, key string, status int, body []byte) error {
	g := store.GroupOf(ctx)
	if g == nil {
		return k.db.Conn(ctx).Exec("UPDATE idempotency_keys SET status = ?, body = ? WHERE token_id = ? AND key = ?",
			status, string(body), tokenID, key).Error
	}
	s := g.Local(savesKey{k}, func() any { return &saves{k: k} }).(*saves)
	if len(s.rows) == 0 {
		g.Later(store.StageKeys, s.flush)
	}
	s.rows = append(s.rows, []any{tokenID, key, status, string(body)})
	return nil
}

// saves are a group's responses waiting to be stored.
type saves struct {
	k    *Keys
	rows [][]any
}

type savesKey struct{ k *Keys }

func (s *saves) flush(tx *gorm.DB) error {
	rows := s.rows
	s.rows = nil
	q := `UPDATE idempotency_keys SET status = v.column3, body = v.column4 FROM (VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?),", len(rows)), ",") +
		`) AS v WHERE idempotency_keys.token_id = v.column1 AND idempotency_keys.key = v.column2`
	if s.k.db.Dialect == store.Postgres {
		q = `UPDATE idempotency_keys AS i SET status = v.status, body = v.body FROM (VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?::text, ?::text, ?::int, ?::text),", len(rows)), ",") +
			`) AS v(token_id, key, status, body) WHERE i.token_id = v.token_id AND i.key = v.key`
	}
	args := make([]any, 0, 4*len(rows))
	for _, r := range rows {
		args = append(args, r...)
	}
	res := tx.Exec(q, args...)
	if res.Error == nil && res.RowsAffected != int64(len(rows)) {
		return fmt.Errorf("idem: %d of %d responses found no claimed key", int64(len(rows))-res.RowsAffected, len(rows))
	}
	return res.Error
}

// A response can be stored by reference instead of whole: a batch of a
// thousand items is answered with a thousand lines, all of them rebuilt
// from the batch's transfers. The record is refPrefix, the kind of
// reference (which the caller knows how to rebuild), the SHA-256 of the
// response first sent, and the reference itself (JSON):
//
//	@ref batch 9f86d0…08 {"batch":"…","count":1000,"vouchers":[…]}
//
// Every response stored whole is JSON, so no stored body begins this way.
const refPrefix = "@ref "

// RefBody is the stored record of a response sent as body and kept as ref.
func RefBody(kind string, body, ref []byte) []byte {
	return []byte(refPrefix + kind + " " + Digest(body) + " " + string(ref))
}

// ParseRef reads a record RefBody wrote; ok is false for a response stored
// whole.
func ParseRef(stored []byte) (kind, digest string, ref []byte, ok bool) {
	rest, ok := bytes.CutPrefix(stored, []byte(refPrefix))
	if !ok {
		return "", "", nil, false
	}
	k, rest, ok1 := bytes.Cut(rest, []byte(" "))
	d, ref, ok2 := bytes.Cut(rest, []byte(" "))
	if !ok1 || !ok2 {
		return "", "", nil, false
	}
	return string(k), string(d), ref, true
}

// Digest is the hex SHA-256 of a response body.
func Digest(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}
