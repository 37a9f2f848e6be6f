package evidence

import (
	"context"
	"fmt"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/store"
)

// MaxPerPayment is the most documents one payment may name.
const MaxPerPayment = 100

// Digest checks the documents a payment of district names before it is
// posted and returns their evidence digest (ledger.EvidenceDigest): each
// must exist and be visible to the actor, wait for its payment
// (transfer:new, unbound), and have been uploaded by the payment's district
// or the finance bureau. named holds the documents earlier items of the same
// batch named; Digest adds these.
func (s *Service) Digest(ctx context.Context, district string, ids []string, named map[string]bool) (string, error) {
	if len(ids) == 0 || len(ids) > MaxPerPayment {
		return "", fmt.Errorf("%w: attachments, when given, name 1 to %d documents", errs.ErrInvalidRequest, MaxPerPayment)
	}
	cond, args := scope(access.From(ctx))
	var rows []attachmentRow
	err := s.db.Conn(ctx).Raw(selectAttachment+" WHERE a.id IN ? AND "+cond, append([]any{ids}, args...)...).Scan(&rows).Error
	if err != nil {
		return "", err
	}
	byID := make(map[string]Attachment, len(rows))
	for _, r := range rows {
		byID[r.ID] = r.attachment()
	}
	contents := make([]string, 0, len(ids))
	seen := map[string]bool{}
	for _, id := range ids {
		a, ok := byID[id]
		switch {
		case seen[id]:
			return "", fmt.Errorf("%w: attachment %q is named twice", errs.ErrInvalidRequest, id)
		case !ok:
			return "", fmt.Errorf("%w %q", ErrNotFound, id)
		case a.BoundTo != "" || named[id]:
			return "", fmt.Errorf("%w: attachment %s already supports a payment", ErrBound, id)
		case a.Subject != Pending:
			return "", fmt.Errorf("%w: attachment %s is attached to %s; a payment names documents uploaded as %s",
				ErrBound, id, a.Subject, Pending)
		case a.District != "" && a.District != district:
			return "", fmt.Errorf("%w: attachment %s was uploaded by district %s, the payment is district %s's",
				errs.ErrRuleViolation, id, a.District, district)
		}
		seen[id] = true
		contents = append(contents, a.SHA256)
	}
	for id := range seen {
		named[id] = true
	}
	return ledger.EvidenceDigest(contents), nil
}

// Bind records that a posted transfer was made on the documents, in the
// transaction that posted it: once per document, so a second binding (a
// concurrent payment naming it) is refused.
func (s *Service) Bind(ctx context.Context, t *ledger.Transfer, ids []string) error {
	by, at := access.From(ctx).Label(), store.Now()
	rows := make([][]any, len(ids))
	for i, id := range ids {
		rows[i] = []any{id, t.ID, store.Null(t.District), store.Null(t.Project), by, at}
	}
	err := store.InsertMany(s.db.Conn(ctx), "attachment_bindings",
		[]string{"attachment_id", "transfer_id", "district_code", "project_code", "bound_by", "bound_at"}, rows)
	if store.UniqueViolation(err) {
		return fmt.Errorf("%w: a concurrent payment named one of %v", ErrBound, ids)
	}
	return err
}
