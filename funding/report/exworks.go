package report

import (
	"context"
	"fmt"
	"sync"

	"renofund/internal/access"
	"renofund/internal/ledger/contractpay"
	"renofund/internal/money"
)

// FinalAccountsDays is how long after a project's last settlement its final
// accounts (决算) may stay open before they are reported overdue.
const FinalAccountsDays = 180

// overContract finds contracts whose contractor has been paid more on the
// project and category than the contract allows: the settlement, or the
// sum before settlement, counting payments made outside the contract to the
// same company as well as those under it (the gates hold the latter; the
// former go around them). Net of reversals.
func (s *Service) overContract(ctx context.Context, _ Rules) ([]Exception, error) {
	district, err := access.From(ctx).Area("")
	if err != nil {
		return nil, err
	}
	rows, err := contractpay.OverContracts(ctx, s.ledger.DB(), district)
	if err != nil {
		return nil, err
	}
	out := make([]Exception, 0, len(rows))
	for _, r := range rows {
		over := money.Amount(r.Paid - r.Allowed)
		out = append(out, Exception{ID: findingID(ExOverContract, r.ID), Code: ExOverContract,
			Rule: "合同价款 / 结算价款", Severity: "high", Subject: "contract " + r.ID + " at " + r.ProjectCode,
			District: r.DistrictCode, Amount: over, On: r.FirstPaid,
			Detail: fmt.Sprintf("%s paid to %s for %s work at %s, %s more than the contract allows (%s)",
				money.Amount(r.Paid), r.CreditCode, r.Category, r.ProjectCode, over, money.Amount(r.Allowed))})
	}
	return out, nil
}

// paidBeforeAcceptance finds contracts whose contractor was paid more than
// the progress ceiling (财建〔2004〕369号) before its works passed acceptance,
// counting payments outside the contract with those under it: the gates hold
// the latter, the former go around them.
func (s *Service) paidBeforeAcceptance(ctx context.Context, _ Rules) ([]Exception, error) {
	return s.contractDays(ctx, func(days []contractpay.Day) *Exception {
		c := days[0]
		ceiling := money.Amount(c.Sum).Mul(money.MustRate(c.ProgressCeiling))
		paid, on := paidBefore(days, c.AcceptedOn, ceiling)
		if paid <= ceiling {
			return nil
		}
		before := "before its works passed acceptance"
		if c.AcceptedOn != "" {
			before = "before its acceptance on " + c.AcceptedOn
		}
		return &Exception{ID: findingID(ExBeforeAcceptance, c.ID), Code: ExBeforeAcceptance,
			Rule: "竣工验收前付款不超过合同价款的" + c.ProgressCeiling, Severity: "high",
			Subject: "contract " + c.ID + " at " + c.ProjectCode, District: c.DistrictCode, Amount: paid - ceiling, On: on,
			Detail: fmt.Sprintf("%s paid to %s for %s work at %s %s, %s more than its progress ceiling (%s of %s)",
				paid, c.CreditCode, c.Category, c.ProjectCode, before, paid-ceiling, c.ProgressCeiling, money.Amount(c.Sum))}
	})
}

// retentionReleasedEarly finds settled contracts whose contractor was paid
// into the quality retention (质保金, 建质〔2017〕138号) before the
// defect-liability period ended: more than the settlement less retention by
// then, under the contract or outside it. The finding is the retention paid
// out early; anything beyond the settlement is over_contract's.
func (s *Service) retentionReleasedEarly(ctx context.Context, _ Rules) ([]Exception, error) {
	return s.contractDays(ctx, func(days []contractpay.Day) *Exception {
		c := days[0]
		if c.Retention == 0 || c.AcceptedOn == "" {
			return nil
		}
		ends := contractpay.LiabilityEnds(c.AcceptedOn, c.LiabilityMonths)
		limit := money.Amount(c.Settlement - c.Retention)
		paid, on := paidBefore(days, ends, limit)
		if paid <= limit {
			return nil
		}
		early := min(paid-limit, money.Amount(c.Retention))
		return &Exception{ID: findingID(ExEarlyRetention, c.ID), Code: ExEarlyRetention,
			Rule: "质保金于缺陷责任期满后返还", Severity: "medium",
			Subject: "contract " + c.ID + " at " + c.ProjectCode, District: c.DistrictCode, Amount: early, On: on,
			Detail: fmt.Sprintf("%s paid to %s before the defect-liability period ends on %s, %s of the %s retention released early",
				paid, c.CreditCode, ends, early, money.Amount(c.Retention))}
	})
}

