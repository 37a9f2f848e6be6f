package funding

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"renofund/internal/access"
	"renofund/internal/money"
)

// Exception is a rule an auditor should look at. Codes are named after the
// rule broken (财政违法行为处罚处分条例 §6, 预算法 §52, 民法典 §278, 财预〔2020〕56号).
type Exception struct {
	Code     string       `json:"code"`
	Rule     string       `json:"rule"`
	Severity string       `json:"severity"` // high, medium, low
	Subject  string       `json:"subject"`
	District string       `json:"district,omitempty"`
	Amount   money.Amount `json:"amount"`
	Detail   string       `json:"detail"`
}

// Exception codes.
const (
	ExRetention    = "retention"          // 滞留: not passed down within the deadline
	ExDiversion    = "diversion"          // 挪用 / 扩大开支范围: paid outside the fund's categories
	ExVoteMissing  = "vote_missing"       // maintenance fund or public revenue used without a passing vote in force
	ExDirectRouted = "direct_fund_routed" // a direct fund routed through an intermediate holder
	ExIdleMoney    = "idle_money"         // held without moving on
	ExExpiring     = "expiring_unspent"   // a fund expiring (or expired) with money unspent
	ExOverBudget   = "over_budget"        // a category spent beyond its budget
)

// Deadlines and horizons for the checks.
const (
	PassDownDays        = 30 // 预算法 §52, general transfers
	PassDownSpecialDays = 60 // special transfers
	IdleDays            = 90
	ExpiryHorizonDays   = 60
)

// specialKinds are passed down under the 60-day deadline.
var specialKinds = map[string]bool{"special_fund": true, "special_bond": true, "central_investment": true}

// Exceptions runs every check as of asOf; a district sees its own, and
// each check looks only at that district's rows.
func (s *Service) Exceptions(ctx context.Context, asOf time.Time) ([]Exception, error) {
	var out []Exception
	for _, check := range []func(context.Context, time.Time) ([]Exception, error){
		s.retention, s.diversions, s.votes, s.directRouted, s.idle, s.expiring, s.overBudget,
	} {
		ex, err := check(ctx, asOf)
		if err != nil {
			return nil, err
		}
		out = append(out, ex...)
	}
	return out, nil
}

// scope is the condition (and its argument) that keeps a district actor to
// its own district's rows of a column; nothing for the others.
func scope(ctx context.Context, column string) (string, []any) {
	if a := access.From(ctx); a.Role == access.District {
		return " AND " + column + " = ?", []any{a.District}
	}
	return "", nil
}

// The reads below name the small table first and join with CROSS JOIN,
// which SQLite's planner takes as the order to loop in (PostgreSQL treats it
// as a plain join and plans freely): a handful of holdings or funds should
// lead, not a scan of every posting.

// retention finds money at the city or a district that arrived more than
// the pass-down deadline ago and has not gone on: inflows are consumed by
// outflows first in, first out, and what is left of an old inflow is late.
func (s *Service) retention(ctx context.Context, asOf time.Time) ([]Exception, error) {
	var rows []struct {
		FundCode, Kind, Holder string
		District               *string
		BookedOn               string
		Amount                 int64
	}
	cond, args := scope(ctx, "h.district_code")
	err := s.db.Conn(ctx).Raw(`SELECT p.fund_code AS fund_code, f.kind AS kind, p.holder AS holder, h.district_code AS district,
		t.booked_on AS booked_on, p.amount AS amount
		FROM holdings h CROSS JOIN postings p CROSS JOIN transfers t JOIN funds f ON f.code = p.fund_code
		WHERE h.project_code IS NULL AND h.balance > 0 AND p.fund_code = h.fund_code AND p.holder = h.holder
		AND t.id = p.transfer_id`+cond+`
		ORDER BY p.fund_code, p.holder, t.booked_on, t.voucher_seq`, args...).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	type lot struct {
		on     string
		amount int64
	}
	var out []Exception
	flush := func(fund, kind, holder, district string, lots []lot) {
		days := PassDownDays
		if specialKinds[kind] {
			days = PassDownSpecialDays
		}
		cutoff := asOf.AddDate(0, 0, -days).Format(time.DateOnly)
		var late int64
		oldest := ""
		for _, l := range lots {
			if l.amount > 0 && l.on < cutoff {
				late += l.amount
				if oldest == "" {
					oldest = l.on
				}
			}
		}
		if late > 0 {
			out = append(out, Exception{Code: ExRetention, Rule: "预算法 §52 (滞留)", Severity: "high",
				Subject: fund + " at " + holder, District: district, Amount: money.Amount(late),
				Detail: fmt.Sprintf("%s received since %s not passed down within %d days", money.Amount(late), oldest, days)})
		}
	}
	var lots []lot
	var cur [3]string
	curDistrict := ""
	for i, r := range rows {
		k := [3]string{r.FundCode, r.Kind, r.Holder}
		if i == 0 || k != cur {
			if i > 0 {
				flush(cur[0], cur[1], cur[2], curDistrict, lots)
			}
			cur, lots, curDistrict = k, nil, ""
			if r.District != nil {
				curDistrict = *r.District
			}
		}
		if r.Amount > 0 {
			lots = append(lots, lot{r.BookedOn, r.Amount})
			continue
		}
		out := -r.Amount
		for j := range lots {
			take := min(out, lots[j].amount)
			lots[j].amount -= take
			out -= take
		}
	}
	if len(rows) > 0 {
		flush(cur[0], cur[1], cur[2], curDistrict, lots)
	}
	return out, nil
}

