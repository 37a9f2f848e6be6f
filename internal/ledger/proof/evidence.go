package proof

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"

	"gorm.io/gorm"

	"renofund/internal/ledger"
)

// Subject prefixes of attachments (funding/evidence): a transfer subject's
// link covers the transfer's hash, and "transfer:new" is evidence uploaded
// before the payment that will name it.
const (
	transferSubject = "transfer:"
	pendingSubject  = "transfer:new"
)

// verifyEvidence recomputes the evidence attachments: each stored content's
// SHA-256 and size, the chain of attachments (every link, its sequence and
// the recorded head), each transfer subject's hash as the link recorded it,
// and each transfer's evidence digest from the attachments bound to it: of
// every transfer, or, given the transfers written since a checkpoint, of
// those and of every transfer something is bound to (an older transfer whose
// every binding was removed is then left to the full mode).
func (b *Books) verifyEvidence(conn *gorm.DB, r *Report, since map[string]string) error {
	bad, err := badContents(conn)
	if err != nil {
		return err
	}
	subjects, err := b.verifyAttachmentChain(conn, r, bad)
	if err != nil {
		return err
	}
	if err := verifySubjectHashes(conn, r, subjects); err != nil {
		return err
	}
	return verifyDigests(conn, r, since)
}

// badContents recomputes every stored content's SHA-256 and size, one row
// at a time, and returns what is wrong with those that disagree.
func badContents(conn *gorm.DB) (map[string]string, error) {
	rows, err := conn.Raw("SELECT sha256, bytes, content FROM attachment_contents ORDER BY sha256").Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	bad := map[string]string{}
	for rows.Next() {
		var sha string
		var n int64
		var content []byte
		if err := rows.Scan(&sha, &n, &content); err != nil {
			return nil, err
		}
		sum := sha256.Sum256(content)
		switch {
		case hex.EncodeToString(sum[:]) != sha:
			bad[sha] = "its stored content no longer has the SHA-256 " + short(sha) + ": the file was altered"
		case int64(len(content)) != n:
			bad[sha] = fmt.Sprintf("its stored content is %d bytes, recorded as %d", len(content), n)
		}
	}
	return bad, rows.Err()
}

// subjectLink is a transfer subject's hash as an attachment's link covers it.
type subjectLink struct{ attachment, transfer, hash string }

