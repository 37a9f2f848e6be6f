package works

import (
	"context"
	"fmt"
	"slices"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
)

// ContractIn is a contract as registered.
type ContractIn struct {
	Payee           string       `json:"payee"` // a registered payee's id
	Category        string       `json:"category"`
	Sum             money.Amount `json:"sum"`
	SignedOn        string       `json:"signed_on"`
	TenderRef       string       `json:"tender_ref,omitempty"` // 招标 / 采购 reference
	ReviewRef       string       `json:"review_ref,omitempty"` // 财政评审 reference
	Terms           string       `json:"terms,omitempty"`      // payment terms as agreed
	ProgressCeiling *money.Rate  `json:"progress_ceiling,omitempty"`
	RetentionRate   *money.Rate  `json:"retention_rate,omitempty"`
	LiabilityMonths *int         `json:"liability_months,omitempty"`
}

// Contract is a works or supply contract of one project, with where its
// payments stand.
type Contract struct {
	ID              string       `json:"id"`
	Project         string       `json:"project"`
	District        string       `json:"district"`
	Payee           Payee        `json:"payee"`
	Category        string       `json:"category"`
	Sum             money.Amount `json:"sum"`
	SignedOn        string       `json:"signed_on"`
	TenderRef       string       `json:"tender_ref,omitempty"`
	ReviewRef       string       `json:"review_ref,omitempty"`
	Terms           string       `json:"terms,omitempty"`
	ProgressCeiling money.Rate   `json:"progress_ceiling"`
	RetentionRate   money.Rate   `json:"retention_rate"`
	LiabilityMonths int          `json:"liability_months"`
	CreatedBy       string       `json:"created_by"`
	CreatedAt       string       `json:"created_at"`
	Acceptances     []Acceptance `json:"acceptances"`
	Settlement      *Settlement  `json:"settlement"`
	Position        Position     `json:"position"`
}

func (in *ContractIn) check() error {
	if in.Sum <= 0 || in.Sum > money.Max {
		return fmt.Errorf("%w: sum must be greater than zero and at most 10^15 yuan", errs.ErrInvalidAmount)
	}
	if !slices.Contains(funding.Categories, in.Category) {
		return fmt.Errorf("%w: category %q must be basic, improvement or upgrade", errs.ErrInvalidRequest, in.Category)
	}
	if err := pastDate("signed_on", in.SignedOn); err != nil {
		return err
	}
	for _, t := range []struct{ name, v string }{{"tender_ref", in.TenderRef}, {"review_ref", in.ReviewRef}} {
		if err := field.Text(t.name, t.v, false, 100); err != nil {
			return err
		}
	}
	if err := field.Text("terms", in.Terms, false, 1000); err != nil {
		return err
	}
	if in.ProgressCeiling == nil {
		in.ProgressCeiling = &DefaultCeiling
	}
	if c := in.ProgressCeiling.Decimal(); c.LessThan(MinCeiling.Decimal()) || c.GreaterThan(MaxCeiling.Decimal()) {
		return fmt.Errorf("%w: progress_ceiling %s must be from %s to %s of the sum (财建〔2004〕369号)",
			errs.ErrRuleViolation, in.ProgressCeiling, MinCeiling, MaxCeiling)
	}
	if in.RetentionRate == nil {
		in.RetentionRate = &DefaultRetention
	}
	if r := in.RetentionRate.Decimal(); r.IsNegative() || r.GreaterThan(MaxRetention.Decimal()) {
		return fmt.Errorf("%w: retention_rate %s must be from 0 to %s of the settlement (建质〔2017〕138号)",
			errs.ErrRuleViolation, in.RetentionRate, MaxRetention)
	}
	if in.LiabilityMonths == nil {
		m := DefaultLiabilityMonths
		in.LiabilityMonths = &m
	}
	if m := *in.LiabilityMonths; m < 1 || m > MaxLiabilityMonths {
		return fmt.Errorf("%w: liability_months %d must be from 1 to %d", errs.ErrRuleViolation, m, MaxLiabilityMonths)
	}
	return nil
}

