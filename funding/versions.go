package funding

import (
	"context"
	"fmt"
	"strconv"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
)

// What made a version of a project.
const (
	VersionCreated   = "created"
	VersionEdited    = "edited"
	VersionAmendment = "budget_amendment"
)

// Errors of project edits.
var (
	ErrFieldImmutable     = errs.New(errs.Invalid, "field_immutable", "a project's code and district cannot change")
	ErrUseBudgetAmendment = errs.New(errs.Rule, "use_budget_amendment",
		"a project's budget changes only by POST /v1/projects/{code}/budget-amendments")
	ErrUseStatusRoute = errs.New(errs.Rule, "use_status_route",
		"a project's status changes only by POST /v1/projects/{code}/status")
	ErrBudgetBelowSpent = errs.New(errs.Rule, "budget_below_spent", "the new budget is below what is already spent")
)

// ProjectEdit is a new version of a project's editable fields. Code,
// District and Budget, when given, must be what the project already has:
// the first two never change, the budget only by an amendment.
type ProjectEdit struct {
	Name        string
	Households  int64
	FloorAreaM2 money.Rate
	Buildings   int64
	BuiltYear   int
	// PlanYear, when given, sets the plan year; absent, it stays as it is.
	PlanYear *int
	Code     *string
	District *string
	Budget   *Budget
	// Status, when given, must be the project's status: it changes only
	// through funding/programme (422 use_status_route otherwise).
	Status *string
}

// ProjectVersion is one version of a project's fields.
type ProjectVersion struct {
	Version     int        `json:"version"`
	Change      string     `json:"change"` // created, edited or budget_amendment
	Name        string     `json:"name"`
	Households  int64      `json:"households"`
	FloorAreaM2 money.Rate `json:"floor_area_m2"`
	Buildings   int64      `json:"buildings"`
	BuiltYear   int        `json:"built_year"`
	PlanYear    *int       `json:"plan_year"`
	Budget      Budget     `json:"budget"`
	RecordedBy  string     `json:"recorded_by"`
	RecordedAt  string     `json:"recorded_at"`
}