// verifyAttachmentChain walks the attachments in chain order, recomputing
// each link; it returns the transfer subjects whose hashes the links cover.
func (b *Books) verifyAttachmentChain(conn *gorm.DB, r *Report, bad map[string]string) ([]subjectLink, error) {
	rows, err := conn.Raw(`SELECT a.id, a.chain_seq, a.subject, a.kind, a.sha256, a.bytes, a.subject_hash, a.uploaded_by,
		a.uploaded_at, a.prev_hash, a.hash, c.bytes FROM attachments a LEFT JOIN attachment_contents c ON c.sha256 = a.sha256
		ORDER BY a.chain_seq`).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var seq int64
	var head string
	var subjects []subjectLink
	for rows.Next() {
		var a ledger.AttachmentLink
		var subjectHash *string
		var prev, hash string
		var stored *int64
		if err := rows.Scan(&a.ID, &a.Seq, &a.Subject, &a.Kind, &a.SHA256, &a.Bytes, &subjectHash, &a.UploadedBy,
			&a.UploadedAt, &prev, &hash, &stored); err != nil {
			return nil, err
		}
		if subjectHash != nil {
			a.SubjectHash = *subjectHash
		}
		r.Attachments++
		where := "attachment " + a.ID
		switch {
		case a.Seq != seq+1:
			r.fail(where, "chain sequence %d follows %d: an attachment is missing, inserted or moved", a.Seq, seq)
		case prev != head:
			r.fail(where, "previous-hash link broken: attachments were deleted, inserted or swapped")
		case ledger.AttachmentHash(prev, a) != hash:
			r.fail(where, "stored fields do not match its link: its subject, content hash or size was altered")
		case stored == nil:
			r.fail(where, "its content %s is not stored", short(a.SHA256))
		case bad[a.SHA256] != "":
			r.fail(where, "%s", bad[a.SHA256])
		case *stored != a.Bytes:
			r.fail(where, "it records %d bytes, its stored content %d", a.Bytes, *stored)
		}
		if strings.HasPrefix(a.Subject, transferSubject) && a.Subject != pendingSubject {
			subjects = append(subjects, subjectLink{a.ID, strings.TrimPrefix(a.Subject, transferSubject), a.SubjectHash})
		}
		seq, head = a.Seq, hash
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var end []struct {
		Seq  int64
		Head string
	}
	if err := conn.Raw("SELECT seq, head FROM attachment_chain WHERE id = 1").Scan(&end).Error; err != nil {
		return nil, err
	}
	if len(end) != 1 || end[0].Seq != seq || end[0].Head != head {
		r.fail("attachment chain", "the chain ends at %d/%s but its head records otherwise: its latest attachments were altered or removed", seq, short(head))
	}
	return subjects, nil
}

// verifySubjectHashes checks that each transfer an attachment was added to
// after the fact still has the hash the attachment's link covers.
func verifySubjectHashes(conn *gorm.DB, r *Report, subjects []subjectLink) error {
	for start := 0; start < len(subjects); start += 500 {
		chunk := subjects[start:min(start+500, len(subjects))]
		ids := make([]string, len(chunk))
		for i, s := range chunk {
			ids[i] = s.transfer
		}
		var rows []struct{ ID, Hash string }
		if err := conn.Raw("SELECT id, hash FROM transfers WHERE id IN ?", ids).Scan(&rows).Error; err != nil {
			return err
		}
		hashes := make(map[string]string, len(rows))
		for _, t := range rows {
			hashes[t.ID] = t.Hash
		}
		for _, s := range chunk {
			if h, ok := hashes[s.transfer]; !ok || h != s.hash {
				r.fail("attachment "+s.attachment, "transfer %s no longer has the hash the attachment was linked to", s.transfer)
			}
		}
	}
	return nil
}

// verifyDigests recomputes each transfer's evidence digest from the
// contents of the attachments bound to it.
func verifyDigests(conn *gorm.DB, r *Report, since map[string]string) error {
	var bound []struct {
		TransferID   string
		AttachmentID string
		SHA256       *string
	}
	err := conn.Raw(`SELECT b.transfer_id, b.attachment_id, a.sha256 FROM attachment_bindings b
		LEFT JOIN attachments a ON a.id = b.attachment_id ORDER BY b.transfer_id, b.attachment_id`).Scan(&bound).Error
	if err != nil {
		return err
	}
	contents := map[string][]string{}
	names := map[string]string{}
	for _, b := range bound {
		if b.SHA256 == nil {
			r.fail("attachment "+b.AttachmentID, "bound to transfer %s but not stored", b.TransferID)
			continue
		}
		contents[b.TransferID] = append(contents[b.TransferID], *b.SHA256)
		names[b.TransferID] += " " + b.AttachmentID
	}
	type digest struct {
		ID, VoucherNo, EvidenceDigest string
	}
	var digests []digest
	if since == nil {
		err = conn.Raw(`SELECT t.id, t.voucher_no, t.evidence_digest FROM transfers t
			WHERE t.evidence_digest IS NOT NULL ORDER BY t.id`).Scan(&digests).Error
	} else {
		ids := slices.Sorted(maps.Keys(since))
		for id := range contents {
			if _, ok := since[id]; !ok {
				ids = append(ids, id)
			}
		}
		for i := 0; i < len(ids) && err == nil; i += 1000 {
			var chunk []digest
			err = conn.Raw(`SELECT t.id, t.voucher_no, t.evidence_digest FROM transfers t
				WHERE t.evidence_digest IS NOT NULL AND t.id IN ?`, ids[i:min(i+1000, len(ids))]).Scan(&chunk).Error
			digests = append(digests, chunk...)
		}
		slices.SortFunc(digests, func(a, b digest) int { return strings.Compare(a.ID, b.ID) })
	}
	if err != nil {
		return err
	}
	for _, d := range digests {
		if ledger.EvidenceDigest(contents[d.ID]) != d.EvidenceDigest {
			r.fail("transfer "+d.ID+" (voucher "+d.VoucherNo+"), attachments"+names[d.ID],
				"the attachments bound to it no longer give its evidence digest: one was altered, unbound or removed")
		}
		delete(contents, d.ID)
	}
	for id := range contents {
		r.fail("transfer "+id+", attachments"+names[id], "attachments are bound to a transfer that recorded no evidence")
	}
	return nil
}
