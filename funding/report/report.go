// Package report is the read side of the programme's books: where each
// area's money came from and went (the funding report), budgets against
// spending, idle money, the monthly direct-fund report, a fund's and a
// project's view, the transfer list, and the exceptions an auditor should
// review. It reads the ledger through its own API and the registry for
// what funds and projects are; it writes nothing.
package report

import (
	"context"
	"fmt"

	"renofund/funding"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
)

// Service answers the reports.
type Service struct {
	ledger *ledger.Ledger
	reg    *funding.Registry
}

// New returns the reports over l, naming funds and projects from reg.
func New(l *ledger.Ledger, reg *funding.Registry) *Service { return &Service{ledger: l, reg: reg} }

// ErrTooLarge refuses a report whose totals would not fit in an Amount.
var ErrTooLarge = fmt.Errorf("%w: the totals exceed what the books can represent", errs.ErrRuleViolation)

// Flow is money through one area's holders (the city's, or a district's and
// its projects'), net of reversals. For every row
// received + allocated_in − allocated_out − spent = available, and over all
// rows allocated_in and allocated_out are equal.
type Flow struct {
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
		{&f.Received, o.Received}, {&f.AllocatedIn, o.AllocatedIn}, {&f.AllocatedOut, o.AllocatedOut},
		{&f.Spent, o.Spent}, {&f.Available, o.Available},
	} {
		sum, ok := money.Sum(*p.dst, p.v)
		if !ok {
			return ErrTooLarge
		}
		*p.dst = sum
	}
	return nil
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
