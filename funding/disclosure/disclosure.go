// Package disclosure is the public disclosure (公示) of a community's
// renovation: the finance bureau publishes a project's page for its
// residents, and may withdraw it, each step recorded and never deleted; and
// Facts assembles what the page shows from the other services' books: the
// works and their content, the contractors with their progress, acceptance
// and settlement, the money by source, the use of the maintenance fund
// (民法典 §281), the property-service ratings and the subsidies paid.
//
// Facts is the one function that decides what may be published: its result,
// Disclosure, is a typed struct with no place for personal data (no
// household, payer, assessor or participant names, no bank accounts, no
// amounts per household, no free-text notes). Companies' names are public
// facts and stay.
package disclosure

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"renofund/funding"
	"renofund/funding/programme"
	"renofund/funding/works"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/store"
	"renofund/subsidy"
)

// NoticeDays is the disclosure period (公示期) a page states, counted from
// the day it was published; the page stays up until it is withdrawn.
const NoticeDays = 10

// The publication steps.
const (
	Publish   = "publish"
	Unpublish = "unpublish"
)

// ErrNotPublished answers a page nobody may see: the project is unknown, or
// its page is not published. Both are the same answer, so the public side
// learns nothing of projects that are not public.
var ErrNotPublished = fmt.Errorf("%w: no published disclosure page", errs.ErrNotFound)

// Service publishes disclosure pages and assembles what they show.
type Service struct {
	db        *store.DB
	ledger    *ledger.Ledger
	reg       *funding.Registry
	works     *works.Service
	programme *programme.Service
	subsidy   *subsidy.Service
	// Now is the clock: the date the page's figures stand at. Tests set it.
	Now func() time.Time
}

// New returns the service over the programme's books.
func New(db *store.DB, l *ledger.Ledger, reg *funding.Registry, w *works.Service, prog *programme.Service,
	sub *subsidy.Service) *Service {
	return &Service{db: db, ledger: l, reg: reg, works: w, programme: prog, subsidy: sub, Now: time.Now}
}

// Step is one recorded publication step.
type Step struct {
	Seq    int    `json:"seq"`
	Action string `json:"action"`           // publish or unpublish
	Reason string `json:"reason,omitempty"` // why a page was withdrawn
	By     string `json:"by"`
	At     string `json:"at"`
}

// Publication says whether a project's page is public, with every step.
type Publication struct {
	Project   string `json:"project"`
	Published bool   `json:"published"`
	// Since is when the page in force was published (empty while it is not).
	Since   string `json:"since,omitempty"`
	History []Step `json:"history"`
}

// WithdrawIn is a withdrawal as requested: why the page comes down.
type WithdrawIn struct {
	Reason string `json:"reason"`
}

// Publish makes a project's disclosure page public (the finance bureau).
// Publishing a published page records nothing and answers it as it is.
func (s *Service) Publish(ctx context.Context, code string) (*Publication, error) {
	return s.step(ctx, code, Publish, "")
}

// Unpublish withdraws a project's page, with a reason (the finance bureau).
// Withdrawing a page that is not public records nothing.
func (s *Service) Unpublish(ctx context.Context, code string, in WithdrawIn) (*Publication, error) {
	if err := field.Text("reason", in.Reason, true, 500); err != nil {
		return nil, err
	}
	return s.step(ctx, code, Unpublish, in.Reason)
}

// step records a publication step after checking who asks and that the
// project exists (another district's is not found, as everywhere).
func (s *Service) step(ctx context.Context, code, action, reason string) (*Publication, error) {
	a := access.From(ctx)
	if a.Role != access.Finance {
		return nil, fmt.Errorf("%w: the finance bureau publishes disclosure pages", errs.ErrForbidden)
	}
	p, err := s.reg.Project(ctx, code)
	if err != nil {
		return nil, err
	}
	if err := funding.Writable(a, p.District); err != nil {
		return nil, err
	}
	var out *Publication
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		pub, err := s.publication(ctx, p.Code)
		if err != nil {
			return err
		}
		out = pub
		if pub.Published == (action == Publish) {
			return nil // already so: nothing to record
		}
		st := Step{Seq: len(pub.History) + 1, Action: action, Reason: reason, By: a.Label(), At: store.Now()}
		if err := tx.Exec(`INSERT INTO project_publications (project_code, seq, action, reason, acted_by, acted_at)
			VALUES (?,?,?,?,?,?)`, p.Code, st.Seq, st.Action, store.Null(st.Reason), st.By, st.At).Error; err != nil {
			return err
		}
		pub.History = append(pub.History, st)
		pub.settle()
		return nil
	})
	if store.UniqueViolation(err) {
		return nil, fmt.Errorf("%w: project %s's page was published or withdrawn at the same moment; look again",
			errs.ErrConflict, p.Code)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// publication reads a project's steps (none for a project never published,
// or one that does not exist).
func (s *Service) publication(ctx context.Context, code string) (*Publication, error) {
	var rows []struct {
		Seq                      int
		Action, ActedBy, ActedAt string
		Reason                   *string
	}
	err := s.db.Conn(ctx).Raw(`SELECT seq, action, reason, acted_by, acted_at FROM project_publications
		WHERE project_code = ? ORDER BY seq`, code).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	pub := &Publication{Project: code, History: make([]Step, len(rows))}
	for i, r := range rows {
		pub.History[i] = Step{Seq: r.Seq, Action: r.Action, Reason: store.Str(r.Reason), By: r.ActedBy, At: r.ActedAt}
	}
	pub.settle()
	return pub, nil
}

// settle sets Published and Since from the history: the page is public
// while the last step is a publish, since that step.
func (p *Publication) settle() {
	p.Published, p.Since = false, ""
	if n := len(p.History); n > 0 && p.History[n-1].Action == Publish {
		p.Published, p.Since = true, p.History[n-1].At
	}
}

// Listed is a published page in the list of published communities.
type Listed struct {
	Code, Name, District, DistrictName string
	PublishedOn                        string // the day (China Standard Time) the page in force was published
}

// Published lists the communities whose pages are public, by code. It is
// for anyone: it names only what the pages themselves show.
func (s *Service) Published(ctx context.Context) ([]Listed, error) {
	ctx = access.With(ctx, access.System)
	var rows []struct{ ProjectCode, ActedAt string }
	err := s.db.Conn(ctx).Raw(`SELECT p.project_code, p.acted_at FROM project_publications p
		WHERE p.action = 'publish' AND p.seq = (SELECT MAX(q.seq) FROM project_publications q WHERE q.project_code = p.project_code)
		ORDER BY p.project_code`).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return []Listed{}, err
	}
	names, err := s.districtNames(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Listed, 0, len(rows))
	for _, r := range rows {
		p, err := s.reg.Project(ctx, r.ProjectCode)
		if err != nil {
			return nil, err
		}
		out = append(out, Listed{Code: p.Code, Name: p.Name, District: p.District, DistrictName: names[p.District],
			PublishedOn: day(r.ActedAt)})
	}
	return out, nil
}

// districtNames maps every district's code to its name (districts are few
// and public).
func (s *Service) districtNames(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	after := ""
	for {
		ds, err := s.reg.Districts(ctx, after, 1000)
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			out[d.Code] = d.Name
		}
		if len(ds) < 1000 {
			return out, nil
		}
		after = ds[len(ds)-1].Code
	}
}

// day is the date in China Standard Time of a stored timestamp.
func day(stamp string) string {
	t, err := time.Parse(time.RFC3339Nano, stamp)
	if err != nil {
		return stamp
	}
	return t.In(field.Zone).Format(time.DateOnly)
}
