// Package evidence keeps the documents money moves on (contracts, invoices,
// acceptance certificates, owners' vote minutes, rating sheets), attached to
// transfers, contracts and acceptances. A document's content is stored once
// per SHA-256, in the database, up to a size limit; each attachment is a row
// linked into one hash chain (internal/ledger.AttachmentHash), which for a
// transfer covers the transfer's own hash. A payment may name documents
// uploaded beforehand (subject "transfer:new"): the payment's transfer then
// records their digest, which its hash covers, and the documents are bound
// to it once. internal/ledger/proof recomputes all of it.
package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"renofund/funding"
	"renofund/funding/works"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/store"
)

// DefaultMaxBytes is the largest document accepted unless configured
// otherwise (RENOFUND_ATTACHMENT_MAX_BYTES).
const DefaultMaxBytes = 10 << 20

// Pending is the subject of a document uploaded before the payment it
// supports: it waits for a transfer to name it.
const Pending = "transfer:new"

// Kinds are the kinds of document.
var Kinds = []string{"contract", "invoice", "acceptance_certificate", "vote_minutes", "rating_sheet", "other"}

// ErrBound refuses a document that a payment names when it is already bound
// to a transfer, or was attached to something else.
var ErrBound = errs.New(errs.Conflict, "attachment_bound", "the attachment is already bound to its subject")

// Attachment is one document attached to a subject.
type Attachment struct {
	ID       string `json:"id"`
	Subject  string `json:"subject"` // transfer:<id>, contract:<id>, acceptance:<id> or transfer:new
	Kind     string `json:"kind"`
	FileName string `json:"file_name,omitempty"`
	SHA256   string `json:"sha256"`
	Bytes    int64  `json:"bytes"`
	District string `json:"district,omitempty"`
	Project  string `json:"project,omitempty"`
	// BoundTo is the transfer a document uploaded as transfer:new supports
	// ("transfer:<id>"), once a payment has named it.
	BoundTo    string `json:"bound_to,omitempty"`
	UploadedBy string `json:"uploaded_by"`
	UploadedAt string `json:"uploaded_at"`
	ChainSeq   int64  `json:"chain_seq"`
	Hash       string `json:"hash"`
}

// Upload is a document as sent.
type Upload struct {
	Subject  string
	Kind     string // "other" when empty
	FileName string
	Content  []byte
}

// Service keeps the documents.
type Service struct {
	db     *store.DB
	ledger *ledger.Ledger
	works  *works.Service
	// MaxBytes is the largest document accepted.
	MaxBytes int64
}

// New returns the service.
func New(db *store.DB, l *ledger.Ledger, w *works.Service) *Service {
	return &Service{db: db, ledger: l, works: w, MaxBytes: DefaultMaxBytes}
}

// target is where a subject sits: its district and project, and for a
// transfer its hash.
type target struct{ district, project, hash string }

// subject resolves a subject the actor may see (and, with write, change):
// another district's subject is not found, as everywhere.
func (s *Service) subject(ctx context.Context, subject string, write bool) (target, error) {
	a := access.From(ctx)
	kind, id, _ := strings.Cut(subject, ":")
	var tg target
	switch {
	case id == "":
		return tg, fmt.Errorf("%w: subject %q must be transfer:<id>, contract:<id> or acceptance:<id>", errs.ErrInvalidRequest, subject)
	case subject == Pending:
		// Evidence for a payment not yet made belongs to the uploader's area.
		tg.district = a.District
		return tg, nil
	case kind == "transfer":
		t, err := s.ledger.Get(ctx, id)
		if err != nil {
			return tg, err
		}
		if !a.Sees(t.District) {
			return tg, fmt.Errorf("%w %s", ledger.ErrTransferNotFound, id)
		}
		tg = target{t.District, t.Project, t.Hash}
	case kind == "contract" || kind == "acceptance":
		contract := id
		if kind == "acceptance" {
			var ids []string
			err := s.db.Conn(ctx).Raw("SELECT contract_id FROM acceptances WHERE id = ?", id).Scan(&ids).Error
			if err != nil {
				return tg, err
			}
			if len(ids) == 0 {
				return tg, fmt.Errorf("%w: acceptance %q", errs.ErrNotFound, id)
			}
			contract = ids[0]
		}
		c, err := s.works.Contract(ctx, contract)
		if err != nil {
			return tg, fmt.Errorf("%w: %s %q", errs.ErrNotFound, kind, id)
		}
		tg = target{district: c.District, project: c.Project}
	default:
		return tg, fmt.Errorf("%w: subject %q must be transfer:<id>, contract:<id> or acceptance:<id>", errs.ErrInvalidRequest, subject)
	}
	if write {
		return tg, funding.Writable(a, tg.district)
	}
	return tg, nil
}