func (s *Service) diversions(ctx context.Context, _ time.Time) ([]Exception, error) {
	var rows []struct {
		ID, VoucherNo, Project, Category, ForcedReason, District string
		Amount                                                   int64
	}
	cond, args := scope(ctx, "t.district_code")
	err := s.db.Conn(ctx).Raw(`SELECT t.id, t.voucher_no, t.project_code AS project, t.category, t.forced_reason,
		t.district_code AS district, t.amount
		FROM transfers t WHERE t.forced_reason IS NOT NULL AND t.type <> 'reversal'`+cond+`
		AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.reversal_of = t.id) ORDER BY t.id`, args...).Scan(&rows).Error
	var out []Exception
	for _, r := range rows {
		out = append(out, Exception{Code: ExDiversion, Rule: "财政违法行为处罚处分条例 §6 (挪用 / 扩大开支范围)", Severity: "high",
			Subject: "voucher " + r.VoucherNo, District: r.District, Amount: money.Amount(r.Amount),
			Detail: fmt.Sprintf("%s paid for %s at %s outside the fund's categories, forced by the finance bureau: %s",
				money.Amount(r.Amount), r.Category, r.Project, r.ForcedReason)})
	}
	return out, err
}

// votes flags spending from vote-bound funds paid before the vote was held,
// or under a vote that no longer passes the Civil Code test.
func (s *Service) votes(ctx context.Context, _ time.Time) ([]Exception, error) {
	var rows []struct {
		Code, Kind string
		District   *string
		Vote       *string
		Spent      int64
		FirstPaid  *string
	}
	cond, args := scope(ctx, "f.district_code")
	err := s.db.Conn(ctx).Raw(`SELECT f.code AS code, f.kind AS kind, f.district_code AS district, f.vote AS vote,
		COALESCE(-SUM(CASE WHEN t.base_type = 'expenditure' AND p.holder <> 'external' THEN p.amount END), 0) AS spent,
		MIN(CASE WHEN t.type = 'expenditure' THEN t.booked_on END) AS first_paid
		FROM funds f CROSS JOIN postings p CROSS JOIN transfers t
		WHERE f.kind IN ('maintenance_fund', 'public_revenue') AND p.fund_code = f.code AND t.id = p.transfer_id`+cond+`
		GROUP BY f.code, f.kind, f.district_code, f.vote ORDER BY f.code`, args...).Scan(&rows).Error
	var out []Exception
	for _, r := range rows {
		if r.Spent == 0 {
			continue
		}
		problem := ""
		var v Vote
		switch {
		case r.Vote == nil || json.Unmarshal([]byte(*r.Vote), &v) != nil:
			problem = "no owners' vote is recorded"
		case v.Check() != nil:
			problem = "the recorded vote does not pass: " + v.Check().Error()
		case r.FirstPaid != nil && *r.FirstPaid < v.HeldOn:
			problem = "money was paid on " + *r.FirstPaid + ", before the vote of " + v.HeldOn
		}
		if problem != "" {
			out = append(out, Exception{Code: ExVoteMissing, Rule: "民法典 §278", Severity: "high", Subject: "fund " + r.Code,
				District: deref(r.District), Amount: money.Amount(r.Spent), Detail: r.Kind + " spent, but " + problem})
		}
	}
	return out, err
}

