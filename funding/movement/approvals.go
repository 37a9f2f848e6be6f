package movement

import (
	"context"
	"encoding/json"
	"fmt"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
)

// DefaultApprovalAbove is the amount above which a payment needs a second
// person unless the service is configured otherwise: ¥1,000,000.
const DefaultApprovalAbove money.Amount = 1_000_000_00

// ErrApprovalRequired refuses, where no request can be filed (a batch), a
// payment that needs a second person.
var ErrApprovalRequired = errs.New(errs.Rule, "approval_required", "a second person must approve this payment")

// Payment request statuses.
const (
	Pending  = "pending"
	Approved = "approved"
	Rejected = "rejected"
)

// PaymentRequest is a payment filed by one person for another to approve.
type PaymentRequest struct {
	ID          string       `json:"id"`
	Status      string       `json:"status"`
	Why         string       `json:"why"`
	District    string       `json:"district"`
	Project     string       `json:"project"`
	Amount      money.Amount `json:"amount"`
	Expenditure Expenditure  `json:"expenditure"`
	PreparedBy  string       `json:"prepared_by"`
	PreparedAt  string       `json:"prepared_at"`
	DecidedBy   *string      `json:"decided_by,omitempty"`
	DecidedAt   *string      `json:"decided_at,omitempty"`
	Note        *string      `json:"note,omitempty"`
	TransferID  *string      `json:"transfer_id,omitempty"`
}

// approvalKey marks a context in which a second person approves a payment
// prepared by someone else.
type approvalKey struct{}

// needsApproval says why a payment needs a second person, or "".
func (s *Service) needsApproval(in Expenditure) string {
	switch {
	case in.ForceReason != "":
		return "a forced payment outside the fund's categories"
	case s.ApprovalAbove > 0 && in.Amount > s.ApprovalAbove:
		return fmt.Sprintf("a payment above %s", s.ApprovalAbove)
	}
	return ""
}

// approve stamps a payment that needs a second person with its preparer and
// approver, or refuses it when it is not being approved.
func (s *Service) approve(ctx context.Context, in Expenditure, t *ledger.Transfer) error {
	why := s.needsApproval(in)
	if why == "" {
		return nil
	}
	preparer, ok := ctx.Value(approvalKey{}).(string)
	if !ok {
		return fmt.Errorf("%w: %s is filed with POST /v1/expenditures and approved by a second person", ErrApprovalRequired, why)
	}
	t.PreparedBy, t.ApprovedBy = preparer, access.From(ctx).Label()
	return nil
}

// Pay records an expenditure, or, when it needs a second person, checks it
// as far as it can be checked before the money moves and files it as a
// pending request (exactly one of the results is non-nil).
func (s *Service) Pay(ctx context.Context, in Expenditure) (*ledger.Transfer, *PaymentRequest, error) {
	why := s.needsApproval(in)
	if why == "" {
		t, err := s.Spend(ctx, in)
		return t, nil, err
	}
	a := access.From(ctx)
	var r *PaymentRequest
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		// Build the transfer as the approver would, to refuse now what the
		// rules refuse (its balance is checked when it is approved).
		t, err := s.expenditureTransfer(context.WithValue(ctx, approvalKey{}, a.Label()), in, s.lockedBalances(ctx),
			noEarlier())
		if err != nil {
			return err
		}
		body, err := json.Marshal(in)
		if err != nil {
			return err
		}
		r = &PaymentRequest{ID: ledger.NewID(), Status: Pending, Why: why, District: t.District, Project: t.Project,
			Amount: in.Amount, Expenditure: in, PreparedBy: a.Label(), PreparedAt: store.Now()}
		return tx.Exec(`INSERT INTO payment_requests (id, district_code, project_code, amount, body, why, status, prepared_by,
			prepared_at) VALUES (?,?,?,?,?,?,?,?,?)`, r.ID, r.District, r.Project, int64(r.Amount), string(body), r.Why,
			r.Status, r.PreparedBy, r.PreparedAt).Error
	})
	return nil, r, err
}

// Approve pays a pending request: by someone other than its preparer, who
// becomes the payment's approver. The rules and balances are those of the
// moment of approval.
func (s *Service) Approve(ctx context.Context, id string) (*PaymentRequest, *ledger.Transfer, error) {
	return s.decide(ctx, id, func(ctx context.Context, r *PaymentRequest) (*ledger.Transfer, error) {
		if err := access.From(ctx).Approves(r.PreparedBy, "payment request "+r.ID); err != nil {
			return nil, err
		}
		t, err := s.Spend(context.WithValue(ctx, approvalKey{}, r.PreparedBy), r.Expenditure)
		if err != nil {
			return nil, err
		}
		r.Status, r.TransferID = Approved, &t.ID
		return t, nil
	})
}

