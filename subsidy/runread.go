package subsidy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/money"
	"renofund/internal/store"
)

const selectRun = `SELECT id, scheme_code, scheme_version, period, status, paid_before, total, clawback, line_count,
	created_by, created_at, approved_by, approved_at, cancelled_by, cancelled_at FROM subsidy_runs`

func scanRun(scan func(dest ...any) error) (*RunSummary, error) {
	var r RunSummary
	var total, clawback int64
	var ab, aa, cb, ca *string
	if err := scan(&r.ID, &r.Scheme, &r.SchemeVersion, &r.Period, &r.Status, &r.PaidBefore, &total, &clawback,
		&r.LineCount, &r.CreatedBy, &r.CreatedAt, &ab, &aa, &cb, &ca); err != nil {
		return nil, err
	}
	r.Total, r.Clawback = money.Amount(total), money.Amount(clawback)
	r.ApprovedBy, r.ApprovedAt, r.CancelledBy, r.CancelledAt = store.Str(ab), store.Str(aa), store.Str(cb), store.Str(ca)
	return &r, nil
}

// loadRun reads a run with its lines (one district's only, when district is
// set, with the totals recomputed over them) without checking who asks.
func (s *Service) loadRun(ctx context.Context, id, district string) (*Run, error) {
	q, args := selectRun+" WHERE id = ?", []any{id}
	if district != "" {
		q, args = q+" AND "+ownScheme, append(args, "district:"+district)
	}
	sum, err := scanRun(s.db.Conn(ctx).Raw(q, args...).Row().Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: run %q", errs.ErrNotFound, id)
	} else if err != nil {
		return nil, err
	}
	r := &Run{RunSummary: *sum}
	if r.Lines, err = s.loadLines(ctx, id, district); err != nil {
		return nil, err
	}
	r.summarise()
	return r, nil
}

// ownScheme keeps a district to runs of the city's schemes and its own.
const ownScheme = `EXISTS (SELECT 1 FROM subsidy_schemes sc WHERE sc.code = scheme_code AND sc.version = scheme_version
	AND sc.holder IN ('city', ?))`

// ReaderDistrict says which district's lines the actor may read: "" for
// all (finance, auditor), its own for a district token; admin may not.
func ReaderDistrict(ctx context.Context) (string, error) {
	switch a := access.From(ctx); a.Role {
	case access.Finance, access.Auditor:
		return "", nil
	case access.District:
		return a.District, nil
	}
	return "", fmt.Errorf("%w: subsidy runs are for the finance bureau, auditors and districts", errs.ErrForbidden)
}

// Run returns a run with its lines and totals per district. A district
// sees only its own lines, and totals over them.
func (s *Service) Run(ctx context.Context, id string) (*Run, error) {
	d, err := ReaderDistrict(ctx)
	if err != nil {
		return nil, err
	}
	return s.loadRun(ctx, id, d)
}

// RunFilter selects runs for Runs; empty fields match everything.
type RunFilter struct {
	Scheme string
	Period string
	Status string
	After  string // cursor: the last id of the previous page
	Limit  int    // default 100, at most 1000
}

// Runs lists runs in creation order without their lines. For a district
// the totals cover only its own lines.
func (s *Service) Runs(ctx context.Context, f RunFilter) ([]*RunSummary, error) {
	d, err := ReaderDistrict(ctx)
	if err != nil {
		return nil, err
	}
	where, args := []string{"id > ?"}, []any{f.After}
	if d != "" {
		where, args = append(where, ownScheme), append(args, "district:"+d)
	}
	for col, v := range map[string]string{"scheme_code": f.Scheme, "period": f.Period, "status": f.Status} {
		if v != "" {
			where = append(where, col+" = ?")
			args = append(args, v)
		}
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 1000)
	q := fmt.Sprintf("%s WHERE %s ORDER BY id LIMIT %d", selectRun, strings.Join(where, " AND "), f.Limit)
	rows, err := s.db.Conn(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, err
	}
	var out []*RunSummary
	byID := map[string]*RunSummary{}
	for rows.Next() {
		r, err := scanRun(rows.Scan)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, r)
		byID[r.ID] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil || d == "" || len(out) == 0 {
		return out, err
	}
	return out, s.districtTotals(ctx, d, byID)
}

// districtTotals replaces each run's totals by those of one district's lines.
func (s *Service) districtTotals(ctx context.Context, district string, runs map[string]*RunSummary) error {
	ids := make([]string, 0, len(runs))
	for id, r := range runs {
		ids = append(ids, id)
		r.Total, r.Clawback, r.LineCount = 0, 0, 0
	}
	rows, err := s.db.Conn(ctx).Raw(`SELECT run_id, COUNT(*),
		CAST(COALESCE(SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END), 0) AS BIGINT),
		CAST(COALESCE(SUM(CASE WHEN amount < 0 THEN amount ELSE 0 END), 0) AS BIGINT)
		FROM subsidy_run_lines WHERE run_id IN ? AND district_code = ? GROUP BY run_id`, ids, district).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n int
		var total, clawback int64
		if err := rows.Scan(&id, &n, &total, &clawback); err != nil {
			return err
		}
		r := runs[id]
		r.LineCount, r.Total, r.Clawback = n, money.Amount(total), money.Amount(clawback)
	}
	return rows.Err()
}
