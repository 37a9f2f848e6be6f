package audit

import (
	"strings"

	"renofund/internal/ledger"
	"renofund/internal/money"
)

// Row is one leg of a transfer: one fund's part of one voucher (see the
// package documentation for the definition).
type Row struct {
	VoucherNo      string
	FiscalYear     int64
	VoucherSeq     int64
	Period         string // YYYY-MM of BookedOn
	BookedOn       string
	Type, BaseType string
	Summary        string

	Fund, FundKind string
	Direct         bool
	BudgetSubject  string
	FundDocumentNo string
	DocumentNo     string

	From, To                    string // credit and debit side holders
	District, Project, Category string
	Amount                      money.Amount // negative for a reversal (red ink)

	PayerName, PayerCreditCode                   string
	PayeeName, PayeeCreditCode, PayeeBankAccount string
	Purpose, Household, Reference                string
	SourceVoucherNo                              string
	RecordedBy, RecordedAt                       string
	PreparedBy, ApprovedBy                       string
	ContractID, ContractPart                     string
	AcceptanceID, EvidenceDigest                 string
	ReversalOf, ReversalOfVoucher                string
	ForcedReason, PlanID, BatchID                string

	TransferID, TransferHash string
	FromChainSeq, ToChainSeq seq // zero: the external side, which has no chain
	FromPostingHash          string
	ToPostingHash            string
}

// seq is a chain position; zero means none (written empty, or null in JSON).
type seq int64

// column describes one field of the trail in every format and in
// datapackage.json. Typ is a Table Schema type.
type column struct {
	Name, Typ, Zh, En, Desc string
	Required                bool
	get                     func(r *Row) any // string, int64, bool, money.Amount or seq
}

