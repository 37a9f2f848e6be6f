package report

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/money"
	"renofund/internal/store"
)

// Review statuses, in the order a finding moves through them.
const (
	StatusOpen         = "open"
	StatusAcknowledged = "acknowledged"
	StatusExplained    = "explained"
	StatusClosed       = "closed"
)

// Statuses lists the statuses in order, the values of the status filter.
var Statuses = []string{StatusOpen, StatusAcknowledged, StatusExplained, StatusClosed}

// actions maps each review action to the status it leaves a finding in.
var actions = map[string]string{"acknowledge": StatusAcknowledged, "explain": StatusExplained, "close": StatusClosed}

// Review errors.
var (
	ErrNoteRequired = errs.New(errs.Invalid, "note_required", "a review needs a note")
	ErrReviewOrder  = fmt.Errorf("%w: the finding has gone past that step", errs.ErrConflict)
)

// ReviewIn is one review step: acknowledge, explain or close, with a note.
type ReviewIn struct {
	Action string `json:"action"`
	Note   string `json:"note"`
}

// Review is a stored review step. Amount and On are the finding's as they
// stood when it was taken.
type Review struct {
	Seq        int          `json:"seq"`
	Action     string       `json:"action"`
	Status     string       `json:"status"`
	Note       string       `json:"note"`
	Amount     money.Amount `json:"amount"`
	On         string       `json:"on"`
	ReviewedBy string       `json:"reviewed_by"`
	ReviewedAt string       `json:"reviewed_at"`
}

// Finding is one exception with every review step taken on it.
type Finding struct {
	Exception
	Reviews []Review `json:"reviews"`
}

// Check refuses an unknown action or an empty note; Review checks too, and
// a handler may check first, before it looks for the finding.
func (in ReviewIn) Check() error {
	if _, ok := actions[in.Action]; !ok {
		return fmt.Errorf("%w: action must be acknowledge, explain or close, got %q", errs.ErrInvalidRequest, in.Action)
	}
	if in.Note == "" {
		return ErrNoteRequired
	}
	return field.Text("note", in.Note, true, 2000)
}

// statusOf is where the reviews leave a finding as it stands now: the
// status of the latest step, as long as the finding still has the amount
// and date that step saw; a finding that has changed since is open again.
func statusOf(e Exception, rs []Review) string {
	if len(rs) == 0 {
		return StatusOpen
	}
	last := rs[len(rs)-1]
	if last.Amount != e.Amount || last.On != e.On {
		return StatusOpen
	}
	return last.Status
}

// reviews loads the review steps of the given findings (all of them when
// ids is nil), in order, by finding id.
func (s *Service) reviews(ctx context.Context, ids []string) (map[string][]Review, error) {
	q := `SELECT exception_id, seq, action, status, note, amount, on_date, reviewed_by, reviewed_at FROM exception_reviews`
	var args []any
	if ids != nil {
		q, args = q+" WHERE exception_id IN ?", []any{append([]string{""}, ids...)}
	}
	var rows []struct {
		ExceptionID, Action, Status, Note, OnDate, ReviewedBy, ReviewedAt string
		Seq                                                               int
		Amount                                                            int64
	}
	if err := s.ledger.DB().Conn(ctx).Raw(q+" ORDER BY exception_id, seq", args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string][]Review{}
	for _, r := range rows {
		out[r.ExceptionID] = append(out[r.ExceptionID], Review{Seq: r.Seq, Action: r.Action, Status: r.Status, Note: r.Note,
			Amount: money.Amount(r.Amount), On: r.OnDate, ReviewedBy: r.ReviewedBy, ReviewedAt: r.ReviewedAt})
	}
	return out, nil
}

// withStatus sets each finding's status from its reviews.
func (s *Service) withStatus(ctx context.Context, ex []Exception) error {
	rs, err := s.reviews(ctx, nil)
	if err != nil {
		return err
	}
	for i := range ex {
		ex[i].Status = statusOf(ex[i], rs[ex[i].ID])
	}
	return nil
}

// Finding returns the finding with the given id, as its code's check finds
// it under r, with its reviews; a finding the checks do not find (or one of
// another district's) is not found.
func (s *Service) Finding(ctx context.Context, id string, r Rules) (*Finding, error) {
	code, _, _ := strings.Cut(id, ":")
	if !slices.Contains(Codes, code) {
		return nil, fmt.Errorf("%w: exception %q", errs.ErrNotFound, id)
	}
	ex, err := s.exceptions(ctx, r, code)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(ex, func(e Exception) bool { return e.ID == id })
	if i < 0 {
		return nil, fmt.Errorf("%w: exception %q (under these rules, as of %s)", errs.ErrNotFound, id, r.AsOf.Format("2006-01-02"))
	}
	rs, err := s.reviews(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	return &Finding{Exception: ex[i], Reviews: append([]Review{}, rs[id]...)}, nil
}

// Review appends a review step to a finding (as Finding returned it) and
// returns the finding with it. A step may not take a finding back (an
// acknowledgement after an explanation), and a closed finding takes no
// more steps until it changes: both are errs.ErrConflict. Run it in a
// write transaction: the step's number is unique per finding, so two steps
// taken at once cannot both be appended.
func (s *Service) Review(ctx context.Context, f *Finding, in ReviewIn) (*Finding, error) {
	if err := in.Check(); err != nil {
		return nil, err
	}
	rs, err := s.reviews(ctx, []string{f.ID})
	if err != nil {
		return nil, err
	}
	cur, next := statusOf(f.Exception, rs[f.ID]), actions[in.Action]
	if cur == StatusClosed || slices.Index(Statuses, next) < slices.Index(Statuses, cur) {
		return nil, fmt.Errorf("%w: %s is %s; it cannot be marked %s", ErrReviewOrder, f.ID, cur, next)
	}
	a := access.From(ctx)
	r := Review{Seq: len(rs[f.ID]) + 1, Action: in.Action, Status: next, Note: in.Note, Amount: f.Amount, On: f.On,
		ReviewedBy: a.Label(), ReviewedAt: store.Now()}
	err = s.ledger.DB().Conn(ctx).Exec(`INSERT INTO exception_reviews (exception_id, seq, action, status, note,
		district_code, amount, on_date, reviewed_by, reviewed_at) VALUES (?,?,?,?,?,?,?,?,?,?)`,
		f.ID, r.Seq, r.Action, r.Status, r.Note, store.Null(f.District), int64(r.Amount), r.On, r.ReviewedBy, r.ReviewedAt).Error
	if store.UniqueViolation(err) {
		return nil, fmt.Errorf("%w: another review of %s was taken at the same moment", errs.ErrConflict, f.ID)
	}
	if err != nil {
		return nil, err
	}
	out := &Finding{Exception: f.Exception, Reviews: append(rs[f.ID], r)}
	out.Status = next
	return out, nil
}
