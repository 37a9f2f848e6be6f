package movement

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/factor"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
)

// PlanRecipient is one holder below the plan's source with its factor values.
type PlanRecipient struct {
	To          string     `json:"to"`
	AreaM2      money.Rate `json:"area_m2"`
	Households  int64      `json:"households"`
	Buildings   int64      `json:"buildings"`
	Communities int64      `json:"communities"`
	Coefficient money.Rate `json:"coefficient,omitempty"` // fiscal difficulty; default 1
	Performance money.Rate `json:"performance,omitempty"`
}

// PlanWeights are the year's factor weights.
type PlanWeights struct {
	Area        money.Rate `json:"area"`
	Households  money.Rate `json:"households"`
	Buildings   money.Rate `json:"buildings"`
	Communities money.Rate `json:"communities"`
	Performance money.Rate `json:"performance,omitempty"`
}

// PlanInput is the body of POST /v1/allocation-plans.
type PlanInput struct {
	Fund       string          `json:"fund"`
	From       string          `json:"from"`
	Total      money.Amount    `json:"total"`
	Recipients []PlanRecipient `json:"recipients"`
	Weights    PlanWeights     `json:"weights"`
	// PerformancePool is the share of the total split by performance score
	// alone (2022: "0.2"). When the weights sum to 1 on their own they are
	// read as shares of the rest and scaled by 1 − pool.
	PerformancePool money.Rate `json:"performance_pool,omitempty"`
	DocumentNo      string     `json:"document_no,omitempty"`
	Memo            string     `json:"memo,omitempty"`
	AllocatedOn     string     `json:"allocated_on,omitempty"`
}

// PlanShare is what one recipient gets.
type PlanShare struct {
	To     string       `json:"to"`
	Share  string       `json:"share"` // the exact fraction, 20 decimals
	Amount money.Amount `json:"amount"`
}

// Plan is a computed allocation, executed at most once.
type Plan struct {
	ID         string       `json:"id"`
	Status     string       `json:"status"` // draft or executed
	Fund       string       `json:"fund"`
	From       string       `json:"from"`
	Total      money.Amount `json:"total"`
	Shares     []PlanShare  `json:"shares"`
	Inputs     PlanInput    `json:"inputs"`
	CreatedBy  string       `json:"created_by"`
	CreatedAt  string       `json:"created_at"`
	ExecutedBy string       `json:"executed_by,omitempty"`
	ExecutedAt string       `json:"executed_at,omitempty"`
	Transfers  []string     `json:"transfers"`
}

func (in PlanInput) weights() (factor.Weights, error) {
	w := factor.Weights{Area: in.Weights.Area, Households: in.Weights.Households, Buildings: in.Weights.Buildings,
		Communities: in.Weights.Communities, Performance: in.Weights.Performance, PerformancePool: in.PerformancePool}
	pool := in.PerformancePool.Decimal()
	if pool.Sign() > 0 {
		sum := decimal.Sum(w.Area.Decimal(), w.Households.Decimal(), w.Buildings.Decimal(),
			w.Communities.Decimal(), w.Performance.Decimal())
		if sum.Equal(decimal.NewFromInt(1)) {
			rest := decimal.NewFromInt(1).Sub(pool)
			scale := func(r money.Rate) money.Rate { return money.RateFromDecimal(r.Decimal().Mul(rest)) }
			w.Area, w.Households, w.Buildings = scale(w.Area), scale(w.Households), scale(w.Buildings)
			w.Communities, w.Performance = scale(w.Communities), scale(w.Performance)
		}
	}
	return w, nil
}

