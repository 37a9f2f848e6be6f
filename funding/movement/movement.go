// Package movement moves the programme's money: receipts into funds,
// allocations down the holder tree, expenditures to final payees (with
// explicit or automatic attribution), reversals, batches of them and
// factor-method allocation plans. Each kind of movement has one builder that
// checks the rules and builds its ledger transfer, used alike by the single
// request, the batch and the importer; the ledger then posts it.
package movement

import (
	"fmt"
	"strconv"

	"renofund/funding"
	"renofund/funding/evidence"
	"renofund/funding/works"
	"renofund/internal/creditcode"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
)

// Service builds and posts movements.
type Service struct {
	db     *store.DB
	ledger *ledger.Ledger
	reg    *funding.Registry
	// ApprovalAbove is the amount above which a payment needs a second
	// person (0: none does, unless forced).
	ApprovalAbove money.Amount
	// Works keeps the contracts payments are made under.
	Works *works.Service
	// Evidence keeps the documents payments, contracts and acceptances are
	// made on.
	Evidence *evidence.Service
}

// New returns the service: it looks objects up in reg and posts through l.
func New(db *store.DB, l *ledger.Ledger, reg *funding.Registry) *Service {
	w := works.New(db, l, reg)
	return &Service{db: db, ledger: l, reg: reg, ApprovalAbove: DefaultApprovalAbove, Works: w, Evidence: evidence.New(db, l, w)}
}

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

// fiscalYear is the year of a checked YYYY-MM-DD date.
func fiscalYear(date string) int {
	y, _ := strconv.Atoi(date[:4])
	return y
}
