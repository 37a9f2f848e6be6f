package web

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
	"renofund/internal/events"
	"renofund/internal/idem"
	"renofund/internal/store"
)

// groupBodyLimit is the largest request that joins a group commit.
const groupBodyLimit = 64 << 10

// errReplay carries a stored response out of the transaction.
type errReplay struct{ idem.Stored }

func (e *errReplay) Error() string { return "replay" }

// WithStatus is a write's result answered with another status than its
// route's (a payment filed for approval rather than paid: 202).
type WithStatus struct {
	Code int
	Body any
}

// Referenced is a write's result whose idempotency record keeps Ref (any
// JSON value) and the digest of Body instead of Body itself: a batch's
// thousand lines are rebuilt from its transfers on a replay by the
// Server.Replays entry for Kind, and must hash to what was first sent.
type Referenced struct {
	Body any
	Kind string
	Ref  any
}

// Later is a write's result rendered only once the write is in the books:
// inside a group commit the ledger numbers and hashes a transfer when the
// group writes, after the handler has returned.
type Later func() any

// Deferred is ctx for a service call whose ledger writes may wait for the
// group commit it runs in (see store.AllowDeferred): the handler returns
// what it wrote as a Later.
func Deferred(ctx context.Context) context.Context { return store.AllowDeferred(ctx) }

// Replay rebuilds a response from the reference a Referenced result stored.
type Replay func(ctx context.Context, ref []byte) (any, error)

// Write runs a state-changing request in one transaction. With an
// Idempotency-Key the key, the request's hash and the response are stored in
// that same transaction, so the response a client saw is stored exactly when
// its effects are: a retry after a crash either replays it or runs afresh.
func (s *Server) Write(c *gin.Context, status int, fn func(ctx context.Context) (any, int, error)) {
	key := c.GetHeader("Idempotency-Key")
	if len(key) > 128 {
		s.Fail(c, fmt.Errorf("%w: Idempotency-Key is longer than 128 characters", errs.ErrInvalidRequest))
		return
	}
	body, err := ReadBody(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	a, _ := Actor(c)
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
				// Claim the key first: a request that used it before is
				// replayed instead of run again.
				prev, claimed, err := s.Keys.Claim(ctx, a.TokenID, key, reqHash)
				if err != nil {
					return err
				}
				if !claimed {
					return &errReplay{*prev}
				}
			}
			res, n, err := fn(ctx)
			if err != nil {
				return err
			}
			posted = n
			answer := func(*gorm.DB) error {
				if out, err = s.answer(ctx, &status, res, a.TokenID, key); err != nil {
					return err
				}
				// The call's audit event is stored with what it wrote.
				return events.Record(ctx, s.DB, s.event(c, status))
			}
			// In a set-based group commit the response is rendered when the
			// group has written what it shows (voucher numbers, hashes), and
			// stored with the others.
			if g := store.GroupOf(ctx); g != nil {
				g.Later(store.StageAnswers, answer)
				return nil
			}
			return answer(nil)
		})
	}
	err = run()
	var rep *errReplay
	if errors.As(err, &rep) {
		if rep.Body, err = s.rebuild(c.Request.Context(), rep.Body); err != nil {
			s.Fail(c, err)
			return
		}
		c.Header("Idempotent-Replayed", "true")
		c.Data(rep.Status, "application/json; charset=utf-8", append(rep.Body, '\n'))
		return
	}
	if err != nil {
		s.Fail(c, err)
		return
	}
	c.Set(ctxRecorded, true)
	s.metrics.transfers.Add(float64(posted))
	c.Data(status, "application/json; charset=utf-8", append(out, '\n'))
}

// answer renders a write's result as the response body and, under an
// Idempotency-Key, stores it for replays.
func (s *Server) answer(ctx context.Context, status *int, res any, tokenID, key string) ([]byte, error) {
	if l, ok := res.(Later); ok {
		res = l()
	}
	if ws, ok := res.(WithStatus); ok {
		*status, res = ws.Code, ws.Body
	}
	ref, byRef := res.(Referenced)
	if byRef {
		res = ref.Body
	}
	out, err := json.Marshal(res)
	if err != nil || key == "" {
		return out, err
	}
	stored := out
	if byRef {
		r, err := json.Marshal(ref.Ref)
		if err != nil {
			return nil, err
		}
		stored = idem.RefBody(ref.Kind, out, r)
	}
	return out, s.Keys.Save(ctx, tokenID, key, *status, stored)
}

// rebuild turns a stored record into the response body to replay: the
// body itself, or the response rebuilt from a reference, which must be the
// one first sent, byte for byte.
func (s *Server) rebuild(ctx context.Context, stored []byte) ([]byte, error) {
	kind, digest, ref, ok := idem.ParseRef(stored)
	if !ok {
		return stored, nil
	}
	replay := s.Replays[kind]
	if replay == nil {
		return nil, fmt.Errorf("web: no replay for stored %q responses", kind)
	}
	res, err := replay(ctx, ref)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(res)
	if err != nil {
		return nil, err
	}
	if idem.Digest(body) != digest {
		return nil, fmt.Errorf("web: the %s response rebuilt for a replay differs from the one first sent", kind)
	}
	return body, nil
}
