package subsidy

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

// PropertyManager is one version of a management contract: the company
// managing a community after renovation from From to To (inclusive), the
// payee of its subsidy for those days. Versions are append-only; the latest
// version for a start date is that contract as it stands (see Contracts).
type PropertyManager struct {
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

// Payee is who a line pays (or claws back from), as at the time of the run.
type Payee struct {
	Name        string `json:"name"`
	CreditCode  string `json:"credit_code"`
	BankAccount string `json:"bank_account"`
}

func (m *PropertyManager) check() error {
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
			if err := parseDate(name, d); err != nil {
				return err
			}
		}
	}
	return nil
}

// SetPropertyManager records a management contract of the project (finance,
// or the project's own district) and returns the version recorded for it.
//
// A contract of another company starting after the start of the project's
// open contract ends that one the day before (a change of manager); any
// other overlap is refused with ErrContractOverlap. The same company with
// the same start (or, without From, the latest contract's company) amends
// its contract: a To ends it. Without From a new contract starts today (in
// Zone), or, as the project's first, since the project's start.
func (s *Service) SetPropertyManager(ctx context.Context, code string, m PropertyManager) (*PropertyManager, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if _, err := s.writableProject(ctx, code); err != nil {
		return nil, err
	}
	m.Project = code
	m.RecordedBy = access.From(ctx).Label()
	today := s.now().In(Zone).Format(time.DateOnly)
	given := m
	err := s.appendVersion(ctx, "property manager", func(ctx context.Context, tx *gorm.DB) error {
		var hist []PropertyManager
		if err := tx.Raw(selectManager+" WHERE project_code = ? ORDER BY version", code).Scan(&hist).Error; err != nil {
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
			if err := insertManager(tx, r); err != nil {
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

func insertManager(tx *gorm.DB, m *PropertyManager) error {
	return tx.Exec(`INSERT INTO subsidy_property_managers (project_code, version, name, credit_code, bank_account,
		from_date, to_date, effective_from, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.Project, m.Version, m.Name, m.CreditCode, m.BankAccount, store.Null(m.From), store.Null(m.To),
		m.EffectiveFrom, m.RecordedBy).Error
}

const selectManager = `SELECT project_code AS project, name, credit_code, bank_account, COALESCE(from_date, '') AS "from",
	COALESCE(to_date, '') AS "to", version, effective_from, recorded_by FROM subsidy_property_managers`

// Management is a project's management contracts: the one in force today
// (null when none is), each contract as it stands in order of start, and
// every version recorded, oldest first.
type Management struct {
	Current   *PropertyManager  `json:"current"`
	Contracts []PropertyManager `json:"contracts"`
	History   []PropertyManager `json:"history"`
}

// Management returns the project's contracts; a project without any, or
// one the actor may not see, is not found.
func (s *Service) Management(ctx context.Context, code string) (*Management, error) {
	hist, err := s.PropertyManagers(ctx, code)
	if err != nil {
		return nil, err
	}
	if len(hist) == 0 {
		return nil, fmt.Errorf("%w: project %s has no property manager", errs.ErrNotFound, code)
	}
	m := &Management{Contracts: contracts(hist), History: hist}
	today := s.now().In(Zone).Format(time.DateOnly)
	for i := range m.Contracts {
		if c := &m.Contracts[i]; c.start() <= today && today <= c.end() {
			m.Current = c
		}
	}
	return m, nil
}

// PropertyManagers returns every version recorded for the project's
// contracts, oldest first.
func (s *Service) PropertyManagers(ctx context.Context, code string) ([]PropertyManager, error) {
	if _, err := s.visibleProject(ctx, code); err != nil {
		return nil, err
	}
	var ms []PropertyManager
	err := s.db.Conn(ctx).Raw(selectManager+" WHERE project_code = ? ORDER BY version", code).Scan(&ms).Error
	return ms, err
}

// allContracts returns the contracts of every project, keyed by project
// code; the caller keeps the projects in its scope.
func (s *Service) allContracts(ctx context.Context) (map[string][]PropertyManager, error) {
	var ms []PropertyManager
	if err := s.db.Conn(ctx).Raw(selectManager + " ORDER BY project_code, version").Scan(&ms).Error; err != nil {
		return nil, err
	}
	byProject := map[string][]PropertyManager{}
	for _, m := range ms {
		byProject[m.Project] = append(byProject[m.Project], m)
	}
	out := make(map[string][]PropertyManager, len(byProject))
	for p, hist := range byProject {
		out[p] = contracts(hist)
	}
	return out, nil
}
