package ledger

import (
	"context"
	"fmt"
	"sort"

	"gorm.io/gorm"

	"renofund/internal/errs"
	"renofund/internal/money"
)

// ErrOverHouseholdShare refuses a receipt that takes a household past its
// cap (a provident-fund withdrawal above the household's share of the work).
var ErrOverHouseholdShare = errs.New(errs.Rule, "over_household_share", "above the household's share")

// checkHouseholds applies every capped receipt's household cap: what the
// fund already holds for the household (receipts net of reversals), plus
// the earlier items of this post, plus this one, may not exceed it. It runs
// under the lock of the holding the receipts credit, so concurrent receipts
// for one household are counted one after the other.
func checkHouseholds(tx *gorm.DB, ts []*Transfer) error {
	byFund := map[string]map[string]bool{}
	for _, t := range ts {
		if t.HouseholdCap > 0 && t.Household != "" {
			if byFund[t.Fund] == nil {
				byFund[t.Fund] = map[string]bool{}
			}
			byFund[t.Fund][t.Household] = true
		}
	}
	if len(byFund) == 0 {
		return nil
	}
	type hk struct{ fund, household string }
	taken := map[hk]money.Amount{}
	funds := make([]string, 0, len(byFund))
	for f := range byFund {
		funds = append(funds, f)
	}
	sort.Strings(funds)
	for _, f := range funds {
		hs := make([]string, 0, len(byFund[f]))
		for h := range byFund[f] {
			hs = append(hs, h)
		}
		for start := 0; start < len(hs); start += 500 {
			var rows []struct {
				Household string
				Amount    int64
			}
			err := tx.Raw(`SELECT household, SUM(CASE WHEN type = 'reversal' THEN -amount ELSE amount END) AS amount
				FROM transfers WHERE fund_code = ? AND base_type = 'receipt' AND household IN ? GROUP BY household`,
				f, hs[start:min(start+500, len(hs))]).Scan(&rows).Error
			if err != nil {
				return err
			}
			for _, r := range rows {
				taken[hk{f, r.Household}] = money.Amount(r.Amount)
			}
		}
	}
	for i, t := range ts {
		if t.HouseholdCap <= 0 || t.Household == "" {
			continue
		}
		k := hk{t.Fund, t.Household}
		before := taken[k]
		if taken[k] += t.Amount; taken[k] > t.HouseholdCap {
			return itemErr(ts, i, fmt.Errorf("%w: %s for household %s would come to %s, above its share of the work %s (%s received before)",
				ErrOverHouseholdShare, t.Fund, t.Household, taken[k], t.HouseholdCap, before))
		}
	}
	return nil
}

// HouseholdReceipts sums, per household, what fund has received for it:
// receipts net of their reversals.
func (l *Ledger) HouseholdReceipts(ctx context.Context, fund string) (map[string]money.Amount, error) {
	var rows []struct {
		Household string
		Amount    int64
	}
	err := l.db.Conn(ctx).Raw(`SELECT household, SUM(CASE WHEN type = 'reversal' THEN -amount ELSE amount END) AS amount
		FROM transfers WHERE fund_code = ? AND base_type = 'receipt' AND household IS NOT NULL
		GROUP BY household`, fund).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	m := make(map[string]money.Amount, len(rows))
	for _, r := range rows {
		m[r.Household] = money.Amount(r.Amount)
	}
	return m, nil
}
