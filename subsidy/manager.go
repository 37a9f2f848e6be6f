package subsidy

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/creditcode"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/store"
)

// PropertyManager is the company managing a community after renovation, the
// payee of its subsidy. Setting one appends a new version; the highest
// version is current and earlier ones stay as history.
type PropertyManager struct {
	Project       string `json:"project"`
	Name          string `json:"name"`
	CreditCode    string `json:"credit_code"`
	BankAccount   string `json:"bank_account"`
	Version       int    `json:"version"`
	EffectiveFrom string `json:"effective_from"`
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
	return field.Text("bank_account", m.BankAccount, true, 64)
}

// SetPropertyManager records the project's property manager from now on
// (finance, or the project's own district). The previous one is kept.
func (s *Service) SetPropertyManager(ctx context.Context, code string, m PropertyManager) (*PropertyManager, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if _, err := s.writableProject(ctx, code); err != nil {
		return nil, err
	}
	m.Project = code
	m.RecordedBy = access.From(ctx).Label()
	err := s.appendVersion(ctx, "property manager", func(ctx context.Context, tx *gorm.DB) error {
		var last int
		err := tx.Raw("SELECT COALESCE(MAX(version), 0) FROM subsidy_property_managers WHERE project_code = ?", code).
			Scan(&last).Error
		if err != nil {
			return err
		}
		m.Version = last + 1
		m.EffectiveFrom = store.Now()
		return tx.Exec(`INSERT INTO subsidy_property_managers (project_code, version, name, credit_code,
			bank_account, effective_from, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			m.Project, m.Version, m.Name, m.CreditCode, m.BankAccount, m.EffectiveFrom, m.RecordedBy).Error
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

const selectManager = `SELECT project_code AS project, name, credit_code, bank_account, version, effective_from,
	recorded_by FROM subsidy_property_managers`

// PropertyManager returns the project's current property manager; a project
// without one, or one the actor may not see, is not found.
func (s *Service) PropertyManager(ctx context.Context, code string) (*PropertyManager, error) {
	hist, err := s.PropertyManagers(ctx, code)
	if err != nil {
		return nil, err
	}
	if len(hist) == 0 {
		return nil, fmt.Errorf("%w: project %s has no property manager", errs.ErrNotFound, code)
	}
	return &hist[len(hist)-1], nil
}

// PropertyManagers returns the project's property managers, oldest first;
// the last is current.
func (s *Service) PropertyManagers(ctx context.Context, code string) ([]PropertyManager, error) {
	if _, err := s.visibleProject(ctx, code); err != nil {
		return nil, err
	}
	var ms []PropertyManager
	err := s.db.Conn(ctx).Raw(selectManager+" WHERE project_code = ? ORDER BY version", code).Scan(&ms).Error
	return ms, err
}

// currentManagers returns the current manager of every project, keyed by
// project code; the caller keeps the projects in its scope.
func (s *Service) currentManagers(ctx context.Context) (map[string]*PropertyManager, error) {
	rows, err := s.db.Conn(ctx).Raw(selectManager + " ORDER BY project_code, version").Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*PropertyManager{}
	for rows.Next() {
		var m PropertyManager
		if err := rows.Scan(&m.Project, &m.Name, &m.CreditCode, &m.BankAccount, &m.Version, &m.EffectiveFrom,
			&m.RecordedBy); err != nil {
			return nil, err
		}
		out[m.Project] = &m // ordered by version: the last one wins
	}
	return out, rows.Err()
}