// columns is the trail's layout, in order. The CSV header, the JSON keys,
// the XLSX header and the data package schema are all made from it.
var columns = []column{
	{"voucher_no", "string", "凭证号", "Voucher number", "Continuous per fiscal year, YYYY-NNNNNNNN", false, func(r *Row) any { return r.VoucherNo }},
	{"fiscal_year", "integer", "会计年度", "Fiscal year", "", false, func(r *Row) any { return r.FiscalYear }},
	{"voucher_seq", "integer", "凭证序号", "Voucher sequence", "Continuous within the fiscal year, never reused", false, func(r *Row) any { return r.VoucherSeq }},
	{"period", "yearmonth", "会计期间", "Accounting period", "Month of the booking date", true, func(r *Row) any { return r.Period }},
	{"booked_on", "date", "记账日期", "Booking date", "Accounting date of the voucher", true, func(r *Row) any { return r.BookedOn }},
	{"type", "string", "业务类型", "Movement type", "receipt, allocation, expenditure, subsidy_payment, reversal, or tax_expenditure (relief recorded beside the cash: no fund, no voucher, moves no money)", true, func(r *Row) any { return r.Type }},
	{"base_type", "string", "原业务类型", "Base type", "For a reversal the type of the reversed voucher, else the type", true, func(r *Row) any { return r.BaseType }},
	{"summary", "string", "摘要", "Summary", "Human-readable summary of the leg", true, func(r *Row) any { return r.Summary }},
	{"fund", "string", "资金编码", "Fund code", "The ring-fenced fund whose money this leg moved", false, func(r *Row) any { return r.Fund }},
	{"fund_kind", "string", "资金来源类别", "Fund kind", "Funding source kind, e.g. central_grant, special_bond, resident_contribution", false, func(r *Row) any { return r.FundKind }},
	{"direct", "boolean", "直达资金", "Direct fund", "Whether the fund is a direct fund (直达资金)", false, func(r *Row) any { return r.Direct }},
	{"budget_subject", "string", "预算科目", "Budget subject", "Budget classification code, 2210108 老旧小区改造 by default", false, func(r *Row) any { return r.BudgetSubject }},
	{"fund_document_no", "string", "资金文号", "Fund document number", "Document that issued the fund", false, func(r *Row) any { return r.FundDocumentNo }},
	{"document_no", "string", "业务文号", "Movement document number", "Document cited by the voucher (allocation order, receipt notice)", false, func(r *Row) any { return r.DocumentNo }},
	{"from_holder", "string", "贷方（付出方）", "Credit side (from)", "Holder the money left: city, district:CODE, project:CODE or external", false, func(r *Row) any { return r.From }},
	{"to_holder", "string", "借方（收入方）", "Debit side (to)", "Holder the money reached: city, district:CODE, project:CODE or external", false, func(r *Row) any { return r.To }},
	{"district", "string", "区县", "District", "District the voucher belongs to; empty for the city", false, func(r *Row) any { return r.District }},
	{"project", "string", "项目（小区）", "Project (community)", "", false, func(r *Row) any { return r.Project }},
	{"category", "string", "支出类别", "Category", "basic 基础类, improvement 完善类 or upgrade 提升类", false, func(r *Row) any { return r.Category }},
	{"amount", "number", "金额（元）", "Amount (CNY)", "What this fund's leg moved, two decimals; negative for a reversal (red ink)", true, func(r *Row) any { return r.Amount }},
	{"payer_name", "string", "付款方", "Payer", "", false, func(r *Row) any { return r.PayerName }},
	{"payer_credit_code", "string", "付款方统一社会信用代码", "Payer credit code", "Unified Social Credit Code", false, func(r *Row) any { return r.PayerCreditCode }},
	{"payee_name", "string", "收款方", "Payee", "Final payee as at payment", false, func(r *Row) any { return r.PayeeName }},
	{"payee_credit_code", "string", "收款方统一社会信用代码", "Payee credit code", "Unified Social Credit Code as at payment", false, func(r *Row) any { return r.PayeeCreditCode }},
	{"payee_bank_account", "string", "收款方银行账号", "Payee bank account", "Bank account as at payment", false, func(r *Row) any { return r.PayeeBankAccount }},
	{"purpose", "string", "用途", "Purpose", "Purpose, memo, or the reason for a reversal", false, func(r *Row) any { return r.Purpose }},
	{"household", "string", "户号", "Household", "Household of a resident contribution", false, func(r *Row) any { return r.Household }},
	{"reference", "string", "参考号", "Reference", "Bank or scheme reference", false, func(r *Row) any { return r.Reference }},
	{"source_voucher_no", "string", "原始凭证号", "Source voucher number", "Voucher number in the paying office's own books", false, func(r *Row) any { return r.SourceVoucherNo }},
	{"recorded_by", "string", "记账人", "Recorded by", "role:name of the token that recorded the voucher", true, func(r *Row) any { return r.RecordedBy }},
	{"recorded_at", "datetime", "记账时间", "Recorded at", "UTC time the voucher was recorded", true, func(r *Row) any { return r.RecordedAt }},
	{"prepared_by", "string", "制单人", "Prepared by", "role:name of the person who prepared the movement (the recorder, unless a second person approved it)", false, func(r *Row) any { return r.PreparedBy }},
	{"approved_by", "string", "审核人", "Approved by", "role:name of the second person who approved it (plan execution, subsidy run, forced or large payment); empty when none was needed", false, func(r *Row) any { return r.ApprovedBy }},
	{"contract_id", "string", "合同ID", "Contract", "Id of the works contract the payment is made under", false, func(r *Row) any { return r.ContractID }},
	{"contract_part", "string", "合同款项", "Contract part", "payment (progress and final payments) or retention (quality retention released or spent on repairs)", false, func(r *Row) any { return r.ContractPart }},
	{"acceptance_id", "string", "验收记录ID", "Acceptance", "Id of the passed acceptance (验收) a payment under a contract was made after; empty before it", false, func(r *Row) any { return r.AcceptanceID }},
	{"evidence_digest", "string", "附件摘要", "Evidence digest", "SHA-256 over the sorted SHA-256s of the documents the payment was made on (in its hash; the documents are under attachments/)", false, func(r *Row) any { return r.EvidenceDigest }},
	{"reversal_of", "string", "冲销原凭证ID", "Reverses transfer", "Id of the transfer this one reverses", false, func(r *Row) any { return r.ReversalOf }},
	{"reversal_of_voucher", "string", "冲销原凭证号", "Reverses voucher", "Voucher number of the transfer this one reverses", false, func(r *Row) any { return r.ReversalOfVoucher }},
	{"forced_reason", "string", "强制支付理由", "Forced reason", "Finance bureau's written reason for paying outside the fund's categories", false, func(r *Row) any { return r.ForcedReason }},
	{"plan_id", "string", "分配方案", "Allocation plan", "Factor-method plan the allocation executed", false, func(r *Row) any { return r.PlanID }},
	{"batch_id", "string", "批次", "Batch", "Subsidy run or batch the voucher belongs to", false, func(r *Row) any { return r.BatchID }},
	{"transfer_id", "string", "转账ID", "Transfer id", "", true, func(r *Row) any { return r.TransferID }},
	{"transfer_hash", "string", "凭证哈希", "Transfer hash", "SHA-256 of the voucher's canonical form", false, func(r *Row) any { return r.TransferHash }},
	{"from_chain_seq", "integer", "贷方链序号", "Credit chain position", "Position of the credit posting in its holding's hash chain", false, func(r *Row) any { return r.FromChainSeq }},
	{"from_posting_hash", "string", "贷方分录哈希", "Credit posting hash", "Chain hash of the credit posting", false, func(r *Row) any { return r.FromPostingHash }},
	{"to_chain_seq", "integer", "借方链序号", "Debit chain position", "Position of the debit posting in its holding's hash chain", false, func(r *Row) any { return r.ToChainSeq }},
	{"to_posting_hash", "string", "借方分录哈希", "Debit posting hash", "Chain hash of the debit posting", false, func(r *Row) any { return r.ToPostingHash }},
}

