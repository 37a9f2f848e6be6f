package httpapi

import (
	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/ledger"
	"renofund/internal/money"
)

// transferDTO is a transfer as clients see it.
type transferDTO struct {
	ID              string          `json:"id"`
	VoucherNo       string          `json:"voucher_no"`
	FiscalYear      int             `json:"fiscal_year"`
	Type            string          `json:"type"`
	Fund            string          `json:"fund,omitempty"`
	From            string          `json:"from,omitempty"`
	To              string          `json:"to,omitempty"`
	District        string          `json:"district,omitempty"`
	Project         string          `json:"project,omitempty"`
	Category        string          `json:"category,omitempty"`
	Amount          money.Amount    `json:"amount"`
	BookedOn        string          `json:"booked_on"`
	Payer           *movement.Party `json:"payer,omitempty"`
	Payee           *movement.Party `json:"payee,omitempty"`
	Household       string          `json:"household,omitempty"`
	Reference       string          `json:"reference,omitempty"`
	DocumentNo      string          `json:"document_no,omitempty"`
	SourceVoucherNo string          `json:"source_voucher_no,omitempty"`
	Purpose         string          `json:"purpose,omitempty"`
	ForcedReason    string          `json:"forced_reason,omitempty"`
	ReversalOf      string          `json:"reversal_of,omitempty"`
	PlanID          string          `json:"plan_id,omitempty"`
	BatchID         string          `json:"batch_id,omitempty"`
	Funding         []movement.Part `json:"funding"`
	Postings        []postingDTO    `json:"postings"`
	RecordedBy      string          `json:"recorded_by"`
	RecordedAt      string          `json:"recorded_at"`
	PreparedBy      string          `json:"prepared_by,omitempty"` // 制单
	ApprovedBy      string          `json:"approved_by,omitempty"` // 审核, where a second person approved
	Contract        string          `json:"contract,omitempty"`
	ContractPart    string          `json:"contract_part,omitempty"`   // payment or retention
	EvidenceDigest  string          `json:"evidence_digest,omitempty"` // of the documents the payment was made on
	Hash            string          `json:"hash"`
}

type postingDTO struct {
	Fund   string       `json:"fund"`
	Holder string       `json:"holder"`
	Amount money.Amount `json:"amount"`
}

// toTransfer converts a ledger transfer. Funding lists, per fund, the amount
// moved (the positive side of its postings).
func toTransfer(t *ledger.Transfer) transferDTO {
	d := transferDTO{
		ID: t.ID, VoucherNo: t.VoucherNo, FiscalYear: t.FiscalYear, Type: t.Type, Fund: t.Fund, From: t.From,
		To: t.To, District: t.District, Project: t.Project, Category: t.Category, Amount: t.Amount,
		BookedOn: t.BookedOn, Household: t.Household, Reference: t.Reference, DocumentNo: t.DocumentNo,
		SourceVoucherNo: t.SourceVoucherNo, Purpose: t.Purpose, ForcedReason: t.ForcedReason,
		ReversalOf: t.ReversalOf, PlanID: t.PlanID, BatchID: t.BatchID, RecordedBy: t.RecordedBy,
		RecordedAt: t.RecordedAt, PreparedBy: t.PreparedBy, ApprovedBy: t.ApprovedBy, Contract: t.ContractID, ContractPart: t.ContractPart, Hash: t.Hash,
		EvidenceDigest: t.EvidenceDigest,
		Postings:       []postingDTO{},
	}
	if t.PayerName != "" {
		d.Payer = &movement.Party{Name: t.PayerName, CreditCode: t.PayerCreditCode}
	}
	if t.PayeeName != "" {
		d.Payee = &movement.Party{Name: t.PayeeName, CreditCode: t.PayeeCreditCode, BankAccount: t.PayeeBankAccount}
	}
	d.Funding = movement.FundingOf(t)
	for _, p := range t.Postings {
		d.Postings = append(d.Postings, postingDTO{p.Fund, p.Holder, p.Amount})
	}
	return d
}

func toTransfers(ts []*ledger.Transfer) []transferDTO {
	out := make([]transferDTO, len(ts))
	for i, t := range ts {
		out[i] = toTransfer(t)
	}
	return out
}

// projectIn is the body of POST /v1/projects.
type projectIn struct {
	Code        string         `json:"code"`
	Name        string         `json:"name"`
	District    string         `json:"district"`
	Households  int64          `json:"households"`
	FloorAreaM2 money.Rate     `json:"floor_area_m2"`
	Buildings   int64          `json:"buildings"`
	BuiltYear   int            `json:"built_year"`
	PlanYear    *int           `json:"plan_year,omitempty"`
	Budget      funding.Budget `json:"budget"`
}

// fundIn is the body of POST /v1/funds.
type fundIn struct {
	Code               string        `json:"code"`
	Kind               string        `json:"kind"`
	Name               string        `json:"name"`
	Holder             string        `json:"holder"`
	FiscalYear         int           `json:"fiscal_year"`
	DocumentNo         string        `json:"document_no"`
	BudgetSubject      string        `json:"budget_subject,omitempty"`
	Direct             bool          `json:"direct,omitempty"`
	EligibleCategories []string      `json:"eligible_categories"`
	ExpiresOn          string        `json:"expires_on,omitempty"`
	Repayable          bool          `json:"repayable,omitempty"`
	Vote               *funding.Vote `json:"vote,omitempty"`
}

type reversalIn struct {
	Reason string `json:"reason"`
}

type districtIn struct {
	Code string `json:"code"`
	Name string `json:"name"`
}