// addVersion records p's fields as version n of the project.
func addVersion(tx *gorm.DB, p *Project, n int, change, by, at string) error {
	return tx.Exec(`INSERT INTO project_versions (project_code, version, kind, name, households, floor_area_m2,
		buildings, built_year, budget_basic, budget_improvement, budget_upgrade, plan_year, recorded_by, recorded_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, p.Code, n, change, p.Name, p.Households, p.FloorAreaM2.String(),
		p.Buildings, p.BuiltYear, int64(p.Budget.Basic), int64(p.Budget.Improvement), int64(p.Budget.Upgrade),
		p.PlanYear, by, at).Error
}

// change runs fn on the project as it stands under a row lock, inside a
// transaction, after checking that the actor may see and write it; fn
// returns the project's new fields, which are stored and recorded as its
// next version. Two changes at once are applied one after the other, each
// seeing the other's result: none is lost.
func (s *Registry) change(ctx context.Context, code, kind string, fn func(tx *gorm.DB, cur Project, version int) (*Project, error)) (*Project, error) {
	if _, err := s.Project(ctx, code); err != nil {
		return nil, err
	}
	var out *Project
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var rows []projectRow
		if err := tx.Raw(selectProject+" WHERE code = ?"+s.db.ForUpdate(), code).Scan(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return fmt.Errorf("%w: project %q", errs.ErrNotFound, code)
		}
		cur := rows[0].project()
		if err := Writable(access.From(ctx), cur.District); err != nil {
			return err
		}
		var last []int
		if err := tx.Raw("SELECT COALESCE(MAX(version), 0) FROM project_versions WHERE project_code = ?", code).
			Scan(&last).Error; err != nil {
			return err
		}
		next := last[0] + 1
		p, err := fn(tx, cur, next)
		if err != nil {
			return err
		}
		err = tx.Exec(`UPDATE projects SET name = ?, households = ?, floor_area_m2 = ?, buildings = ?, built_year = ?,
			budget_basic = ?, budget_improvement = ?, budget_upgrade = ?, plan_year = ? WHERE code = ?`, p.Name, p.Households,
			p.FloorAreaM2.String(), p.Buildings, p.BuiltYear, int64(p.Budget.Basic), int64(p.Budget.Improvement),
			int64(p.Budget.Upgrade), p.PlanYear, code).Error
		if err != nil {
			return err
		}
		out = p
		return addVersion(tx, p, next, kind, access.From(ctx).Label(), store.Now())
	})
	if err != nil {
		return nil, err
	}
	if c := cacheOf(ctx); c != nil {
		delete(c.projects, code)
	}
	return out, nil
}

// UpdateProject stores a new version of a project's fields (finance, or the
// district it lies in). Its code and district cannot change (400
// field_immutable) nor, here, its budget (422 use_budget_amendment).
func (s *Registry) UpdateProject(ctx context.Context, code string, e ProjectEdit) (*Project, error) {
	edited := Project{Code: code, Name: e.Name, Households: e.Households, FloorAreaM2: e.FloorAreaM2,
		Buildings: e.Buildings, BuiltYear: e.BuiltYear, PlanYear: e.PlanYear}
	if err := checkFields(edited); err != nil {
		return nil, err
	}
	if e.Code != nil && *e.Code != code {
		return nil, fmt.Errorf("%w: the project is %s, not %s", ErrFieldImmutable, code, *e.Code)
	}
	return s.change(ctx, code, VersionEdited, func(_ *gorm.DB, cur Project, _ int) (*Project, error) {
		if e.District != nil && *e.District != cur.District {
			return nil, fmt.Errorf("%w: project %s lies in district %s", ErrFieldImmutable, code, cur.District)
		}
		if e.Budget != nil && *e.Budget != cur.Budget {
			return nil, ErrUseBudgetAmendment
		}
		if e.Status != nil && *e.Status != cur.Status {
			return nil, fmt.Errorf("%w: project %s is %s", ErrUseStatusRoute, code, cur.Status)
		}
		edited.District, edited.Budget, edited.CreatedAt, edited.Status = cur.District, cur.Budget, cur.CreatedAt, cur.Status
		if edited.PlanYear == nil {
			edited.PlanYear = cur.PlanYear
		}
		return &edited, nil
	})
}

// ProjectVersions lists a project's versions in order, from version after
// on (0: from the first).
func (s *Registry) ProjectVersions(ctx context.Context, code string, after, limit int) ([]ProjectVersion, error) {
	if _, err := s.Project(ctx, code); err != nil {
		return nil, err
	}
	var rows []struct {
		Version                                         int
		Kind, Name, FloorAreaM2, RecordedBy, RecordedAt string
		Households, Buildings                           int64
		BuiltYear                                       int
		PlanYear                                        *int
		BudgetBasic, BudgetImprovement, BudgetUpgrade   int64
	}
	err := s.db.Conn(ctx).Raw(`SELECT version, kind, name, households, floor_area_m2, buildings, built_year,
		plan_year, budget_basic, budget_improvement, budget_upgrade, recorded_by, recorded_at FROM project_versions
		WHERE project_code = ? AND version > ? ORDER BY version LIMIT ?`, code, after, limit).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]ProjectVersion, len(rows))
	for i, r := range rows {
		out[i] = ProjectVersion{Version: r.Version, Change: r.Kind, Name: r.Name, Households: r.Households,
			FloorAreaM2: money.MustRate(r.FloorAreaM2), Buildings: r.Buildings, BuiltYear: r.BuiltYear, PlanYear: r.PlanYear,
			Budget:     Budget{money.Amount(r.BudgetBasic), money.Amount(r.BudgetImprovement), money.Amount(r.BudgetUpgrade)},
			RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt}
	}
	return out, nil
}

// VersionCursor reads a list cursor that is a version number ("" is 0).
func VersionCursor(after string) (int, error) {
	if after == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(after)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: after %q is not a version number", errs.ErrInvalidRequest, after)
	}
	return n, nil
}

// AmendmentIn is the body of POST /v1/projects/{code}/budget-amendments.
type AmendmentIn struct {
	Budget     Budget `json:"budget"`
	DocumentNo string `json:"document_no"`
	Reason     string `json:"reason"`
}

// Amendment is a recorded change of a project's budget.
type Amendment struct {
	ID         string `json:"id"`
	Project    string `json:"project"`
	Version    int    `json:"version"` // the project version it made
	DocumentNo string `json:"document_no"`
	Reason     string `json:"reason"`
	Before     Budget `json:"before"`
	After      Budget `json:"after"`
	RecordedBy string `json:"recorded_by"`
	RecordedAt string `json:"recorded_at"`
}

func (in AmendmentIn) check() error {
	if err := field.Text("document_no", in.DocumentNo, true, 200); err != nil {
		return err
	}
	if err := field.Text("reason", in.Reason, true, 500); err != nil {
		return err
	}
	for _, c := range Categories {
		if b := in.Budget.For(c); b < 0 || b > money.Max {
			return fmt.Errorf("%w: budget.%s must be from 0 to 10^15 yuan", errs.ErrInvalidAmount, c)
		}
	}
	return nil
}

// AmendBudget changes a project's budget on the strength of a document
// (finance only). No category may fall below what the project has already
// spent on it (422 budget_below_spent). The amendment keeps the budget
// before and after, and makes the project's next version.
func (s *Registry) AmendBudget(ctx context.Context, code string, in AmendmentIn) (*Amendment, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	if access.From(ctx).Role != access.Finance {
		return nil, fmt.Errorf("%w: only the finance bureau amends budgets", errs.ErrForbidden)
	}
	a := &Amendment{ID: ledger.NewID(), Project: code, DocumentNo: in.DocumentNo, Reason: in.Reason, After: in.Budget,
		RecordedBy: access.From(ctx).Label()}
	_, err := s.change(ctx, code, VersionAmendment, func(tx *gorm.DB, cur Project, version int) (*Project, error) {
		if cur.Budget == in.Budget {
			return nil, fmt.Errorf("%w: the budget is already %s / %s / %s", errs.ErrConflict,
				cur.Budget.Basic, cur.Budget.Improvement, cur.Budget.Upgrade)
		}
		if err := s.coversSpent(ctx, code, in.Budget); err != nil {
			return nil, err
		}
		a.Before, a.Version, a.RecordedAt = cur.Budget, version, store.Now()
		cur.Budget = in.Budget
		b, af := a.Before, a.After
		err := tx.Exec(`INSERT INTO budget_amendments (id, project_code, version, document_no, reason, before_basic,
			before_improvement, before_upgrade, after_basic, after_improvement, after_upgrade, recorded_by, recorded_at)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`, a.ID, code, version, a.DocumentNo, a.Reason, int64(b.Basic),
			int64(b.Improvement), int64(b.Upgrade), int64(af.Basic), int64(af.Improvement), int64(af.Upgrade),
			a.RecordedBy, a.RecordedAt).Error
		return &cur, err
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// coversSpent refuses a budget below what the project spent in a category.
func (s *Registry) coversSpent(ctx context.Context, code string, b Budget) error {
	spent, err := s.ledger.SpentByCategory(ctx, "", code, "", "")
	if err != nil {
		return err
	}
	for _, sp := range spent {
		if sp.Project == code && b.For(sp.Category) < sp.Spent {
			return fmt.Errorf("%w: %s budget %s is below the %s already spent", ErrBudgetBelowSpent, sp.Category,
				b.For(sp.Category), sp.Spent)
		}
	}
	return nil
}

// Amendments lists a project's budget amendments in order, from version
// after on (0: from the first).
func (s *Registry) Amendments(ctx context.Context, code string, after, limit int) ([]Amendment, error) {
	if _, err := s.Project(ctx, code); err != nil {
		return nil, err
	}
	var rows []struct {
		ID, DocumentNo, Reason, RecordedBy, RecordedAt string
		Version                                        int
		BeforeBasic, BeforeImprovement, BeforeUpgrade  int64
		AfterBasic, AfterImprovement, AfterUpgrade     int64
	}
	err := s.db.Conn(ctx).Raw(`SELECT id, version, document_no, reason, before_basic, before_improvement,
		before_upgrade, after_basic, after_improvement, after_upgrade, recorded_by, recorded_at FROM budget_amendments
		WHERE project_code = ? AND version > ? ORDER BY version LIMIT ?`, code, after, limit).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]Amendment, len(rows))
	for i, r := range rows {
		out[i] = Amendment{ID: r.ID, Project: code, Version: r.Version, DocumentNo: r.DocumentNo, Reason: r.Reason,
			Before:     Budget{money.Amount(r.BeforeBasic), money.Amount(r.BeforeImprovement), money.Amount(r.BeforeUpgrade)},
			After:      Budget{money.Amount(r.AfterBasic), money.Amount(r.AfterImprovement), money.Amount(r.AfterUpgrade)},
			RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt}
	}
	return out, nil
}
