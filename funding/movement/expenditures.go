package movement

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"gorm.io/gorm"

	"renofund/funding"
	"renofund/funding/works"
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
	// PayeeID names a registered payee instead of spelling out payee.
	PayeeID string `json:"payee_id,omitempty"`
	// Contract names the works contract the payment is made under; its
	// category and payee are the contract's unless given, and the payment
	// gates apply (funding/works).
	Contract string `json:"contract,omitempty"`
	// Retention pays out of the contract's quality retention: its release to
	// the contractor after the defect-liability period, or a repair paid to
	// another.
	Retention bool `json:"retention,omitempty"`
	// Attachments names documents uploaded beforehand as transfer:new
	// (funding/evidence) that the payment is made on: their digest enters
	// the transfer's hash and they are bound to it.
	Attachments []string `json:"attachments,omitempty"`
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

// earlier is what earlier items of a batch paid under contracts: per
// contract, and out of retention per project. A single payment has none.
type earlier struct {
	contracts map[string]works.Paid
	retention map[string]money.Amount
	evidence  map[string]bool // documents named
}

// add counts a built transfer.
func (e *earlier) add(t *ledger.Transfer) {
	if t.ContractID == "" {
		return
	}
	p := e.contracts[t.ContractID]
	if t.ContractPart == works.PartRetention {
		p.Retention += t.Amount
		e.retention[t.Project] += t.Amount
	} else {
		p.Payments += t.Amount
	}
	e.contracts[t.ContractID] = p
}

// underContract fills what an expenditure under a contract leaves to it (the
// category, the payee) and returns the contract, locked for the payment.
func (s *Service) underContract(ctx context.Context, in *Expenditure) (*works.Contract, error) {
	if in.PayeeID != "" {
		if in.Payee != (Party{}) {
			return nil, fmt.Errorf("%w: give payee or payee_id, not both", errs.ErrInvalidRequest)
		}
		p, err := s.Works.Payee(ctx, in.PayeeID)
		if err != nil {
			return nil, err
		}
		in.Payee = Party{Name: p.Name, CreditCode: p.CreditCode, BankAccount: p.BankAccount}
	}
	if in.Contract == "" {
		if in.Retention {
			return nil, fmt.Errorf("%w: a payment out of retention names its contract", errs.ErrInvalidRequest)
		}
		return nil, nil
	}
	c, err := s.Works.Lock(ctx, in.Contract)
	if err != nil {
		return nil, err
	}
	if in.Category == "" {
		in.Category = c.Category
	}
	if in.Payee == (Party{}) {
		in.Payee = Party{Name: c.Payee.Name, CreditCode: c.Payee.CreditCode, BankAccount: c.Payee.BankAccount}
	}
	return c, nil
}

// admit applies the contract's payment gates and marks the transfer as
// paid under it.
func admit(c *works.Contract, in Expenditure, t *ledger.Transfer, prior *earlier) error {
	t.ContractID, t.ContractPart = c.ID, works.PartPayment
	if in.Retention {
		t.ContractPart = works.PartRetention
	}
	return c.Admit(works.Payment{Project: in.Project, Category: in.Category, Amount: in.Amount, PaidOn: in.PaidOn,
		Retention: in.Retention, PayeeCreditCode: in.Payee.CreditCode, PayeeBankAccount: in.Payee.BankAccount,
		Earlier: prior.contracts[c.ID]})
}

// reserve keeps the project's outstanding quality retention out of reach of
// any payment not made from it.
func (s *Service) reserve(ctx context.Context, in Expenditure, st works.Standing, held balances, prior *earlier) error {
	if in.Retention {
		return nil
	}
	reserved, err := s.Works.Reserved(ctx, in.Project, st)
	if err != nil {
		return err
	}
	if reserved -= prior.retention[in.Project]; reserved <= 0 {
		return nil
	}
	hs, err := held(in.Project)
	if err != nil {
		return err
	}
	var total money.Amount
	for _, h := range hs {
		total += h.Balance
	}
	if total-in.Amount < reserved {
		return fmt.Errorf("%w: project %s holds %s of quality retention, which funds only its release or repairs; it holds %s in all",
			works.ErrRetentionHeld, in.Project, reserved, total)
	}
	return nil
}

// ExpenditureTransfer checks an expenditure and builds its transfer: the
// one builder of the single request and the batch. With explicit funding
// each part must come from a fund the actor may see that is eligible for the
// category and unexpired on paid_on; without it the amount is attributed
// automatically over the project's eligible, unexpired holdings: earliest
// expiry first (no expiry last), then fund code, each giving what it holds
// until the amount is covered.
func (s *Service) expenditureTransfer(ctx context.Context, in Expenditure, held balances, prior *earlier) (*ledger.Transfer, error) {
	c, err := s.underContract(ctx, &in)
	if err != nil {
		return nil, err
	}
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
	standing, err := s.Works.Standing(ctx, p.Code)
	if err != nil {
		return nil, err
	}
	if err := standing.Open(p.Code); err != nil {
		return nil, err
	}
	at := funding.Holder{Name: funding.ProjectHolder(p.Code), District: p.District, Project: p.Code}
	t := &ledger.Transfer{
		FiscalYear: fiscalYear(in.PaidOn), Type: ledger.TypeExpenditure, From: at.Name, District: p.District,
		Project: p.Code, Category: in.Category, Amount: in.Amount, BookedOn: in.PaidOn,
		PayeeName: in.Payee.Name, PayeeCreditCode: in.Payee.CreditCode, PayeeBankAccount: in.Payee.BankAccount,
		SourceVoucherNo: in.VoucherNo, Purpose: in.Purpose, ForcedReason: in.ForceReason, RecordedBy: a.Label(),
	}
	if c != nil {
		if err := admit(c, in, t, prior); err != nil {
			return nil, err
		}
	}
	if in.Attachments != nil {
		if t.EvidenceDigest, err = s.Evidence.Digest(ctx, p.District, in.Attachments, prior.evidence); err != nil {
			return nil, err
		}
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
	if len(parts) == 1 {
		t.Fund = parts[0].Fund
	}
	for _, part := range parts {
		t.Postings = append(t.Postings, at.Posting(part.Fund, -part.Amount), funding.Outside(part.Fund, part.Amount))
	}
	if err := s.reserve(ctx, in, standing, held, prior); err != nil {
		return nil, err
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
		t, err = s.expenditureTransfer(ctx, in, s.lockedBalances(ctx), noEarlier())
		if err != nil {
			return err
		}
		if err := s.ledger.Post(ctx, t); err != nil {
			return err
		}
		return s.bind(ctx, t, in.Attachments)
	})
	return t, err
}

// bind binds the documents a posted payment names to its transfer.
func (s *Service) bind(ctx context.Context, t *ledger.Transfer, attachments []string) error {
	if len(attachments) == 0 {
		return nil
	}
	return s.Evidence.Bind(ctx, t, attachments)
}

// lockedBalances reads a project's holdings under lock.
func (s *Service) lockedBalances(ctx context.Context) balances {
	return func(project string) ([]ledger.Holding, error) {
		return s.ledger.LockHolder(ctx, funding.ProjectHolder(project))
	}
}

func noEarlier() *earlier {
	return &earlier{contracts: map[string]works.Paid{}, retention: map[string]money.Amount{}, evidence: map[string]bool{}}
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
