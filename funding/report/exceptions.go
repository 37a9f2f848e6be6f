package report

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/ledger/clues"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/window"
)

// Exception is a rule an auditor should look at. Codes are named after the
// rule broken (财政违法行为处罚处分条例 §6, 预算法 §52, 民法典 §278, 财预〔2020〕56号).
// ID is the finding's code and what it is about ("retention:CG@city"), so
// a finding keeps its id from one call to the next; On is the booking date
// it dates from (the oldest money held back, the payment, the last payment
// over budget, a fund's expiry); Status is where the auditor's review of it
// stands (see Review).
type Exception struct {
	ID       string       `json:"id"`
	Code     string       `json:"code"`
	Rule     string       `json:"rule"`
	Severity string       `json:"severity"` // high, medium, low
	Subject  string       `json:"subject"`
	District string       `json:"district,omitempty"`
	Amount   money.Amount `json:"amount"`
	On       string       `json:"on"`
	Detail   string       `json:"detail"`
	Status   string       `json:"status"`
}

// Exception codes.
const (
	ExRetention    = "retention"              // 滞留: not passed down within the deadline
	ExDiversion    = "diversion"              // 挪用 / 扩大开支范围: paid outside the fund's categories
	ExVoteMissing  = "vote_missing"           // maintenance fund or public revenue used without a passing vote in force
	ExDirectRouted = "direct_fund_routed"     // a direct fund routed through an intermediate holder
	ExIdleMoney    = "idle_money"             // held without moving on
	ExExpiring     = "expiring_unspent"       // a fund expiring (or expired) with money unspent
	ExOverBudget   = "over_budget"            // a category spent beyond its budget
	ExDuplicate    = "duplicate_payment"      // possible 虚报冒领: the same amount to the same payee within days
	ExCentral      = "central_ineligible"     // central money at a community built after 2000
	ExLateEntry    = "late_entry"             // booked long before it was recorded
	ExOverContract = "over_contract"          // a contractor paid beyond its contract or settlement
	ExFinalOverdue = "final_accounts_overdue" // a project settled long ago whose final accounts are open
	// ExBeforeAcceptance: a contractor paid past the progress ceiling before acceptance.
	ExBeforeAcceptance = "payment_before_acceptance"
	// ExEarlyRetention: a contractor paid into its retention before the defect-liability period ended.
	ExEarlyRetention = "retention_released_early"
	// ExBankUnbooked: money paid out of a district's bank account with no voucher in its books.
	ExBankUnbooked = "bank_debit_unbooked"
	// ExNotInBank: a district's payment voucher its bank statements do not show paid.
	ExNotInBank = "voucher_not_in_bank"
)

// Codes lists the exception codes, the values of the kind filter.
var Codes = []string{ExRetention, ExDiversion, ExVoteMissing, ExDirectRouted, ExIdleMoney, ExExpiring, ExOverBudget,
	ExDuplicate, ExCentral, ExLateEntry, ExOverContract, ExFinalOverdue,
	ExBeforeAcceptance, ExEarlyRetention, ExBankUnbooked, ExNotInBank}

// Severities lists the severities, highest first.
var Severities = []string{"high", "medium", "low"}

// Deadlines and horizons for the checks; Rules sets the ones a caller may
// change.
const (
	PassDownDays        = 30 // 预算法 §52, general transfers
	PassDownSpecialDays = 60 // special transfers
	IdleDays            = 90
	ExpiryHorizonDays   = 60
	DuplicateDays       = 7
	LateDays            = 30
	BankDays            = 30
	// BuiltBy is the last year of construction the programme covers:
	// communities built before the end of 2000.
	BuiltBy = 2000
)

// Rules are the date the checks run as of and their thresholds: idle money
// is flagged after IdleDays when a holder's idle money comes to at least
// IdleMin; payments of the same amount to the same payee within
// DuplicateDays of each other are possible duplicates; a voucher recorded
// more than LateDays after its booking date is a late entry; a bank debit
// or a payment voucher left unmatched BankDays after its date is a bank
// finding.
type Rules struct {
	AsOf          time.Time
	IdleDays      int
	IdleMin       money.Amount
	DuplicateDays int
	LateDays      int
	BankDays      int
}

// DefaultRules are the rules as of asOf with the standard thresholds.
func DefaultRules(asOf time.Time) Rules {
	return Rules{AsOf: asOf, IdleDays: IdleDays, DuplicateDays: DuplicateDays, LateDays: LateDays, BankDays: BankDays}
}

