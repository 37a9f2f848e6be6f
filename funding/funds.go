package funding

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/store"
)

// needsVote lists the kinds that may only be used after an owners' vote.
var needsVote = []string{"maintenance_fund", "public_revenue"}

// CreateFund registers a fund. The finance bureau registers any; a district
// only funds held by itself or by one of its projects.
func (s *Registry) CreateFund(ctx context.Context, f Fund) (*Fund, error) {
	if err := field.Code("fund", f.Code); err != nil {
		return nil, err
	}
	if !slices.Contains(Kinds, f.Kind) {
		return nil, fmt.Errorf("%w: kind %q is not one of %s", errs.ErrInvalidRequest, f.Kind, strings.Join(Kinds, ", "))
	}
	if err := field.Text("name", f.Name, true, 200); err != nil {
		return nil, err
	}
	if err := field.Text("document_no", f.DocumentNo, false, 200); err != nil {
		return nil, err
	}
	if f.FiscalYear < 2000 || f.FiscalYear > 2100 {
		return nil, fmt.Errorf("%w: fiscal_year %d is out of range", errs.ErrInvalidRequest, f.FiscalYear)
	}
	if f.BudgetSubject == "" {
		f.BudgetSubject = DefaultBudgetSubject
	}
	if err := field.Text("budget_subject", f.BudgetSubject, true, 32); err != nil {
		return nil, err
	}
	if len(f.EligibleCategories) == 0 {
		return nil, fmt.Errorf("%w: eligible_categories must name at least one of basic, improvement, upgrade", errs.ErrInvalidRequest)
	}
	seen := map[string]bool{}
	for _, c := range f.EligibleCategories {
		if !slices.Contains(Categories, c) || seen[c] {
			return nil, fmt.Errorf("%w: eligible category %q is unknown or repeated", errs.ErrInvalidRequest, c)
		}
		seen[c] = true
	}
	if f.ExpiresOn != "" {
		if _, err := ParseDate("expires_on", f.ExpiresOn); err != nil {
			return nil, err
		}
	}
	h, err := s.Holder(ctx, f.Holder)
	if err != nil {
		return nil, err
	}
	if err := Writable(access.From(ctx), h.District); err != nil {
		return nil, err
	}
	if err := s.codeBelongs(ctx, "fund", f.Code, h.District); err != nil {
		return nil, err
	}
	if slices.Contains(needsVote, f.Kind) {
		if f.Vote == nil {
			return nil, fmt.Errorf("%w: a %s fund needs the owners' vote", ErrVoteFailed, f.Kind)
		}
		if err := f.Vote.Check(); err != nil {
			return nil, err
		}
	} else if f.Vote != nil {
		if err := f.Vote.Check(); err != nil {
			return nil, err
		}
	}
	f.District = h.District
	f.CreatedBy = access.From(ctx).Label()
	f.CreatedAt = store.Now()
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO funds (code, kind, name, holder, district_code, fiscal_year, document_no,
			budget_subject, direct, eligible_categories, expires_on, repayable, vote, created_by, created_at)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			f.Code, f.Kind, f.Name, f.Holder, store.Null(f.District), f.FiscalYear, f.DocumentNo, f.BudgetSubject,
			f.Direct, strings.Join(f.EligibleCategories, ","), store.Null(f.ExpiresOn), f.Repayable,
			marshalVote(f.Vote), f.CreatedBy, f.CreatedAt).Error
	})
	if store.UniqueViolation(err) {
		return nil, fmt.Errorf("%w: fund %s exists", errs.ErrConflict, f.Code)
	}
	return &f, err
}

type fundRow struct {
	Code               string
	Kind               string
	Name               string
	Holder             string
	DistrictCode       *string
	FiscalYear         int
	DocumentNo         string
	BudgetSubject      string
	Direct             bool
	EligibleCategories string
	ExpiresOn          *string
	Repayable          bool
	Vote               *string
	CreatedBy          string
	CreatedAt          string
}

const selectFund = `SELECT code, kind, name, holder, district_code, fiscal_year, document_no, budget_subject,
	direct, eligible_categories, expires_on, repayable, vote, created_by, created_at FROM funds`

func (r fundRow) fund() *Fund {
	f := &Fund{
		Code: r.Code, Kind: r.Kind, Name: r.Name, Holder: r.Holder, District: store.Str(r.DistrictCode),
		FiscalYear: r.FiscalYear, DocumentNo: r.DocumentNo, BudgetSubject: r.BudgetSubject, Direct: r.Direct,
		EligibleCategories: strings.Split(r.EligibleCategories, ","), ExpiresOn: store.Str(r.ExpiresOn),
		Repayable: r.Repayable, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt,
	}
	if r.Vote != nil {
		var v Vote
		if json.Unmarshal([]byte(*r.Vote), &v) == nil {
			f.Vote = &v
		}
	}
	return f
}

