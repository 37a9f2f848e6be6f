// Package bulletin drafts and keeps the monthly bulletin (月通报): for a
// month, per district and city-wide, what was allocated, received and spent
// per fund kind in the month and the year to date, with the spending rate
// (支出进度) and the districts ranked by it; money passed down late or held
// back (预算法 §52); and payments overdue to small and medium contractors
// (保障中小企业款项支付条例 §8). A bulletin is drafted once, by the finance
// bureau on demand or by the scheduler on the 1st for the month before, and
// stored as it was drafted with the SHA-256 of its body: never redrafted,
// never changed. A district reads its own rows and the city's totals.
//
// The body is a list of sections (see sections): each drafts itself, says
// what a district sees of it and lays itself out as a sheet, so a section
// is added in one place.
package bulletin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"gorm.io/gorm"

	"renofund/funding"
	"renofund/funding/report"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/period"
	"renofund/internal/store"
	"renofund/internal/window"
)

// Errors of drafting: a month is drafted once, and only after it ended
// (422 period_not_ended, as for closing it).
var (
	ErrExists   = errs.New(errs.Conflict, "bulletin_exists", "the bulletin of this month is already drafted")
	ErrNotEnded = period.ErrNotEnded
)

// Scheduler is who drafted a bulletin the scheduler drafted.
const Scheduler = "scheduler"

// Service drafts and reads bulletins.
type Service struct {
	db      *store.DB
	ledger  *ledger.Ledger
	reg     *funding.Registry
	reports *report.Service
	// Now is the clock: which months have ended, and which month the
	// scheduler drafts. Tests set it.
	Now func() time.Time
}

// New returns the service.
func New(db *store.DB, l *ledger.Ledger, reg *funding.Registry, reports *report.Service) *Service {
	return &Service{db: db, ledger: l, reg: reg, reports: reports, Now: time.Now}
}

// Summary is a stored bulletin without its body.
type Summary struct {
	Month     string `json:"month"`
	DraftedAt string `json:"drafted_at"`
	DraftedBy string `json:"drafted_by"`                  // the finance clerk's label, or "scheduler"
	SHA256    string `json:"sha256" gorm:"column:sha256"` // of the stored body, as drafted
}

// Bulletin is a stored bulletin. Scope is whose view Body is: "city" for
// the whole body, or a district's code for its rows and the city's totals
// (SHA256 stays that of the whole body).
type Bulletin struct {
	Summary
	Scope string `json:"scope"`
	Body  *Body  `json:"body"`
}

// Body is what a bulletin says: the month, its dates, and its sections.
type Body struct {
	Month string `json:"month"`
	From  string `json:"from"` // the month's first day
	To    string `json:"to"`   // its last: the date everything is as of
	// YearFrom is 1 January of the month's year: where year-to-date starts.
	YearFrom     string     `json:"year_from"`
	Spending     Spending   `json:"spending"`
	LatePassDown []LatePass `json:"late_pass_down"`
	OverdueSME   []Overdue  `json:"overdue_sme_payments"`
	BehindPlan   []Behind   `json:"behind_plan"`
}

var monthPattern = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)

// month reads a YYYY-MM month as its window of dates.
func month(s string) (window.Window, error) {
	if !monthPattern.MatchString(s) {
		return window.Window{}, fmt.Errorf("%w: month %q must look like 2026-03", errs.ErrInvalidRequest, s)
	}
	return window.Period(s)
}

// ended refuses a month whose last day is not yet over in China Standard
// Time.
func (s *Service) ended(w window.Window) error {
	if today := s.Now().In(field.Zone).Format(time.DateOnly); w.To >= today {
		return fmt.Errorf("%w: %s ends on %s; it may be drafted from the day after", ErrNotEnded, w.From[:7], w.To)
	}
	return nil
}