func (s *Service) directRouted(ctx context.Context, _ time.Time) ([]Exception, error) {
	var rows []struct {
		VoucherNo, Fund, ToHolder, District string
		Amount                              int64
	}
	cond, args := scope(ctx, "t.district_code")
	err := s.db.Conn(ctx).Raw(`SELECT t.voucher_no AS voucher_no, t.fund_code AS fund, t.to_holder AS to_holder,
		t.district_code AS district, t.amount AS amount
		FROM funds f JOIN transfers t ON t.fund_code = f.code
		WHERE f.direct AND t.type = 'allocation' AND t.to_holder LIKE 'district:%'`+cond+`
		AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.reversal_of = t.id) ORDER BY t.id`, args...).Scan(&rows).Error
	var out []Exception
	for _, r := range rows {
		out = append(out, Exception{Code: ExDirectRouted, Rule: "财预〔2020〕56号 (直达资金)", Severity: "medium",
			Subject: "voucher " + r.VoucherNo, District: r.District, Amount: money.Amount(r.Amount),
			Detail: fmt.Sprintf("direct fund %s routed through %s instead of straight to the final payee", r.Fund, r.ToHolder)})
	}
	return out, err
}

func (s *Service) idle(ctx context.Context, asOf time.Time) ([]Exception, error) {
	lines, err := s.IdleReport(ctx, IdleDays, asOf)
	var out []Exception
	for _, l := range lines {
		out = append(out, Exception{Code: ExIdleMoney, Rule: "idle money (资金闲置)", Severity: "low", Subject: l.Fund + " at " + l.Holder,
			District: districtOf(l.District), Amount: l.Balance, Detail: fmt.Sprintf("held without moving on since %s (%d days)", l.IdleSince, l.DaysIdle)})
	}
	return out, err
}

func (s *Service) expiring(ctx context.Context, asOf time.Time) ([]Exception, error) {
	horizon := asOf.AddDate(0, 0, ExpiryHorizonDays).Format(time.DateOnly)
	var rows []struct {
		Code, ExpiresOn, Holder string
		District                *string
		Balance                 int64
	}
	cond, args := scope(ctx, "h.district_code")
	err := s.db.Conn(ctx).Raw(`SELECT f.code AS code, f.expires_on AS expires_on, h.holder AS holder, h.district_code AS district,
		h.balance AS balance FROM funds f JOIN holdings h ON h.fund_code = f.code
		WHERE f.expires_on IS NOT NULL AND f.expires_on <= ? AND h.balance > 0`+cond+` ORDER BY f.code, h.holder`,
		append([]any{horizon}, args...)...).Scan(&rows).Error
	var out []Exception
	today := asOf.Format(time.DateOnly)
	for _, r := range rows {
		sev, verb := "medium", "expires on"
		if r.ExpiresOn < today {
			sev, verb = "high", "expired on"
		}
		out = append(out, Exception{Code: ExExpiring, Rule: "fund expiry (资金到期未用)", Severity: sev, Subject: r.Code + " at " + r.Holder,
			District: deref(r.District), Amount: money.Amount(r.Balance), Detail: fmt.Sprintf("%s unspent; the fund %s %s", money.Amount(r.Balance), verb, r.ExpiresOn)})
	}
	return out, err
}

func (s *Service) overBudget(ctx context.Context, _ time.Time) ([]Exception, error) {
	lines, err := s.BudgetReport(ctx, "")
	var out []Exception
	for _, l := range lines {
		if l.Remaining < 0 {
			out = append(out, Exception{Code: ExOverBudget, Rule: "budget (超预算)", Severity: "medium", Subject: l.Project + " " + l.Category,
				District: l.District, Amount: -l.Remaining, Detail: fmt.Sprintf("spent %s against a budget of %s", l.Spent, l.Budget)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Subject < out[j].Subject })
	return out, err
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func districtOf(area string) string {
	if area == "city" {
		return ""
	}
	return area
}
