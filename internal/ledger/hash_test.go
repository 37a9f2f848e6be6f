package ledger_test

import (
	"testing"

	"renofund/internal/ledger"
)

// TestHashVersions: a transfer without documents hashes as it did before
// evidence existed (v1, v2 and v3 unchanged), one with an evidence digest
// hashes as v4 and changes with the digest; the digest ignores the order the
// documents were named in, and the attachment link covers every field.
func TestHashVersions(t *testing.T) {
	base := ledger.Transfer{ID: "x", FiscalYear: 2026, VoucherSeq: 1, VoucherNo: "2026-00000001", Type: "expenditure",
		BaseType: "expenditure", Amount: 100, BookedOn: "2026-04-01", RecordedBy: "finance:a", RecordedAt: "2026-04-01T00:00:00Z"}
	v1 := base
	v2 := base
	v2.PreparedBy = "finance:a"
	v3 := v2
	v3.ContractID, v3.ContractPart = "c", "payment"
	// Golden hashes of the three earlier versions: stored transfers keep them.
	for _, c := range []struct {
		name string
		t    ledger.Transfer
		want string
	}{
		{"v1", v1, "674e9f9e94e76dfce545c3927cb1871c96831625ccd147387fd098afb3a04aff"},
		{"v2", v2, "9317fb5a7817d7a97ed271168b9cf35245194db528018ec6bea4d6f0cde49b70"},
		{"v3", v3, "64f24a954a5c5c2e6450c431db6dbb295ff98568f2c83448ea49a5d9bf685168"},
	} {
		if got := ledger.TransferHash(&c.t); got != c.want {
			t.Errorf("%s: hash changed: %s, want %s", c.name, got, c.want)
		}
	}
	d1 := ledger.EvidenceDigest([]string{"aa", "bb"})
	if d1 != ledger.EvidenceDigest([]string{"bb", "aa"}) {
		t.Error("the evidence digest depends on the order of the documents")
	}
	if d1 == ledger.EvidenceDigest([]string{"aa"}) || d1 == ledger.EvidenceDigest([]string{"aa", "bb", "bb"}) {
		t.Error("the evidence digest ignores a document")
	}
	v4 := v3
	v4.EvidenceDigest = d1
	h4 := ledger.TransferHash(&v4)
	if h4 == ledger.TransferHash(&v3) {
		t.Error("the evidence digest does not enter the hash")
	}
	v4.EvidenceDigest = ledger.EvidenceDigest([]string{"aa"})
	if ledger.TransferHash(&v4) == h4 {
		t.Error("another digest gives the same hash")
	}
	v4b := v1 // documents without a contract or preparer still hash as v4
	v4b.EvidenceDigest = d1
	if ledger.TransferHash(&v4b) == ledger.TransferHash(&v1) {
		t.Error("evidence on a plain transfer does not enter the hash")
	}

	link := ledger.AttachmentLink{Seq: 1, ID: "a", Subject: "contract:c", Kind: "invoice", SHA256: "aa", Bytes: 3,
		UploadedBy: "finance:a", UploadedAt: "2026-04-01T00:00:00Z"}
	h := ledger.AttachmentHash("", link)
	for name, edit := range map[string]func(l *ledger.AttachmentLink){
		"seq": func(l *ledger.AttachmentLink) { l.Seq = 2 }, "subject": func(l *ledger.AttachmentLink) { l.Subject = "contract:d" },
		"sha256": func(l *ledger.AttachmentLink) { l.SHA256 = "ab" }, "bytes": func(l *ledger.AttachmentLink) { l.Bytes = 4 },
		"subject hash": func(l *ledger.AttachmentLink) { l.SubjectHash = "h" }, "kind": func(l *ledger.AttachmentLink) { l.Kind = "other" },
	} {
		changed := link
		edit(&changed)
		if ledger.AttachmentHash("", changed) == h {
			t.Errorf("the attachment link ignores its %s", name)
		}
	}
	if ledger.AttachmentHash("prev", link) == h {
		t.Error("the attachment link ignores the previous link")
	}
}
