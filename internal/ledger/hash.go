package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
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
	if t.EvidenceDigest != "" { // a payment made on documents hashes as v4
		fields = append(fields[:v1], t.PreparedBy, t.ApprovedBy, t.ContractID, t.ContractPart, t.EvidenceDigest)
		fields[0] = "v4"
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

// EvidenceDigest is the digest of a transfer's documents: the SHA-256 of
// their contents' SHA-256s, sorted, so it does not depend on the order they
// were named in.
func EvidenceDigest(contents []string) string {
	sorted := slices.Sorted(slices.Values(contents))
	sum := sha256.Sum256([]byte(strings.Join(sorted, sep)))
	return hex.EncodeToString(sum[:])
}

// AttachmentLink is what the attachment chain covers of one attachment.
type AttachmentLink struct {
	Seq                    int64
	ID, Subject, Kind      string
	SHA256                 string
	Bytes                  int64
	SubjectHash            string // the transfer's hash, for a transfer subject
	UploadedBy, UploadedAt string
}

// AttachmentHash links an attachment into the one chain of attachments: it
// covers the previous link and the attachment, so an edited, deleted,
// inserted or reordered attachment breaks every later link.
func AttachmentHash(prev string, a AttachmentLink) string {
	s := strings.Join([]string{
		"a1", prev, strconv.FormatInt(a.Seq, 10), a.ID, a.Subject, a.Kind, a.SHA256,
		strconv.FormatInt(a.Bytes, 10), a.SubjectHash, a.UploadedBy, a.UploadedAt,
	}, sep)
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
