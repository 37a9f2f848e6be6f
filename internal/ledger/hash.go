package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// sep separates fields in the canonical form; it cannot occur in UTF-8 text
// that the API accepts (control characters are refused at the edge).
const sep = "\x1e"

// TransferHash is the SHA-256 of the transfer's canonical form: every stored
// field in a fixed order. Changing any stored field changes it.
func TransferHash(t *Transfer) string {
	fields := []string{
		"v1", t.ID, strconv.Itoa(t.FiscalYear), strconv.FormatInt(t.VoucherSeq, 10), t.VoucherNo,
		t.Type, t.BaseType, t.Fund, t.From, t.To, t.District, t.Project, t.Category,
		strconv.FormatInt(int64(t.Amount), 10), t.BookedOn,
		t.PayerName, t.PayerCreditCode, t.PayeeName, t.PayeeCreditCode, t.PayeeBankAccount,
		t.Household, t.Reference, t.DocumentNo, t.SourceVoucherNo, t.Purpose, t.ForcedReason,
		t.ReversalOf, t.PlanID, t.BatchID, t.RecordedBy, t.RecordedAt,
	}
	v1 := len(fields)
	// Transfers recorded before preparer and approver were kept hash as v1.
	if t.PreparedBy != "" || t.ApprovedBy != "" {
		fields[0] = "v2"
		fields = append(fields, t.PreparedBy, t.ApprovedBy)
	}
	if t.ContractID != "" { // a payment under a works contract hashes as v3
		fields = append(fields[:v1], t.PreparedBy, t.ApprovedBy, t.ContractID, t.ContractPart)
		fields[0] = "v3"
	}
	sum := sha256.Sum256([]byte(strings.Join(fields, sep)))
	return hex.EncodeToString(sum[:])
}

// PostingHash links one posting into its holding's chain: it covers the
// previous head, the transfer's hash and the posting itself, so an edited,
// deleted, inserted or reordered posting breaks every later link.
func PostingHash(prev, transferHash string, line int, p *Posting) string {
	s := strings.Join([]string{
		prev, transferHash, strconv.Itoa(line), p.Fund, p.Holder,
		strconv.FormatInt(int64(p.Amount), 10), strconv.FormatInt(p.ChainSeq, 10),
	}, sep)
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
