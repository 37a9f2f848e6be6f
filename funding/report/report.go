// Package report is the read side of the programme's books: where each
// area's money came from and went (the funding report), budgets against
// spending, idle money, the monthly direct-fund report, a fund's and a
// project's view, the transfer list, and the exceptions an auditor should
// review, with the auditor's review steps on them. It reads the ledger
// through its own API and the registry for what funds and projects are; the
// only thing it writes is a review step (append-only).
package report

import (
	"context"
	"fmt"
	"sort"

	"renofund/funding"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/window"
)

// Service answers the reports.
type Service struct {
	ledger *ledger.Ledger
	reg    *funding.Registry
	// Bank is where the bank findings read the districts' reconciliations
	// (nil: they find nothing).
	Bank BankItems
}

// New returns the reports over l, naming funds and projects from reg.
func New(l *ledger.Ledger, reg *funding.Registry) *Service { return &Service{ledger: l, reg: reg} }

// ErrTooLarge refuses a report whose totals would not fit in an Amount.
var ErrTooLarge = fmt.Errorf("%w: the totals exceed what the books can represent", errs.ErrRuleViolation)

// Flow is money through one area's holders (the city's, or a district's and
// its projects'), net of reversals, booked in a report's window: opening is
// what they held before the window (0 without a lower bound) and available
// what they held at its end. For every row
// opening + received + allocated_in − allocated_out − spent = available, and
// over all rows allocated_in and allocated_out are equal.
type Flow struct {
	Opening      money.Amount `json:"opening"`
	Received     money.Amount `json:"received"`
	AllocatedIn  money.Amount `json:"allocated_in"`
	AllocatedOut money.Amount `json:"allocated_out"`
	Spent        money.Amount `json:"spent"`
	Available    money.Amount `json:"available"`
}

func flowOf(f ledger.Flow) Flow {
	return Flow{Received: f.Received, AllocatedIn: f.AllocatedIn, AllocatedOut: f.AllocatedOut, Spent: f.Spent, Available: f.Net}
}

// add sums o into f, refusing totals that would overflow.
func (f *Flow) add(o Flow) error {
	for _, p := range []struct {
		dst *money.Amount
		v   money.Amount
	}{
		{&f.Opening, o.Opening}, {&f.Received, o.Received}, {&f.AllocatedIn, o.AllocatedIn},
		{&f.AllocatedOut, o.AllocatedOut}, {&f.Spent, o.Spent}, {&f.Available, o.Available},
	} {
		sum, ok := money.Sum(*p.dst, p.v)
		if !ok {
			return ErrTooLarge
		}
		*p.dst = sum
	}
	return nil
}

// holdingFlow is one holding's flow in a window.
type holdingFlow struct {
	Fund, Holder, District string
	Flow
}

// windowFlows sums the postings of the holdings f selects booked in w, and
// adds each holding's opening balance: what its postings before w came to.
// A holding that held money before w and moved none in it has a row too.
// Rows are by fund and holder.
func (s *Service) windowFlows(ctx context.Context, f ledger.FlowFilter, w window.Window) ([]holdingFlow, error) {
	f.From, f.To = w.From, w.To
	rows, err := s.ledger.Flows(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]holdingFlow, len(rows))
	at := make(map[[2]string]int, len(rows))
	for i, r := range rows {
		out[i] = holdingFlow{Fund: r.Fund, Holder: r.Holder, District: r.District, Flow: flowOf(r.Flow)}
		at[[2]string{r.Fund, r.Holder}] = i
	}
	before, ok := w.Before()
	if !ok {
		return out, nil
	}
	f.From, f.To = before.From, before.To
	opening, err := s.ledger.Flows(ctx, f)
	if err != nil {
		return nil, err
	}
	for _, o := range opening {
		i, seen := at[[2]string{o.Fund, o.Holder}]
		if !seen {
			if o.Net == 0 {
				continue
			}
			i = len(out)
			out = append(out, holdingFlow{Fund: o.Fund, Holder: o.Holder, District: o.District})
		}
		if err := out[i].add(Flow{Opening: o.Net, Available: o.Net}); err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Fund != out[j].Fund {
			return out[i].Fund < out[j].Fund
		}
		return out[i].Holder < out[j].Holder
	})
	return out, nil
}

// area is the report's name for where a holding sits: its district, or "city".
func area(district string) string {
	if district == "" {
		return funding.City
	}
	return district
}

// fundsOf loads the funds that items name, by code.
func fundsOf[T any](ctx context.Context, s *Service, items []T, code func(T) string) (map[string]*funding.Fund, error) {
	seen := map[string]bool{}
	var distinct []string
	for _, it := range items {
		if c := code(it); !seen[c] {
			seen[c] = true
			distinct = append(distinct, c)
		}
	}
	return s.reg.FundsByCode(ctx, distinct...)
}
