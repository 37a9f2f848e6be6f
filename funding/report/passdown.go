package report

import (
	"context"
	"time"

	"renofund/internal/access"
	"renofund/internal/ledger"
	"renofund/internal/ledger/clues"
	"renofund/internal/money"
)

// PassDown is how one fund's money at the city or a district stood against
// its pass-down deadline (预算法 §52: 30 days, 60 for special transfers) on
// a date: Held is what arrived more than Days days before it and had not
// gone on by then (滞留), the oldest of it since Since; PassedLate is what
// went on in the window asked for, but after its deadline.
type PassDown struct {
	Fund       string       `json:"fund"`
	Kind       string       `json:"kind"`
	Holder     string       `json:"holder"`
	District   string       `json:"district,omitempty"`
	Days       int          `json:"deadline_days"`
	Held       money.Amount `json:"held"`
	Since      string       `json:"since,omitempty"`
	PassedLate money.Amount `json:"passed_late"`
}

// LatePassDown finds, as of asOf (bookings after it are left out), the
// money at the city's and the districts' holdings held past its pass-down
// deadline, and what was passed on late from from to asOf (both inclusive;
// from "" counts no late passing). Inflows are consumed by outflows first
// in, first out: an outflow that takes an inflow more than the deadline
// after it arrived passed it on late, and what is left of an old inflow is
// held back. A district sees its own holdings. Only holdings with something
// late come back, by fund and holder.
func (s *Service) LatePassDown(ctx context.Context, from string, asOf time.Time) ([]PassDown, error) {
	district, err := access.From(ctx).Area("")
	if err != nil {
		return nil, err
	}
	entries, err := clues.Entries(ctx, s.ledger.DB(), ledger.HoldingFilter{District: district, Positive: from == "", AboveProjects: true})
	if err != nil {
		return nil, err
	}
	funds, err := fundsOf(ctx, s, entries, func(x clues.Entry) string { return x.Fund })
	if err != nil {
		return nil, err
	}
	until := asOf.Format(time.DateOnly)
	type lot struct {
		on, due string // arrived, and the last day to pass it on
		amount  money.Amount
	}
	var out []PassDown
	for i := 0; i < len(entries); {
		e := entries[i]
		days := PassDownDays
		if specialKinds[funds[e.Fund].Kind] {
			days = PassDownSpecialDays
		}
		pd := PassDown{Fund: e.Fund, Kind: funds[e.Fund].Kind, Holder: e.Holder, District: e.District, Days: days}
		var lots []lot
		for ; i < len(entries) && entries[i].Fund == e.Fund && entries[i].Holder == e.Holder; i++ {
			x := entries[i]
			if x.BookedOn > until {
				continue
			}
			if x.Amount > 0 {
				lots = append(lots, lot{x.BookedOn, addDays(x.BookedOn, days), x.Amount})
				continue
			}
			outflow := -x.Amount
			for j := range lots {
				take := min(outflow, lots[j].amount)
				lots[j].amount -= take
				outflow -= take
				if take > 0 && from != "" && x.BookedOn >= from && x.BookedOn > lots[j].due {
					pd.PassedLate += take
				}
			}
		}
		cutoff := asOf.AddDate(0, 0, -days).Format(time.DateOnly)
		for _, l := range lots {
			if l.amount > 0 && l.on < cutoff {
				pd.Held += l.amount
				if pd.Since == "" {
					pd.Since = l.on
				}
			}
		}
		if pd.Held > 0 || pd.PassedLate > 0 {
			out = append(out, pd)
		}
	}
	return out, nil
}