// header returns the column names.
func header() []string {
	h := make([]string, len(columns))
	for i, c := range columns {
		h[i] = c.Name
	}
	return h
}

// RowDefinition states what one row of the trail is, for datapackage.json
// and manifest.json.
const RowDefinition = "One row per money movement per fund: one leg of a transfer (voucher), i.e. the part of it " +
	"that moved one fund's money, from the credit-side holder to the debit-side holder ('external' is outside the " +
	"books). A multi-fund expenditure has one row per fund. Reversals are red-ink rows with negative amounts. " +
	"Ordered by fiscal_year, voucher_seq, fund."

// typeLabels are the Chinese names of the movement types, for summaries.
var typeLabels = map[string]string{
	ledger.TypeReceipt:     "收款",
	ledger.TypeAllocation:  "拨付",
	ledger.TypeExpenditure: "支出",
	ledger.TypeSubsidy:     "补贴支付",
	ledger.TypeReversal:    "冲销",
}

// summary describes a leg in one line, e.g. "拨付 CG-2026 city→district:HZ"
// or "冲销 2026-00000012：支出 RC-1 project:P1→external 收款方 某公司".
func summary(r *Row) string {
	var b strings.Builder
	if r.Type == ledger.TypeReversal {
		b.WriteString("冲销 ")
		b.WriteString(r.ReversalOfVoucher)
		b.WriteString("：")
	}
	label := typeLabels[r.BaseType]
	if label == "" {
		label = r.BaseType
	}
	b.WriteString(label)
	b.WriteString(" " + r.Fund + " " + r.From + "→" + r.To)
	if r.PayerName != "" {
		b.WriteString(" 付款方 " + r.PayerName)
	}
	if r.Household != "" {
		b.WriteString(" 户 " + r.Household)
	}
	if r.PayeeName != "" {
		b.WriteString(" 收款方 " + r.PayeeName)
	}
	if r.Purpose != "" && r.Type != ledger.TypeReversal {
		b.WriteString("（" + r.Purpose + "）")
	}
	return b.String()
}
