package movement

import (
	"context"
	"fmt"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/money"
)

// Receipt is money entering a fund at its holder.
type Receipt struct {
	Fund       string       `json:"-"`
	Amount     money.Amount `json:"amount"`
	ReceivedOn string       `json:"received_on"`
	Payer      Party        `json:"payer"`
	Reference  string       `json:"reference,omitempty"`
	Household  string       `json:"household,omitempty"`
	// Share is a provident-fund household's share of the work, the most its
	// withdrawals may come to; without it, the project's budget divided
	// evenly over its households (rounded down to the fen).
	Share money.Amount `json:"share,omitempty"`
}

// ReceiptTransfer checks a receipt and builds its transfer without posting
// it (batches and imports post many at once).
func (s *Service) ReceiptTransfer(ctx context.Context, in Receipt) (*ledger.Transfer, error) {
	if err := positive("amount", in.Amount); err != nil {
		return nil, err
	}
	if _, err := funding.ParseDate("received_on", in.ReceivedOn); err != nil {
		return nil, err
	}
	if err := in.Payer.check("payer", false, false); err != nil {
		return nil, err
	}
	if err := field.Text("reference", in.Reference, false, 128); err != nil {
		return nil, err
	}
	if err := field.Text("household", in.Household, false, 128); err != nil {
		return nil, err
	}
	f, err := s.reg.Fund(ctx, in.Fund)
	if err != nil {
		return nil, err
	}
	if err := funding.Writable(access.From(ctx), f.District); err != nil {
		return nil, err
	}
	h := f.At()
	if h.Project != "" {
		if err := s.Works.CheckOpen(ctx, h.Project); err != nil {
			return nil, err
		}
	}
	capped, err := s.householdCap(ctx, f, in)
	if err != nil {
		return nil, err
	}
	return &ledger.Transfer{
		FiscalYear: fiscalYear(in.ReceivedOn), Type: ledger.TypeReceipt, Fund: f.Code, To: f.Holder,
		District: f.District, Project: h.Project, Amount: in.Amount, BookedOn: in.ReceivedOn,
		PayerName: in.Payer.Name, PayerCreditCode: in.Payer.CreditCode, Reference: in.Reference,
		Household: in.Household, DocumentNo: f.DocumentNo, RecordedBy: access.From(ctx).Label(), HouseholdCap: capped,
		Postings: []ledger.Posting{h.Posting(f.Code, in.Amount), funding.Outside(f.Code, -in.Amount)},
	}, nil
}

// Receive records money entering a fund at its holder.
func (s *Service) Receive(ctx context.Context, in Receipt) (*ledger.Transfer, error) {
	return s.build(ctx, func(ctx context.Context) (*ledger.Transfer, error) { return s.ReceiptTransfer(ctx, in) })
}

// ProvidentFund is the kind of fund whose receipts are households'
// withdrawals, each household capped at its share of the work.
const ProvidentFund = "provident_fund"

// householdCap is the cap the ledger applies to a receipt's household: for
// a provident-fund withdrawal, the household's share of the work (the
// receipt's, else the project's budget over its households, floor); none
// for other kinds. A withdrawal names its household.
func (s *Service) householdCap(ctx context.Context, f *funding.Fund, in Receipt) (money.Amount, error) {
	if in.Share < 0 || in.Share > money.Max {
		return 0, fmt.Errorf("%w: share must be greater than zero and at most 10^15 yuan", errs.ErrInvalidAmount)
	}
	if f.Kind != ProvidentFund {
		if in.Share != 0 {
			return 0, fmt.Errorf("%w: share applies to provident-fund withdrawals only", errs.ErrInvalidRequest)
		}
		return 0, nil
	}
	if in.Household == "" {
		return 0, fmt.Errorf("%w: a provident-fund withdrawal names its household", errs.ErrInvalidRequest)
	}
	if in.Share > 0 {
		return in.Share, nil
	}
	if p := f.At().Project; p != "" {
		proj, err := s.reg.Project(ctx, p)
		if err != nil {
			return 0, err
		}
		if proj.Households > 0 {
			b := proj.Budget
			return (b.Basic + b.Improvement + b.Upgrade) / money.Amount(proj.Households), nil
		}
	}
	return 0, fmt.Errorf("%w: share is required: fund %s is not held by a project with households, so the household's share of the work is unknown",
		errs.ErrRuleViolation, f.Code)
}
