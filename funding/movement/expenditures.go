package movement

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"gorm.io/gorm"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/money"
)

// Part is the share of an expenditure one fund pays.
type Part struct {
	Fund   string       `json:"fund"`
	Amount money.Amount `json:"amount"`
}

// Expenditure pays money out of a project's holdings to a payee.
type Expenditure struct {
	Project   string       `json:"project"`
	Category  string       `json:"category"`
	Amount    money.Amount `json:"amount"`
	Payee     Party        `json:"payee"`
	VoucherNo string       `json:"voucher_no,omitempty"`
	PaidOn    string       `json:"paid_on"`
	Purpose   string       `json:"purpose"`
	Funding   []Part       `json:"funding,omitempty"`
	// ForceReason lets the finance bureau pay from a fund outside its
	// eligible categories; the reason is kept on the transfer and the
	// payment is reported as an exception (挪用 / 扩大开支范围).
	ForceReason string `json:"force_reason,omitempty"`
}

func (in *Expenditure) check() error {
	if err := positive("amount", in.Amount); err != nil {
		return err
	}
	if !slices.Contains(funding.Categories, in.Category) {
		return fmt.Errorf("%w: category %q must be basic, improvement or upgrade", errs.ErrInvalidRequest, in.Category)
	}
	if _, err := funding.ParseDate("paid_on", in.PaidOn); err != nil {
		return err
	}
	if err := in.Payee.check("payee", true, true); err != nil {
		return err
	}
	if err := field.Text("purpose", in.Purpose, true, 500); err != nil {
		return err
	}
	if err := field.Text("voucher_no", in.VoucherNo, false, 64); err != nil {
		return err
	}
	if err := field.Text("force_reason", in.ForceReason, false, 500); err != nil {
		return err
	}
	if in.Funding != nil {
		if len(in.Funding) == 0 {
			return fmt.Errorf("%w: funding, when given, must name at least one fund", errs.ErrInvalidRequest)
		}
		var sum money.Amount
		seen := map[string]bool{}
		for _, p := range in.Funding {
			if err := positive("funding amount", p.Amount); err != nil {
				return err
			}
			if seen[p.Fund] {
				return fmt.Errorf("%w: fund %q appears twice in funding", errs.ErrInvalidRequest, p.Fund)
			}
			seen[p.Fund] = true
			var ok bool
			if sum, ok = money.Sum(sum, p.Amount); !ok || sum > money.Max {
				return fmt.Errorf("%w: funding sums past 10^15 yuan, amount is %s", errs.ErrInvalidRequest, in.Amount)
			}
		}
		if sum != in.Amount {
			return fmt.Errorf("%w: funding sums to %s, amount is %s", errs.ErrInvalidRequest, sum, in.Amount)
		}
	}
	return nil
}

// balances gives a project's holdings with money in them, for automatic
// attribution: read under lock by a single expenditure, as earlier items
// left them by a batch.
type balances func(project string) ([]ledger.Holding, error)

// ExpenditureTransfer checks an expenditure and builds its transfer: the
// one builder of the single request and the batch. With explicit funding
// each part must come from a fund the actor may see that is eligible for the
// category and unexpired on paid_on; without it the amount is attributed
// automatically over the project's eligible, unexpired holdings: earliest
// expiry first (no expiry last), then fund code, each giving what it holds
// until the amount is covered.
func (s *Service) expenditureTransfer(ctx context.Context, in Expenditure, held balances) (*ledger.Transfer, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	a := access.From(ctx)
	if in.ForceReason != "" && a.Role != access.Finance {
		return nil, fmt.Errorf("%w: only the finance bureau may force a payment outside a fund's categories", errs.ErrForbidden)
	}
	if in.ForceReason != "" && in.Funding == nil {
		// Which fund pays outside its purpose is the bureau's decision and
		// the auditor's question: it is named, never left to attribution.
		return nil, fmt.Errorf("%w: a forced payment names the funds it is paid from (funding)", errs.ErrInvalidRequest)
	}
	p, err := s.reg.Project(ctx, in.Project)
	if err != nil {
		return nil, err
	}
	if err := funding.Writable(a, p.District); err != nil {
		return nil, err
	}
	parts := in.Funding
	if parts == nil {
		hs, err := held(in.Project)
		if err != nil {
			return nil, err
		}
		if parts, err = s.split(ctx, hs, in); err != nil {
			return nil, err
		}
	} else if err := s.checkParts(ctx, in); err != nil {
		return nil, err
	}
	at := funding.Holder{Name: funding.ProjectHolder(p.Code), District: p.District, Project: p.Code}
	t := &ledger.Transfer{
		FiscalYear: fiscalYear(in.PaidOn), Type: ledger.TypeExpenditure, From: at.Name, District: p.District,
		Project: p.Code, Category: in.Category, Amount: in.Amount, BookedOn: in.PaidOn,
		PayeeName: in.Payee.Name, PayeeCreditCode: in.Payee.CreditCode, PayeeBankAccount: in.Payee.BankAccount,
		SourceVoucherNo: in.VoucherNo, Purpose: in.Purpose, ForcedReason: in.ForceReason, RecordedBy: a.Label(),
	}
	if len(parts) == 1 {
		t.Fund = parts[0].Fund
	}
	for _, part := range parts {
		t.Postings = append(t.Postings, at.Posting(part.Fund, -part.Amount), funding.Outside(part.Fund, part.Amount))
	}
	return t, s.approve(ctx, in, t)
}

