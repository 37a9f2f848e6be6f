package funding

import (
	"context"
	"fmt"
	"strconv"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/creditcode"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/money"
)

// Party is a payer or payee as at the time of payment.
type Party struct {
	Name        string `json:"name"`
	CreditCode  string `json:"credit_code,omitempty"`
	BankAccount string `json:"bank_account,omitempty"`
}

func (p Party) check(name string, needCode, needAccount bool) error {
	if err := field.Text(name+".name", p.Name, true, 200); err != nil {
		return err
	}
	if p.CreditCode != "" || needCode {
		if err := creditcode.Validate(p.CreditCode); err != nil {
			return fmt.Errorf("%w: %s.credit_code %q", errs.ErrInvalidCredit, name, p.CreditCode)
		}
	}
	return field.Text(name+".bank_account", p.BankAccount, needAccount, 64)
}

func positive(field string, a money.Amount) error {
	if a <= 0 || a > money.Max {
		return fmt.Errorf("%w: %s must be greater than zero and at most 10^15 yuan", errs.ErrInvalidAmount, field)
	}
	return nil
}

func fiscalYear(date string) int {
	y, _ := strconv.Atoi(date[:4])
	return y
}

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
	if _, err := ParseDate("received_on", in.ReceivedOn); err != nil {
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
	f, err := s.visibleFund(ctx, in.Fund)
	if err != nil {
		return nil, err
	}
	if err := writable(access.From(ctx), f.District); err != nil {
		return nil, err
	}
	return &ledger.Transfer{
		FiscalYear: fiscalYear(in.ReceivedOn), Type: ledger.TypeReceipt, Fund: f.Code, To: f.Holder,
		District: f.District, Project: ledger.HolderProject(f.Holder), Amount: in.Amount, BookedOn: in.ReceivedOn,
		PayerName: in.Payer.Name, PayerCreditCode: in.Payer.CreditCode, Reference: in.Reference,
		Household: in.Household, DocumentNo: f.DocumentNo, RecordedBy: access.From(ctx).Label(),
		Postings: []ledger.Posting{
			{Fund: f.Code, Holder: f.Holder, Amount: in.Amount},
			{Fund: f.Code, Holder: ledger.External, Amount: -in.Amount},
		},
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
		in.AllocatedOn = today()
	}
	if _, err := ParseDate("allocated_on", in.AllocatedOn); err != nil {
		return nil, err
	}
	if err := field.Text("document_no", in.DocumentNo, false, 200); err != nil {
		return nil, err
	}
	if err := field.Text("memo", in.Memo, false, 500); err != nil {
		return nil, err
	}
	f, err := s.visibleFund(ctx, in.Fund)
	if err != nil {
		return nil, err
	}
	from, err := s.resolveHolder(ctx, in.From)
	if err != nil {
		return nil, err
	}
	to, err := s.resolveHolder(ctx, in.To)
	if err != nil {
		return nil, err
	}
	below := (from.Holder == "city" && to.Holder != "city") ||
		(from.Project == "" && from.District != "" && to.Project != "" && to.District == from.District)
	if !below {
		return nil, fmt.Errorf("%w: %s does not lie below %s (city → district → its project, or city → project)",
			errs.ErrInvalidRequest, in.To, in.From)
	}
	if err := writable(access.From(ctx), from.District); err != nil {
		return nil, err
	}
	doc := in.DocumentNo
	if doc == "" {
		doc = f.DocumentNo
	}
	return &ledger.Transfer{
		FiscalYear: fiscalYear(in.AllocatedOn), Type: ledger.TypeAllocation, Fund: f.Code, From: from.Holder,
		To: to.Holder, District: to.District, Project: to.Project, Amount: in.Amount, BookedOn: in.AllocatedOn,
		DocumentNo: doc, Purpose: in.Memo, PlanID: in.PlanID, RecordedBy: access.From(ctx).Label(),
		Postings: []ledger.Posting{
			{Fund: f.Code, Holder: from.Holder, Amount: -in.Amount},
			{Fund: f.Code, Holder: to.Holder, Amount: in.Amount},
		},
	}, nil
}

// Allocate moves a fund's money down the holder tree.
func (s *Service) Allocate(ctx context.Context, in Allocation) (*ledger.Transfer, error) {
	t, err := s.AllocationTransfer(ctx, in)
	if err != nil {
		return nil, err
	}
	return t, s.ledger.Post(ctx, t)
}

// Reverse records a new transfer that restores exactly what the original
// moved. The original is never changed; a second reversal, or reversing a
// reversal, is refused.
func (s *Service) Reverse(ctx context.Context, id, reason string) (*ledger.Transfer, error) {
	if err := field.Text("reason", reason, true, 500); err != nil {
		return nil, err
	}
	var rev *ledger.Transfer
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		orig, err := s.ledger.Get(ctx, id)
		if err != nil {
			return err
		}
		a := access.From(ctx)
		if !a.Sees(orig.District) {
			return fmt.Errorf("%w %s", ledger.ErrTransferNotFound, id)
		}
		// Only who could have made the transfer may reverse it: for an
		// allocation that is the giving side, for the rest the district
		// the money sits in.
		owner := orig.District
		if orig.BaseType == ledger.TypeAllocation {
			owner = ledger.HolderDistrict(orig.From)
		}
		if err := writable(a, owner); err != nil {
			return err
		}
		if orig.Type == ledger.TypeReversal {
			return fmt.Errorf("%w: %s is itself a reversal; record a new transfer instead", errs.ErrConflict, id)
		}
		if orig.Type == ledger.TypeSubsidy {
			// A run's lines record what was settled; undoing a payment behind
			// them would make the next run pay it again or never. Subsidies
			// are corrected by a corrected rating and the next run.
			return fmt.Errorf("%w: %s is a subsidy payment; correct the rating and run the scheme again", errs.ErrConflict, id)
		}
		if rid, err := s.ledger.ReversalOf(ctx, id); err != nil {
			return err
		} else if rid != "" {
			return fmt.Errorf("%w: %s was reversed by %s", ErrAlreadyReversed, id, rid)
		}
		on := today()
		rev = &ledger.Transfer{
			FiscalYear: fiscalYear(on), Type: ledger.TypeReversal, BaseType: orig.BaseType, Fund: orig.Fund,
			From: orig.From, To: orig.To, District: orig.District, Project: orig.Project, Category: orig.Category,
			Amount: orig.Amount, BookedOn: on, PayerName: orig.PayerName, PayerCreditCode: orig.PayerCreditCode,
			PayeeName: orig.PayeeName, PayeeCreditCode: orig.PayeeCreditCode, PayeeBankAccount: orig.PayeeBankAccount,
			Household: orig.Household, Reference: orig.Reference, DocumentNo: orig.DocumentNo, Purpose: reason,
			ReversalOf: orig.ID, RecordedBy: a.Label(),
		}
		for _, p := range orig.Postings {
			rev.Postings = append(rev.Postings, ledger.Posting{Fund: p.Fund, Holder: p.Holder, Amount: -p.Amount})
		}
		return s.ledger.Post(ctx, rev)
	})
	return rev, err
}
