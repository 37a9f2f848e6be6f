package report

import (
	"context"
	"fmt"
	"sort"
	"time"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/window"
)

// FundingLine is one area and fund kind in the funding report.
type FundingLine struct {
	District string `json:"district"` // a district code, or "city"
	Kind     string `json:"kind"`
	Flow
}

// FundingReport is money by district × fund kind, with the city's own row
// and totals that the rows add up to.
type FundingReport struct {
	Lines  []FundingLine `json:"lines"`
	Totals Flow          `json:"totals"`
}

// FundingReport reports every area's money by fund kind, booked in w; a
// district sees its own.
func (s *Service) FundingReport(ctx context.Context, w window.Window) (*FundingReport, error) {
	district, err := access.From(ctx).Area("")
	if err != nil {
		return nil, err
	}
	rows, err := s.windowFlows(ctx, ledger.FlowFilter{District: district}, w)
	if err != nil {
		return nil, err
	}
	funds, err := fundsOf(ctx, s, rows, func(x holdingFlow) string { return x.Fund })
	if err != nil {
		return nil, err
	}
	byKey := map[[2]string]*FundingLine{}
	r := &FundingReport{Lines: []FundingLine{}}
	for _, row := range rows {
		k := [2]string{area(row.District), funds[row.Fund].Kind}
		if byKey[k] == nil {
			byKey[k] = &FundingLine{District: k[0], Kind: k[1]}
		}
		if err := byKey[k].add(row.Flow); err != nil {
			return nil, err
		}
		if err := r.Totals.add(row.Flow); err != nil {
			return nil, err
		}
	}
	for _, l := range byKey {
		r.Lines = append(r.Lines, *l)
	}
	sort.Slice(r.Lines, func(i, j int) bool {
		if r.Lines[i].District != r.Lines[j].District {
			return r.Lines[i].District < r.Lines[j].District
		}
		return r.Lines[i].Kind < r.Lines[j].Kind
	})
	return r, nil
}

// DirectLine is one direct fund in one area for the monthly report.
type DirectLine struct {
	Fund            string       `json:"fund"`
	District        string       `json:"district"`
	AllocatedMonth  money.Amount `json:"allocated_in_month"`
	AllocatedToDate money.Amount `json:"allocated_to_date"`
	SpentMonth      money.Amount `json:"disbursed_in_month"`
	SpentToDate     money.Amount `json:"disbursed_to_date"`
	Available       money.Amount `json:"available"`
}

// DirectReport is the monthly direct-fund report (直达资金), due to the
// ministry by the 10th of the next month.
type DirectReport struct {
	Month string       `json:"month"`
	Due   string       `json:"due"`
	Lines []DirectLine `json:"lines"`
}

// DirectReport reports allocation and disbursement of direct funds for a
// month (YYYY-MM) and to its end, per fund and area.
func (s *Service) DirectReport(ctx context.Context, month string) (*DirectReport, error) {
	start, err := time.Parse("2006-01", month)
	if err != nil {
		return nil, fmt.Errorf("%w: month must be YYYY-MM, got %q", errs.ErrInvalidRequest, month)
	}
	district, err := access.From(ctx).Area("")
	if err != nil {
		return nil, err
	}
	direct, err := s.reg.Funds(ctx, funding.FundFilter{Direct: true})
	if err != nil {
		return nil, err
	}
	end := start.AddDate(0, 1, -1).Format(time.DateOnly)
	sums := func(from string) (map[[2]string]Flow, error) {
		rows, err := s.ledger.Flows(ctx, ledger.FlowFilter{From: from, To: end, Funds: funding.Codes(direct), District: district})
		if err != nil {
			return nil, err
		}
		out := map[[2]string]Flow{}
		for _, r := range rows {
			k := [2]string{r.Fund, area(r.District)}
			f := out[k]
			if err := f.add(flowOf(r.Flow)); err != nil {
				return nil, err
			}
			out[k] = f
		}
		return out, nil
	}
	inMonth, err := sums(start.Format(time.DateOnly))
	if err != nil {
		return nil, err
	}
	toDate, err := sums("")
	if err != nil {
		return nil, err
	}
	r := &DirectReport{Month: month, Due: start.AddDate(0, 1, 9).Format(time.DateOnly), Lines: []DirectLine{}}
	for k, f := range toDate {
		m := inMonth[k]
		r.Lines = append(r.Lines, DirectLine{Fund: k[0], District: k[1], AllocatedMonth: m.AllocatedIn,
			AllocatedToDate: f.AllocatedIn, SpentMonth: m.Spent, SpentToDate: f.Spent, Available: f.Available})
	}
	sort.Slice(r.Lines, func(i, j int) bool {
		if r.Lines[i].Fund != r.Lines[j].Fund {
			return r.Lines[i].Fund < r.Lines[j].Fund
		}
		return r.Lines[i].District < r.Lines[j].District
	})
	return r, nil
}
