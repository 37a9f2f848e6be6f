package report

import (
	"context"
	"fmt"

	"renofund/internal/access"
	"renofund/internal/money"
)

// BankItem is a line of a district's bank statement or a payment voucher of
// its books that its reconciliations, as they stand after matching by hand,
// leave unmatched.
type BankItem struct {
	Reconciliation string       // the reconciliation holding a bank line; for a voucher, the latest holding it
	Account        string       // the bank account, when the statement names one
	District       string       //
	Line           int          // a bank line's number in its statement (0: a voucher)
	Transfer       string       // a voucher's transfer id
	VoucherNo      string       //
	Date           string       // the bank line's date or the voucher's booking date
	Amount         money.Amount // what left the account or the books (positive)
	Counterparty   string       // a bank line's counterparty and summary
	// CoveredTo is the last date of the statements that hold the item: a
	// voucher unmatched in statements running past its date by the rules'
	// days is not in the bank.
	CoveredTo string
}

// BankItems reads what the districts' reconciliations leave unmatched.
type BankItems interface {
	// UnmatchedDebits are the bank debits with no voucher matched to them,
	// of district ("" for every district the caller sees).
	UnmatchedDebits(ctx context.Context, district string) ([]BankItem, error)
	// UnmatchedPayments are the payment vouchers (neither reversals nor
	// reversed) that every reconciliation holding them leaves unmatched.
	UnmatchedPayments(ctx context.Context, district string) ([]BankItem, error)
}

// bankUnbooked finds money paid out of a district's bank account, as its
// statements show, with no voucher matched to it r.BankDays after the bank
// paid: spending outside the books until the district books and matches it.
func (s *Service) bankUnbooked(ctx context.Context, r Rules) ([]Exception, error) {
	return s.bankFindings(ctx, r, BankItems.UnmatchedDebits, func(b BankItem) *Exception {
		account := ""
		if b.Account != "" {
			account = " (account " + b.Account + ")"
		}
		return &Exception{ID: findingID(ExBankUnbooked, b.Reconciliation, fmt.Sprint(b.Line)), Code: ExBankUnbooked,
			Rule: "银行存款余额调节 (银行已付、单位未记账)", Severity: "high",
			Subject: fmt.Sprintf("bank line %d of reconciliation %s", b.Line, b.Reconciliation), District: b.District,
			Amount: b.Amount, On: b.Date,
			Detail: fmt.Sprintf("%s paid out of the bank%s on %s (%s) with no voucher in the books %d days on",
				b.Amount, account, b.Date, b.Counterparty, r.BankDays)}
	})
}

// notInBank finds payment vouchers that no bank statement shows paid,
// though statements holding them run r.BankDays past their date.
func (s *Service) notInBank(ctx context.Context, r Rules) ([]Exception, error) {
	return s.bankFindings(ctx, r, BankItems.UnmatchedPayments, func(b BankItem) *Exception {
		if addDays(b.Date, r.BankDays) > b.CoveredTo {
			return nil
		}
		return &Exception{ID: findingID(ExNotInBank, b.VoucherNo), Code: ExNotInBank,
			Rule: "银行存款余额调节 (单位已付、银行未付)", Severity: "medium", Subject: "voucher " + b.VoucherNo,
			District: b.District, Amount: b.Amount, On: b.Date,
			Detail: fmt.Sprintf("%s paid on %s, but the bank statements to %s (reconciliation %s) show no payment %d days on",
				b.Amount, b.Date, b.CoveredTo, b.Reconciliation, r.BankDays)}
	})
}

// bankFindings runs a bank finding over the items read of the caller's
// district (or all) dated r.BankDays or more before r.AsOf.
func (s *Service) bankFindings(ctx context.Context, r Rules, read func(BankItems, context.Context, string) ([]BankItem, error),
	find func(BankItem) *Exception) ([]Exception, error) {
	if s.Bank == nil {
		return nil, nil
	}
	district, err := access.From(ctx).Area("")
	if err != nil {
		return nil, err
	}
	items, err := read(s.Bank, ctx, district)
	if err != nil {
		return nil, err
	}
	asOf := r.AsOf.Format("2006-01-02")
	var out []Exception
	for _, b := range items {
		if addDays(b.Date, r.BankDays) > asOf {
			continue
		}
		if e := find(b); e != nil {
			out = append(out, *e)
		}
	}
	return out, nil
}
