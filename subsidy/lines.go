package subsidy

import (
	"context"
	"slices"
	"strings"

	"gorm.io/gorm"

	"renofund/internal/money"
	"renofund/internal/store"
)

// draftLines computes a run's lines: the entitlement of every project in
// the scheme's scope, settled against what earlier paid runs of the same
// scheme code and period paid. Everything is read in a few bulk queries.
func (s *Service) draftLines(ctx context.Context, sc *Scheme, p Period) ([]Line, error) {
	district, err := s.reg.Payer(ctx, sc.Holder)
	if err != nil {
		return nil, err
	}
	projects, err := s.reg.Projects(ctx, district)
	if err != nil {
		return nil, err
	}
	contracts, err := s.managers.All(ctx)
	if err != nil {
		return nil, err
	}
	scores, err := s.currentScores(ctx, p.String())
	if err != nil {
		return nil, err
	}
	priors, err := s.priors(ctx, sc.Code, p.String())
	if err != nil {
		return nil, err
	}
	spans := p.countedSpans(sc.ValidFrom, sc.ValidTo)
	lines := make([]Line, 0, len(projects))
	for i := range projects {
		pr := &projects[i]
		var r *rated
		if v, ok := scores[pr.Code]; ok {
			r = &v
		}
		ls, err := sc.projectLines(pr, spans, r, contracts[pr.Code], priors[pr.Code])
		if err != nil {
			return nil, err
		}
		lines = append(lines, ls...)
	}
	for i := range lines {
		lines[i].Line = i + 1
	}
	return lines, nil
}

// priors sums, per project and company, what paid runs of the scheme code
// and period settled, and remembers the company as last paid.
func (s *Service) priors(ctx context.Context, scheme, period string) (map[string]*paidBefore, error) {
	rows, err := s.db.Conn(ctx).Raw(`SELECT l.project_code, l.amount, l.payee_name, l.payee_credit_code,
		l.payee_bank_account FROM subsidy_run_lines l JOIN subsidy_runs r ON r.id = l.run_id
		WHERE r.scheme_code = ? AND r.period = ? AND r.status = 'paid' AND l.amount <> 0
		ORDER BY r.approved_at, r.id, l.line`, scheme, period).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*paidBefore{}
	for rows.Next() {
		var code string
		var amount int64
		var name, cc, acct *string
		if err := rows.Scan(&code, &amount, &name, &cc, &acct); err != nil {
			return nil, err
		}
		pb := out[code]
		if pb == nil {
			pb = &paidBefore{by: map[string]prior{}}
			out[code] = pb
		}
		company := store.Str(cc)
		pr, ok := pb.by[company]
		if !ok {
			pb.order = append(pb.order, company)
		}
		pr.sum += money.Amount(amount)
		pr.paid = true
		if amount > 0 {
			pr.payee = &Payee{Name: store.Str(name), CreditCode: company, BankAccount: store.Str(acct)}
		}
		pb.by[company] = pr
	}
	return out, rows.Err()
}

var lineCols = []string{
	"run_id", "line", "project_code", "district_code", "score_x100", "band", "ratio", "base", "months",
	"entitlement", "settled", "amount", "capped", "status", "reason", "rating_version", "manager_version",
	"payee_name", "payee_credit_code", "payee_bank_account", "days_served", "period_days",
}

func insertLines(tx *gorm.DB, r *Run) error {
	rows := make([][]any, len(r.Lines))
	for i, l := range r.Lines {
		var score, rv, mv any
		if l.Score != nil {
			score = int64(*l.Score)
		}
		if l.RatingVersion > 0 {
			rv = l.RatingVersion
		}
		if l.ManagerVersion > 0 {
			mv = l.ManagerVersion
		}
		var pn, pc, pa, days, of any
		if l.PeriodDays > 0 {
			days, of = l.DaysServed, l.PeriodDays
		}
		if l.Payee != nil {
			pn, pc, pa = l.Payee.Name, l.Payee.CreditCode, l.Payee.BankAccount
		}
		rows[i] = []any{r.ID, l.Line, l.Project, l.District, score, l.Band, l.Ratio.String(), l.Base.String(),
			l.Months, int64(l.Entitlement), int64(l.Settled), int64(l.Amount), l.Capped, l.Status,
			store.Null(l.Reason), rv, mv, pn, pc, pa, days, of}
	}
	return store.InsertMany(tx, "subsidy_run_lines", lineCols, rows)
}

const selectLines = `SELECT line, project_code, district_code, score_x100, band, ratio, base, months, entitlement,
	settled, amount, capped, status, reason, rating_version, manager_version, payee_name, payee_credit_code,
	payee_bank_account, COALESCE(days_served, 0), COALESCE(period_days, 0) FROM subsidy_run_lines`

// loadLines reads a run's lines in line order, only one district's when
// district is set.
func (s *Service) loadLines(ctx context.Context, id, district string) ([]Line, error) {
	q, args := selectLines+" WHERE run_id = ?", []any{id}
	if district != "" {
		q += " AND district_code = ?"
		args = append(args, district)
	}
	rows, err := s.db.Conn(ctx).Raw(q+" ORDER BY line", args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Line
	for rows.Next() {
		var l Line
		var score *int64
		var ratio, base string
		var ent, settled, amount int64
		var reason, pn, pc, pa *string
		var rv, mv *int
		if err := rows.Scan(&l.Line, &l.Project, &l.District, &score, &l.Band, &ratio, &base, &l.Months, &ent,
			&settled, &amount, &l.Capped, &l.Status, &reason, &rv, &mv, &pn, &pc, &pa, &l.DaysServed, &l.PeriodDays); err != nil {
			return nil, err
		}
		l.Score = scoreOf(score)
		l.Ratio, l.Base = money.MustRate(ratio), money.MustRate(base)
		l.Entitlement, l.Settled, l.Amount = money.Amount(ent), money.Amount(settled), money.Amount(amount)
		l.Reason = store.Str(reason)
		if rv != nil {
			l.RatingVersion = *rv
		}
		if mv != nil {
			l.ManagerVersion = *mv
		}
		if pn != nil {
			l.Payee = &Payee{Name: *pn, CreditCode: store.Str(pc), BankAccount: store.Str(pa)}
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func sortDistricts(ds []DistrictTotal) {
	slices.SortFunc(ds, func(a, b DistrictTotal) int { return strings.Compare(a.District, b.District) })
}
