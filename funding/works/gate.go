package works

import (
	"context"
	"fmt"

	"renofund/internal/errs"
	"renofund/internal/ledger/contractpay"
	"renofund/internal/money"
	"renofund/internal/store"
)

// Paid is what has been paid on a contract, net of reversals: its progress
// and final payments, and what was paid out of its retention.
type Paid struct {
	Payments  money.Amount `json:"payments"`
	Retention money.Amount `json:"retention"`
}

// Position is where a contract's payments stand.
type Position struct {
	Paid money.Amount `json:"paid"` // progress and final payments
	// Limit is the most the payments may reach now: sum × progress ceiling
	// until settlement, then the settlement less its retention.
	Limit      money.Amount `json:"limit"`
	Payable    money.Amount `json:"payable"` // Limit − Paid
	AcceptedOn string       `json:"accepted_on,omitempty"`
	// Retention is held back at settlement; RetentionUsed was released to the
	// contractor or spent on repairs; the rest is outstanding, reserved in
	// the project's holdings.
	Retention            money.Amount `json:"retention"`
	RetentionUsed        money.Amount `json:"retention_used"`
	RetentionOutstanding money.Amount `json:"retention_outstanding"`
	LiabilityEnds        string       `json:"liability_ends,omitempty"` // acceptance + the defect-liability period
}

// paid sums the contract's payments in the ledger, reversals netted.
func (s *Service) paid(ctx context.Context, contract string) (Paid, error) {
	var p Paid
	var err error
	p.Payments, p.Retention, err = contractpay.Paid(ctx, s.db, contract)
	return p, err
}

// PaymentLimit is the most a contract's progress and final payments may
// reach: its sum × progress ceiling until settlement (st nil), then the
// settlement less its retention.
func PaymentLimit(sum money.Amount, ceiling money.Rate, st *Settlement) money.Amount {
	if st != nil {
		return st.Amount - st.Retention
	}
	return sum.Mul(ceiling)
}

func (c *Contract) position(paid Paid) Position {
	pos := Position{Paid: paid.Payments, Limit: PaymentLimit(c.Sum, c.ProgressCeiling, c.Settlement), RetentionUsed: paid.Retention}
	if a := c.passed(); a != nil {
		pos.AcceptedOn = a.AcceptedOn
		pos.LiabilityEnds = contractpay.LiabilityEnds(a.AcceptedOn, c.LiabilityMonths)
	}
	if st := c.Settlement; st != nil {
		pos.Retention = st.Retention
	}
	pos.Payable = max(pos.Limit-pos.Paid, 0)
	pos.RetentionOutstanding = pos.Retention - pos.RetentionUsed
	return pos
}

// Payment is an expenditure under a contract as the gates see it.
type Payment struct {
	Project, Category string
	Amount            money.Amount
	PaidOn            string
	// Retention pays out of the contract's quality retention: a release
	// when it goes to the contract's payee, a repair when to another.
	Retention bool
	// PayeeCreditCode and PayeeBankAccount are whom the payment goes to.
	PayeeCreditCode, PayeeBankAccount string
	// Earlier is what earlier items of the same batch pay on the contract.
	Earlier Paid
}

// Lock reads a contract for a payment under it, its row locked until the
// transaction ends, with what has been paid on it.
func (s *Service) Lock(ctx context.Context, id string) (*Contract, error) {
	return s.withPosition(ctx, id, true)
}

