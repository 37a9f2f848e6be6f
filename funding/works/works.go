// Package works keeps a community's works cycle (工程): the register of
// payees (contractors and suppliers), contracts per project, acceptance
// (验收) with the owners' representatives present, settlement (结算) with
// its quality retention (质保金), and the payment gates every expenditure
// under a contract passes, whichever path it takes (single, batch, approved
// request):
//
//   - before a passed acceptance and a settlement, cumulative payments on a
//     contract stay within its progress-payment ceiling (60–90% of the sum,
//     财建〔2004〕369号; 80% unless the contract says otherwise);
//   - after settlement, payments reach at most the settlement less its
//     retention (at most 3%, 建质〔2017〕138号), which is held for the
//     defect-liability period (12 months unless agreed, at most 24);
//   - the retention is then released to the contractor, or spent on repairs
//     paid to another; until then it stays in the project's holdings but
//     funds nothing else.
//
// Payments themselves are ledger transfers that name their contract; this
// package reads them back to know what has been paid.
package works

import (
	"renofund/funding"
	"renofund/funding/programme"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/ledger/contractpay"
	"renofund/internal/money"
	"renofund/internal/store"
)

// What a contract payment pays (ledger.Transfer.ContractPart).
const (
	PartPayment   = contractpay.Payment
	PartRetention = contractpay.Retention
)

// Errors of the payment gates.
var (
	ErrOverProgressCeiling = errs.New(errs.Rule, "over_progress_ceiling", "payments before settlement reach the contract's progress ceiling")
	ErrNotAccepted         = errs.New(errs.Rule, "not_accepted", "the works have not passed acceptance")
	ErrOverSettlement      = errs.New(errs.Rule, "over_settlement", "payments reach the settlement less its retention")
	ErrRetentionHeld       = errs.New(errs.Rule, "retention_held", "the quality retention is held")
)

// Defaults and limits of a contract's payment terms.
var (
	DefaultCeiling   = money.MustRate("0.80")
	MinCeiling       = money.MustRate("0.60")
	MaxCeiling       = money.MustRate("0.90")
	DefaultRetention = money.MustRate("0.03")
	MaxRetention     = money.MustRate("0.03")
)

// DefaultLiabilityMonths and MaxLiabilityMonths bound the defect-liability
// period (缺陷责任期).
const (
	DefaultLiabilityMonths = 12
	MaxLiabilityMonths     = 24
)

// Service keeps payees and contracts.
type Service struct {
	db        *store.DB
	ledger    *ledger.Ledger
	reg       *funding.Registry
	programme *programme.Service // the funding plan in the final accounts
}

// New returns the service.
func New(db *store.DB, l *ledger.Ledger, reg *funding.Registry) *Service {
	return &Service{db: db, ledger: l, reg: reg, programme: programme.New(db, l, reg)}
}

// pastDate checks the date of something that has happened.
var pastDate = programme.PastDate
