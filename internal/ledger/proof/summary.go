package proof

import (
	"context"

	"renofund/internal/ledger/trail"
	"renofund/internal/money"
)

// Summary identifies one state of the books: how much they hold and where
// every hash chain ends. A backup prints it for what it copied, and a
// restore for what it put in place, so that a copy can be held against its
// source: equal when nothing was written since, else a prefix of it.
type Summary struct {
	Transfers int64 `json:"transfers"`
	Postings  int64 `json:"postings"`
	// Holdings counts the holdings with postings; Heads is the SHA-256 of
	// their chain heads in the form a checkpoint seals.
	Holdings int64  `json:"holdings"`
	Heads    string `json:"heads"`
	// Checkpoint is the newest checkpoint, if any.
	Checkpoint *Checkpoint `json:"checkpoint"`
	// Received and Spent are what the holdings received and spent (net of
	// reversals, as an export's totals); Held what they hold.
	Received money.Amount `json:"received"`
	Spent    money.Amount `json:"spent"`
	Held     money.Amount `json:"held"`
}

// Summary reads the books' summary from one snapshot.
func (b *Books) Summary(ctx context.Context) (*Summary, error) {
	var s Summary
	err := b.db.Snapshot(ctx, func(ctx context.Context) error {
		conn := b.db.Conn(ctx)
		var counts struct{ Transfers, Postings, Held int64 }
		if err := conn.Raw(`SELECT (SELECT COUNT(*) FROM transfers) AS transfers, (SELECT COUNT(*) FROM postings) AS postings,
			(SELECT COALESCE(SUM(balance), 0) FROM holdings) AS held`).Scan(&counts).Error; err != nil {
			return err
		}
		s.Transfers, s.Postings, s.Held = counts.Transfers, counts.Postings, money.Amount(counts.Held)
		cp, err := latest(conn)
		if err != nil {
			return err
		}
		heads, err := b.Heads(ctx, nil)
		if err != nil {
			return err
		}
		s.Checkpoint, s.Holdings, s.Heads = cp, heads.Holdings, heads.Digest
		totals, err := trail.Totals(ctx, b.db, trail.Filter{})
		for _, t := range totals {
			s.Received += t.Received
			s.Spent += t.Spent
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// Empty reports books without a single transfer: nothing to verify, and
// more likely the wrong database than a proof.
func (b *Books) Empty(ctx context.Context) (bool, error) {
	var n int64
	err := b.db.Conn(ctx).Raw("SELECT COUNT(*) FROM (SELECT 1 FROM transfers LIMIT 1) t").Scan(&n).Error
	return n == 0, err
}