// check refuses thresholds out of range.
func (r Rules) check() error {
	for _, d := range []struct {
		name string
		v    int
	}{{"idle_days", r.IdleDays}, {"duplicate_days", r.DuplicateDays}, {"late_days", r.LateDays}, {"bank_days", r.BankDays}} {
		if d.v < 0 || d.v > 36500 {
			return fmt.Errorf("%w: %s must be from 0 to 36500", errs.ErrInvalidRequest, d.name)
		}
	}
	if r.IdleMin < 0 {
		return fmt.Errorf("%w: idle_min must not be negative", errs.ErrInvalidAmount)
	}
	return nil
}

// specialKinds are passed down under the 60-day deadline.
var specialKinds = map[string]bool{"special_fund": true, "special_bond": true, "central_investment": true}

// check is one rule's check: the findings it makes under the rules.
type check func(context.Context, Rules) ([]Exception, error)

// checks are the checks in the order they report, each with its code.
func (s *Service) checks() []struct {
	code string
	run  check
} {
	return []struct {
		code string
		run  check
	}{
		{ExRetention, s.retention}, {ExDiversion, s.diversions}, {ExVoteMissing, s.votes},
		{ExDirectRouted, s.directRouted}, {ExIdleMoney, s.idle}, {ExExpiring, s.expiring},
		{ExOverBudget, s.overBudget}, {ExDuplicate, s.duplicates}, {ExCentral, s.centralIneligible},
		{ExLateEntry, s.lateEntries}, {ExOverContract, s.overContract}, {ExFinalOverdue, s.finalAccountsOverdue},
		{ExBeforeAcceptance, s.paidBeforeAcceptance}, {ExEarlyRetention, s.retentionReleasedEarly},
		{ExBankUnbooked, s.bankUnbooked}, {ExNotInBank, s.notInBank},
	}
}

// Exceptions runs every check under r; a district sees its own, and each
// check looks only at that district's rows. Findings come check by check,
// each with its review status.
func (s *Service) Exceptions(ctx context.Context, r Rules) ([]Exception, error) {
	return s.exceptions(ctx, r, "")
}

// exceptions runs the check of one code, or every check when code is "".
// Outside a transaction the checks run side by side on their own
// connections (each reads committed rows, as it would one after another).
func (s *Service) exceptions(ctx context.Context, r Rules, code string) ([]Exception, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	var run []check
	for _, c := range s.checks() {
		if code == "" || c.code == code {
			run = append(run, c.run)
		}
	}
	found := make([][]Exception, len(run))
	errs := make([]error, len(run))
	width := checkWidth
	if store.InTx(ctx) {
		width = 1
	}
	ctx = context.WithValue(ctx, readOnceKey{}, &readOnce{})
	sem := make(chan struct{}, width)
	var wg sync.WaitGroup
	for i, c := range run {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			found[i], errs[i] = c(ctx, r)
		}()
	}
	wg.Wait()
	out := []Exception{}
	for i := range run {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out = append(out, found[i]...)
	}
	return out, s.withStatus(ctx, out)
}

// checkWidth is how many checks run at once: enough to keep two cores and
// the database busy, few enough to leave connections to other requests.
const checkWidth = 4

// findingID names a finding by its code and the parts of its subject.
func findingID(code string, parts ...string) string { return code + ":" + strings.Join(parts, "@") }

// retention finds money at the city or a district that arrived more than
// the pass-down deadline ago and has not gone on (see LatePassDown).
func (s *Service) retention(ctx context.Context, r Rules) ([]Exception, error) {
	late, err := s.LatePassDown(ctx, "", r.AsOf)
	if err != nil {
		return nil, err
	}
	var out []Exception
	for _, l := range late {
		if l.Held == 0 {
			continue
		}
		out = append(out, Exception{ID: findingID(ExRetention, l.Fund, l.Holder), Code: ExRetention,
			Rule: "预算法 §52 (滞留)", Severity: "high", Subject: l.Fund + " at " + l.Holder, District: l.District,
			Amount: l.Held, On: l.Since,
			Detail: fmt.Sprintf("%s received since %s not passed down within %d days", l.Held, l.Since, l.Days)})
	}
	return out, nil
}

func (s *Service) diversions(ctx context.Context, _ Rules) ([]Exception, error) {
	district, err := access.From(ctx).Area("")
	if err != nil {
		return nil, err
	}
	ts, err := s.ledger.All(ctx, ledger.Filter{District: district, Type: ledger.TypeExpenditure, Forced: true, Unreversed: true})
	var out []Exception
	for _, t := range ts {
		out = append(out, Exception{ID: findingID(ExDiversion, t.VoucherNo), Code: ExDiversion,
			Rule: "财政违法行为处罚处分条例 §6 (挪用 / 扩大开支范围)", Severity: "high",
			Subject: "voucher " + t.VoucherNo, District: t.District, Amount: t.Amount, On: t.BookedOn,
			Detail: fmt.Sprintf("%s paid for %s at %s outside the fund's categories, forced by the finance bureau: %s",
				t.Amount, t.Category, t.Project, t.ForcedReason)})
	}
	return out, err
}

