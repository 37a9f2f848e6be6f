package report

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/money"
)

// FundQuery selects the funds of GET /v1/funds; empty fields select all.
type FundQuery struct {
	Kind       string
	Holder     string
	FiscalYear string // YYYY
	District   string
	After      string
	Limit      int
}

// FundTotals are a fund's totals in a list: received, spent and available
// as GET /v1/funds/{code} computes them for the same actor, and allocated
// out, the money its holdings in view passed down to holders below them.
type FundTotals struct {
	Received     money.Amount `json:"received"`
	AllocatedOut money.Amount `json:"allocated_out"`
	Spent        money.Amount `json:"spent"`
	Available    money.Amount `json:"available"`
}

// FundSummary is one fund of a list with its totals.
type FundSummary struct {
	*funding.Fund
	Totals FundTotals `json:"totals"`
}

// filter checks the query and turns it into the registry's filter, narrowed
// to what the actor may see: a district sees the funds held by itself or
// its projects and those whose money has reached it.
func (s *Service) filter(ctx context.Context, q FundQuery) (funding.FundFilter, error) {
	f := funding.FundFilter{Holder: q.Holder, After: q.After, Limit: q.Limit}
	if q.Kind != "" {
		if !slices.Contains(funding.Kinds, q.Kind) {
			return f, fmt.Errorf("%w: kind %q is not a fund kind", errs.ErrInvalidRequest, q.Kind)
		}
		f.Kinds = []string{q.Kind}
	}
	if q.FiscalYear != "" {
		y, err := strconv.Atoi(q.FiscalYear)
		if err != nil || len(q.FiscalYear) != 4 || y < 2000 || y > 2100 {
			return f, fmt.Errorf("%w: fiscal_year %q is not a year (YYYY, 2000 to 2100)", errs.ErrInvalidRequest, q.FiscalYear)
		}
		f.FiscalYear = y
	}
	district, err := access.From(ctx).Area(q.District)
	if err != nil {
		return f, err
	}
	if district != "" {
		ok, err := s.reg.DistrictExists(ctx, district)
		if err != nil {
			return f, err
		}
		if !ok {
			return f, fmt.Errorf("%w: district %q", errs.ErrNotFound, district)
		}
		if f.HeldIn, err = s.ledger.FundsHeldIn(ctx, district); err != nil {
			return f, err
		}
	}
	f.District = district
	return f, nil
}

// Funds lists the funds the actor may see, a page at a time, each with its
// totals, read for the whole page in one grouped ledger read. A district's
// totals are those of its own holdings, as in FundView.
func (s *Service) Funds(ctx context.Context, q FundQuery) ([]FundSummary, error) {
	f, err := s.filter(ctx, q)
	if err != nil {
		return nil, err
	}
	fs, err := s.reg.Funds(ctx, f)
	if err != nil {
		return nil, err
	}
	flows, err := s.ledger.FundFlows(ctx, funding.Codes(fs), f.District)
	if err != nil {
		return nil, err
	}
	byFund := make(map[string]FundTotals, len(flows))
	for _, fl := range flows {
		received := fl.Received
		if f.District != "" {
			received += fl.AllocatedIn - fl.AllocatedOut
		}
		byFund[fl.Fund] = FundTotals{Received: received, AllocatedOut: fl.AllocatedOut, Spent: fl.Spent, Available: fl.Net}
	}
	out := make([]FundSummary, len(fs))
	for i, fd := range fs {
		out[i] = FundSummary{Fund: fd, Totals: byFund[fd.Code]}
	}
	return out, nil
}
