package works

import (
	"context"
	"fmt"

	"renofund/internal/access"
	"renofund/internal/creditcode"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/store"
)

// Payee is a contractor or supplier in the register: payments and contracts
// name it instead of retyping it.
type Payee struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	CreditCode  string `json:"credit_code"`
	BankAccount string `json:"bank_account"`
	// SME marks a small or medium enterprise, whose payments are due within
	// the terms of 保障中小企业款项支付条例.
	SME       bool   `json:"sme"`
	District  string `json:"district,omitempty"` // the district that registered it, if one did
	CreatedBy string `json:"created_by"`
	CreatedAt string `json:"created_at"`
}

func (p *Payee) check() error {
	if err := field.Text("name", p.Name, true, 200); err != nil {
		return err
	}
	if err := creditcode.Validate(p.CreditCode); err != nil {
		return fmt.Errorf("%w: credit_code %q", errs.ErrInvalidCredit, p.CreditCode)
	}
	return field.Text("bank_account", p.BankAccount, true, 64)
}

// CreatePayee registers a payee (finance or a district). One company and
// account is registered once: a second registration is a conflict naming
// the first.
func (s *Service) CreatePayee(ctx context.Context, p Payee) (*Payee, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	a := access.From(ctx)
	if a.Role != access.Finance && a.Role != access.District {
		return nil, fmt.Errorf("%w: payees are registered by the finance bureau or a district", errs.ErrForbidden)
	}
	var ids []string
	err := s.db.Conn(ctx).Raw("SELECT id FROM payees WHERE credit_code = ? AND bank_account = ?", p.CreditCode,
		p.BankAccount).Scan(&ids).Error
	if err != nil {
		return nil, err
	}
	if len(ids) > 0 {
		return nil, fmt.Errorf("%w: payee %s with account %s is registered as %s", errs.ErrConflict, p.CreditCode,
			p.BankAccount, ids[0])
	}
	p.ID, p.District, p.CreatedBy, p.CreatedAt = ledger.NewID(), a.District, a.Label(), store.Now()
	err = s.db.Conn(ctx).Exec(`INSERT INTO payees (id, name, credit_code, bank_account, sme, district, created_by,
		created_at) VALUES (?,?,?,?,?,?,?,?)`, p.ID, p.Name, p.CreditCode, p.BankAccount, p.SME, store.Null(p.District),
		p.CreatedBy, p.CreatedAt).Error
	if store.UniqueViolation(err) {
		return nil, fmt.Errorf("%w: payee %s with account %s is already registered", errs.ErrConflict, p.CreditCode, p.BankAccount)
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

const selectPayee = `SELECT id, name, credit_code, bank_account, sme, COALESCE(district, '') AS district, created_by,
	created_at FROM payees`

// Payee returns one registered payee.
func (s *Service) Payee(ctx context.Context, id string) (*Payee, error) {
	var ps []Payee
	if err := s.db.Conn(ctx).Raw(selectPayee+" WHERE id = ?", id).Scan(&ps).Error; err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("%w: payee %q", errs.ErrNotFound, id)
	}
	return &ps[0], nil
}

// PayeeFilter selects payees: by credit code, a page after an id.
type PayeeFilter struct {
	CreditCode string
	After      string
	Limit      int
}

// Payees lists the register in id order.
func (s *Service) Payees(ctx context.Context, f PayeeFilter) ([]Payee, error) {
	q, args := selectPayee+" WHERE id > ?", []any{f.After}
	if f.CreditCode != "" {
		q, args = q+" AND credit_code = ?", append(args, f.CreditCode)
	}
	ps := []Payee{}
	err := s.db.Conn(ctx).Raw(q+" ORDER BY id LIMIT ?", append(args, f.Limit)...).Scan(&ps).Error
	return ps, err
}