// contractDays runs a finding over each contract's days of payments to its
// contractor (of the caller's district, or all).
func (s *Service) contractDays(ctx context.Context, find func([]contractpay.Day) *Exception) ([]Exception, error) {
	district, err := access.From(ctx).Area("")
	if err != nil {
		return nil, err
	}
	days, err := s.timeline(ctx, district)
	if err != nil {
		return nil, err
	}
	var out []Exception
	for start := 0; start < len(days); {
		end := start + 1
		for end < len(days) && days[end].ID == days[start].ID {
			end++
		}
		if e := find(days[start:end]); e != nil {
			out = append(out, *e)
		}
		start = end
	}
	return out, nil
}

// readOnce is what the checks of one Exceptions call share: the contracts'
// payment days, read once for the two checks that judge them.
type readOnce struct {
	once sync.Once
	days []contractpay.Day
	err  error
}

type readOnceKey struct{}

// timeline reads the contracts' payment days (see contractpay.Timeline), once
// per Exceptions call.
func (s *Service) timeline(ctx context.Context, district string) ([]contractpay.Day, error) {
	r, ok := ctx.Value(readOnceKey{}).(*readOnce)
	if !ok {
		return contractpay.Timeline(ctx, s.ledger.DB(), district)
	}
	r.once.Do(func() { r.days, r.err = contractpay.Timeline(ctx, s.ledger.DB(), district) })
	return r.days, r.err
}

// paidBefore sums a contract's days before a date ("" for every day) and
// names the first day the running sum passed limit.
func paidBefore(days []contractpay.Day, date string, limit money.Amount) (paid money.Amount, passed string) {
	for _, d := range days {
		if date != "" && d.BookedOn >= date {
			break
		}
		paid += money.Amount(d.Paid)
		if paid > limit && passed == "" {
			passed = d.BookedOn
		}
	}
	return paid, passed
}

// finalAccountsOverdue finds projects whose contracts are all settled, the
// last more than FinalAccountsDays before the rules' date, and whose final
// accounts are still open.
func (s *Service) finalAccountsOverdue(ctx context.Context, r Rules) ([]Exception, error) {
	district, err := access.From(ctx).Area("")
	if err != nil {
		return nil, err
	}
	due := r.AsOf.AddDate(0, 0, -FinalAccountsDays).Format("2006-01-02")
	var rows []struct {
		ProjectCode, DistrictCode, LastSettled string
		Contracts                              int
		Settled                                int64
	}
	err = s.ledger.DB().Conn(ctx).Raw(`SELECT c.project_code, p.district_code, COUNT(*) AS contracts,
		MAX(st.settled_on) AS last_settled, SUM(st.amount) AS settled
		FROM contracts c JOIN projects p ON p.code = c.project_code
		LEFT JOIN settlements st ON st.contract_id = c.id
		WHERE (? = '' OR p.district_code = ?)
			AND NOT EXISTS (SELECT 1 FROM project_closures pc WHERE pc.project_code = c.project_code)
		GROUP BY c.project_code, p.district_code
		HAVING COUNT(st.contract_id) = COUNT(*) AND MAX(st.settled_on) < ?
		ORDER BY c.project_code`, district, district, due).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]Exception, 0, len(rows))
	for _, r := range rows {
		out = append(out, Exception{ID: findingID(ExFinalOverdue, r.ProjectCode), Code: ExFinalOverdue,
			Rule: "竣工决算 (结算后" + fmt.Sprint(FinalAccountsDays) + "日内)", Severity: "medium", Subject: r.ProjectCode,
			District: r.DistrictCode, Amount: money.Amount(r.Settled), On: r.LastSettled,
			Detail: fmt.Sprintf("all %d contracts of %s settled, the last on %s; its final accounts are not closed",
				r.Contracts, r.ProjectCode, r.LastSettled)})
	}
	return out, nil
}
