package report

import (
	"context"
	"fmt"

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
