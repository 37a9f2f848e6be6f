// Package idem keeps Idempotency-Keys: a key, the hash of the request that
// first used it and the response that request got, stored in the same
// transaction as the request's effects, so a response a client saw is
// stored exactly when its effects are.
package idem

import (
	"context"
	"fmt"

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
	res := tx.Exec(`INSERT INTO idempotency_keys (token_id, key, request_hash, status, body, created_at)
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

// Save stores the response of the request that claimed key.
func (k *Keys) Save(ctx context.Context, tokenID, key string, status int, body []byte) error {
	return k.db.Conn(ctx).Exec("UPDATE idempotency_keys SET status = ?, body = ? WHERE token_id = ? AND key = ?",
		status, string(body), tokenID, key).Error
}
