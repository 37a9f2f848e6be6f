// Package proof proves the books unaltered. Checkpoints seal every holding's
// chain head and form their own chain; period seals fix a closed period's
// closing balances; Verify recomputes every hash link, balance, voucher
// number, checkpoint and seal from the stored rows and says where the first
// disagreement lies.
package proof

import (
	"crypto/sha256"
	"encoding/hex"

	"renofund/internal/money"
	"renofund/internal/store"
)

// Books is the proof side of the ledger's tables.
type Books struct {
	db *store.DB
}

// New returns the proofs of the books in db.
func New(db *store.DB) *Books { return &Books{db: db} }

// key names one holding: a fund's money at one holder.
type key struct{ fund, holder string }

// state is where a holding's chain ends.
type state struct {
	balance money.Amount
	seq     int64
	head    string
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// sep separates the fields of a checkpoint's canonical form, as in the
// ledger's hashes.
const sep = "\x1e"
