package movement

import (
	"context"

	"renofund/funding"
	"renofund/internal/access"
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
	return &ledger.Transfer{
		FiscalYear: fiscalYear(in.ReceivedOn), Type: ledger.TypeReceipt, Fund: f.Code, To: f.Holder,
		District: f.District, Project: h.Project, Amount: in.Amount, BookedOn: in.ReceivedOn,
		PayerName: in.Payer.Name, PayerCreditCode: in.Payer.CreditCode, Reference: in.Reference,
		Household: in.Household, DocumentNo: f.DocumentNo, RecordedBy: access.From(ctx).Label(),
		Postings: []ledger.Posting{h.Posting(f.Code, in.Amount), funding.Outside(f.Code, -in.Amount)},
	}, nil
}

// Receive records money entering a fund at its holder.
func (s *Service) Receive(ctx context.Context, in Receipt) (*ledger.Transfer, error) {
	t, err := s.ReceiptTransfer(ctx, in)
	if err != nil {
		return nil, err
	}
	return t, s.ledger.Post(ctx, t)
}
