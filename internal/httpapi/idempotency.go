package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"renofund/internal/errs"
	"renofund/internal/store"
)

// groupBodyLimit is the largest request that joins a group commit.
const groupBodyLimit = 64 << 10

// ErrKeyReused reports an Idempotency-Key sent again with a different body.
var ErrKeyReused = errs.New(errs.Conflict, "idempotency_key_reused", "Idempotency-Key was used with a different request")

type stored struct {
	Status int
	Body   []byte
}

// errReplay carries a stored response out of the transaction.
type errReplay struct{ stored }

func (e *errReplay) Error() string { return "replay" }

// write runs a state-changing request in one transaction. With an
// Idempotency-Key the key, the request's hash and the response are stored in
// that same transaction, so the response a client saw is stored exactly when
// its effects are: a retry after a crash either replays it or runs afresh.
func (s *Server) write(c *gin.Context, status int, fn func(ctx context.Context) (any, int, error)) {
	key := c.GetHeader("Idempotency-Key")
	if len(key) > 128 {
		s.fail(c, fmt.Errorf("%w: Idempotency-Key is longer than 128 characters", errs.ErrInvalidRequest))
		return
	}
	body, err := readBody(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	a, _ := actorOf(c)
	h := sha256.New()
	h.Write([]byte(c.Request.Method + " " + c.Request.URL.Path + "?" + c.Request.URL.RawQuery + "\n"))
	h.Write(body)
	reqHash := hex.EncodeToString(h.Sum(nil))
	var out []byte
	var posted int
	// Small writes share a transaction with others arriving at the same
	// moment (group commit); big ones (batches, imports, plan executions,
	// subsidy approvals) run alone.
	exec := s.DB.Combine
	if len(body) > groupBodyLimit || c.GetBool(ctxLong) {
		exec = s.DB.Tx
	}
	run := func() error {
		return exec(c.Request.Context(), func(ctx context.Context, tx *gorm.DB) error {
			if key != "" {
				// Claim the key first. A concurrent request with the same key
				// waits on the unique index until this one commits, then finds
				// the stored response and replays it instead of running.
				res := tx.Exec(`INSERT INTO idempotency_keys (token_id, key, request_hash, status, body, created_at)
					VALUES (?,?,?,0,'',?) ON CONFLICT (token_id, key) DO NOTHING`, a.TokenID, key, reqHash, store.Now())
				if res.Error != nil {
					return res.Error
				}
				if res.RowsAffected == 0 {
					prev, err := lookupKey(tx, a.TokenID, key, reqHash)
					if err != nil {
						return err
					}
					if prev == nil || prev.Status == 0 {
						return store.ErrSerialization // not visible in this snapshot yet: run again
					}
					return &errReplay{*prev}
				}
			}
			res, n, err := fn(ctx)
			if err != nil {
				return err
			}
			if out, err = json.Marshal(res); err != nil {
				return err
			}
			posted = n
			if key == "" {
				return nil
			}
			return tx.Exec("UPDATE idempotency_keys SET status = ?, body = ? WHERE token_id = ? AND key = ?",
				status, string(out), a.TokenID, key).Error
		})
	}
	err = run()
	var rep *errReplay
	if errors.As(err, &rep) {
		c.Header("Idempotent-Replayed", "true")
		c.Data(rep.Status, "application/json; charset=utf-8", append(rep.Body, '\n'))
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.metrics.transfers.Add(float64(posted))
	c.Data(status, "application/json; charset=utf-8", append(out, '\n'))
}

func lookupKey(tx *gorm.DB, tokenID, key, reqHash string) (*stored, error) {
	var rows []struct {
		RequestHash string
		Status      int
		Body        string
	}
	if err := tx.Raw("SELECT request_hash, status, body FROM idempotency_keys WHERE token_id = ? AND key = ?", tokenID, key).
		Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	if rows[0].RequestHash != reqHash {
		return nil, fmt.Errorf("%w: key %q", ErrKeyReused, key)
	}
	return &stored{rows[0].Status, []byte(rows[0].Body)}, nil
}
