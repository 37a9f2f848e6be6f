package taxbook

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
)

// ErrAlreadyReversed refuses a second reversal of a tax record.
var ErrAlreadyReversed = ledger.ErrAlreadyReversed

// ErrReversingReversal refuses the reversal of a reversing record: the
// original is recorded again instead.
var ErrReversingReversal = fmt.Errorf("%w: a reversing record cannot itself be reversed; record the item again",
	errs.ErrRuleViolation)

// Reversal is a recorded reversing record.
type Reversal struct {
	Item
	ReversalOf string `json:"reversal_of"`
	Reason     string `json:"reason"`
}

// Reverse corrects a tax record by a reversing one: the original stays, the
// new record carries its total negated and names it, so that every report
// nets the two. Whoever could record the original (finance, or the
// district of its project) may reverse it, once (409 already_reversed).
func (b *Book) Reverse(ctx context.Context, id, reason string) (*Reversal, error) {
	if err := field.Text("reason", reason, true, 500); err != nil {
		return nil, err
	}
	a := access.From(ctx)
	var out *Reversal
	err := b.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var rows []struct {
			ID, Kind, OnDate, PartyName                               string
			ProjectCode, DistrictCode, PartyCreditCode, Regime, RevOf *string
			Total                                                     int64
		}
		err := tx.Raw(`SELECT id, kind, on_date, party_name, project_code, district_code, party_credit_code, regime,
			reversal_of AS rev_of, total FROM tax_records WHERE id = ?`+b.db.ForUpdate(), id).Scan(&rows).Error
		if err != nil {
			return err
		}
		if len(rows) == 0 || !a.Sees(store.Str(rows[0].DistrictCode)) {
			return fmt.Errorf("%w: tax record %q", errs.ErrNotFound, id)
		}
		r := rows[0]
		if !a.Writes(store.Str(r.DistrictCode)) {
			return fmt.Errorf("%w: this role may not reverse tax record %s", errs.ErrForbidden, id)
		}
		if r.RevOf != nil {
			return ErrReversingReversal
		}
		var done []string
		if err := tx.Raw("SELECT id FROM tax_records WHERE reversal_of = ?", id).Scan(&done).Error; err != nil {
			return err
		}
		if len(done) > 0 {
			return fmt.Errorf("%w: tax record %s was reversed by %s", ErrAlreadyReversed, id, done[0])
		}
		rec := &record{Kind: r.Kind, Project: store.Str(r.ProjectCode), District: store.Str(r.DistrictCode),
			PartyName: r.PartyName, PartyCode: store.Str(r.PartyCreditCode), Regime: store.Str(r.Regime), On: r.OnDate,
			Total: -money.Amount(r.Total), Detail: map[string]any{"reversal_of": id, "reason": reason},
			ReversalOf: id, Reason: reason}
		if err := b.insert(ctx, rec); err != nil {
			return err
		}
		out = &Reversal{Item: Item{ID: rec.ID, Kind: rec.Kind, Regime: rec.Regime, On: rec.On,
			Party: Party{Name: rec.PartyName, CreditCode: rec.PartyCode}, Total: rec.Total, Detail: rec.detail,
			RecordedBy: a.Label(), RecordedAt: rec.At}, ReversalOf: id, Reason: reason}
		return nil
	})
	if store.UniqueViolation(err) {
		return nil, fmt.Errorf("%w: tax record %s", ErrAlreadyReversed, id)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}
