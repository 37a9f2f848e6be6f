package demo

import (
	"fmt"
	"time"

	"renofund/internal/field"
	"renofund/internal/ledger/months"
)

// bulletins drafts, by the same code the bureau and the scheduler use, the
// monthly bulletin (月通报) of every month the demo's money moved in that
// has ended.
func (b *builder) bulletins() error {
	if err := b.flush(); err != nil {
		return err
	}
	now := b.svc.Bulletins.Now().In(field.Zone)
	last := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, field.Zone).Format("2006-01")
	ms, err := months.Booked(b.ctx, b.db, last)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if _, err := b.svc.Bulletins.Draft(b.ctx, m); err != nil {
			return fmt.Errorf("demo bulletin %s: %w", m, err)
		}
		b.sum.Bulletins++
	}
	return nil
}
