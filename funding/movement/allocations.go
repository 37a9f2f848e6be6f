package movement

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/money"
)

// Allocation moves a fund's money one step down the holder tree.
type Allocation struct {
	Fund        string       `json:"fund"`
	From        string       `json:"from"`
	To          string       `json:"to"`
	Amount      money.Amount `json:"amount"`
	DocumentNo  string       `json:"document_no,omitempty"`
	Memo        string       `json:"memo,omitempty"`
	AllocatedOn string       `json:"allocated_on,omitempty"` // default today
	PlanID      string       `json:"-"`
}

// AllocationTransfer checks an allocation and builds its transfer.
func (s *Service) AllocationTransfer(ctx context.Context, in Allocation) (*ledger.Transfer, error) {
	if err := positive("amount", in.Amount); err != nil {
		return nil, err
	}
	if in.AllocatedOn == "" {
		in.AllocatedOn = field.Today()
	}
	if _, err := funding.ParseDate("allocated_on", in.AllocatedOn); err != nil {
		return nil, err
	}
	if err := field.Text("document_no", in.DocumentNo, false, 200); err != nil {
		return nil, err
	}
	if err := field.Text("memo", in.Memo, false, 500); err != nil {
		return nil, err
	}
	f, from, err := s.source(ctx, in.Fund, in.From)
	if err != nil {
		return nil, err
	}
	to, err := s.reg.Holder(ctx, in.To)
	if err != nil {
		return nil, err
	}
	if !from.Below(to) {
		return nil, fmt.Errorf("%w: %s does not lie below %s (city → district → its project, or city → project)",
			errs.ErrInvalidRequest, in.To, in.From)
	}
	if err := funding.Writable(access.From(ctx), from.District); err != nil {
		return nil, err
	}
	if to.Project != "" {
		if err := s.Works.CheckOpen(ctx, to.Project); err != nil {
			return nil, err
		}
	}
	doc := in.DocumentNo
	if doc == "" {
		doc = f.DocumentNo
	}
	return &ledger.Transfer{
		FiscalYear: fiscalYear(in.AllocatedOn), Type: ledger.TypeAllocation, Fund: f.Code, From: from.Name,
		To: to.Name, District: to.District, Project: to.Project, Amount: in.Amount, BookedOn: in.AllocatedOn,
		DocumentNo: doc, Purpose: in.Memo, PlanID: in.PlanID, RecordedBy: access.From(ctx).Label(),
		Postings: []ledger.Posting{from.Posting(f.Code, -in.Amount), to.Posting(f.Code, in.Amount)},
	}, nil
}

// Allocate moves a fund's money down the holder tree.
func (s *Service) Allocate(ctx context.Context, in Allocation) (*ledger.Transfer, error) {
	return s.build(ctx, func(ctx context.Context) (*ledger.Transfer, error) { return s.AllocationTransfer(ctx, in) })
}

// build builds a transfer and posts it in one transaction, so that what the
// building read under lock (a project's standing) holds when it posts.
func (s *Service) build(ctx context.Context, make func(context.Context) (*ledger.Transfer, error)) (*ledger.Transfer, error) {
	var t *ledger.Transfer
	err := s.db.Tx(ctx, func(ctx context.Context, _ *gorm.DB) error {
		var err error
		if t, err = make(ctx); err != nil {
			return err
		}
		return s.ledger.Post(ctx, t)
	})
	return t, err
}

// source loads the fund and the holder its money would leave, as the actor
// may see them.
func (s *Service) source(ctx context.Context, fund, from string) (*funding.Fund, funding.Holder, error) {
	f, err := s.reg.Fund(ctx, fund)
	if err != nil {
		return nil, funding.Holder{}, err
	}
	h, err := s.reg.Holder(ctx, from)
	return f, h, err
}