// Draft drafts and stores the bulletin of a month that has ended (finance
// only): 409 bulletin_exists when it is already stored, 422
// period_not_ended for this month or a later one.
func (s *Service) Draft(ctx context.Context, m string) (*Bulletin, error) {
	a := access.From(ctx)
	if a.Role != access.Finance {
		return nil, fmt.Errorf("%w: only the finance bureau drafts the bulletin", errs.ErrForbidden)
	}
	return s.draft(ctx, m, a.Label())
}

// draft drafts, hashes and stores a month's bulletin in one transaction,
// reading the books as finance does. The month is the table's key, and the
// row goes in only when none is there (ON CONFLICT DO NOTHING), so of two
// drafts racing one is stored and the other gets ErrExists.
func (s *Service) draft(ctx context.Context, m, by string) (*Bulletin, error) {
	w, err := month(m)
	if err != nil {
		return nil, err
	}
	if err := s.ended(w); err != nil {
		return nil, err
	}
	ctx = access.With(ctx, access.Actor{TokenID: access.System.TokenID, Name: by, Role: access.Finance})
	var out *Bulletin
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var n int64
		if err := tx.Raw("SELECT COUNT(*) FROM bulletins WHERE month = ?", m).Scan(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: %s", ErrExists, m)
		}
		body := &Body{Month: m, From: w.From, To: w.To, YearFrom: w.From[:4] + "-01-01"}
		for _, sec := range sections {
			if err := sec.draft(s, ctx, body); err != nil {
				return fmt.Errorf("bulletin %s, %s: %w", m, sec.key, err)
			}
		}
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(raw)
		out = &Bulletin{Summary: Summary{Month: m, DraftedAt: store.Now(), DraftedBy: by, SHA256: hex.EncodeToString(sum[:])},
			Scope: funding.City, Body: body}
		res := tx.Exec(`INSERT INTO bulletins (month, drafted_at, drafted_by, body, sha256) VALUES (?,?,?,?,?)
			ON CONFLICT (month) DO NOTHING`, m, out.DraftedAt, out.DraftedBy, string(raw), out.SHA256)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("%w: %s (drafted concurrently)", ErrExists, m)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Get reads a stored bulletin: 404 when the month is not drafted. A
// district sees its own rows and the city's totals.
func (s *Service) Get(ctx context.Context, m string) (*Bulletin, error) {
	if _, err := month(m); err != nil {
		return nil, err
	}
	var rows []struct {
		Month, DraftedAt, DraftedBy, Body, Sha256 string
	}
	err := s.db.Conn(ctx).Raw("SELECT month, drafted_at, drafted_by, body, sha256 FROM bulletins WHERE month = ?", m).
		Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w: no bulletin is drafted for %s", errs.ErrNotFound, m)
	}
	r := rows[0]
	b := &Bulletin{Summary: Summary{Month: r.Month, DraftedAt: r.DraftedAt, DraftedBy: r.DraftedBy, SHA256: r.Sha256},
		Scope: funding.City, Body: &Body{}}
	if err := json.Unmarshal([]byte(r.Body), b.Body); err != nil {
		return nil, fmt.Errorf("bulletin %s: stored body: %w", m, err)
	}
	if a := access.From(ctx); a.Role == access.District {
		b.Scope = a.District
		for _, sec := range sections {
			sec.scope(b.Body, a.District)
		}
	}
	return b, nil
}

// List lists the drafted months in order, a page at a time (after: the
// previous page's last month).
func (s *Service) List(ctx context.Context, after string, limit int) ([]Summary, error) {
	out := []Summary{}
	err := s.db.Conn(ctx).Raw(`SELECT month, drafted_at, drafted_by, sha256 FROM bulletins WHERE month > ?
		ORDER BY month LIMIT ?`, after, limit).Scan(&out).Error
	return out, err
}

// Stored reads a month's body exactly as stored, with its hash: for
// checking that the one matches the other.
func (s *Service) Stored(ctx context.Context, m string) (body []byte, sum string, err error) {
	var rows []struct{ Body, Sha256 string }
	err = s.db.Conn(ctx).Raw("SELECT body, sha256 FROM bulletins WHERE month = ?", m).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, "", err
	}
	return []byte(rows[0].Body), rows[0].Sha256, nil
}