// CreateContract registers a contract of a project (finance, or the
// project's own district) with a registered payee.
func (s *Service) CreateContract(ctx context.Context, project string, in ContractIn) (*Contract, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	p, err := s.writableProject(ctx, project)
	if err != nil {
		return nil, err
	}
	payee, err := s.Payee(ctx, in.Payee)
	if err != nil {
		return nil, err
	}
	a := access.From(ctx)
	c := &Contract{ID: ledger.NewID(), Project: p.Code, District: p.District, Payee: *payee, Category: in.Category,
		Sum: in.Sum, SignedOn: in.SignedOn, TenderRef: in.TenderRef, ReviewRef: in.ReviewRef, Terms: in.Terms,
		ProgressCeiling: *in.ProgressCeiling, RetentionRate: *in.RetentionRate, LiabilityMonths: *in.LiabilityMonths,
		CreatedBy: a.Label(), CreatedAt: store.Now(), Acceptances: []Acceptance{}}
	n := store.Null
	err = s.db.Conn(ctx).Exec(`INSERT INTO contracts (id, project_code, payee_id, category, sum, signed_on, tender_ref,
		review_ref, terms, progress_ceiling, retention_rate, liability_months, created_by, created_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, c.ID, c.Project, c.Payee.ID, c.Category, int64(c.Sum), c.SignedOn,
		n(c.TenderRef), n(c.ReviewRef), n(c.Terms), c.ProgressCeiling.String(), c.RetentionRate.String(),
		c.LiabilityMonths, c.CreatedBy, c.CreatedAt).Error
	if err != nil {
		return nil, err
	}
	c.Position = c.position(Paid{})
	return c, nil
}

// writableProject returns a project the actor may change.
func (s *Service) writableProject(ctx context.Context, code string) (*funding.Project, error) {
	p, err := s.reg.Project(ctx, code)
	if err != nil {
		return nil, err
	}
	if err := funding.Writable(access.From(ctx), p.District); err != nil {
		return nil, err
	}
	return p, nil
}

type contractRow struct {
	ID, ProjectCode, PayeeID, Category, SignedOn         string
	Sum                                                  int64
	TenderRef, ReviewRef, Terms                          *string
	ProgressCeiling, RetentionRate, CreatedBy, CreatedAt string
	LiabilityMonths                                      int
}

const selectContract = `SELECT id, project_code, payee_id, category, sum, signed_on, tender_ref, review_ref, terms,
	progress_ceiling, retention_rate, liability_months, created_by, created_at FROM contracts`

// load reads one contract's terms, acceptances and settlement, locking its
// row when lock is set (a payment or settlement in progress), and checks
// that the actor may see its project.
func (s *Service) load(ctx context.Context, id string, lock bool) (*Contract, error) {
	q := selectContract + " WHERE id = ?"
	if lock {
		q += s.db.ForUpdate()
	}
	var rows []contractRow
	if err := s.db.Conn(ctx).Raw(q, id).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w: contract %q", errs.ErrNotFound, id)
	}
	r := rows[0]
	p, err := s.reg.Project(ctx, r.ProjectCode)
	if err != nil {
		return nil, fmt.Errorf("%w: contract %q", errs.ErrNotFound, id) // another district's
	}
	payee, err := s.Payee(ctx, r.PayeeID)
	if err != nil {
		return nil, err
	}
	c := &Contract{ID: r.ID, Project: r.ProjectCode, District: p.District, Payee: *payee, Category: r.Category,
		Sum: money.Amount(r.Sum), SignedOn: r.SignedOn, TenderRef: store.Str(r.TenderRef),
		ReviewRef: store.Str(r.ReviewRef), Terms: store.Str(r.Terms), ProgressCeiling: money.MustRate(r.ProgressCeiling),
		RetentionRate: money.MustRate(r.RetentionRate), LiabilityMonths: r.LiabilityMonths, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt}
	if c.Acceptances, err = s.acceptances(ctx, id); err != nil {
		return nil, err
	}
	if c.Settlement, err = s.settlement(ctx, id); err != nil {
		return nil, err
	}
	return c, nil
}

// Contract returns a contract the actor may see, with where it stands.
func (s *Service) Contract(ctx context.Context, id string) (*Contract, error) {
	return s.withPosition(ctx, id, false)
}

// withPosition loads a contract (locked or not) with what has been paid on it.
func (s *Service) withPosition(ctx context.Context, id string, lock bool) (*Contract, error) {
	c, err := s.load(ctx, id, lock)
	if err != nil {
		return nil, err
	}
	paid, err := s.paid(ctx, id)
	if err != nil {
		return nil, err
	}
	c.Position = c.position(paid)
	return c, nil
}

// Contracts lists a project's contracts in id order, a page after an id.
func (s *Service) Contracts(ctx context.Context, project, after string, limit int) ([]*Contract, error) {
	if _, err := s.reg.Project(ctx, project); err != nil {
		return nil, err
	}
	var ids []string
	err := s.db.Conn(ctx).Raw("SELECT id FROM contracts WHERE project_code = ? AND id > ? ORDER BY id LIMIT ?",
		project, after, limit).Scan(&ids).Error
	if err != nil {
		return nil, err
	}
	out := make([]*Contract, 0, len(ids))
	for _, id := range ids {
		c, err := s.Contract(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