// Admit applies the payment gates to a payment under c (read with Lock).
func (c *Contract) Admit(p Payment) error {
	if p.Project != c.Project || p.Category != c.Category {
		return fmt.Errorf("%w: contract %s is for %s work on project %s", errs.ErrRuleViolation, c.ID, c.Category, c.Project)
	}
	toPayee := p.PayeeCreditCode == c.Payee.CreditCode && p.PayeeBankAccount == c.Payee.BankAccount
	pos := c.position(Paid{Payments: c.Position.Paid + p.Earlier.Payments, Retention: c.Position.RetentionUsed + p.Earlier.Retention})
	if !p.Retention {
		if !toPayee {
			return fmt.Errorf("%w: a payment under contract %s goes to its payee %s (%s, account %s)", errs.ErrRuleViolation,
				c.ID, c.Payee.Name, c.Payee.CreditCode, c.Payee.BankAccount)
		}
		if p.Amount <= pos.Payable {
			return nil
		}
		if c.Settlement == nil {
			return fmt.Errorf("%w: %s is paid of %s allowed before settlement (%s of %s); this payment of %s needs a passed acceptance and a settlement",
				ErrOverProgressCeiling, pos.Paid, pos.Limit, c.ProgressCeiling, c.Sum, p.Amount)
		}
		return fmt.Errorf("%w: %s is paid of %s payable (settlement %s less retention %s); this payment is %s",
			ErrOverSettlement, pos.Paid, pos.Limit, c.Settlement.Amount, c.Settlement.Retention, p.Amount)
	}
	if pos.AcceptedOn == "" {
		return fmt.Errorf("%w: contract %s holds no retention before its works pass acceptance", ErrNotAccepted, c.ID)
	}
	if p.Amount > pos.RetentionOutstanding {
		return fmt.Errorf("%w: contract %s has %s of retention outstanding; this payment is %s", ErrOverSettlement,
			c.ID, pos.RetentionOutstanding, p.Amount)
	}
	if toPayee && p.PaidOn < pos.LiabilityEnds {
		return fmt.Errorf("%w: contract %s's retention is held until its defect-liability period ends on %s",
			ErrRetentionHeld, c.ID, pos.LiabilityEnds)
	}
	return nil
}

// Standing is what a payment from a project must respect: whether its
// final accounts are closed, and the retention its settlements held back.
type Standing struct {
	ClosedOn string
	Retained money.Amount
}

// Standing reads a project's standing in one query, for a movement into or
// out of it: the project's row is share-locked until the transaction ends,
// so the project cannot close under the movement, nor the movement land
// after the closing.
//
// Within a context from WithStandings (one bulk operation's transaction)
// each project is read and share-locked once: the lock holds until the
// transaction ends, so what was read stays true for the rest of it.
func (s *Service) Standing(ctx context.Context, project string) (Standing, error) {
	c, _ := ctx.Value(standingsKey{}).(map[string]Standing)
	if st, ok := c[project]; ok {
		return st, nil
	}
	st, err := s.standing(ctx, project, s.db.ForShare())
	if err == nil && c != nil {
		c[project] = st
	}
	return st, err
}

type standingsKey struct{}

// WithStandings returns a context in which Standing reads each project once.
// It is for one transaction's bulk operation (a batch), used by one
// goroutine: a batch of a thousand receipts into one community asks once
// whether it is closed.
func WithStandings(ctx context.Context) context.Context {
	if ctx.Value(standingsKey{}) != nil {
		return ctx
	}
	return context.WithValue(ctx, standingsKey{}, map[string]Standing{})
}

// standing reads a project's standing, its row locked with the lock suffix
// (or "" for a plain read).
func (s *Service) standing(ctx context.Context, project, lock string) (Standing, error) {
	var rows []struct {
		ClosedOn *string
		Retained int64
	}
	err := s.db.Conn(ctx).Raw(`SELECT p.closed_on, (SELECT COALESCE(SUM(s.retention), 0) FROM settlements s
		JOIN contracts c ON c.id = s.contract_id WHERE c.project_code = p.code) AS retained
		FROM projects p WHERE p.code = ?`+lock, project).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return Standing{}, err
	}
	return Standing{ClosedOn: store.Str(rows[0].ClosedOn), Retained: money.Amount(rows[0].Retained)}, nil
}

// Open refuses a movement into or out of the project once its final
// accounts are closed.
func (st Standing) Open(project string) error {
	if st.ClosedOn == "" {
		return nil
	}
	return fmt.Errorf("%w: project %s closed its final accounts on %s", ErrProjectClosed, project, st.ClosedOn)
}

// Reserved is the quality retention outstanding on a project's contracts
// (st.Retained less what the retention has paid out): money its holdings
// keep that funds nothing but the retention itself.
func (s *Service) Reserved(ctx context.Context, project string, st Standing) (money.Amount, error) {
	if st.Retained == 0 {
		return 0, nil
	}
	used, err := contractpay.RetentionPaid(ctx, s.db, project)
	return st.Retained - used, err
}
