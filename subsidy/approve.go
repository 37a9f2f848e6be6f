package subsidy

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/store"
)

// Approve pays a draft run (finance only, and not by the person who drafted
// it: access.ErrSamePerson): every line with a positive
// amount becomes one subsidy transfer from the scheme's fund at its holder
// to the line's payee, all posted in one transaction with the run's change
// to paid. If the fund cannot pay them all (ledger.ErrInsufficientFunds) or
// has expired, nothing is paid and the run stays a draft. Approving a paid
// run again returns it unchanged and pays nothing: the status change is a
// guarded update, so of two concurrent approvals only one pays.
// Clawback lines are recorded, not posted.
func (s *Service) Approve(ctx context.Context, id string) (*Run, error) {
	if err := finance(ctx); err != nil {
		return nil, err
	}
	a := access.From(ctx)
	var out *Run
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		at := store.Now()
		res := tx.Exec(`UPDATE subsidy_runs SET status = 'paid', approved_by = ?, approved_at = ?
			WHERE id = ? AND status = 'draft'`, a.Label(), at, id)
		if res.Error != nil {
			return res.Error
		}
		r, err := s.loadRun(ctx, id, "")
		if err != nil {
			return err
		}
		if res.RowsAffected == 0 {
			if r.Status == Cancelled {
				return fmt.Errorf("%w: run %s was cancelled", errs.ErrConflict, id)
			}
			out = r // already paid: nothing to do
			return nil
		}
		if err := a.Approves(r.CreatedBy, "subsidy run "+id); err != nil {
			return err
		}
		var paid int
		if err := tx.Raw(`SELECT COUNT(*) FROM subsidy_runs WHERE scheme_code = ? AND period = ? AND status = 'paid'
			AND id <> ?`, r.Scheme, r.Period, id).Scan(&paid).Error; err != nil {
			return err
		}
		if paid != r.PaidBefore {
			return fmt.Errorf("%w: another run of %s for %s was paid after this one was drafted; cancel it and create a new run",
				errs.ErrConflict, r.Scheme, r.Period)
		}
		ts, err := s.transfers(ctx, r, a)
		if err != nil {
			return err
		}
		if len(ts) > 0 {
			if err := s.ledger.Post(ctx, ts...); err != nil {
				return err
			}
		}
		out = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// transfers builds one subsidy transfer per line with a positive amount.
// The booking date is today in Zone; the voucher carries the fund's
// document number, the scheme's category (empty unless the scheme names
// one), the run id as batch and the payee snapshot taken when drafting; it
// was prepared by the run's drafter and approved by a.
func (s *Service) transfers(ctx context.Context, r *Run, a access.Actor) ([]*ledger.Transfer, error) {
	sc, err := s.Scheme(ctx, r.Scheme, r.SchemeVersion)
	if err != nil {
		return nil, err
	}
	f, err := s.reg.PayingFund(ctx, sc.Fund)
	if err != nil {
		return nil, err
	}
	payer, err := s.reg.Payer(ctx, sc.Holder)
	if err != nil {
		return nil, err
	}
	today := s.now().In(Zone).Format(time.DateOnly)
	if f.ExpiresOn != "" && today > f.ExpiresOn {
		return nil, fmt.Errorf("%w: fund %s expired on %s", ErrFundExpired, f.Code, f.ExpiresOn)
	}
	if sc.Category != "" && !slices.Contains(f.Categories, sc.Category) {
		return nil, fmt.Errorf("%w: fund %s does not pay for %s", ErrCategoryNotEligible, f.Code, sc.Category)
	}
	year, _ := strconv.Atoi(today[:4])
	purpose := fmt.Sprintf("物业服务补贴 property-service subsidy %s v%d %s", sc.Code, sc.Version, r.Period)
	var ts []*ledger.Transfer
	for _, l := range r.Lines {
		if l.Amount <= 0 {
			continue
		}
		if l.Payee == nil {
			return nil, fmt.Errorf("subsidy: run %s line %d pays %s without a payee", r.ID, l.Line, l.Amount)
		}
		ts = append(ts, &ledger.Transfer{
			FiscalYear: year, Type: ledger.TypeSubsidy, Fund: sc.Fund, From: sc.Holder, District: l.District,
			Project: l.Project, Category: sc.Category, Amount: l.Amount, BookedOn: today,
			PayeeName: l.Payee.Name, PayeeCreditCode: l.Payee.CreditCode, PayeeBankAccount: l.Payee.BankAccount,
			DocumentNo: f.DocumentNo, Purpose: purpose, Reference: r.Scheme + "/" + r.Period + "/" + strconv.Itoa(l.Line),
			BatchID: r.ID, RecordedBy: a.Label(), PreparedBy: r.CreatedBy, ApprovedBy: a.Label(),
			Postings: []ledger.Posting{
				{Fund: sc.Fund, Holder: sc.Holder, District: payer, Amount: -l.Amount},
				{Fund: sc.Fund, Holder: ledger.External, Amount: l.Amount},
			},
		})
	}
	return ts, nil
}

// Cancel cancels a draft run (finance only); its lines stay on record.
// Cancelling a cancelled run returns it unchanged; a paid run cannot be
// cancelled (its corrections are adjustment lines in a later run).
func (s *Service) Cancel(ctx context.Context, id string) (*Run, error) {
	if err := finance(ctx); err != nil {
		return nil, err
	}
	a := access.From(ctx)
	var out *Run
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Exec(`UPDATE subsidy_runs SET status = 'cancelled', cancelled_by = ?, cancelled_at = ?
			WHERE id = ? AND status = 'draft'`, a.Label(), store.Now(), id)
		if res.Error != nil {
			return res.Error
		}
		r, err := s.loadRun(ctx, id, "")
		if err != nil {
			return err
		}
		if r.Status == Paid {
			return fmt.Errorf("%w: run %s is paid; correct it by a later run", errs.ErrConflict, id)
		}
		out = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
