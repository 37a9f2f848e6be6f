package evidence

import (
	"context"
	"fmt"
	"strings"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/store"
)

// ErrNotFound reports an attachment that does not exist or that the actor
// may not see (the same answer).
var ErrNotFound = fmt.Errorf("%w: attachment", errs.ErrNotFound)

const selectAttachment = `SELECT a.id, a.subject, a.kind, a.file_name, a.sha256, a.bytes, a.district_code,
	a.project_code, a.uploaded_by, a.uploaded_at, a.chain_seq, a.hash, b.transfer_id, b.district_code AS bound_district
	FROM attachments a LEFT JOIN attachment_bindings b ON b.attachment_id = a.id`

type attachmentRow struct {
	ID, Subject, Kind, SHA256, UploadedBy, UploadedAt, Hash string
	FileName, DistrictCode, ProjectCode                     *string
	TransferID, BoundDistrict                               *string
	Bytes, ChainSeq                                         int64
}

func (r attachmentRow) attachment() Attachment {
	a := Attachment{ID: r.ID, Subject: r.Subject, Kind: r.Kind, FileName: store.Str(r.FileName), SHA256: r.SHA256,
		Bytes: r.Bytes, District: store.Str(r.DistrictCode), Project: store.Str(r.ProjectCode), UploadedBy: r.UploadedBy,
		UploadedAt: r.UploadedAt, ChainSeq: r.ChainSeq, Hash: r.Hash}
	if r.TransferID != nil {
		a.BoundTo = "transfer:" + *r.TransferID
		// A bound document belongs where the payment it supports does.
		a.District = store.Str(r.BoundDistrict)
	}
	return a
}

// scope is the condition that keeps a district to its own documents.
func scope(a access.Actor) (string, []any) {
	if a.Role != access.District {
		return "1 = 1", nil
	}
	return "COALESCE(b.district_code, a.district_code) = ?", []any{a.District}
}

// List returns a page of attachments in id order: a subject's (for a
// transfer, with the documents its payment was made on), the documents
// waiting for their payment (transfer:new), or every one the actor may see.
func (s *Service) List(ctx context.Context, subject, after string, limit int) ([]Attachment, error) {
	cond, args := scope(access.From(ctx))
	switch {
	case subject == Pending:
		cond, args = cond+" AND a.subject = ? AND b.transfer_id IS NULL", append(args, Pending)
	case subject != "":
		if _, err := s.subject(ctx, subject, false); err != nil {
			return nil, err
		}
		cond, args = "a.subject = ?", []any{subject}
		if id, ok := strings.CutPrefix(subject, "transfer:"); ok {
			cond, args = "(a.subject = ? OR b.transfer_id = ?)", []any{subject, id}
		}
	}
	var rows []attachmentRow
	err := s.db.Conn(ctx).Raw(selectAttachment+" WHERE "+cond+" AND a.id > ? ORDER BY a.id LIMIT ?",
		append(args, after, limit)...).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]Attachment, len(rows))
	for i, r := range rows {
		out[i] = r.attachment()
	}
	return out, nil
}

// Get returns one attachment the actor may see.
func (s *Service) Get(ctx context.Context, id string) (*Attachment, error) {
	cond, args := scope(access.From(ctx))
	var rows []attachmentRow
	err := s.db.Conn(ctx).Raw(selectAttachment+" WHERE a.id = ? AND "+cond, append([]any{id}, args...)...).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w %q", ErrNotFound, id)
	}
	a := rows[0].attachment()
	return &a, nil
}

// Content returns one attachment the actor may see with its document.
func (s *Service) Content(ctx context.Context, id string) (*Attachment, []byte, error) {
	a, err := s.Get(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	var content [][]byte
	err = s.db.Conn(ctx).Raw("SELECT content FROM attachment_contents WHERE sha256 = ?", a.SHA256).Scan(&content).Error
	if err != nil {
		return nil, nil, err
	}
	if len(content) != 1 {
		return nil, nil, fmt.Errorf("evidence: the content of attachment %s is not stored", id)
	}
	return a, content[0], nil
}
