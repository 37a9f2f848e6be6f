package proof

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
)

// Seal fixes a closed period's closing balances: every holding's balance as
// of the period's last day, their digest, and the checkpoint of every chain
// head taken in the same transaction. A reopened period's seal is kept,
// marked superseded.
type Seal struct {
	ID            string       `json:"id"`
	Period        string       `json:"period"`
	LastDay       string       `json:"last_day"`
	Holdings      int64        `json:"holdings"`
	Total         money.Amount `json:"total"`
	Digest        string       `json:"balances_digest"`
	CheckpointSeq int64        `json:"checkpoint_seq"`
	SealedBy      string       `json:"sealed_by"`
	SealedAt      string       `json:"sealed_at"`
	SupersededAt  *string      `json:"superseded_at,omitempty"`
}

// Balance is one holding's balance in a seal.
type Balance struct {
	Fund    string       `json:"fund"`
	Holder  string       `json:"holder"`
	Balance money.Amount `json:"balance"`
}

// Closing is every holding's balance at the end of day, from the postings
// booked up to it, in fund and holder order.
func Closing(ctx context.Context, l *ledger.Ledger, day string) ([]Balance, error) {
	flows, err := l.Flows(ctx, ledger.FlowFilter{To: day})
	if err != nil {
		return nil, err
	}
	out := make([]Balance, len(flows))
	for i, f := range flows {
		out[i] = Balance{Fund: f.Fund, Holder: f.Holder, Balance: f.Net}
	}
	return out, nil
}

// balancesDigest is the digest a seal keeps of its balances.
func balancesDigest(bs []Balance) string {
	var b strings.Builder
	for _, x := range bs {
		fmt.Fprintf(&b, "%s|%s|%d\n", x.Fund, x.Holder, int64(x.Balance))
	}
	return digest(b.String())
}

// Seal records period's closing balances as of lastDay and a checkpoint, in
// the caller's transaction (the one that closed the period's months, so no
// post into them can land in between).
func (b *Books) Seal(ctx context.Context, l *ledger.Ledger, period, lastDay, by string) (*Seal, *Checkpoint, error) {
	bs, err := Closing(ctx, l, lastDay)
	if err != nil {
		return nil, nil, err
	}
	cp, err := b.checkpoint(ctx)
	if err != nil {
		return nil, nil, err
	}
	s := &Seal{ID: ledger.NewID(), Period: period, LastDay: lastDay, Holdings: int64(len(bs)), Digest: balancesDigest(bs),
		CheckpointSeq: cp.Seq, SealedBy: by, SealedAt: store.Now()}
	rows := make([][]any, len(bs))
	for i, x := range bs {
		s.Total += x.Balance
		rows[i] = []any{s.ID, x.Fund, x.Holder, int64(x.Balance)}
	}
	tx := b.db.Conn(ctx)
	err = tx.Exec(`INSERT INTO period_seals (id, period, last_day, holdings, total, balances_digest, checkpoint_seq,
		sealed_by, sealed_at) VALUES (?,?,?,?,?,?,?,?,?)`, s.ID, s.Period, s.LastDay, s.Holdings, int64(s.Total), s.Digest,
		s.CheckpointSeq, s.SealedBy, s.SealedAt).Error
	if err != nil {
		return nil, nil, err
	}
	if len(rows) > 0 {
		if err := store.InsertMany(tx, "period_balances", []string{"seal_id", "fund_code", "holder", "balance"}, rows); err != nil {
			return nil, nil, err
		}
	}
	return s, cp, nil
}

// Supersede marks seals in force as superseded (their periods reopened) and
// returns their periods: every seal of a period ending on or after day, or,
// when day is "", the seal of period alone.
func (b *Books) Supersede(ctx context.Context, day, period string) ([]string, error) {
	tx := b.db.Conn(ctx)
	where, arg := "last_day >= ?", day
	if day == "" {
		where, arg = "period = ?", period
	}
	var periods []string
	if err := tx.Raw(`SELECT period FROM period_seals WHERE superseded_at IS NULL AND `+where+` ORDER BY last_day, period`, arg).
		Scan(&periods).Error; err != nil {
		return nil, err
	}
	err := tx.Exec(`UPDATE period_seals SET superseded_at = ? WHERE superseded_at IS NULL AND `+where, store.Now(), arg).Error
	return periods, err
}

const sealCols = `id, period, last_day, holdings, total, balances_digest AS digest, checkpoint_seq, sealed_by, sealed_at, superseded_at`

// Seals returns every seal, current and superseded, oldest first.
func (b *Books) Seals(ctx context.Context) ([]Seal, error) {
	var ss []Seal
	err := b.db.Conn(ctx).Raw(`SELECT ` + sealCols + ` FROM period_seals ORDER BY sealed_at, id`).Scan(&ss).Error
	return ss, err
}

// CurrentSeal is period's seal in force, or nil when the period is not sealed.
func (b *Books) CurrentSeal(ctx context.Context, period string) (*Seal, error) {
	var ss []Seal
	err := b.db.Conn(ctx).Raw(`SELECT `+sealCols+` FROM period_seals WHERE period = ? AND superseded_at IS NULL`, period).
		Scan(&ss).Error
	if err != nil || len(ss) == 0 {
		return nil, err
	}
	return &ss[0], nil
}

// SealBalances returns the balances a seal fixed, in fund and holder order.
func (b *Books) SealBalances(ctx context.Context, id string) ([]Balance, error) {
	var bs []Balance
	err := b.db.Conn(ctx).Raw(`SELECT fund_code AS fund, holder, balance FROM period_balances WHERE seal_id = ?
		ORDER BY fund_code, holder`, id).Scan(&bs).Error
	return bs, err
}

// verifySeals checks each seal in force: its stored balances still give its
// digest and total, and the ledger still gives those balances as of its last
// day (nothing was booked into or removed from the closed period). With
// recompute set, only the seals it names are recomputed from the ledger.
func (b *Books) verifySeals(ctx context.Context, conn *gorm.DB, r *Report, recompute func(s *Seal) bool) error {
	var ss []Seal
	if err := conn.Raw(`SELECT ` + sealCols + ` FROM period_seals WHERE superseded_at IS NULL ORDER BY last_day, period`).
		Scan(&ss).Error; err != nil {
		return err
	}
	l := ledger.New(b.db)
	for _, s := range ss {
		where := "period " + s.Period
		stored, err := b.SealBalances(ctx, s.ID)
		if err != nil {
			return err
		}
		var total money.Amount
		for _, x := range stored {
			total += x.Balance
		}
		if balancesDigest(stored) != s.Digest || total != s.Total || int64(len(stored)) != s.Holdings {
			r.fail(where, "the sealed closing balances were altered after the period closed")
		}
		if recompute != nil && !recompute(&s) {
			continue
		}
		now, err := Closing(ctx, l, s.LastDay)
		if err != nil {
			return err
		}
		if balancesDigest(now) != s.Digest {
			r.fail(where, "the ledger's balances as of %s no longer match the period's seal: something was booked into or removed from a closed period", s.LastDay)
		}
		r.Seals++
	}
	return nil
}