// CreatePlan computes a factor-method allocation and stores it as a draft:
// shares rounded to the fen that sum exactly to the total, and a snapshot of
// the inputs. Nothing moves until the plan is executed.
func (s *Service) CreatePlan(ctx context.Context, in PlanInput) (*Plan, error) {
	if err := positive("total", in.Total); err != nil {
		return nil, err
	}
	if len(in.Recipients) == 0 || len(in.Recipients) > MaxBatch {
		return nil, fmt.Errorf("%w: a plan has 1 to %d recipients", errs.ErrInvalidRequest, MaxBatch)
	}
	f, from, err := s.source(ctx, in.Fund, in.From)
	if err != nil {
		return nil, err
	}
	if err := funding.Writable(access.From(ctx), from.District); err != nil {
		return nil, err
	}
	w, err := in.weights()
	if err != nil {
		return nil, err
	}
	rs := make([]factor.Recipient, len(in.Recipients))
	for i, r := range in.Recipients {
		rs[i] = factor.Recipient{ID: r.To, Area: r.AreaM2, Households: r.Households, Buildings: r.Buildings,
			Communities: r.Communities, Coefficient: r.Coefficient, Performance: r.Performance}
	}
	shares, err := factor.Allocate(in.Total, rs, w)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errs.ErrInvalidRequest, err)
	}
	p := &Plan{ID: ledger.NewID(), Status: "draft", Fund: f.Code, From: from.Name, Total: in.Total, Inputs: in,
		CreatedBy: access.From(ctx).Label(), CreatedAt: store.Now(), Transfers: []string{}}
	ctx = funding.WithLookups(ctx)
	for _, sh := range shares {
		p.Shares = append(p.Shares, PlanShare{To: sh.ID, Share: sh.Fraction, Amount: sh.Amount})
		// Check every leg now, so a plan that cannot execute is never stored.
		if sh.Amount > 0 {
			if _, err := s.AllocationTransfer(ctx, p.allocation(sh.ID, sh.Amount)); err != nil {
				return nil, fmt.Errorf("recipient %s: %w", sh.ID, err)
			}
		}
	}
	inputs, _ := json.Marshal(p.Inputs)
	out, _ := json.Marshal(p.Shares)
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO allocation_plans (id, fund_code, from_holder, total, inputs, shares, status, created_by, created_at)
			VALUES (?,?,?,?,?,?,?,?,?)`, p.ID, p.Fund, p.From, int64(p.Total), string(inputs), string(out), p.Status,
			p.CreatedBy, p.CreatedAt).Error
	})
	return p, err
}

func (p *Plan) allocation(to string, amount money.Amount) Allocation {
	return Allocation{Fund: p.Fund, From: p.From, To: to, Amount: amount, DocumentNo: p.Inputs.DocumentNo,
		Memo: p.Inputs.Memo, AllocatedOn: p.Inputs.AllocatedOn, PlanID: p.ID}
}

// ExecutePlan posts every share of a draft plan as one allocation, all in one
// transaction, each linked to the plan. Executing an executed plan returns it
// and posts nothing, however many callers race.
func (s *Service) ExecutePlan(ctx context.Context, id string) (*Plan, error) {
	var p *Plan
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		if p, err = s.Plan(ctx, id); err != nil {
			return err
		}
		from, err := s.reg.Holder(ctx, p.From)
		if err != nil {
			return err
		}
		if err := funding.Writable(access.From(ctx), from.District); err != nil {
			return err
		}
		a := access.From(ctx)
		if p.Status == "draft" {
			// The one who computed the plan does not also execute it.
			if err := a.Approves(p.CreatedBy, "allocation plan "+id); err != nil {
				return err
			}
		}
		now := store.Now()
		res := tx.Exec("UPDATE allocation_plans SET status = 'executed', executed_by = ?, executed_at = ? WHERE id = ? AND status = 'draft'",
			a.Label(), now, id)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			p, err = s.plan(ctx, id) // executed by someone else: report it as it stands
			return err
		}
		ctx = funding.WithLookups(ctx)
		var ts []*ledger.Transfer
		for _, sh := range p.Shares {
			if sh.Amount == 0 {
				continue
			}
			t, err := s.AllocationTransfer(ctx, p.allocation(sh.To, sh.Amount))
			if err != nil {
				return fmt.Errorf("recipient %s: %w", sh.To, err)
			}
			t.PreparedBy, t.ApprovedBy = p.CreatedBy, a.Label()
			ts = append(ts, t)
		}
		if err := s.ledger.Post(ctx, ts...); err != nil {
			return err
		}
		p.Status, p.ExecutedBy, p.ExecutedAt = "executed", a.Label(), now
		for _, t := range ts {
			p.Transfers = append(p.Transfers, t.ID)
		}
		return nil
	})
	return p, err
}

// Plan returns a plan the actor may see.
func (s *Service) Plan(ctx context.Context, id string) (*Plan, error) {
	p, err := s.plan(ctx, id)
	if err != nil {
		return nil, err
	}
	from, _ := funding.ParseHolder(p.From) // the city or a district: its name says which
	if !access.From(ctx).Sees(from.District) {
		return nil, fmt.Errorf("%w: plan %s", errs.ErrNotFound, id)
	}
	return p, nil
}

// planRow is a stored plan.
type planRow struct {
	ID, FundCode, FromHolder, Inputs, Shares, Status, CreatedBy, CreatedAt string
	Total                                                                  int64
	ExecutedBy, ExecutedAt                                                 *string
}

const selectPlan = `SELECT id, fund_code, from_holder, total, inputs, shares, status, created_by, created_at,
	executed_by, executed_at FROM allocation_plans`

// plan decodes the row; Transfers is left empty.
func (r planRow) plan() (*Plan, error) {
	p := &Plan{ID: r.ID, Status: r.Status, Fund: r.FundCode, From: r.FromHolder, Total: money.Amount(r.Total),
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, ExecutedBy: store.Str(r.ExecutedBy),
		ExecutedAt: store.Str(r.ExecutedAt), Transfers: []string{}}
	if err := json.Unmarshal([]byte(r.Inputs), &p.Inputs); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(r.Shares), &p.Shares); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Service) plan(ctx context.Context, id string) (*Plan, error) {
	var rows []planRow
	if err := s.db.Conn(ctx).Raw(selectPlan+" WHERE id = ?", id).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w: plan %s", errs.ErrNotFound, id)
	}
	p, err := rows[0].plan()
	if err != nil {
		return nil, err
	}
	ts, err := s.ledger.All(ctx, ledger.Filter{Plan: id})
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		p.Transfers = append(p.Transfers, t.ID)
	}
	return p, nil
}

// PlanFilter selects plans for Plans; empty fields select all.
type PlanFilter struct {
	Status string // draft or executed
	Fund   string
	After  string // cursor: the last id of the previous page
	Limit  int
}

// PlanSummary is a plan in a list: what it allocates and where it stands,
// without its shares and transfers (GET /v1/allocation-plans/{id} has them).
type PlanSummary struct {
	ID         string       `json:"id"`
	Status     string       `json:"status"`
	Fund       string       `json:"fund"`
	From       string       `json:"from"`
	Total      money.Amount `json:"total"`
	Recipients int          `json:"recipients"`
	DocumentNo string       `json:"document_no,omitempty"`
	CreatedBy  string       `json:"created_by"`
	CreatedAt  string       `json:"created_at"`
	ExecutedBy string       `json:"executed_by,omitempty"`
	ExecutedAt string       `json:"executed_at,omitempty"`
}

// Plans lists, in id order, the plans the actor may read: a district the
// plans allocating from its own holder, other readers every plan.
func (s *Service) Plans(ctx context.Context, f PlanFilter) ([]PlanSummary, error) {
	q, args := selectPlan+" WHERE id > ?", []any{f.After}
	if f.Status != "" {
		if f.Status != "draft" && f.Status != "executed" {
			return nil, fmt.Errorf("%w: status %q is neither draft nor executed", errs.ErrInvalidRequest, f.Status)
		}
		q, args = q+" AND status = ?", append(args, f.Status)
	}
	if f.Fund != "" {
		if _, err := s.reg.Fund(ctx, f.Fund); err != nil {
			return nil, err
		}
		q, args = q+" AND fund_code = ?", append(args, f.Fund)
	}
	if a := access.From(ctx); a.Role == access.District {
		q, args = q+" AND from_holder = ?", append(args, funding.DistrictHolder(a.District))
	}
	var rows []planRow
	if err := s.db.Conn(ctx).Raw(q+" ORDER BY id LIMIT ?", append(args, f.Limit)...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]PlanSummary, len(rows))
	for i, r := range rows {
		p, err := r.plan()
		if err != nil {
			return nil, err
		}
		out[i] = PlanSummary{ID: p.ID, Status: p.Status, Fund: p.Fund, From: p.From, Total: p.Total,
			Recipients: len(p.Shares), DocumentNo: p.Inputs.DocumentNo, CreatedBy: p.CreatedBy, CreatedAt: p.CreatedAt,
			ExecutedBy: p.ExecutedBy, ExecutedAt: p.ExecutedAt}
	}
	return out, nil
}
