package subsidy

import (
	"context"
	"encoding/json"
	"fmt"

	"renofund/internal/errs"
	"renofund/internal/money"
	"renofund/internal/store"
)

const selectScheme = `SELECT code, version, name, fund_code, holder, basis, rate, period_kind, bands, formula, cap,
	category, valid_from, valid_to, schedule, created_by, created_at FROM subsidy_schemes`

// scanScheme reads one row selected with selectScheme.
func scanScheme(scan func(dest ...any) error) (*Scheme, error) {
	var sc Scheme
	var rate, bands string
	var formula, category, validTo, schedule *string
	var capFen *int64
	err := scan(&sc.Code, &sc.Version, &sc.Name, &sc.Fund, &sc.Holder, &sc.Basis, &rate, &sc.Period, &bands,
		&formula, &capFen, &category, &sc.ValidFrom, &validTo, &schedule, &sc.CreatedBy, &sc.CreatedAt)
	if err != nil {
		return nil, err
	}
	if sc.Rate, err = money.ParseRate(rate); err != nil {
		return nil, fmt.Errorf("scheme %s v%d: rate: %w", sc.Code, sc.Version, err)
	}
	if err := json.Unmarshal([]byte(bands), &sc.Bands); err != nil {
		return nil, fmt.Errorf("scheme %s v%d: bands: %w", sc.Code, sc.Version, err)
	}
	if formula != nil {
		sc.Formula = &Formula{}
		if err := json.Unmarshal([]byte(*formula), sc.Formula); err != nil {
			return nil, fmt.Errorf("scheme %s v%d: formula: %w", sc.Code, sc.Version, err)
		}
	}
	if capFen != nil {
		c := money.Amount(*capFen)
		sc.Cap = &c
	}
	sc.Category, sc.ValidTo, sc.Schedule = store.Str(category), store.Str(validTo), store.Str(schedule)
	return &sc, nil
}

func (s *Service) querySchemes(ctx context.Context, q string, args ...any) ([]*Scheme, error) {
	rows, err := s.db.Conn(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Scheme
	for rows.Next() {
		sc, err := scanScheme(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// Scheme returns one version of a scheme; version 0 means the current one.
// Schemes are city policy: every role may read them.
func (s *Service) Scheme(ctx context.Context, code string, version int) (*Scheme, error) {
	q, args := selectScheme+" WHERE code = ? ORDER BY version DESC LIMIT 1", []any{code}
	if version > 0 {
		q, args = selectScheme+" WHERE code = ? AND version = ?", []any{code, version}
	}
	scs, err := s.querySchemes(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	if len(scs) == 0 {
		return nil, fmt.Errorf("%w: scheme %q", errs.ErrNotFound, code)
	}
	return scs[0], nil
}

// SchemeVersions returns every version of a scheme, oldest first.
func (s *Service) SchemeVersions(ctx context.Context, code string) ([]*Scheme, error) {
	scs, err := s.querySchemes(ctx, selectScheme+" WHERE code = ? ORDER BY version", code)
	if err == nil && len(scs) == 0 {
		err = fmt.Errorf("%w: scheme %q", errs.ErrNotFound, code)
	}
	return scs, err
}

// Schemes returns the current version of every scheme, by code, after the
// cursor (a code) and up to limit (no limit when limit ≤ 0).
func (s *Service) Schemes(ctx context.Context, after string, limit int) ([]*Scheme, error) {
	q := selectScheme + ` s WHERE code > ? AND version =
		(SELECT MAX(version) FROM subsidy_schemes v WHERE v.code = s.code) ORDER BY code`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	return s.querySchemes(ctx, q, after)
}
