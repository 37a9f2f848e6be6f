package audit

import (
	"context"

	"renofund/internal/access"
	"renofund/internal/ledger/trail"
	"renofund/internal/store"
	"renofund/internal/window"
)

// Filter selects rows of the trail; empty fields select everything.
type Filter struct {
	District   string `json:"district,omitempty"`    // the voucher's district
	Project    string `json:"project,omitempty"`     // the voucher's project
	Fund       string `json:"fund,omitempty"`        // only this fund's legs
	FiscalYear string `json:"fiscal_year,omitempty"` // booked in this year, YYYY (instead of From and To)
	From       string `json:"from,omitempty"`        // booked_on on or after, YYYY-MM-DD
	To         string `json:"to,omitempty"`          // booked_on on or before, YYYY-MM-DD
}

// Scope checks f and applies the caller's reach: a district actor gets its
// own district whatever it asked for, and asking for another district is
// forbidden. A fiscal year becomes its From and To (see window.Parse).
// Export and ExportDir call it; a handler may call it first to answer a
// refusal before it starts a download.
func Scope(ctx context.Context, f Filter) (Filter, error) {
	w, err := window.Parse(f.FiscalYear, f.From, f.To)
	if err != nil {
		return f, err
	}
	f.FiscalYear, f.From, f.To = "", w.From, w.To
	f.District, err = access.From(ctx).Area(f.District)
	return f, err
}

// trail is the filter as the ledger reads it.
func (f Filter) trail() trail.Filter {
	return trail.Filter{District: f.District, Project: f.Project, Fund: f.Fund, From: f.From, To: f.To}
}

// fundColumns is what the trail shows of a leg's fund.
type fundColumns struct {
	Kind          string
	Direct        bool
	BudgetSubject string
	DocumentNo    string
}

// streamRows calls emit with each leg of the selected transfers, in voucher
// order, as the ledger streams them (see trail.Legs), with its fund's
// columns. The caller runs it in a snapshot when the legs must agree.
func streamRows(ctx context.Context, db *store.DB, f Filter, emit func(*Row) error) error {
	funds := map[string]fundColumns{}
	passes := map[string]passed{}
	return trail.Legs(ctx, db, f.trail(), func(lg *trail.Leg) error {
		acceptance := ""
		if c := lg.Transfer.ContractID; c != "" {
			p, ok := passes[c]
			if !ok {
				var rows []passed
				err := db.Conn(ctx).Raw(`SELECT id, accepted_on FROM acceptances WHERE contract_id = ? AND result = 'passed'
					ORDER BY accepted_on LIMIT 1`, c).Scan(&rows).Error
				if err != nil {
					return err
				}
				if len(rows) == 1 {
					p = rows[0]
				}
				passes[c] = p
			}
			if p.ID != "" && lg.Transfer.BookedOn >= p.AcceptedOn {
				acceptance = p.ID
			}
		}
		fc, ok := funds[lg.LegFund]
		if !ok {
			var rows []fundColumns
			err := db.Conn(ctx).Raw("SELECT kind, direct, budget_subject, document_no FROM funds WHERE code = ?", lg.LegFund).
				Scan(&rows).Error
			if err != nil {
				return err
			}
			if len(rows) == 1 {
				fc = rows[0]
			}
			funds[lg.LegFund] = fc
		}
		r := rowOf(lg, fc)
		r.AcceptanceID = acceptance
		return emit(r)
	})
}

// passed is a contract's passed acceptance, as the trail names it.
type passed struct {
	ID, AcceptedOn string
}

// rowOf lays out a leg as a row of the trail.
func rowOf(lg *trail.Leg, fc fundColumns) *Row {
	t := lg.Transfer
	r := &Row{VoucherNo: t.VoucherNo, FiscalYear: int64(t.FiscalYear), VoucherSeq: t.VoucherSeq, BookedOn: t.BookedOn,
		Type: t.Type, BaseType: t.BaseType, Fund: lg.LegFund, FundKind: fc.Kind, Direct: fc.Direct,
		BudgetSubject: fc.BudgetSubject, FundDocumentNo: fc.DocumentNo, DocumentNo: t.DocumentNo, From: lg.From, To: lg.To,
		District: t.District, Project: t.Project, Category: t.Category, Amount: lg.LegAmount,
		PayerName: t.PayerName, PayerCreditCode: t.PayerCreditCode, PayeeName: t.PayeeName,
		PayeeCreditCode: t.PayeeCreditCode, PayeeBankAccount: t.PayeeBankAccount, Purpose: t.Purpose,
		Household: t.Household, Reference: t.Reference, SourceVoucherNo: t.SourceVoucherNo, RecordedBy: t.RecordedBy,
		RecordedAt: t.RecordedAt, PreparedBy: t.PreparedBy, ApprovedBy: t.ApprovedBy, ContractID: t.ContractID, ContractPart: t.ContractPart,
		EvidenceDigest: t.EvidenceDigest,
		ReversalOf:     t.ReversalOf, ReversalOfVoucher: lg.ReversalOfVoucher,
		ForcedReason: t.ForcedReason, PlanID: t.PlanID, BatchID: t.BatchID, TransferID: t.ID, TransferHash: t.Hash,
		FromChainSeq: seq(lg.FromChainSeq), ToChainSeq: seq(lg.ToChainSeq), FromPostingHash: lg.FromHash,
		ToPostingHash: lg.ToHash}
	if len(r.BookedOn) >= 7 {
		r.Period = r.BookedOn[:7]
	}
	r.Summary = summary(r)
	return r
}