// votes flags spending from vote-bound funds paid before the vote was held,
// or under a vote that no longer passes the Civil Code test.
func (s *Service) votes(ctx context.Context, _ Rules) ([]Exception, error) {
	district, err := access.From(ctx).Area("")
	if err != nil {
		return nil, err
	}
	funds, err := s.reg.Funds(ctx, funding.FundFilter{Kinds: []string{"maintenance_fund", "public_revenue"}, District: district})
	if err != nil {
		return nil, err
	}
	spending, err := clues.Spending(ctx, s.ledger.DB(), funding.Codes(funds))
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
			out = append(out, Exception{ID: findingID(ExVoteMissing, f.Code), Code: ExVoteMissing, Rule: "民法典 §278",
				Severity: "high", Subject: "fund " + f.Code, District: f.District, Amount: sp.Spent, On: sp.FirstPaid,
				Detail: f.Kind + " spent, but " + problem})
		}
	}
	return out, nil
}

func (s *Service) directRouted(ctx context.Context, _ Rules) ([]Exception, error) {
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
		out = append(out, Exception{ID: findingID(ExDirectRouted, t.VoucherNo), Code: ExDirectRouted,
			Rule: "财预〔2020〕56号 (直达资金)", Severity: "medium", Subject: "voucher " + t.VoucherNo, District: t.District,
			Amount: t.Amount, On: t.BookedOn,
			Detail: fmt.Sprintf("direct fund %s routed through %s instead of straight to the final payee", t.Fund, t.To)})
	}
	return out, err
}

// idle flags each holder whose idle money (see IdleReport) comes to at
// least r.IdleMin: one finding per holder, however many funds it holds,
// dated from the fund idle longest.
func (s *Service) idle(ctx context.Context, r Rules) ([]Exception, error) {
	lines, err := s.IdleReport(ctx, r.IdleDays, r.AsOf, window.Window{})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].Holder < lines[j].Holder })
	var out []Exception
	for i := 0; i < len(lines); {
		j, total, oldest := i, money.Amount(0), lines[i]
		var funds []string
		for ; j < len(lines) && lines[j].Holder == lines[i].Holder; j++ {
			sum, ok := money.Sum(total, lines[j].Balance)
			if !ok {
				return nil, ErrTooLarge
			}
			total = sum
			funds = append(funds, lines[j].Fund)
			if lines[j].IdleSince < oldest.IdleSince {
				oldest = lines[j]
			}
		}
		if total > 0 && total >= r.IdleMin {
			l := lines[i]
			out = append(out, Exception{ID: findingID(ExIdleMoney, l.Holder), Code: ExIdleMoney, Rule: "idle money (资金闲置)",
				Severity: "low", Subject: l.Holder, District: districtOf(l.District), Amount: total, On: oldest.IdleSince,
				Detail: fmt.Sprintf("%s in %d fund(s) (%s) held without moving on, the oldest since %s (%d days)",
					total, len(funds), strings.Join(funds, ", "), oldest.IdleSince, oldest.DaysIdle)})
		}
		i = j
	}
	return out, nil
}

func (s *Service) expiring(ctx context.Context, r Rules) ([]Exception, error) {
	district, err := access.From(ctx).Area("")
	if err != nil {
		return nil, err
	}
	horizon := r.AsOf.AddDate(0, 0, ExpiryHorizonDays).Format(time.DateOnly)
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
	today := r.AsOf.Format(time.DateOnly)
	for _, h := range hs {
		sev, verb := "medium", "expires on"
		if expires[h.Fund] < today {
			sev, verb = "high", "expired on"
		}
		out = append(out, Exception{ID: findingID(ExExpiring, h.Fund, h.Holder), Code: ExExpiring,
			Rule: "fund expiry (资金到期未用)", Severity: sev, Subject: h.Fund + " at " + h.Holder, District: h.District,
			Amount: h.Balance, On: expires[h.Fund],
			Detail: fmt.Sprintf("%s unspent; the fund %s %s", h.Balance, verb, expires[h.Fund])})
	}
	return out, nil
}

func (s *Service) overBudget(ctx context.Context, _ Rules) ([]Exception, error) {
	lines, err := s.BudgetReport(ctx, "", window.Window{})
	var out []Exception
	for _, l := range lines {
		if l.Remaining < 0 {
			out = append(out, Exception{ID: findingID(ExOverBudget, l.Project, l.Category), Code: ExOverBudget,
				Rule: "budget (超预算)", Severity: "medium", Subject: l.Project + " " + l.Category, District: l.District,
				Amount: -l.Remaining, On: l.LastPaid, Detail: fmt.Sprintf("spent %s against a budget of %s", l.Spent, l.Budget)})
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
