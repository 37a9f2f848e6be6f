package funding

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/money"
	"renofund/internal/store"
)

type projectRow struct {
	Code              string
	Name              string
	DistrictCode      string
	Households        int64
	FloorAreaM2       string `gorm:"column:floor_area_m2"`
	Buildings         int64
	BuiltYear         int
	BudgetBasic       int64
	BudgetImprovement int64
	BudgetUpgrade     int64
	PlanYear          *int
	Status            string
	CreatedAt         string
}

func (r projectRow) project() Project {
	return Project{
		Code: r.Code, Name: r.Name, District: r.DistrictCode, Households: r.Households,
		FloorAreaM2: money.MustRate(r.FloorAreaM2), Buildings: r.Buildings, BuiltYear: r.BuiltYear,
		Budget:   Budget{money.Amount(r.BudgetBasic), money.Amount(r.BudgetImprovement), money.Amount(r.BudgetUpgrade)},
		PlanYear: r.PlanYear, Status: r.Status, CreatedAt: r.CreatedAt,
	}
}

const selectProject = `SELECT code, name, district_code, households, floor_area_m2, buildings, built_year,
	budget_basic, budget_improvement, budget_upgrade, plan_year, status, created_at FROM projects`

// checkFields checks the fields a project's registration and its edits share.
func checkFields(p Project) error {
	if err := field.Text("name", p.Name, true, 200); err != nil {
		return err
	}
	if p.Households < 0 || p.Buildings < 0 {
		return fmt.Errorf("%w: households and buildings must not be negative", errs.ErrInvalidRequest)
	}
	if p.BuiltYear < 1900 || p.BuiltYear > 2100 {
		return fmt.Errorf("%w: built_year %d is out of range", errs.ErrInvalidRequest, p.BuiltYear)
	}
	if p.PlanYear != nil && (*p.PlanYear < 2000 || *p.PlanYear > 2100) {
		return fmt.Errorf("%w: plan_year %d is out of range (2000 to 2100)", errs.ErrInvalidRequest, *p.PlanYear)
	}
	return nil
}

// CreateProject registers a community (finance, or the district it lies in).
func (s *Registry) CreateProject(ctx context.Context, p Project) (*Project, error) {
	if err := field.Code("project", p.Code); err != nil {
		return nil, err
	}
	if err := checkFields(p); err != nil {
		return nil, err
	}
	if p.Budget.Basic > money.Max || p.Budget.Improvement > money.Max || p.Budget.Upgrade > money.Max {
		return nil, fmt.Errorf("%w: budget too large", errs.ErrInvalidAmount)
	}
	if err := Writable(access.From(ctx), p.District); err != nil {
		return nil, err
	}
	if err := s.codeBelongs(ctx, "project", p.Code, p.District); err != nil {
		return nil, err
	}
	ok, err := s.DistrictExists(ctx, p.District)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: district %q", errs.ErrNotFound, p.District)
	}
	p.CreatedAt, p.Status = store.Now(), StatusReserve
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		err := tx.Exec(`INSERT INTO projects (code, name, district_code, households, floor_area_m2, buildings,
			built_year, budget_basic, budget_improvement, budget_upgrade, plan_year, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
			p.Code, p.Name, p.District, p.Households, p.FloorAreaM2.String(), p.Buildings, p.BuiltYear,
			int64(p.Budget.Basic), int64(p.Budget.Improvement), int64(p.Budget.Upgrade), p.PlanYear, p.CreatedAt).Error
		if err != nil {
			return err
		}
		return addVersion(tx, &p, 1, VersionCreated, access.From(ctx).Label(), p.CreatedAt)
	})
	if store.UniqueViolation(err) {
		return nil, fmt.Errorf("%w: project %s exists", errs.ErrConflict, p.Code)
	}
	return &p, err
}

// project loads a project without checking who asks. Projects are edited
// (PUT, budget amendments), so unlike funds they are cached only for the
// length of one request (WithLookups), never for the life of the service.
func (s *Registry) project(ctx context.Context, code string) (*Project, error) {
	c := cacheOf(ctx)
	if c != nil && c.projects[code] != nil {
		return c.projects[code], nil
	}
	var rows []projectRow
	if err := s.db.Conn(ctx).Raw(selectProject+" WHERE code = ?", code).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w: project %q", errs.ErrNotFound, code)
	}
	p := rows[0].project()
	if c != nil {
		c.projects[code] = &p
	}
	return &p, nil
}

// Project returns a project the actor may see; another district's project
// is reported as not found.
func (s *Registry) Project(ctx context.Context, code string) (*Project, error) {
	p, err := s.project(ctx, code)
	if err != nil {
		return nil, err
	}
	if !access.From(ctx).Sees(p.District) {
		return nil, fmt.Errorf("%w: project %q", errs.ErrNotFound, code)
	}
	return p, nil
}

// Projects lists projects, of one district or all that the actor may see.
func (s *Registry) Projects(ctx context.Context, district, after string, limit int) ([]Project, error) {
	district, err := access.From(ctx).Area(district)
	if err != nil {
		return nil, err
	}
	q := selectProject + " WHERE code > ?"
	args := []any{after}
	if district != "" {
		q += " AND district_code = ?"
		args = append(args, district)
	}
	var rows []projectRow
	if err := s.db.Conn(ctx).Raw(q+" ORDER BY code LIMIT ?", append(args, limit)...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	ps := make([]Project, len(rows))
	for i, r := range rows {
		ps[i] = r.project()
	}
	return ps, nil
}

// AllProjects lists every project of a district ("": of the city) in code
// order, without checking who asks: for the city's own work (a subsidy run
// over all communities), never shown to a district as such.
func (s *Registry) AllProjects(ctx context.Context, district string) ([]Project, error) {
	q, args := selectProject, []any{}
	if district != "" {
		q, args = q+" WHERE district_code = ?", append(args, district)
	}
	var rows []projectRow
	if err := s.db.Conn(ctx).Raw(q+" ORDER BY code", args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	ps := make([]Project, len(rows))
	for i, r := range rows {
		ps[i] = r.project()
	}
	return ps, nil
}
