package programme

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/money"
	"renofund/internal/store"
)

// TargetIn is a year's targets as set.
type TargetIn struct {
	Communities int64      `json:"communities"`
	Households  int64      `json:"households"`
	FloorAreaM2 money.Rate `json:"floor_area_m2"`
	DocumentNo  string     `json:"document_no"`
}

// Target is a version of a year's targets.
type Target struct {
	Year        int        `json:"year"`
	Version     int        `json:"version"`
	Communities int64      `json:"communities"`
	Households  int64      `json:"households"`
	FloorAreaM2 money.Rate `json:"floor_area_m2"`
	DocumentNo  string     `json:"document_no"`
	RecordedBy  string     `json:"recorded_by"`
	RecordedAt  string     `json:"recorded_at"`
}

// Year reads a plan year from a path or query ("2021"), 2000 to 2100.
func Year(s string) (int, error) {
	y, err := strconv.Atoi(s)
	if err != nil || len(s) != 4 || y < 2000 || y > 2100 {
		return 0, fmt.Errorf("%w: year %q must be YYYY, 2000 to 2100", errs.ErrInvalidRequest, s)
	}
	return y, nil
}

// SetTarget records a year's targets as their next version (finance only).
func (s *Service) SetTarget(ctx context.Context, year string, in TargetIn) (*Target, error) {
	y, err := Year(year)
	if err != nil {
		return nil, err
	}
	if in.Communities < 0 || in.Households < 0 || in.FloorAreaM2.Decimal().IsNegative() {
		return nil, fmt.Errorf("%w: targets must not be negative", errs.ErrInvalidRequest)
	}
	if err := field.Text("document_no", in.DocumentNo, true, 200); err != nil {
		return nil, err
	}
	a := access.From(ctx)
	if a.Role != access.Finance {
		return nil, fmt.Errorf("%w: the finance bureau sets the programme's targets", errs.ErrForbidden)
	}
	t := &Target{Year: y, Communities: in.Communities, Households: in.Households, FloorAreaM2: in.FloorAreaM2,
		DocumentNo: in.DocumentNo, RecordedBy: a.Label()}
	err = s.appendNext(ctx, "targets", "programme_targets", "year", y, func(tx *gorm.DB, version int) error {
		t.Version, t.RecordedAt = version, store.Now()
		return tx.Exec(`INSERT INTO programme_targets (year, version, communities, households, floor_area_m2, document_no,
			recorded_by, recorded_at) VALUES (?,?,?,?,?,?,?,?)`, t.Year, t.Version, t.Communities, t.Households,
			t.FloorAreaM2.String(), t.DocumentNo, t.RecordedBy, t.RecordedAt).Error
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Figures count communities, households and floor area.
type Figures struct {
	Communities int64      `json:"communities"`
	Households  int64      `json:"households"`
	FloorAreaM2 money.Rate `json:"floor_area_m2"`
}

func (f *Figures) add(g Figures) {
	f.Communities += g.Communities
	f.Households += g.Households
	f.FloorAreaM2 = money.RateFromDecimal(f.FloorAreaM2.Decimal().Add(g.FloorAreaM2.Decimal()))
}

// Progress is what projects of a plan year have reached: per status past
// the reserve, in the plan (all of them) and completed (accepted, settled
// or closed).
type Progress struct {
	ByStatus  map[string]Figures `json:"by_status"`
	InPlan    Figures            `json:"in_plan"`
	Completed Figures            `json:"completed"`
}

func newProgress() Progress {
	p := Progress{ByStatus: map[string]Figures{}}
	for _, st := range funding.Statuses[1:] {
		p.ByStatus[st] = Figures{FloorAreaM2: money.RateFromDecimal(decimal.Zero)}
	}
	p.InPlan.FloorAreaM2, p.Completed.FloorAreaM2 = money.RateFromDecimal(decimal.Zero), money.RateFromDecimal(decimal.Zero)
	return p
}

func (p *Progress) add(status string, f Figures) {
	cur := p.ByStatus[status]
	cur.add(f)
	p.ByStatus[status] = cur
	p.InPlan.add(f)
	if rank(status) >= rank(funding.StatusAccepted) {
		p.Completed.add(f)
	}
}

// Ratios are progress over the targets (four decimals; null without a
// target or with a zero one).
type Ratios struct {
	Communities *money.Rate `json:"communities"`
	Households  *money.Rate `json:"households"`
	FloorAreaM2 *money.Rate `json:"floor_area_m2"`
}

func ratio(num, den decimal.Decimal) *money.Rate {
	if den.IsZero() {
		return nil
	}
	r := money.RateFromDecimal(num.DivRound(den, 4))
	return &r
}

func ratios(f Figures, t *Target) *Ratios {
	if t == nil {
		return nil
	}
	return &Ratios{Communities: ratio(decimal.NewFromInt(f.Communities), decimal.NewFromInt(t.Communities)),
		Households:  ratio(decimal.NewFromInt(f.Households), decimal.NewFromInt(t.Households)),
		FloorAreaM2: ratio(f.FloorAreaM2.Decimal(), t.FloorAreaM2.Decimal())}
}

// DistrictProgress is a district's progress in a year.
type DistrictProgress struct {
	District string `json:"district"`
	Progress
}

// YearView is one plan year: its targets, the city's progress with the
// completion ratios (of what is in the plan, and of what is completed), and
// each district's progress. A district sees the targets and its own row.
type YearView struct {
	Year           int                `json:"year"`
	Targets        *Target            `json:"targets"`
	City           *Progress          `json:"city"`
	InPlanRatio    *Ratios            `json:"in_plan_ratio"`
	CompletedRatio *Ratios            `json:"completed_ratio"`
	Districts      []DistrictProgress `json:"districts"`
}

// Programme answers each plan year (one, or every year with targets or
// planned projects): targets and progress counted from the projects' plan
// year and status, city-wide and per district.
func (s *Service) Programme(ctx context.Context, year string) ([]YearView, error) {
	only := 0
	if year != "" {
		y, err := Year(year)
		if err != nil {
			return nil, err
		}
		only = y
	}
	a := access.From(ctx)
	targets, err := s.currentTargets(ctx, only)
	if err != nil {
		return nil, err
	}
	q := `SELECT plan_year, district_code, status, COUNT(*) AS communities, COALESCE(SUM(households), 0) AS households
		FROM projects WHERE plan_year IS NOT NULL AND status <> ?`
	args := []any{funding.StatusReserve}
	if only != 0 {
		q, args = q+" AND plan_year = ?", append(args, only)
	}
	var rows []struct {
		PlanYear                int
		DistrictCode, Status    string
		Communities, Households int64
	}
	if err := s.db.Conn(ctx).Raw(q+" GROUP BY plan_year, district_code, status", args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	// Floor areas are decimal strings: summed exactly here, not in SQL.
	areaQ := `SELECT plan_year, district_code, status, floor_area_m2 FROM projects WHERE plan_year IS NOT NULL AND status <> ?`
	if only != 0 {
		areaQ += " AND plan_year = ?"
	}
	var areas []struct {
		PlanYear                          int
		DistrictCode, Status, FloorAreaM2 string
	}
	if err := s.db.Conn(ctx).Raw(areaQ, args...).Scan(&areas).Error; err != nil {
		return nil, err
	}
	type key struct {
		year             int
		district, status string
	}
	area := map[key]decimal.Decimal{}
	for _, r := range areas {
		k := key{r.PlanYear, r.DistrictCode, r.Status}
		area[k] = area[k].Add(money.MustRate(r.FloorAreaM2).Decimal())
	}
	views := map[int]*YearView{}
	city := map[int]*Progress{}
	dist := map[int]map[string]*Progress{}
	view := func(y int) *YearView {
		if views[y] == nil {
			p := newProgress()
			views[y], city[y], dist[y] = &YearView{Year: y, Targets: targets[y], Districts: []DistrictProgress{}}, &p, map[string]*Progress{}
		}
		return views[y]
	}
	for y := range targets {
		view(y)
	}
	for _, r := range rows {
		view(r.PlanYear)
		f := Figures{Communities: r.Communities, Households: r.Households,
			FloorAreaM2: money.RateFromDecimal(area[key{r.PlanYear, r.DistrictCode, r.Status}])}
		city[r.PlanYear].add(r.Status, f)
		if !a.Sees(r.DistrictCode) {
			continue
		}
		if dist[r.PlanYear][r.DistrictCode] == nil {
			p := newProgress()
			dist[r.PlanYear][r.DistrictCode] = &p
		}
		dist[r.PlanYear][r.DistrictCode].add(r.Status, f)
	}
	out := make([]YearView, 0, len(views))
	for y, v := range views {
		if a.Role != access.District {
			v.City = city[y]
			v.InPlanRatio, v.CompletedRatio = ratios(v.City.InPlan, v.Targets), ratios(v.City.Completed, v.Targets)
		}
		for d, p := range dist[y] {
			v.Districts = append(v.Districts, DistrictProgress{District: d, Progress: *p})
		}
		slices.SortFunc(v.Districts, func(a, b DistrictProgress) int { return cmpStr(a.District, b.District) })
		out = append(out, *v)
	}
	slices.SortFunc(out, func(a, b YearView) int { return a.Year - b.Year })
	return out, nil
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// currentTargets loads each year's latest targets (one year, or all).
func (s *Service) currentTargets(ctx context.Context, only int) (map[int]*Target, error) {
	q := `SELECT t.year, t.version, t.communities, t.households, t.floor_area_m2, t.document_no, t.recorded_by,
		t.recorded_at FROM programme_targets t WHERE t.version = (SELECT MAX(version) FROM programme_targets m
		WHERE m.year = t.year)`
	var args []any
	if only != 0 {
		q, args = q+" AND t.year = ?", append(args, only)
	}
	var rows []struct {
		Year, Version                                   int
		Communities, Households                         int64
		FloorAreaM2, DocumentNo, RecordedBy, RecordedAt string
	}
	if err := s.db.Conn(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := map[int]*Target{}
	for _, r := range rows {
		out[r.Year] = &Target{Year: r.Year, Version: r.Version, Communities: r.Communities, Households: r.Households,
			FloorAreaM2: money.MustRate(r.FloorAreaM2), DocumentNo: r.DocumentNo, RecordedBy: r.RecordedBy,
			RecordedAt: r.RecordedAt}
	}
	return out, nil
}
