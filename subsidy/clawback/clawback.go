// Package clawback follows up the clawback requests of paid subsidy runs:
// negative adjustment lines, money a property-management company is to
// refund. A request is never paid from the ledger; settling it records
// that the refund arrived (who, when, a note) and nothing more: a refund
// that should go back into a fund is booked as a receipt of its own.
package clawback

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/subsidy"
)

// Clawback statuses.
const (
	Open    = "open"    // requested by a paid run, not yet refunded
	Settled = "settled" // the company refunded it
)

// Clawback is a clawback request: a negative adjustment line of a paid run.
type Clawback struct {
	ID        string         `json:"id"` // "<run id>.<line>", stable
	Run       string         `json:"run"`
	Line      int            `json:"line"`
	Scheme    string         `json:"scheme"`
	Period    string         `json:"period"`
	Project   string         `json:"project"`
	District  string         `json:"district"`
	Amount    money.Amount   `json:"amount"` // to refund, positive
	Payee     *subsidy.Payee `json:"payee"`
	Requested string         `json:"requested_at"` // when the run was approved
	Status    string         `json:"status"`
	SettledOn string         `json:"settled_on,omitempty"`
	Note      string         `json:"note,omitempty"`
	SettledBy string         `json:"settled_by,omitempty"`
	SettledAt string         `json:"settled_at,omitempty"`
}

// Service lists and settles clawback requests.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// New returns the service on db.
func New(db *store.DB) *Service { return &Service{db: db, now: time.Now} }

// Filter selects clawback requests; empty fields match everything.
type Filter struct {
	Status  string // open or settled
	Scheme  string
	Project string
	After   string // cursor: the last id of the previous page
	Limit   int    // default 100, at most 1000
}

const selectClawbacks = `SELECT l.run_id, l.line, r.scheme_code, r.period, l.project_code, l.district_code, l.amount,
	l.payee_name, l.payee_credit_code, l.payee_bank_account, r.approved_at, s.settled_on, s.note, s.settled_by,
	s.settled_at FROM subsidy_run_lines l JOIN subsidy_runs r ON r.id = l.run_id
	LEFT JOIN subsidy_clawback_settlements s ON s.run_id = l.run_id AND s.line = l.line
	WHERE l.amount < 0 AND r.status = 'paid'`

