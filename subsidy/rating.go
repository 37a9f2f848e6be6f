package subsidy

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/store"
)

// Rating is a service-quality rating (物业服务质量评价) of one project for one
// period. A second rating of the same project and period becomes the
// current one (a higher version); earlier ones stay as history.
type Rating struct {
	ID         string           `json:"id"`
	Project    string           `json:"project"`
	District   string           `json:"district"`
	Period     string           `json:"period"`
	Score      *Score           `json:"score"`                // required
	Components map[string]Score `json:"components,omitempty"` // e.g. {"cleaning": 92, "security": 88.5}
	Assessors  []string         `json:"assessors,omitempty"`
	OwnerReps  int              `json:"owner_reps"` // owner representatives taking part
	Version    int              `json:"version"`
	RecordedBy string           `json:"recorded_by"`
	RecordedAt string           `json:"recorded_at"`
}

func (r *Rating) check() error {
	p, err := ParsePeriod(r.Period)
	if err != nil {
		return err
	}
	r.Period = p.String()
	if r.Score == nil {
		return fmt.Errorf("%w: score is required", errs.ErrInvalidRequest)
	}
	if err := r.Score.check("score"); err != nil {
		return err
	}
	if len(r.Components) > 50 || len(r.Assessors) > 50 {
		return fmt.Errorf("%w: at most 50 components and 50 assessors", errs.ErrInvalidRequest)
	}
	for name, sc := range r.Components {
		if err := field.Text("component name", name, true, 100); err != nil {
			return err
		}
		if err := sc.check("component " + name); err != nil {
			return err
		}
	}
	for _, a := range r.Assessors {
		if err := field.Text("assessor", a, true, 100); err != nil {
			return err
		}
	}
	if r.OwnerReps < 0 || r.OwnerReps > 1_000_000 {
		return fmt.Errorf("%w: owner_reps must be from 0 to 1000000", errs.ErrInvalidRequest)
	}
	return nil
}

// RecordRating records a rating (finance, or the project's own district).
// An unknown project is not found; another district's project is forbidden.
func (s *Service) RecordRating(ctx context.Context, r Rating) (*Rating, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	p, err := s.writableProject(ctx, r.Project)
	if err != nil {
		return nil, err
	}
	r.ID = ledger.NewID()
	r.District = p.District
	r.RecordedBy = access.From(ctx).Label()
	var comps, assessors any
	if len(r.Components) > 0 {
		b, _ := json.Marshal(r.Components)
		comps = string(b)
	}
	if len(r.Assessors) > 0 {
		b, _ := json.Marshal(r.Assessors)
		assessors = string(b)
	}
	err = s.db.AppendVersion(ctx, "rating", func(ctx context.Context, tx *gorm.DB) error {
		var last int
		err := tx.Raw("SELECT COALESCE(MAX(version), 0) FROM subsidy_ratings WHERE project_code = ? AND period = ?",
			r.Project, r.Period).Scan(&last).Error
		if err != nil {
			return err
		}
		r.Version = last + 1
		r.RecordedAt = store.Now()
		return tx.Exec(`INSERT INTO subsidy_ratings (id, project_code, period, version, score_x100, components,
			assessors, owner_reps, recorded_by, recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?)`,
			r.ID, r.Project, r.Period, r.Version, int64(*r.Score), comps, assessors, r.OwnerReps, r.RecordedBy,
			r.RecordedAt).Error
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// Ratings returns the ratings of a project for a period, oldest first; the
// last is current. Another district's project is not found.
func (s *Service) Ratings(ctx context.Context, project, period string) ([]Rating, error) {
	p, err := s.visibleProject(ctx, project)
	if err != nil {
		return nil, err
	}
	pp, err := ParsePeriod(period)
	if err != nil {
		return nil, err
	}
	return s.scanRatings(ctx, map[string]string{p.Code: p.District}, selectRatings+
		" WHERE project_code = ? AND period = ? ORDER BY version", project, pp.String())
}

// RatingFilter selects ratings for RatingHistory; empty fields match
// everything.
type RatingFilter struct {
	Project string
	Period  string
	After   string // cursor: the last id of the previous page
	Limit   int    // default 100, at most 1000
}

// RatingHistory lists every recorded rating (each version) in the order
// recorded: a district sees its own projects' only, and another district's
// project is not found.
func (s *Service) RatingHistory(ctx context.Context, f RatingFilter) ([]Rating, error) {
	d, err := ReaderDistrict(ctx)
	if err != nil {
		return nil, err
	}
	where, args := []string{"id > ?"}, []any{f.After}
	if f.Period != "" {
		pp, err := ParsePeriod(f.Period)
		if err != nil {
			return nil, err
		}
		where, args = append(where, "period = ?"), append(args, pp.String())
	}
	districts := map[string]string{}
	if f.Project != "" {
		p, err := s.visibleProject(ctx, f.Project)
		if err != nil {
			return nil, err
		}
		districts[p.Code] = p.District
	} else {
		ps, err := s.reg.Projects(ctx, d)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			districts[p.Code] = p.District
		}
	}
	if f.Project != "" || d != "" {
		codes := make([]string, 0, len(districts))
		for c := range districts {
			codes = append(codes, c)
		}
		if len(codes) == 0 {
			return []Rating{}, nil
		}
		where, args = append(where, "project_code IN ?"), append(args, codes)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	q := fmt.Sprintf("%s WHERE %s ORDER BY id LIMIT %d", selectRatings, strings.Join(where, " AND "), min(f.Limit, 1000))
	return s.scanRatings(ctx, districts, q, args...)
}

const selectRatings = `SELECT id, project_code, period, version, score_x100, components, assessors, owner_reps,
	recorded_by, recorded_at FROM subsidy_ratings`

// scanRatings reads ratings, naming each one's district from districts.
func (s *Service) scanRatings(ctx context.Context, districts map[string]string, q string, args ...any) ([]Rating, error) {
	rows, err := s.db.Conn(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Rating{}
	for rows.Next() {
		r := Rating{Score: new(Score)}
		var comps, assessors *string
		if err := rows.Scan(&r.ID, &r.Project, &r.Period, &r.Version, r.Score, &comps, &assessors, &r.OwnerReps,
			&r.RecordedBy, &r.RecordedAt); err != nil {
			return nil, err
		}
		r.District = districts[r.Project]
		if comps != nil {
			_ = json.Unmarshal([]byte(*comps), &r.Components)
		}
		if assessors != nil {
			_ = json.Unmarshal([]byte(*assessors), &r.Assessors)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Rating returns the current rating of a project for a period.
func (s *Service) Rating(ctx context.Context, project, period string) (*Rating, error) {
	rs, err := s.Ratings(ctx, project, period)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("%w: no rating of %s for %s", errs.ErrNotFound, project, period)
	}
	return &rs[len(rs)-1], nil
}

// currentScores returns the current score per project for a period; the
// caller keeps the projects in its scope.
func (s *Service) currentScores(ctx context.Context, period string) (map[string]rated, error) {
	rows, err := s.db.Conn(ctx).Raw(`SELECT project_code, version, score_x100 FROM subsidy_ratings WHERE period = ?
		ORDER BY project_code, version`, period).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]rated{}
	for rows.Next() {
		var code string
		var r rated
		if err := rows.Scan(&code, &r.version, &r.score); err != nil {
			return nil, err
		}
		out[code] = r // ordered by version: the last one wins
	}
	return out, rows.Err()
}

// rated is a project's current score for a period.
type rated struct {
	version int
	score   Score
}
