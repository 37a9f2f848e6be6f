package funding

import (
	"context"
	"fmt"

	"renofund/internal/access"
	"renofund/internal/ledger"
	"renofund/internal/money"
)

// FundLine is one fund's money at a project.
type FundLine struct {
	Fund      string       `json:"fund"`
	Kind      string       `json:"kind"`
	Received  money.Amount `json:"received"`
	Spent     money.Amount `json:"spent"`
	Available money.Amount `json:"available"`
}

// CategoryLine is a category's budget and spending at a project.
type CategoryLine struct {
	Category string       `json:"category"`
	Budget   money.Amount `json:"budget"`
	Spent    money.Amount `json:"spent"`
}

// ProjectFunding is where a project's money came from and went.
type ProjectFunding struct {
	Project    string         `json:"project"`
	Funds      []FundLine     `json:"funds"`
	Categories []CategoryLine `json:"categories"`
	Totals     Totals         `json:"totals"`
}

// ProjectFunding sums, per fund, what reached the project (receipts and
// allocations), what it spent and what it holds, and spending per category
// against budget; all net of reversals.
func (s *Service) ProjectFunding(ctx context.Context, code string) (*ProjectFunding, error) {
	p, err := s.Project(ctx, code)
	if err != nil {
		return nil, err
	}
	holder := holderOf(code)
	var rows []struct {
		FundCode string
		Kind     string
		Received int64
		Spent    int64
		Balance  int64
	}
	err = s.db.Conn(ctx).Raw(`SELECT h.fund_code AS fund_code, f.kind AS kind, h.balance AS balance,
		COALESCE((SELECT SUM(p.amount) FROM postings p JOIN transfers t ON t.id = p.transfer_id
			WHERE p.fund_code = h.fund_code AND p.holder = h.holder
			AND (t.base_type = 'receipt' OR (t.base_type = 'allocation' AND t.to_holder = h.holder))), 0) AS received,
		COALESCE((SELECT -SUM(p.amount) FROM postings p JOIN transfers t ON t.id = p.transfer_id
			WHERE p.fund_code = h.fund_code AND p.holder = h.holder
			AND t.base_type IN ('expenditure', 'subsidy_payment')), 0) AS spent
		FROM holdings h JOIN funds f ON f.code = h.fund_code
		WHERE h.holder = ? ORDER BY h.fund_code`, holder).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	v := &ProjectFunding{Project: code, Funds: make([]FundLine, 0, len(rows))}
	for _, r := range rows {
		l := FundLine{Fund: r.FundCode, Kind: r.Kind, Received: money.Amount(r.Received),
			Spent: money.Amount(r.Spent), Available: money.Amount(r.Balance)}
		v.Funds = append(v.Funds, l)
		r, ok1 := money.Sum(v.Totals.Received, l.Received)
		sp, ok2 := money.Sum(v.Totals.Spent, l.Spent)
		av, ok3 := money.Sum(v.Totals.Available, l.Available)
		if !ok1 || !ok2 || !ok3 {
			return nil, ErrTooLarge
		}
		v.Totals.Received, v.Totals.Spent, v.Totals.Available = r, sp, av
	}
	var cats []struct {
		Category string
		Spent    int64
	}
	err = s.db.Conn(ctx).Raw(`SELECT t.category AS category, -SUM(p.amount) AS spent
		FROM postings p JOIN transfers t ON t.id = p.transfer_id
		WHERE p.holder = ? AND t.base_type IN ('expenditure', 'subsidy_payment') AND t.category IS NOT NULL
		GROUP BY t.category`, holder).Scan(&cats).Error
	if err != nil {
		return nil, err
	}
	spent := map[string]money.Amount{}
	for _, c := range cats {
		spent[c.Category] = money.Amount(c.Spent)
	}
	for _, c := range Categories {
		v.Categories = append(v.Categories, CategoryLine{Category: c, Budget: p.Budget.For(c), Spent: spent[c]})
	}
	return v, nil
}

// Transfers lists transfers the actor may see.
func (s *Service) Transfers(ctx context.Context, f ledger.Filter) ([]*ledger.Transfer, error) {
	var err error
	if f.District, err = access.From(ctx).Area(f.District); err != nil {
		return nil, err
	}
	if f.Project != "" {
		if _, err := s.Project(ctx, f.Project); err != nil {
			return nil, err
		}
	}
	return s.ledger.List(ctx, f)
}

// Transfer returns one transfer the actor may see.
func (s *Service) Transfer(ctx context.Context, id string) (*ledger.Transfer, error) {
	t, err := s.ledger.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !access.From(ctx).Sees(t.District) {
		return nil, fmt.Errorf("%w %s", ledger.ErrTransferNotFound, id)
	}
	return t, nil
}