// FundsByCode loads funds by code without checking who asks, for reading
// what the books say about them (kinds, categories, documents): callers
// show a district nothing of funds it may not see.
func (s *Registry) FundsByCode(ctx context.Context, codes ...string) (map[string]*Fund, error) {
	m := make(map[string]*Fund, len(codes))
	for start := 0; start < len(codes); start += 500 {
		var rows []fundRow
		if err := s.db.Conn(ctx).Raw(selectFund+" WHERE code IN ?", codes[start:min(start+500, len(codes))]).Scan(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			m[r.Code] = r.fund()
		}
	}
	return m, nil
}

// FundFilter selects funds for Funds; empty fields select all.
type FundFilter struct {
	Kinds     []string // any of these kinds
	Direct    bool     // direct funds only (直达资金)
	ExpiresBy string   // funds with an expiry date on or before it
	District  string   // funds held by the district or its projects
	// HeldIn, with District, also selects these funds (those whose money
	// has reached the district, wherever they are registered).
	HeldIn     []string
	FiscalYear int
	Holder     string
	After      string // cursor: the last code of the previous page
	Limit      int    // 0: no limit
}

// Funds lists funds in code order without checking who asks (see
// FundsByCode); Visible narrows a list to what an actor may see.
func (s *Registry) Funds(ctx context.Context, f FundFilter) ([]*Fund, error) {
	q, args := selectFund+" WHERE code > ?", []any{f.After}
	if len(f.Kinds) > 0 {
		q, args = q+" AND kind IN ?", append(args, f.Kinds)
	}
	if f.Direct {
		q += " AND direct"
	}
	if f.ExpiresBy != "" {
		q, args = q+" AND expires_on IS NOT NULL AND expires_on <= ?", append(args, f.ExpiresBy)
	}
	if f.District != "" && len(f.HeldIn) > 0 {
		q, args = q+" AND (district_code = ? OR code IN ?)", append(args, f.District, f.HeldIn)
	} else if f.District != "" {
		q, args = q+" AND district_code = ?", append(args, f.District)
	}
	if f.FiscalYear != 0 {
		q, args = q+" AND fiscal_year = ?", append(args, f.FiscalYear)
	}
	if f.Holder != "" {
		q, args = q+" AND holder = ?", append(args, f.Holder)
	}
	q += " ORDER BY code"
	if f.Limit > 0 {
		q, args = q+" LIMIT ?", append(args, f.Limit)
	}
	var rows []fundRow
	if err := s.db.Conn(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*Fund, len(rows))
	for i, r := range rows {
		out[i] = r.fund()
	}
	return out, nil
}

// Codes lists the codes of funds.
func Codes(fs []*Fund) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Code
	}
	return out
}

// errFundNotFound is the answer for a fund that does not exist, and the
// same answer, to the byte, for one a district may not see.
func errFundNotFound(code string) error { return fmt.Errorf("%w: fund %q", errs.ErrNotFound, code) }

// Fund loads a fund the actor may see. A district sees the funds held by
// itself or its projects, and those with money at its holders (a city grant
// allocated down to it); any other fund does not exist for it.
func (s *Registry) Fund(ctx context.Context, code string) (*Fund, error) {
	f, err := s.fund(ctx, code)
	if err != nil {
		return nil, err
	}
	a := access.From(ctx)
	if a.Role != access.District || f.District == a.District {
		return f, nil
	}
	c := cacheOf(ctx)
	if c != nil {
		if seen, ok := c.visible[code]; ok {
			if !seen {
				return nil, errFundNotFound(code)
			}
			return f, nil
		}
	}
	held, err := s.ledger.HeldIn(ctx, code, a.District)
	if err != nil {
		return nil, err
	}
	if c != nil {
		c.visible[code] = held
	}
	if !held {
		return nil, errFundNotFound(code)
	}
	return f, nil
}

// LoadFund loads a fund without checking who asks, for a caller that
// already knows the actor may see it (it names a holding of the actor's).
func (s *Registry) LoadFund(ctx context.Context, code string) (*Fund, error) {
	return s.fund(ctx, code)
}

func (s *Registry) fund(ctx context.Context, code string) (*Fund, error) {
	c := cacheOf(ctx)
	if c != nil && c.funds[code] != nil {
		return c.funds[code], nil
	}
	if f, ok := s.reg.funds.Load(code); ok {
		return f.(*Fund), nil
	}
	m, err := s.FundsByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	if m[code] == nil {
		return nil, errFundNotFound(code)
	}
	if c != nil {
		c.funds[code] = m[code]
	}
	if store.Committed(ctx, m[code].CreatedAt) {
		s.reg.funds.Store(code, m[code])
	}
	return m[code], nil
}
