// Package period closes the books: months and fiscal years close in two
// steps by two people (a request, then a confirmation by someone else), each
// close sealing the closing balances of every holding with a checkpoint;
// nothing is booked into a closed month (the ledger refuses it); a reopening
// needs an administrator's reason and a finance confirmation, and supersedes
// the seals of the period and every later one. It owns the periods and
// period_events tables.
package period

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/ledger/proof"
	"renofund/internal/store"
)

// The statuses a period passes through.
const (
	Open            = "open"
	CloseRequested  = "close_requested"
	Closed          = "closed"
	ReopenRequested = "reopen_requested"
)

// Refusals of the workflow.
var (
	ErrNotEnded   = errs.New(errs.Rule, "period_not_ended", "the period has not ended yet")
	ErrMonthsOpen = errs.New(errs.Conflict, "months_open", "a year closes after its twelve months")
	ErrStatus     = errs.New(errs.Conflict, "period_status", "the period is not in the status this step needs")
)

// Period is one month (YYYY-MM) or fiscal year (YYYY) and its close status.
type Period struct {
	Period      string            `json:"period"`
	Kind        string            `json:"kind"` // month or year
	Status      string            `json:"status"`
	RequestedBy *string           `json:"requested_by,omitempty"`
	RequestedAt *string           `json:"requested_at,omitempty"`
	Reason      *string           `json:"reason,omitempty"`
	Seal        *proof.Seal       `json:"seal,omitempty"`
	Checkpoint  *proof.Checkpoint `json:"checkpoint,omitempty"`
	History     []Event           `json:"history"`
	UpdatedAt   string            `json:"updated_at"`
	sealID      *string
	stored      bool // whether the period has a row yet
}

// Event is one step of a period's workflow.
type Event struct {
	Action string  `json:"action"`
	Status string  `json:"status"`
	Actor  string  `json:"actor"`
	Reason *string `json:"reason,omitempty"`
	SealID *string `json:"seal_id,omitempty"`
	At     string  `json:"at"`
}

// Service runs the close and reopen workflow.
type Service struct {
	db     *store.DB
	ledger *ledger.Ledger
	books  *proof.Books
	today  func() string
}

// New returns the workflow on the ledger's database.
func New(l *ledger.Ledger) *Service {
	return &Service{db: l.DB(), ledger: l, books: proof.New(l.DB()), today: field.Today}
}

// span is a parsed period: its kind and its first and last days.
type span struct {
	name, kind  string
	first, last string
	year        int
	lastMonth   string // the month a close closes through: the month itself, or December
}

func parse(p string) (span, error) {
	if t, err := time.Parse("2006-01", p); err == nil && len(p) == 7 && t.Year() >= ledger.FirstYear {
		return span{name: p, kind: "month", first: t.Format(time.DateOnly), last: t.AddDate(0, 1, -1).Format(time.DateOnly),
			year: t.Year(), lastMonth: p}, nil
	}
	if y, err := strconv.Atoi(p); err == nil && len(p) == 4 && y >= ledger.FirstYear {
		return span{name: p, kind: "year", first: p + "-01-01", last: p + "-12-31", year: y, lastMonth: p + "-12"}, nil
	}
	return span{}, fmt.Errorf("%w: period %q is neither a month YYYY-MM nor a fiscal year YYYY from %d on",
		errs.ErrInvalidRequest, p, ledger.FirstYear)
}

// RequestClose asks for a period to be closed; another person confirms.
// A month may be asked for once it has ended; a year once its twelve months
// are closed.
func (s *Service) RequestClose(ctx context.Context, p string) (*Period, error) {
	sp, err := parse(p)
	if err != nil {
		return nil, err
	}
	if today := s.today(); sp.last >= today {
		return nil, fmt.Errorf("%w: %s ends on %s; close it from the next day on (today is %s)", ErrNotEnded, sp.name, sp.last, today)
	}
	who := access.From(ctx).Label()
	return s.step(ctx, sp, func(ctx context.Context, tx *gorm.DB, cur *Period) (*Period, error) {
		if cur.Status != Open {
			return nil, fmt.Errorf("%w: %s is %s", ErrStatus, sp.name, cur.Status)
		}
		if err := s.monthsClosed(ctx, sp); err != nil {
			return nil, err
		}
		now := store.Now()
		cur.Status, cur.RequestedBy, cur.RequestedAt, cur.Reason = CloseRequested, &who, &now, nil
		return cur, s.record(tx, cur, "close_request", who, nil)
	})
}

