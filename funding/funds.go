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
	"renofund/internal/money"
	"renofund/internal/store"
)

// needsVote lists the kinds that may only be used after an owners' vote.
var needsVote = []string{"maintenance_fund", "public_revenue"}

// CreateFund registers a fund. The finance bureau registers any; a district
// only funds held by itself or by one of its projects.
func (s *Service) CreateFund(ctx context.Context, f Fund) (*Fund, error) {
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
	h, err := s.resolveHolder(ctx, f.Holder)
	if err != nil {
		return nil, err
	}
	if err := writable(access.From(ctx), h.District); err != nil {
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

// funds loads funds by code, without checking who asks.
func (s *Service) funds(ctx context.Context, codes ...string) (map[string]*Fund, error) {
	var rows []fundRow
	if err := s.db.Conn(ctx).Raw(selectFund+" WHERE code IN ?", codes).Scan(&rows).Error; err != nil {
		return nil, err
	}
	m := make(map[string]*Fund, len(rows))
	for _, r := range rows {
		m[r.Code] = r.fund()
	}
	return m, nil
}

// errFundNotFound is the answer for a fund that does not exist, and the
// same answer, to the byte, for one a district may not see.
func errFundNotFound(code string) error { return fmt.Errorf("%w: fund %q", errs.ErrNotFound, code) }

// visibleFund loads a fund the actor may see. A district sees the funds
// held by itself or its projects, and those with money at its holders (a
// city grant allocated down to it); any other fund does not exist for it.
func (s *Service) visibleFund(ctx context.Context, code string) (*Fund, error) {
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
	var held []int
	err = s.db.Conn(ctx).Raw("SELECT 1 FROM holdings WHERE fund_code = ? AND district_code = ? LIMIT 1", code, a.District).
		Scan(&held).Error
	if err != nil {
		return nil, err
	}
	if c != nil {
		c.visible[code] = len(held) > 0
	}
	if len(held) == 0 {
		return nil, errFundNotFound(code)
	}
	return f, nil
}

func (s *Service) fund(ctx context.Context, code string) (*Fund, error) {
	c := cacheOf(ctx)
	if c != nil && c.funds[code] != nil {
		return c.funds[code], nil
	}
	if f, ok := s.reg.funds.Load(code); ok {
		return f.(*Fund), nil
	}
	m, err := s.funds(ctx, code)
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

// Holding is one fund's money at one holder.
type Holding struct {
	Holder    string       `json:"holder"`
	Available money.Amount `json:"available"`
}

// Totals sums a fund's or a project's money.
type Totals struct {
	Received  money.Amount `json:"received"`
	Spent     money.Amount `json:"spent"`
	Available money.Amount `json:"available"`
}

// FundView is a fund with where its money is.
type FundView struct {
	*Fund
	Totals   Totals    `json:"totals"`
	Holdings []Holding `json:"holdings"`
}

// FundView returns the fund with its totals and holdings. A district sees a
// fund it holds, or a fund with money at its holders, and only its own
// holdings and their totals.
func (s *Service) FundView(ctx context.Context, code string) (*FundView, error) {
	f, err := s.visibleFund(ctx, code)
	if err != nil {
		return nil, err
	}
	a := access.From(ctx)
	q := "SELECT holder, balance FROM holdings WHERE fund_code = ?"
	args := []any{code}
	if a.Role == access.District {
		q += " AND district_code = ?"
		args = append(args, a.District)
	}
	var hs []struct {
		Holder  string
		Balance int64
	}
	if err := s.db.Conn(ctx).Raw(q+" ORDER BY holder", args...).Scan(&hs).Error; err != nil {
		return nil, err
	}
	v := &FundView{Fund: f, Holdings: make([]Holding, 0, len(hs))}
	for _, h := range hs {
		v.Holdings = append(v.Holdings, Holding{h.Holder, money.Amount(h.Balance)})
		sum, ok := money.Sum(v.Totals.Available, money.Amount(h.Balance))
		if !ok {
			return nil, ErrTooLarge
		}
		v.Totals.Available = sum
	}
	// Received counts money entering the books (receipts) and spent money
	// leaving them, net of reversals; for a district, what reached its own
	// holders from outside the district (allocations within it are internal)
	// and what left them.
	fq := `SELECT
		COALESCE(SUM(CASE WHEN t.base_type = 'receipt' THEN p.amount ELSE 0 END), 0) AS received,
		COALESCE(SUM(CASE WHEN t.base_type IN ('expenditure', 'subsidy_payment') THEN -p.amount ELSE 0 END), 0) AS spent
		FROM postings p JOIN transfers t ON t.id = p.transfer_id WHERE p.fund_code = ? AND p.holder <> 'external'`
	fargs := []any{code}
	if a.Role == access.District {
		fq = `SELECT
			COALESCE(SUM(CASE WHEN t.base_type = 'receipt' OR (t.base_type = 'allocation' AND t.to_holder = p.holder
				AND t.from_holder <> 'district:' || h.district_code) THEN p.amount ELSE 0 END), 0) AS received,
			COALESCE(SUM(CASE WHEN t.base_type IN ('expenditure', 'subsidy_payment') THEN -p.amount ELSE 0 END), 0) AS spent
			FROM postings p JOIN transfers t ON t.id = p.transfer_id JOIN holdings h ON h.fund_code = p.fund_code AND h.holder = p.holder
			WHERE p.fund_code = ? AND h.district_code = ?`
		fargs = append(fargs, a.District)
	}
	var tot struct{ Received, Spent int64 }
	if err := s.db.Conn(ctx).Raw(fq, fargs...).Scan(&tot).Error; err != nil {
		return nil, err
	}
	v.Totals.Received, v.Totals.Spent = money.Amount(tot.Received), money.Amount(tot.Spent)
	return v, nil
}

// holderOf returns the holder string of a project.
func holderOf(project string) string { return "project:" + project }
