// Package manager keeps the property managers of renovated communities as
// management contracts by period: which company managed a project from
// which day to which, the payee of its property-service subsidy for those
// days. Versions are append-only; the latest version recorded for a start
// date is that contract as it stands.
package manager

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/creditcode"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/store"
)

// Contract is one version of a management contract: the company managing
// a community from From to To (inclusive).
type Contract struct {
	Project       string `json:"project"`
	Name          string `json:"name"`
	CreditCode    string `json:"credit_code"`
	BankAccount   string `json:"bank_account"`
	From          string `json:"from,omitempty"` // first day served; empty: since the project's start
	To            string `json:"to,omitempty"`   // last day served; empty: open-ended
	Version       int    `json:"version"`
	EffectiveFrom string `json:"effective_from"` // when this version was recorded
	RecordedBy    string `json:"recorded_by"`
}

func (m *Contract) check() error {
	if err := field.Text("name", m.Name, true, 200); err != nil {
		return err
	}
	if err := creditcode.Validate(m.CreditCode); err != nil {
		return fmt.Errorf("%w: credit_code %q", errs.ErrInvalidCredit, m.CreditCode)
	}
	if err := field.Text("bank_account", m.BankAccount, true, 64); err != nil {
		return err
	}
	for name, d := range map[string]string{"from": m.From, "to": m.To} {
		if d != "" {
			if _, err := field.Date(name, d); err != nil {
				return err
			}
		}
	}
	return nil
}

// District tells the district of a project the actor may see; another
// district's project (or any, for a role that may not see projects) is
// errs.ErrNotFound.
type District func(ctx context.Context, project string) (string, error)

// Service records and reads management contracts.
type Service struct {
	db       *store.DB
	district District
	now      func() time.Time
	zone     *time.Location
}

// New returns a service that learns of projects through district and reads
// today in zone from now.
func New(db *store.DB, district District, now func() time.Time, zone *time.Location) *Service {
	return &Service{db: db, district: district, now: now, zone: zone}
}

func (s *Service) today() string { return s.now().In(s.zone).Format(time.DateOnly) }

// Set records a management contract of the project (finance, or the
// project's own district) and returns the version recorded for it.
//
// A contract of another company starting after the start of the project's
// open contract ends that one the day before (a change of manager); any
// other overlap is refused with ErrContractOverlap. The same company with
// the same start (or, without From, the latest contract's company) amends
// its contract: a To ends it. Without From a new contract starts today, or,
// as the project's first, since the project's start.
func (s *Service) Set(ctx context.Context, code string, m Contract) (*Contract, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	d, err := s.district(ctx, code)
	if err != nil {
		return nil, err
	}
	if !access.From(ctx).Writes(d) {
		return nil, fmt.Errorf("%w: this role may not change projects", errs.ErrForbidden)
	}
	m.Project, m.RecordedBy = code, access.From(ctx).Label()
	today, given := s.today(), m
	err = s.db.AppendVersion(ctx, "property manager", func(ctx context.Context, tx *gorm.DB) error {
		var hist []Contract
		if err := tx.Raw(selectContracts+" WHERE project_code = ? ORDER BY version", code).Scan(&hist).Error; err != nil {
			return err
		}
		m = given
		cs := contracts(hist)
		if m.From == "" && len(cs) > 0 {
			m.From = today
			if last := cs[len(cs)-1]; last.CreditCode == m.CreditCode {
				m.From = last.From
			}
		}
		rows, err := changes(cs, m)
		if err != nil {
			return err
		}
		last, at := 0, store.Now()
		if len(hist) > 0 {
			last = hist[len(hist)-1].Version
		}
		for i := range rows {
			r := &rows[i]
			r.Version, r.EffectiveFrom, r.RecordedBy = last+i+1, at, m.RecordedBy
			if err := insert(tx, r); err != nil {
				return err
			}
		}
		m = rows[len(rows)-1]
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

func insert(tx *gorm.DB, m *Contract) error {
	return tx.Exec(`INSERT INTO subsidy_property_managers (project_code, version, name, credit_code, bank_account,
		from_date, to_date, effective_from, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.Project, m.Version, m.Name, m.CreditCode, m.BankAccount, store.Null(m.From), store.Null(m.To),
		m.EffectiveFrom, m.RecordedBy).Error
}

const selectContracts = `SELECT project_code AS project, name, credit_code, bank_account, COALESCE(from_date, '') AS "from",
	COALESCE(to_date, '') AS "to", version, effective_from, recorded_by FROM subsidy_property_managers`

// Management is a project's management contracts: the one in force today
// (null when none is), each contract as it stands in order of start, and
// every version recorded, oldest first.
type Management struct {
	Current   *Contract  `json:"current"`
	Contracts []Contract `json:"contracts"`
	History   []Contract `json:"history"`
}

// Management returns the project's contracts; a project without any, or
// one the actor may not see, is not found.
func (s *Service) Management(ctx context.Context, code string) (*Management, error) {
	hist, err := s.Versions(ctx, code)
	if err != nil {
		return nil, err
	}
	if len(hist) == 0 {
		return nil, fmt.Errorf("%w: project %s has no property manager", errs.ErrNotFound, code)
	}
	m := &Management{Contracts: contracts(hist), History: hist}
	today := s.today()
	for i := range m.Contracts {
		if c := &m.Contracts[i]; c.start() <= today && today <= c.end() {
			m.Current = c
		}
	}
	return m, nil
}

// Versions returns every version recorded for the project's contracts,
// oldest first.
func (s *Service) Versions(ctx context.Context, code string) ([]Contract, error) {
	if _, err := s.district(ctx, code); err != nil {
		return nil, err
	}
	var ms []Contract
	err := s.db.Conn(ctx).Raw(selectContracts+" WHERE project_code = ? ORDER BY version", code).Scan(&ms).Error
	return ms, err
}

// All returns the contracts of every project as they stand, keyed by
// project code, without checking who asks.
func (s *Service) All(ctx context.Context) (map[string][]Contract, error) {
	var ms []Contract
	if err := s.db.Conn(ctx).Raw(selectContracts + " ORDER BY project_code, version").Scan(&ms).Error; err != nil {
		return nil, err
	}
	byProject := map[string][]Contract{}
	for _, m := range ms {
		byProject[m.Project] = append(byProject[m.Project], m)
	}
	out := make(map[string][]Contract, len(byProject))
	for p, hist := range byProject {
		out[p] = contracts(hist)
	}
	return out, nil
}