// ConfirmClose closes a requested period: the ledger refuses bookings into
// its months from then on, and its closing balances are sealed with a
// checkpoint in the same transaction.
func (s *Service) ConfirmClose(ctx context.Context, p string) (*Period, error) {
	sp, err := parse(p)
	if err != nil {
		return nil, err
	}
	a := access.From(ctx)
	return s.step(ctx, sp, func(ctx context.Context, tx *gorm.DB, cur *Period) (*Period, error) {
		if cur.Status != CloseRequested {
			return nil, fmt.Errorf("%w: %s is %s; request its close first", ErrStatus, sp.name, cur.Status)
		}
		if err := a.Approves(*cur.RequestedBy, "the close of "+sp.name); err != nil {
			return nil, err
		}
		if err := s.monthsClosed(ctx, sp); err != nil {
			return nil, err
		}
		if err := s.ledger.CloseThrough(ctx, sp.lastMonth); err != nil {
			return nil, err
		}
		seal, cp, err := s.books.Seal(ctx, s.ledger, sp.name, sp.last, a.Label())
		if store.UniqueViolation(err) {
			// Another instance sealed a checkpoint with the same number:
			// run the whole close again on top of it.
			return nil, store.ErrSerialization
		}
		if err != nil {
			return nil, err
		}
		cur.Status, cur.Seal, cur.Checkpoint, cur.sealID = Closed, seal, cp, &seal.ID
		return cur, s.record(tx, cur, "close", a.Label(), nil)
	})
}

// RequestReopen asks, with a reason, for a closed period to be reopened.
func (s *Service) RequestReopen(ctx context.Context, p, reason string) (*Period, error) {
	sp, err := parse(p)
	if err != nil {
		return nil, err
	}
	if err := field.Text("reason", reason, true, 500); err != nil {
		return nil, err
	}
	who := access.From(ctx).Label()
	return s.step(ctx, sp, func(ctx context.Context, tx *gorm.DB, cur *Period) (*Period, error) {
		if cur.Status != Closed {
			return nil, fmt.Errorf("%w: %s is %s; only a closed period reopens", ErrStatus, sp.name, cur.Status)
		}
		now := store.Now()
		cur.Status, cur.RequestedBy, cur.RequestedAt, cur.Reason = ReopenRequested, &who, &now, &reason
		return cur, s.record(tx, cur, "reopen_request", who, &reason)
	})
}

// ConfirmReopen reopens a period whose reopening was requested. A month
// reopens with every later month (their balances rest on it); the seals of
// the period and of every later closed period are superseded and those
// periods are open again. A year's months stay closed until one of them is
// reopened.
func (s *Service) ConfirmReopen(ctx context.Context, p string) (*Period, error) {
	sp, err := parse(p)
	if err != nil {
		return nil, err
	}
	a := access.From(ctx)
	return s.step(ctx, sp, func(ctx context.Context, tx *gorm.DB, cur *Period) (*Period, error) {
		if cur.Status != ReopenRequested {
			return nil, fmt.Errorf("%w: %s is %s; request its reopening first", ErrStatus, sp.name, cur.Status)
		}
		if err := a.Approves(*cur.RequestedBy, "the reopening of "+sp.name); err != nil {
			return nil, err
		}
		var superseded []string
		if sp.kind == "month" {
			if err := s.ledger.ReopenFrom(ctx, sp.name); err != nil {
				return nil, err
			}
			superseded, err = s.books.Supersede(ctx, sp.first, "")
		} else {
			superseded, err = s.books.Supersede(ctx, "", sp.name)
		}
		if err != nil {
			return nil, err
		}
		reason := cur.Reason
		cur.Status, cur.sealID, cur.Seal = Open, nil, nil
		if err := s.record(tx, cur, "reopen", a.Label(), reason); err != nil {
			return nil, err
		}
		for _, other := range superseded {
			if other == sp.name {
				continue
			}
			o, err := s.load(tx, other, true)
			if err != nil {
				return nil, err
			}
			why := fmt.Sprintf("reopened with %s: %s", sp.name, *reason)
			o.Status, o.sealID = Open, nil
			if err := s.record(tx, o, "reopen", a.Label(), &why); err != nil {
				return nil, err
			}
		}
		return cur, nil
	})
}

// monthsClosed: a year closes after its twelve months.
func (s *Service) monthsClosed(ctx context.Context, sp span) error {
	if sp.kind != "year" {
		return nil
	}
	through, err := s.ledger.ClosedThrough(ctx)
	if err != nil {
		return err
	}
	if through < sp.lastMonth {
		return fmt.Errorf("%w: %d closes after %s; the books are closed through %q", ErrMonthsOpen, sp.year, sp.lastMonth, through)
	}
	return nil
}

// step runs one workflow step on a period in a transaction and returns it as stored.
func (s *Service) step(ctx context.Context, sp span, fn func(ctx context.Context, tx *gorm.DB, cur *Period) (*Period, error)) (*Period, error) {
	var out *Period
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		cur, err := s.load(tx, sp.name, true)
		if err != nil {
			return err
		}
		if err := s.closedWithLater(ctx, sp, cur); err != nil {
			return err
		}
		out, err = fn(ctx, tx, cur)
		return err
	})
	if err != nil {
		return nil, err
	}
	cp := out.Checkpoint
	got, err := s.Get(ctx, sp.name)
	if err != nil {
		return nil, err
	}
	got.Checkpoint = cp
	return got, nil
}