// Spend records an expenditure (see expenditureTransfer). Attribution reads
// the project's balances under lock, so the split it makes is one the
// ledger can post.
func (s *Service) Spend(ctx context.Context, in Expenditure) (*ledger.Transfer, error) {
	var t *ledger.Transfer
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		t, err = s.expenditureTransfer(ctx, in, func(project string) ([]ledger.Holding, error) {
			return s.ledger.LockHolder(ctx, funding.ProjectHolder(project))
		})
		if err != nil {
			return err
		}
		return s.ledger.Post(ctx, t)
	})
	return t, err
}

// checkParts applies the fund rules to explicit funding; the ledger then
// refuses any part the project's holding cannot cover.
func (s *Service) checkParts(ctx context.Context, in Expenditure) error {
	for _, p := range in.Funding {
		f, err := s.reg.Fund(ctx, p.Fund)
		if err != nil {
			return err
		}
		if err := fundPays(f, in); err != nil {
			return err
		}
	}
	return nil
}

func fundPays(f *funding.Fund, in Expenditure) error {
	if !f.Eligible(in.Category) && in.ForceReason == "" {
		return fmt.Errorf("%w: fund %s pays for %v, not %s", errs.ErrCategoryNotEligible, f.Code, f.EligibleCategories, in.Category)
	}
	if f.ExpiredOn(in.PaidOn) {
		return fmt.Errorf("%w: fund %s expired on %s, payment dated %s", errs.ErrFundExpired, f.Code, f.ExpiresOn, in.PaidOn)
	}
	return nil
}

// split applies the attribution order to the given balances: eligible,
// unexpired funds, earliest expiry first (none last), then fund code.
func (s *Service) split(ctx context.Context, hs []ledger.Holding, in Expenditure) ([]Part, error) {
	type candidate struct {
		fund    *funding.Fund
		balance money.Amount
	}
	var cs []candidate
	for _, h := range hs {
		if h.Balance <= 0 {
			continue
		}
		f, err := s.reg.LoadFund(ctx, h.Fund) // the project's own holding
		if err != nil {
			return nil, err
		}
		if f.Eligible(in.Category) && !f.ExpiredOn(in.PaidOn) {
			cs = append(cs, candidate{f, h.Balance})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		ei, ej := cs[i].fund.ExpiresOn, cs[j].fund.ExpiresOn
		if ei != ej {
			return ej == "" || (ei != "" && ei < ej)
		}
		return cs[i].fund.Code < cs[j].fund.Code
	})
	var parts []Part
	left := in.Amount
	for _, c := range cs {
		if left == 0 {
			break
		}
		take := min(left, c.balance)
		parts = append(parts, Part{Fund: c.fund.Code, Amount: take})
		left -= take
	}
	if left > 0 {
		return nil, fmt.Errorf("%w: project %s's eligible, unexpired funds are %s short of %s for %s",
			ledger.ErrInsufficientFunds, in.Project, left, in.Amount, in.Category)
	}
	return parts, nil
}

// PartsOf reads the funding split back from an expenditure's postings.
func PartsOf(t *ledger.Transfer) []Part {
	var parts []Part
	for _, p := range t.Postings {
		if p.Holder != ledger.External && p.Amount < 0 {
			parts = append(parts, Part{Fund: p.Fund, Amount: -p.Amount})
		}
	}
	return parts
}
