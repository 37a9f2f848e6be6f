package idem_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"renofund/internal/errs"
	"renofund/internal/idem"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// claim runs one Claim in its own transaction and, when the key is new,
// saves status and body before commit, as the middleware does.
func claim(t *testing.T, db *store.DB, k *idem.Keys, token, key, hash string, status int, body string) (*idem.Stored, bool, error) {
	t.Helper()
	var (
		prev    *idem.Stored
		claimed bool
	)
	err := db.Tx(context.Background(), func(ctx context.Context, tx *gorm.DB) error {
		var err error
		prev, claimed, err = k.Claim(ctx, token, key, hash)
		if err != nil || !claimed {
			return err
		}
		return k.Save(ctx, token, key, status, []byte(body))
	})
	return prev, claimed, err
}

func countKeys(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var n int64
	if err := db.G.Raw("SELECT COUNT(*) FROM idempotency_keys").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestClaimAndReplay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := idem.New(db)
		prev, claimed, err := claim(t, db, k, "tok-a", "key-1", "hash-1", 201, `{"id":"r1"}`)
		if err != nil || !claimed || prev != nil {
			t.Fatalf("first Claim = %+v, %v, %v; want nil, true, nil", prev, claimed, err)
		}
		steps := []struct {
			name        string
			token, key  string
			hash        string
			wantClaimed bool
			wantStatus  int
			wantBody    string
			wantErr     error
		}{
			{"same key and request", "tok-a", "key-1", "hash-1", false, 201, `{"id":"r1"}`, nil},
			{"same again", "tok-a", "key-1", "hash-1", false, 201, `{"id":"r1"}`, nil},
			{"same key, another request", "tok-a", "key-1", "hash-2", false, 0, "", idem.ErrKeyReused},
			{"same key under another token", "tok-b", "key-1", "hash-2", true, 0, "", nil},
			{"another token replays its own", "tok-b", "key-1", "hash-2", false, 409, `{"other":true}`, nil},
			{"another token, first token's request", "tok-b", "key-1", "hash-1", false, 0, "", idem.ErrKeyReused},
			{"first token still replays its own", "tok-a", "key-1", "hash-1", false, 201, `{"id":"r1"}`, nil},
			{"another key", "tok-a", "key-2", "hash-1", true, 0, "", nil},
			{"key in another case", "tok-a", "KEY-1", "hash-1", true, 0, "", nil},
		}
		for _, s := range steps {
			prev, claimed, err := claim(t, db, k, s.token, s.key, s.hash, 409, `{"other":true}`)
			if s.wantErr != nil {
				if !errors.Is(err, s.wantErr) {
					t.Errorf("%s: error = %v, want %v", s.name, err, s.wantErr)
				}
				if prev != nil || claimed {
					t.Errorf("%s: refused, yet Claim = %+v, %v", s.name, prev, claimed)
				}
				continue
			}
			if err != nil || claimed != s.wantClaimed {
				t.Errorf("%s: Claim = %+v, %v, %v; want claimed %v", s.name, prev, claimed, err, s.wantClaimed)
				continue
			}
			if claimed {
				if prev != nil {
					t.Errorf("%s: a new key answered a stored response %+v", s.name, prev)
				}
				continue
			}
			if prev == nil || prev.Status != s.wantStatus || string(prev.Body) != s.wantBody {
				t.Errorf("%s: stored = %+v, want status %d body %s", s.name, prev, s.wantStatus, s.wantBody)
			}
		}
		if got, want := countKeys(t, db), int64(4); got != want {
			t.Errorf("%d keys stored, want %d (tok-a key-1, key-2, KEY-1; tok-b key-1)", got, want)
		}
	})
}

// TestKeyReusedIsAConflict: the refusal carries its own code, a conflict.
func TestKeyReusedIsAConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := idem.New(db)
		if _, _, err := claim(t, db, k, "tok", "k", "h1", 200, "ok"); err != nil {
			t.Fatal(err)
		}
		_, _, err := claim(t, db, k, "tok", "k", "h2", 200, "ok")
		if !errors.Is(err, idem.ErrKeyReused) {
			t.Fatalf("error = %v, want %v", err, idem.ErrKeyReused)
		}
		if got := errs.Classify(err); got.Kind != errs.Conflict || got.Code != "idempotency_key_reused" {
			t.Errorf("Classify = kind %d code %q, want kind Conflict code idempotency_key_reused", got.Kind, got.Code)
		}
	})
}