func (in *Upload) check(limit int64) error {
	if in.Kind == "" {
		in.Kind = "other"
	}
	if !slices.Contains(Kinds, in.Kind) {
		return fmt.Errorf("%w: kind %q must be one of %s", errs.ErrInvalidRequest, in.Kind, strings.Join(Kinds, ", "))
	}
	if err := field.Text("subject", in.Subject, true, 100); err != nil {
		return err
	}
	if err := field.Text("file_name", in.FileName, false, 255); err != nil {
		return err
	}
	if len(in.Content) == 0 {
		return fmt.Errorf("%w: the file is empty", errs.ErrInvalidRequest)
	}
	if int64(len(in.Content)) > limit {
		return fmt.Errorf("%w: the file is %d bytes; the limit is %d bytes", errs.ErrTooLarge, len(in.Content), limit)
	}
	return nil
}

// Add stores a document and attaches it to its subject: the content once
// per SHA-256, the attachment as the next link of the chain, whose head is
// advanced under its row lock.
func (s *Service) Add(ctx context.Context, in Upload) (*Attachment, error) {
	if err := in.check(s.MaxBytes); err != nil {
		return nil, err
	}
	tg, err := s.subject(ctx, in.Subject, true)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(in.Content)
	a := &Attachment{ID: ledger.NewID(), Subject: in.Subject, Kind: in.Kind, FileName: in.FileName,
		SHA256: hex.EncodeToString(sum[:]), Bytes: int64(len(in.Content)), District: tg.district, Project: tg.project,
		UploadedBy: access.From(ctx).Label(), UploadedAt: store.Now()}
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		err := tx.Exec(`INSERT INTO attachment_contents (sha256, bytes, content, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (sha256) DO NOTHING`, a.SHA256, a.Bytes, in.Content, a.UploadedAt).Error
		if err != nil {
			return err
		}
		var head []struct {
			Seq  int64
			Head string
		}
		if err := tx.Raw("SELECT seq, head FROM attachment_chain WHERE id = 1" + s.db.ForUpdate()).Scan(&head).Error; err != nil {
			return err
		}
		if len(head) != 1 {
			return fmt.Errorf("evidence: the attachment chain has no head")
		}
		a.ChainSeq = head[0].Seq + 1
		a.Hash = ledger.AttachmentHash(head[0].Head, ledger.AttachmentLink{Seq: a.ChainSeq, ID: a.ID, Subject: a.Subject,
			Kind: a.Kind, SHA256: a.SHA256, Bytes: a.Bytes, SubjectHash: tg.hash, UploadedBy: a.UploadedBy,
			UploadedAt: a.UploadedAt})
		n := store.Null
		err = tx.Exec(`INSERT INTO attachments (id, chain_seq, subject, kind, file_name, sha256, bytes, district_code,
			project_code, subject_hash, uploaded_by, uploaded_at, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			a.ID, a.ChainSeq, a.Subject, a.Kind, n(a.FileName), a.SHA256, a.Bytes, n(a.District), n(a.Project),
			n(tg.hash), a.UploadedBy, a.UploadedAt, head[0].Head, a.Hash).Error
		if err != nil {
			return err
		}
		res := tx.Exec("UPDATE attachment_chain SET seq = ?, head = ? WHERE id = 1 AND seq = ?", a.ChainSeq, a.Hash, head[0].Seq)
		if res.Error == nil && res.RowsAffected != 1 {
			return fmt.Errorf("evidence: the attachment chain moved under its lock")
		}
		return res.Error
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}