// Reject closes a pending request without paying it; a note is required.
func (s *Service) Reject(ctx context.Context, id, note string) (*PaymentRequest, error) {
	if err := field.Text("note", note, true, 500); err != nil {
		return nil, err
	}
	r, _, err := s.decide(ctx, id, func(ctx context.Context, r *PaymentRequest) (*ledger.Transfer, error) {
		r.Status, r.Note = Rejected, &note
		return nil, nil
	})
	return r, err
}

// decide takes a pending request the actor may write for, applies fn and
// stores the decision, all in one transaction.
func (s *Service) decide(ctx context.Context, id string, fn func(ctx context.Context, r *PaymentRequest) (*ledger.Transfer, error)) (*PaymentRequest, *ledger.Transfer, error) {
	var r *PaymentRequest
	var t *ledger.Transfer
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		if r, err = s.request(ctx, id, true); err != nil {
			return err
		}
		if !access.From(ctx).Writes(r.District) {
			return fmt.Errorf("%w: payment request %s", errs.ErrForbidden, id)
		}
		if r.Status != Pending {
			return fmt.Errorf("%w: payment request %s is %s", errs.ErrConflict, id, r.Status)
		}
		if t, err = fn(ctx, r); err != nil {
			return err
		}
		who, now := access.From(ctx).Label(), store.Now()
		r.DecidedBy, r.DecidedAt = &who, &now
		return tx.Exec(`UPDATE payment_requests SET status = ?, decided_by = ?, decided_at = ?, note = ?, transfer_id = ?
			WHERE id = ? AND status = ?`, r.Status, who, now, r.Note, r.TransferID, id, Pending).Error
	})
	return r, t, err
}

// PaymentRequest returns one request the actor may see.
func (s *Service) PaymentRequest(ctx context.Context, id string) (*PaymentRequest, error) {
	return s.request(ctx, id, false)
}

type requestRow struct {
	ID, DistrictCode, ProjectCode, Body, Why, Status, PreparedBy, PreparedAt string
	Amount                                                                   int64
	DecidedBy, DecidedAt, Note, TransferID                                   *string
}

const requestCols = `id, district_code, project_code, amount, body, why, status, prepared_by, prepared_at, decided_by,
	decided_at, note, transfer_id`

func (r requestRow) request() (*PaymentRequest, error) {
	out := &PaymentRequest{ID: r.ID, Status: r.Status, Why: r.Why, District: r.DistrictCode, Project: r.ProjectCode,
		Amount: money.Amount(r.Amount), PreparedBy: r.PreparedBy, PreparedAt: r.PreparedAt, DecidedBy: r.DecidedBy,
		DecidedAt: r.DecidedAt, Note: r.Note, TransferID: r.TransferID}
	return out, json.Unmarshal([]byte(r.Body), &out.Expenditure)
}

func (s *Service) request(ctx context.Context, id string, lock bool) (*PaymentRequest, error) {
	q := `SELECT ` + requestCols + ` FROM payment_requests WHERE id = ?`
	if lock && s.db.Dialect == store.Postgres {
		q += " FOR UPDATE"
	}
	var rows []requestRow
	if err := s.db.Conn(ctx).Raw(q, id).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 || !access.From(ctx).Sees(rows[0].DistrictCode) {
		return nil, fmt.Errorf("%w: payment request %s", errs.ErrNotFound, id)
	}
	return rows[0].request()
}

// RequestFilter selects payment requests; empty fields select all.
type RequestFilter struct {
	Status, District string
	After            string
	Limit            int
}

// PaymentRequests lists requests in id order (oldest first), a page after
// the cursor; a district sees its own.
func (s *Service) PaymentRequests(ctx context.Context, f RequestFilter) ([]*PaymentRequest, error) {
	district, err := access.From(ctx).Area(f.District)
	if err != nil {
		return nil, err
	}
	q, args := `SELECT `+requestCols+` FROM payment_requests WHERE id > ?`, []any{f.After}
	if district != "" {
		q, args = q+" AND district_code = ?", append(args, district)
	}
	if f.Status != "" {
		if f.Status != Pending && f.Status != Approved && f.Status != Rejected {
			return nil, fmt.Errorf("%w: status must be pending, approved or rejected", errs.ErrInvalidRequest)
		}
		q, args = q+" AND status = ?", append(args, f.Status)
	}
	var rows []requestRow
	if err := s.db.Conn(ctx).Raw(q+" ORDER BY id LIMIT ?", append(args, max(1, f.Limit))...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*PaymentRequest, len(rows))
	for i, r := range rows {
		if out[i], err = r.request(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