// TestClaimRolledBack: a claim made by a transaction that rolled back leaves
// nothing, and the key can be claimed again, even with another request.
func TestClaimRolledBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := idem.New(db)
		failed := errors.New("the request failed")
		for _, save := range []bool{false, true} {
			err := db.Tx(context.Background(), func(ctx context.Context, tx *gorm.DB) error {
				_, claimed, err := k.Claim(ctx, "tok", "k", "h1")
				if err != nil || !claimed {
					t.Errorf("Claim inside the transaction = %v, %v; want claimed", claimed, err)
				}
				if save {
					if err := k.Save(ctx, "tok", "k", 201, []byte("created")); err != nil {
						t.Errorf("Save: %v", err)
					}
				}
				return failed
			})
			if !errors.Is(err, failed) {
				t.Fatalf("Tx error = %v, want %v", err, failed)
			}
			if got := countKeys(t, db); got != 0 {
				t.Errorf("saved %v, rolled back: %d keys stored, want 0", save, got)
			}
		}
		prev, claimed, err := claim(t, db, k, "tok", "k", "h2", 200, "second")
		if err != nil || !claimed || prev != nil {
			t.Errorf("Claim after rollbacks = %+v, %v, %v; want nil, true, nil", prev, claimed, err)
		}
		prev, claimed, err = claim(t, db, k, "tok", "k", "h2", 0, "")
		if err != nil || claimed || prev == nil || prev.Status != 200 || string(prev.Body) != "second" {
			t.Errorf("replay = %+v, %v, %v; want status 200 body second", prev, claimed, err)
		}
	})
}

// TestClaimUnsaved: a key claimed but not yet answered (its request has
// not committed) is a serialization failure, so the caller runs again.
func TestClaimUnsaved(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := idem.New(db)
		done := errors.New("roll back")
		err := db.Tx(context.Background(), func(ctx context.Context, tx *gorm.DB) error {
			if _, claimed, err := k.Claim(ctx, "tok", "k", "h"); err != nil || !claimed {
				t.Errorf("first Claim = %v, %v; want claimed", claimed, err)
				return done
			}
			prev, claimed, err := k.Claim(ctx, "tok", "k", "h")
			if !errors.Is(err, store.ErrSerialization) || claimed || prev != nil {
				t.Errorf("Claim of an unanswered key = %+v, %v, %v; want nil, false, %v", prev, claimed, err, store.ErrSerialization)
			}
			return done
		})
		if !errors.Is(err, done) {
			t.Errorf("Tx error = %v, want %v", err, done)
		}
	})
}

// TestSaveStoresBytes: a body is stored and replayed byte for byte.
func TestSaveStoresBytes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := idem.New(db)
		bodies := []string{"", `{"amount":"100.00"}`, "{\"name\":\"海州区\"}\n", `{"q":"it's \"quoted\""}`}
		for i, body := range bodies {
			key := string(rune('a' + i))
			if _, claimed, err := claim(t, db, k, "tok", key, "h", 200+i, body); err != nil || !claimed {
				t.Fatalf("Claim %q = %v, %v", key, claimed, err)
			}
			prev, claimed, err := claim(t, db, k, "tok", key, "h", 0, "")
			if err != nil || claimed || prev == nil {
				t.Fatalf("replay %q = %+v, %v, %v", key, prev, claimed, err)
			}
			if prev.Status != 200+i || string(prev.Body) != body {
				t.Errorf("replay %q = %d %q, want %d %q", key, prev.Status, prev.Body, 200+i, body)
			}
		}
	})
}

// TestRefBody: a reference record reads back as written, and a body stored
// whole (JSON) is never taken for one.
func TestRefBody(t *testing.T) {
	body := []byte(`{"id":"b1","items":[]}`)
	rec := idem.RefBody("batch", body, []byte(`{"batch":"b1"}`))
	kind, digest, ref, ok := idem.ParseRef(rec)
	if !ok || kind != "batch" || digest != idem.Digest(body) || string(ref) != `{"batch":"b1"}` {
		t.Errorf("ParseRef(%q) = %q %q %q %v", rec, kind, digest, ref, ok)
	}
	for _, whole := range []string{`{"a":1}`, `[]`, ``, `@ref`, `@ref batch`} {
		if _, _, _, ok := idem.ParseRef([]byte(whole)); ok {
			t.Errorf("ParseRef(%q) took a whole body for a reference", whole)
		}
	}
}