// List lists clawback requests in id order: every district's for the
// finance bureau and auditors, a district's own for it.
func (s *Service) List(ctx context.Context, f Filter) ([]*Clawback, error) {
	d, err := subsidy.ReaderDistrict(ctx)
	if err != nil {
		return nil, err
	}
	q, args := selectClawbacks, []any{}
	add := func(cond string, vs ...any) { q, args = q+" AND "+cond, append(args, vs...) }
	switch f.Status {
	case "":
	case Open:
		add("s.run_id IS NULL")
	case Settled:
		add("s.run_id IS NOT NULL")
	default:
		return nil, fmt.Errorf("%w: status must be open or settled, got %q", errs.ErrInvalidRequest, f.Status)
	}
	for cond, v := range map[string]string{"l.district_code = ?": d, "r.scheme_code = ?": f.Scheme,
		"l.project_code = ?": f.Project} {
		if v != "" {
			add(cond, v)
		}
	}
	if f.After != "" {
		run, line, ok := parseClawbackID(f.After)
		if !ok {
			return nil, fmt.Errorf("%w: after %q is not a clawback id", errs.ErrInvalidRequest, f.After)
		}
		add("(l.run_id > ? OR (l.run_id = ? AND l.line > ?))", run, run, line)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	return s.scanClawbacks(ctx, fmt.Sprintf("%s ORDER BY l.run_id, l.line LIMIT %d", q, min(f.Limit, 1000)), args...)
}

func (s *Service) scanClawbacks(ctx context.Context, q string, args ...any) ([]*Clawback, error) {
	rows, err := s.db.Conn(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Clawback
	for rows.Next() {
		var c Clawback
		var amount int64
		var pn, pc, pa, requested, on, note, by, at *string
		if err := rows.Scan(&c.Run, &c.Line, &c.Scheme, &c.Period, &c.Project, &c.District, &amount, &pn, &pc, &pa,
			&requested, &on, &note, &by, &at); err != nil {
			return nil, err
		}
		c.ID, c.Amount, c.Requested = clawbackID(c.Run, c.Line), -money.Amount(amount), store.Str(requested)
		if pn != nil {
			c.Payee = &subsidy.Payee{Name: *pn, CreditCode: store.Str(pc), BankAccount: store.Str(pa)}
		}
		c.Status, c.SettledOn, c.Note, c.SettledBy, c.SettledAt = Open, store.Str(on), store.Str(note), store.Str(by),
			store.Str(at)
		if on != nil {
			c.Status = Settled
		}
		out = append(out, &c)
	}
	return out, rows.Err()
}

func clawbackID(run string, line int) string { return run + "." + strconv.Itoa(line) }

func parseClawbackID(id string) (string, int, bool) {
	i := strings.LastIndexByte(id, '.')
	if i <= 0 {
		return "", 0, false
	}
	line, err := strconv.Atoi(id[i+1:])
	return id[:i], line, err == nil && line > 0
}

// Get returns one clawback request the actor may see; another
// district's is not found.
func (s *Service) Get(ctx context.Context, id string) (*Clawback, error) {
	d, err := subsidy.ReaderDistrict(ctx)
	if err != nil {
		return nil, err
	}
	run, line, ok := parseClawbackID(id)
	if ok {
		cs, err := s.scanClawbacks(ctx, selectClawbacks+" AND l.run_id = ? AND l.line = ?", run, line)
		if err != nil {
			return nil, err
		}
		if len(cs) == 1 && (d == "" || cs[0].District == d) {
			return cs[0], nil
		}
	}
	return nil, fmt.Errorf("%w: clawback %q", errs.ErrNotFound, id)
}

// Settlement is what settling a clawback records.
type Settlement struct {
	SettledOn string // the day the refund arrived, YYYY-MM-DD, not after today
	Note      string // optional, at most 500 characters
}

// Settle records that the company refunded a clawback request
// (finance only). The refund date may not precede the request (the run's
// approval) nor lie after today; a settled request cannot be settled again
// (conflict).
func (s *Service) Settle(ctx context.Context, id string, in Settlement) (*Clawback, error) {
	if access.From(ctx).Role != access.Finance {
		return nil, fmt.Errorf("%w: only the finance bureau settles clawbacks", errs.ErrForbidden)
	}
	if _, err := field.Date("settled_on", in.SettledOn); err != nil {
		return nil, err
	}
	if err := field.Text("note", in.Note, false, 500); err != nil {
		return nil, err
	}
	var out *Clawback
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		c, err := s.Get(ctx, id)
		if err != nil {
			return err
		}
		if err := c.settleable(in.SettledOn, s.now().In(subsidy.Zone).Format(time.DateOnly)); err != nil {
			return err
		}
		c.Status, c.SettledOn, c.Note = Settled, in.SettledOn, in.Note
		c.SettledBy, c.SettledAt = access.From(ctx).Label(), store.Now()
		err = tx.Exec(`INSERT INTO subsidy_clawback_settlements (run_id, line, settled_on, note, settled_by, settled_at)
			VALUES (?, ?, ?, ?, ?, ?)`, c.Run, c.Line, c.SettledOn, store.Null(c.Note), c.SettledBy, c.SettledAt).Error
		if store.UniqueViolation(err) {
			return fmt.Errorf("%w: clawback %s was settled concurrently", errs.ErrConflict, id)
		}
		out = c
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// settleable checks a settlement date against the request and today.
func (c *Clawback) settleable(on, today string) error {
	requested := c.Requested
	if t, err := time.Parse(time.RFC3339, c.Requested); err == nil {
		requested = t.In(subsidy.Zone).Format(time.DateOnly)
	}
	switch {
	case c.Status == Settled:
		return fmt.Errorf("%w: clawback %s was settled on %s", errs.ErrConflict, c.ID, c.SettledOn)
	case on > today:
		return fmt.Errorf("%w: settled_on %s is after today (%s)", ledger.ErrFutureDate, on, today)
	case on < requested:
		return fmt.Errorf("%w: settled_on %s is before the clawback was requested (%s)", errs.ErrRuleViolation, on,
			requested)
	}
	return nil
}
