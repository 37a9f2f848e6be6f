package funding

import (
	"context"
	"fmt"
	"time"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/money"
)

// BudgetLine is one project's budget and spending in one category.
type BudgetLine struct {
	Project   string       `json:"project"`
	District  string       `json:"district"`
	Category  string       `json:"category"`
	Budget    money.Amount `json:"budget"`
	Spent     money.Amount `json:"spent"`
	Remaining money.Amount `json:"remaining"` // negative when over budget
}

// BudgetReport compares each project's spending per category with its
// budget, for one district or all the actor may see.
func (s *Service) BudgetReport(ctx context.Context, district string) ([]BudgetLine, error) {
	district, err := access.From(ctx).Area(district)
	if err != nil {
		return nil, err
	}
	// Spending is summed per project first, from the payments themselves
	// (each names its project and category), then set beside the budgets.
	spentWhere, args := "", []any{}
	if district != "" {
		spentWhere, args = " AND t.district_code = ?", []any{district}
	}
	q := `SELECT pr.code AS project, pr.district_code AS district, pr.budget_basic, pr.budget_improvement, pr.budget_upgrade,
		COALESCE(s.basic, 0) AS spent_basic, COALESCE(s.improvement, 0) AS spent_improvement, COALESCE(s.upgrade, 0) AS spent_upgrade
		FROM projects pr LEFT JOIN (
			SELECT t.project_code AS project,
				SUM(CASE WHEN t.category = 'basic' THEN -p.amount ELSE 0 END) AS basic,
				SUM(CASE WHEN t.category = 'improvement' THEN -p.amount ELSE 0 END) AS improvement,
				SUM(CASE WHEN t.category = 'upgrade' THEN -p.amount ELSE 0 END) AS upgrade
			FROM transfers t JOIN postings p ON p.transfer_id = t.id AND p.holder = 'project:' || t.project_code
			WHERE t.base_type IN ('expenditure', 'subsidy_payment')` + spentWhere + `
			GROUP BY t.project_code) s ON s.project = pr.code`
	if district != "" {
		q += " WHERE pr.district_code = ?"
		args = append(args, district)
	}
	q += " ORDER BY pr.code"
	var rows []struct {
		Project, District                             string
		BudgetBasic, BudgetImprovement, BudgetUpgrade int64
		SpentBasic, SpentImprovement, SpentUpgrade    int64
	}
	if err := s.db.Conn(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]BudgetLine, 0, 3*len(rows))
	for _, r := range rows {
		for _, c := range []struct {
			cat           string
			budget, spent int64
		}{{Basic, r.BudgetBasic, r.SpentBasic}, {Improvement, r.BudgetImprovement, r.SpentImprovement}, {Upgrade, r.BudgetUpgrade, r.SpentUpgrade}} {
			out = append(out, BudgetLine{Project: r.Project, District: r.District, Category: c.cat,
				Budget: money.Amount(c.budget), Spent: money.Amount(c.spent), Remaining: money.Amount(c.budget - c.spent)})
		}
	}
	return out, nil
}

// IdleLine is money held without moving on.
type IdleLine struct {
	Fund      string       `json:"fund"`
	Kind      string       `json:"kind"`
	Holder    string       `json:"holder"`
	District  string       `json:"district"`
	Balance   money.Amount `json:"balance"`
	IdleSince string       `json:"idle_since"`
	DaysIdle  int          `json:"days_idle"`
}

// IdleReport lists holdings with money that has not been allocated onward or
// spent for more than days days before asOf: idle since the last outflow, or
// since the first inflow when nothing has gone out. The holdings lead the
// join (CROSS JOIN fixes SQLite's loop order): only those with money matter.
func (s *Service) IdleReport(ctx context.Context, days int, asOf time.Time) ([]IdleLine, error) {
	if days < 0 || days > 36500 {
		return nil, fmt.Errorf("%w: days must be from 0 to 36500", errs.ErrInvalidRequest)
	}
	a := access.From(ctx)
	q := `SELECT h.fund_code AS fund, f.kind AS kind, h.holder AS holder, COALESCE(h.district_code, 'city') AS district,
		h.balance AS balance,
		COALESCE(MAX(CASE WHEN p.amount < 0 THEN t.booked_on END), MIN(CASE WHEN p.amount > 0 THEN t.booked_on END)) AS idle_since
		FROM holdings h CROSS JOIN postings p CROSS JOIN transfers t JOIN funds f ON f.code = h.fund_code
		WHERE h.balance > 0 AND p.fund_code = h.fund_code AND p.holder = h.holder AND t.id = p.transfer_id`
	var args []any
	if a.Role == access.District {
		q += " AND h.district_code = ?"
		args = append(args, a.District)
	}
	q += " GROUP BY h.fund_code, f.kind, h.holder, h.district_code, h.balance ORDER BY h.fund_code, h.holder"
	var rows []struct {
		Fund, Kind, Holder, District, IdleSince string
		Balance                                 int64
	}
	if err := s.db.Conn(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	cutoff := asOf.AddDate(0, 0, -days).Format(time.DateOnly)
	out := []IdleLine{}
	for _, r := range rows {
		if r.IdleSince >= cutoff {
			continue
		}
		since, _ := time.Parse(time.DateOnly, r.IdleSince)
		out = append(out, IdleLine{Fund: r.Fund, Kind: r.Kind, Holder: r.Holder, District: r.District,
			Balance: money.Amount(r.Balance), IdleSince: r.IdleSince, DaysIdle: int(asOf.Sub(since).Hours() / 24)})
	}
	return out, nil
}
