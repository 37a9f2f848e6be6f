package movement

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"renofund/funding"
	"renofund/funding/works"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/money"
)

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
			from, _ := funding.ParseHolder(orig.From)
			owner = from.District
		}
		if err := funding.Writable(a, owner); err != nil {
			return err
		}
		if orig.ForcedReason != "" && a.Role != access.Finance {
			// Undoing it would also clear the diversion it is reported as.
			return fmt.Errorf("%w: only the finance bureau reverses a payment it forced", errs.ErrForbidden)
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
			return fmt.Errorf("%w: %s was reversed by %s", ledger.ErrAlreadyReversed, id, rid)
		}
		if orig.Project != "" {
			if err := s.projectReversible(ctx, orig); err != nil {
				return err
			}
		}
		on := field.Today()
		rev = &ledger.Transfer{
			FiscalYear: fiscalYear(on), Type: ledger.TypeReversal, BaseType: orig.BaseType, Fund: orig.Fund,
			From: orig.From, To: orig.To, District: orig.District, Project: orig.Project, Category: orig.Category,
			Amount: orig.Amount, BookedOn: on, PayerName: orig.PayerName, PayerCreditCode: orig.PayerCreditCode,
			PayeeName: orig.PayeeName, PayeeCreditCode: orig.PayeeCreditCode, PayeeBankAccount: orig.PayeeBankAccount,
			Household: orig.Household, Reference: orig.Reference, DocumentNo: orig.DocumentNo, Purpose: reason,
			ReversalOf: orig.ID, ContractID: orig.ContractID, ContractPart: orig.ContractPart, RecordedBy: a.Label(),
		}
		for _, p := range orig.Postings {
			// Every holding a reversal touches exists: the original posted to it.
			rev.Postings = append(rev.Postings, ledger.Posting{Fund: p.Fund, Holder: p.Holder, Amount: -p.Amount})
		}
		return s.ledger.Post(ctx, rev)
	})
	return rev, err
}

// projectReversible refuses to undo a movement of a project whose accounts
// are closed (they stand as closed), and to take back money that came into
// the project (a receipt or an allocation) when that would leave its
// holdings below the quality retention they keep.
func (s *Service) projectReversible(ctx context.Context, orig *ledger.Transfer) error {
	st, err := s.Works.Standing(ctx, orig.Project)
	if err != nil {
		return err
	}
	if err := st.Open(orig.Project); err != nil {
		return err
	}
	holder := funding.ProjectHolder(orig.Project)
	var out money.Amount
	for _, p := range orig.Postings {
		if p.Holder == holder && p.Amount > 0 {
			out += p.Amount
		}
	}
	if out == 0 {
		return nil
	}
	reserved, err := s.Works.Reserved(ctx, orig.Project, st)
	if err != nil || reserved <= 0 {
		return err
	}
	hs, err := s.ledger.LockHolder(ctx, holder)
	if err != nil {
		return err
	}
	var total money.Amount
	for _, h := range hs {
		total += h.Balance
	}
	if total-out < reserved {
		return fmt.Errorf("%w: project %s holds %s of quality retention; taking back %s would leave it %s in all",
			works.ErrRetentionHeld, orig.Project, reserved, out, total-out)
	}
	return nil
}