// closedWithLater marks an open month closed when the ledger has it closed:
// a later month's close closed it too, without a step of its own.
func (s *Service) closedWithLater(ctx context.Context, sp span, cur *Period) error {
	if cur.Status != Open || sp.kind != "month" {
		return nil
	}
	through, err := s.ledger.ClosedThrough(ctx)
	if through >= sp.name {
		cur.Status = Closed
	}
	return err
}

// row is a period as the periods table keeps it.
type row struct {
	Period      string
	Status      string
	RequestedBy *string
	RequestedAt *string
	Reason      *string
	SealID      *string
	UpdatedAt   string
}

// load reads a period's row, or a fresh open one; lock locks the row for
// the rest of the transaction (PostgreSQL; SQLite has one writer anyway).
func (s *Service) load(tx *gorm.DB, p string, lock bool) (*Period, error) {
	sp, err := parse(p)
	if err != nil {
		return nil, err
	}
	var rows []row
	q := `SELECT period, status, requested_by, requested_at, reason, seal_id, updated_at FROM periods WHERE period = ?`
	if lock && s.db.Dialect == store.Postgres {
		q += " FOR UPDATE"
	}
	if err := tx.Raw(q, p).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return &Period{Period: p, Kind: sp.kind, Status: Open, History: []Event{}}, nil
	}
	r := rows[0]
	return &Period{Period: r.Period, Kind: sp.kind, Status: r.Status, RequestedBy: r.RequestedBy, RequestedAt: r.RequestedAt,
		Reason: r.Reason, UpdatedAt: r.UpdatedAt, sealID: r.SealID, stored: true, History: []Event{}}, nil
}

// record writes the period's new state and the step that led to it. Two
// first steps on a period at once both find no row; the second insert fails
// and is refused as a conflict.
func (s *Service) record(tx *gorm.DB, p *Period, action, actor string, reason *string) error {
	now := store.Now()
	var err error
	if p.stored {
		err = tx.Exec(`UPDATE periods SET status = ?, requested_by = ?, requested_at = ?, reason = ?, seal_id = ?, updated_at = ?
			WHERE period = ?`, p.Status, p.RequestedBy, p.RequestedAt, p.Reason, p.sealID, now, p.Period).Error
	} else {
		err = tx.Exec(`INSERT INTO periods (period, status, requested_by, requested_at, reason, seal_id, updated_at)
			VALUES (?,?,?,?,?,?,?)`, p.Period, p.Status, p.RequestedBy, p.RequestedAt, p.Reason, p.sealID, now).Error
		if store.UniqueViolation(err) {
			return fmt.Errorf("%w: another step on %s was taken at the same time; read it and try again", ErrStatus, p.Period)
		}
	}
	if err != nil {
		return err
	}
	p.stored, p.UpdatedAt = true, now
	return tx.Exec(`INSERT INTO period_events (id, period, action, status, actor, reason, seal_id, created_at) VALUES (?,?,?,?,?,?,?,?)`,
		ledger.NewID(), p.Period, action, p.Status, actor, reason, p.sealID, now).Error
}

// Get returns a period with its seal in force and its history.
func (s *Service) Get(ctx context.Context, p string) (*Period, error) {
	sp, err := parse(p)
	if err != nil {
		return nil, err
	}
	cur, err := s.load(s.db.Conn(ctx), sp.name, false)
	if err != nil {
		return nil, err
	}
	if err := s.closedWithLater(ctx, sp, cur); err != nil {
		return nil, err
	}
	if cur.Seal, err = s.books.CurrentSeal(ctx, sp.name); err != nil {
		return nil, err
	}
	evs, err := s.events(ctx, sp.name)
	if err != nil {
		return nil, err
	}
	cur.History = evs[sp.name]
	if cur.History == nil {
		cur.History = []Event{}
	}
	return cur, nil
}

// Books is every period that has been through a step, oldest first, and
// how far the books are closed.
type Books struct {
	ClosedThrough string    `json:"closed_through"` // the last closed month; every earlier month is closed too
	Items         []*Period `json:"items"`
}

// List returns every period that has a status other than never-touched
// open, with its history, and the last closed month.
func (s *Service) List(ctx context.Context) (*Books, error) {
	through, err := s.ledger.ClosedThrough(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	if err := s.db.Conn(ctx).Raw(`SELECT period FROM periods ORDER BY period`).Scan(&names).Error; err != nil {
		return nil, err
	}
	out := &Books{ClosedThrough: through, Items: make([]*Period, 0, len(names))}
	for _, n := range names {
		p, err := s.Get(ctx, n)
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, p)
	}
	return out, nil
}

// events reads the history of one period, or of all when p is "".
func (s *Service) events(ctx context.Context, p string) (map[string][]Event, error) {
	q := `SELECT period, action, status, actor, reason, seal_id, created_at AS at FROM period_events`
	var args []any
	if p != "" {
		q, args = q+" WHERE period = ?", append(args, p)
	}
	var rows []struct {
		Period string
		Event
	}
	if err := s.db.Conn(ctx).Raw(q+" ORDER BY created_at, id", args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string][]Event{}
	for _, r := range rows {
		out[r.Period] = append(out[r.Period], r.Event)
	}
	return out, nil
}
