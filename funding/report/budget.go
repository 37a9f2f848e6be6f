package report

import (
	"context"
	"fmt"
	"time"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/ledger/clues"
	"renofund/internal/money"
	"renofund/internal/window"
)

// BudgetLine is one project's budget and spending in one category.
type BudgetLine struct {
	Project   string       `json:"project"`
	District  string       `json:"district"`
	Category  string       `json:"category"`
	Budget    money.Amount `json:"budget"`
	Spent     money.Amount `json:"spent"`
	Remaining money.Amount `json:"remaining"`           // negative when over budget
	LastPaid  string       `json:"last_paid,omitempty"` // the booking date of the latest payment, when spent is not 0
}

// BudgetReport compares each project's spending per category, booked in w,
// with its budget, for one district or all the actor may see.
func (s *Service) BudgetReport(ctx context.Context, district string, w window.Window) ([]BudgetLine, error) {
	district, err := access.From(ctx).Area(district)
	if err != nil {
		return nil, err
	}
	spends, err := s.ledger.SpentByCategory(ctx, district, "", w.From, w.To)
	if err != nil {
		return nil, err
	}
	spent := map[[2]string]ledger.CategorySpend{}
	for _, sp := range spends {
		spent[[2]string{sp.Project, sp.Category}] = sp
	}
	var out []BudgetLine
	for after := ""; ; {
		ps, err := s.reg.Projects(ctx, district, after, 1000)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			for _, c := range funding.Categories {
				b, sp := p.Budget.For(c), spent[[2]string{p.Code, c}]
				if sp.Spent == 0 {
					sp.LastPaid = "" // paid and reversed
				}
				out = append(out, BudgetLine{Project: p.Code, District: p.District, Category: c, Budget: b, Spent: sp.Spent,
					Remaining: b - sp.Spent, LastPaid: sp.LastPaid})
			}
		}
		if len(ps) < 1000 {
			break
		}
		after = ps[len(ps)-1].Code
	}
	if out == nil {
		out = []BudgetLine{}
	}
	return out, nil
}

// IdleLine is money held without moving on.
type IdleLine struct {
	Fund      string       `json:"fund"`
	Kind      string       `json:"kind"`
	Holder    string       `json:"holder"`
	District  string       `json:"district"`
	Balance   money.Amount `json:"balance"`
	IdleSince string       `json:"idle_since"`
	DaysIdle  int          `json:"days_idle"`
}

// IdleReport lists holdings with money that has not been allocated onward or
// spent for more than days days before asOf: idle since the last outflow, or
// since the first inflow when nothing has gone out; of those, the ones idle
// since a date in w.
func (s *Service) IdleReport(ctx context.Context, days int, asOf time.Time, w window.Window) ([]IdleLine, error) {
	if days < 0 || days > 36500 {
		return nil, fmt.Errorf("%w: days must be from 0 to 36500", errs.ErrInvalidRequest)
	}
	district, err := access.From(ctx).Area("")
	if err != nil {
		return nil, err
	}
	acts, err := clues.Activities(ctx, s.ledger.DB(), district)
	if err != nil {
		return nil, err
	}
	funds, err := fundsOf(ctx, s, acts, func(x clues.Activity) string { return x.Fund })
	if err != nil {
		return nil, err
	}
	// Days are counted between booking dates: the date of asOf in its own
	// zone (the booking zone, when it is the service's clock).
	asOfDate, _ := time.Parse(time.DateOnly, asOf.Format(time.DateOnly))
	cutoff := asOfDate.AddDate(0, 0, -days).Format(time.DateOnly)
	out := []IdleLine{}
	for _, a := range acts {
		since := a.LastOut
		if since == "" {
			since = a.FirstIn
		}
		if since >= cutoff || !w.Contains(since) {
			continue
		}
		t, _ := time.Parse(time.DateOnly, since)
		out = append(out, IdleLine{Fund: a.Fund, Kind: funds[a.Fund].Kind, Holder: a.Holder, District: area(a.District),
			Balance: a.Balance, IdleSince: since, DaysIdle: int(asOfDate.Sub(t).Hours() / 24)})
	}
	return out, nil
}
