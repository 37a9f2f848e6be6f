package ledger

import (
	"context"
	"fmt"
	"strconv"

	"renofund/internal/errs"
)

// FirstYear is the earliest fiscal year the books take: nothing may be booked
// before it, so closing the books up to a month can close every earlier year.
const FirstYear = 2000

// CloseThrough closes every month of the books up to and including month
// (YYYY-MM): its year's months up to it and every earlier year whole. It
// writes (and so locks) the voucher counter of each of those years, the row
// every post into them locks too, so a post into a month being closed either
// committed before the close reads the balances or is refused after. Call it
// inside the transaction that seals the closing balances.
func (l *Ledger) CloseThrough(ctx context.Context, month string) error {
	y, m, err := yearMonth(month)
	if err != nil {
		return err
	}
	tx := l.db.Conn(ctx)
	for year := FirstYear; year <= y; year++ {
		mask := int64(AllMonths)
		if year == y {
			mask = 1<<m - 1
		}
		err := tx.Exec(`INSERT INTO voucher_counters (fiscal_year, last_seq, closed_months) VALUES (?, 0, ?)
			ON CONFLICT (fiscal_year) DO UPDATE SET closed_months = voucher_counters.closed_months | excluded.closed_months`,
			year, mask).Error
		if err != nil {
			return err
		}
	}
	return nil
}

// ReopenFrom opens month (YYYY-MM) and every later month again.
func (l *Ledger) ReopenFrom(ctx context.Context, month string) error {
	y, m, err := yearMonth(month)
	if err != nil {
		return err
	}
	tx := l.db.Conn(ctx)
	if err := tx.Exec(`UPDATE voucher_counters SET closed_months = closed_months & ? WHERE fiscal_year = ?`,
		int64(1<<(m-1)-1), y).Error; err != nil {
		return err
	}
	return tx.Exec(`UPDATE voucher_counters SET closed_months = 0 WHERE fiscal_year > ?`, y).Error
}

// ClosedThrough is the last closed month (YYYY-MM), or "" when none is:
// months close in order, so every month up to it is closed and none after.
func (l *Ledger) ClosedThrough(ctx context.Context) (string, error) {
	var rows []struct {
		FiscalYear   int
		ClosedMonths int64
	}
	err := l.db.Conn(ctx).Raw(`SELECT fiscal_year, closed_months FROM voucher_counters
		WHERE closed_months <> 0 ORDER BY fiscal_year DESC LIMIT 1`).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return "", err
	}
	m := 12
	for m > 1 && rows[0].ClosedMonths&(1<<(m-1)) == 0 {
		m--
	}
	return fmt.Sprintf("%04d-%02d", rows[0].FiscalYear, m), nil
}

// yearMonth reads YYYY-MM within the books' years.
func yearMonth(month string) (int, int, error) {
	bad := fmt.Errorf("%w: month %q is not YYYY-MM from %d on", errs.ErrInvalidRequest, month, FirstYear)
	if len(month) != 7 || month[4] != '-' {
		return 0, 0, bad
	}
	y, err1 := strconv.Atoi(month[:4])
	m, err2 := strconv.Atoi(month[5:])
	if err1 != nil || err2 != nil || y < FirstYear || y > 9999 || m < 1 || m > 12 {
		return 0, 0, bad
	}
	return y, m, nil
}
