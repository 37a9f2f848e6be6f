package report

import (
	"context"
	"fmt"
	"sort"
	"time"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/ledger"
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

// retention finds money at the city or a district that arrived more than
// the pass-down deadline ago and has not gone on: inflows are consumed by
// outflows first in, first out, and what is left of an old inflow is late.
func (s *Service) retention(ctx context.Context, asOf time.Time) ([]Exception, error) {
	district, err := access.From(ctx).Area("")
	if err != nil {
		return nil, err
	}
	entries, err := s.ledger.Entries(ctx, ledger.HoldingFilter{District: district, Positive: true, AboveProjects: true})
	if err != nil {
		return nil, err
	}
	funds, err := fundsOf(ctx, s, entries, func(x ledger.Entry) string { return x.Fund })
	if err != nil {
		return nil, err
	}
	type lot struct {
		on     string
		amount money.Amount
	}
	var out []Exception
	flush := func(e ledger.Entry, lots []lot) {
		days := PassDownDays
		if specialKinds[funds[e.Fund].Kind] {
			days = PassDownSpecialDays
		}
		cutoff := asOf.AddDate(0, 0, -days).Format(time.DateOnly)
		var late money.Amount
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
				Subject: e.Fund + " at " + e.Holder, District: e.District, Amount: late,
				Detail: fmt.Sprintf("%s received since %s not passed down within %d days", late, oldest, days)})
		}
	}
	// Inflows are consumed by outflows first in, first out; what is left
	// of an old inflow is late.
	var lots []lot
	for i, e := range entries {
		if i > 0 && (e.Fund != entries[i-1].Fund || e.Holder != entries[i-1].Holder) {
			flush(entries[i-1], lots)
			lots = nil
		}
		if e.Amount > 0 {
			lots = append(lots, lot{e.BookedOn, e.Amount})
			continue
		}
		outflow := -e.Amount
		for j := range lots {
			take := min(outflow, lots[j].amount)
			lots[j].amount -= take
			outflow -= take
		}
	}
	if len(entries) > 0 {
		flush(entries[len(entries)-1], lots)
	}
	return out, nil
}

func (s *Service) diversions(ctx context.Context, _ time.Time) ([]Exception, error) {
	district, err := access.From(ctx).Area("")
	if err != nil {
		return nil, err
	}
	ts, err := s.ledger.All(ctx, ledger.Filter{District: district, Type: ledger.TypeExpenditure, Forced: true, Unreversed: true})
	var out []Exception
	for _, t := range ts {
		out = append(out, Exception{Code: ExDiversion, Rule: "财政违法行为处罚处分条例 §6 (挪用 / 扩大开支范围)", Severity: "high",
			Subject: "voucher " + t.VoucherNo, District: t.District, Amount: t.Amount,
			Detail: fmt.Sprintf("%s paid for %s at %s outside the fund's categories, forced by the finance bureau: %s",
				t.Amount, t.Category, t.Project, t.ForcedReason)})
	}
	return out, err
}

// votes flags spending from vote-bound funds paid before the vote was held,
// or under a vote that no longer passes the Civil Code test.
func (s *Service) votes(ctx context.Context, _ time.Time) ([]Exception, error) {
	district, err := access.From(ctx).Area("")
	if err != nil {
		return nil, err
	}
	funds, err := s.reg.Funds(ctx, funding.FundFilter{Kinds: []string{"maintenance_fund", "public_revenue"}, District: district})
	if err != nil {
		return nil, err
	}
	spending, err := s.ledger.Spending(ctx, funding.Codes(funds))
	if err != nil {
		return nil, err
	}
	byCode := map[string]*funding.Fund{}
	for _, f := range funds {
		byCode[f.Code] = f
	}
	var out []Exception
	for _, sp := range spending {
		if sp.Spent == 0 {
			continue
		}
		f := byCode[sp.Fund]
		problem := ""
		switch {
		case f.Vote == nil:
			problem = "no owners' vote is recorded"
		case f.Vote.Check() != nil:
			problem = "the recorded vote does not pass: " + f.Vote.Check().Error()
		case sp.FirstPaid != "" && sp.FirstPaid < f.Vote.HeldOn:
			problem = "money was paid on " + sp.FirstPaid + ", before the vote of " + f.Vote.HeldOn
		}
		if problem != "" {
			out = append(out, Exception{Code: ExVoteMissing, Rule: "民法典 §278", Severity: "high", Subject: "fund " + f.Code,
				District: f.District, Amount: sp.Spent, Detail: f.Kind + " spent, but " + problem})
		}
	}
	return out, nil
}

func (s *Service) directRouted(ctx context.Context, _ time.Time) ([]Exception, error) {
	district, err := access.From(ctx).Area("")
	if err != nil {
		return nil, err
	}
	direct, err := s.reg.Funds(ctx, funding.FundFilter{Direct: true})
	if err != nil {
		return nil, err
	}
	ts, err := s.ledger.All(ctx, ledger.Filter{District: district, Type: ledger.TypeAllocation, Funds: funding.Codes(direct),
		ToDistrict: true, Unreversed: true})
	var out []Exception
	for _, t := range ts {
		out = append(out, Exception{Code: ExDirectRouted, Rule: "财预〔2020〕56号 (直达资金)", Severity: "medium",
			Subject: "voucher " + t.VoucherNo, District: t.District, Amount: t.Amount,
			Detail: fmt.Sprintf("direct fund %s routed through %s instead of straight to the final payee", t.Fund, t.To)})
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
	district, err := access.From(ctx).Area("")
	if err != nil {
		return nil, err
	}
	horizon := asOf.AddDate(0, 0, ExpiryHorizonDays).Format(time.DateOnly)
	funds, err := s.reg.Funds(ctx, funding.FundFilter{ExpiresBy: horizon})
	if err != nil {
		return nil, err
	}
	hs, err := s.ledger.Holdings(ctx, ledger.HoldingFilter{Funds: funding.Codes(funds), District: district, Positive: true})
	if err != nil {
		return nil, err
	}
	expires := map[string]string{}
	for _, f := range funds {
		expires[f.Code] = f.ExpiresOn
	}
	var out []Exception
	today := asOf.Format(time.DateOnly)
	for _, h := range hs {
		sev, verb := "medium", "expires on"
		if expires[h.Fund] < today {
			sev, verb = "high", "expired on"
		}
		out = append(out, Exception{Code: ExExpiring, Rule: "fund expiry (资金到期未用)", Severity: sev, Subject: h.Fund + " at " + h.Holder,
			District: h.District, Amount: h.Balance, Detail: fmt.Sprintf("%s unspent; the fund %s %s", h.Balance, verb, expires[h.Fund])})
	}
	return out, nil
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

func districtOf(area string) string {
	if area == "city" {
		return ""
	}
	return area
}
