package contractpay

import (
	"context"

	"renofund/internal/money"
	"renofund/internal/store"
)

// Accepted is a contract with a passed acceptance as it stood on a date:
// its first passed acceptance, its settlement if it was settled by then
// (SettledOn "" otherwise), and what its progress and final payments came
// to by then, net of reversals booked by then.
type Accepted struct {
	ID, ProjectCode, DistrictCode    string
	PayeeName, CreditCode            string
	AcceptedOn, SettledOn            string
	Sum, Settlement, Retention, Paid money.Amount
	ProgressCeiling                  string
}

// AcceptedBy lists, in contract order, the contracts of small and medium
// enterprises (payees flagged sme) that passed acceptance on or before
// acceptedBy, as they stood on asOf (acceptedBy ≤ asOf): the contracts a
// payment to which may be overdue (保障中小企业款项支付条例 §8).
func AcceptedBy(ctx context.Context, db *store.DB, acceptedBy, asOf string) ([]Accepted, error) {
	var rows []struct {
		ID, ProjectCode, DistrictCode, PayeeName, CreditCode, AcceptedOn, ProgressCeiling string
		SettledOn                                                                         *string
		Sum, Paid                                                                         int64
		Settlement, Retention                                                             *int64
	}
	err := db.Conn(ctx).Raw(`SELECT c.id, c.project_code, p.district_code, pe.name AS payee_name, pe.credit_code,
		a.accepted_on, c.progress_ceiling, st.settled_on, c.sum, st.amount AS settlement, st.retention,
		COALESCE((SELECT `+net+` FROM transfers t WHERE t.contract_id = c.id AND t.booked_on <= ?
			AND (t.contract_part IS NULL OR t.contract_part <> ?)), 0) AS paid
		FROM contracts c JOIN payees pe ON pe.id = c.payee_id JOIN projects p ON p.code = c.project_code
		JOIN (SELECT contract_id, MIN(accepted_on) AS accepted_on FROM acceptances
			WHERE result = 'passed' AND accepted_on <= ? GROUP BY contract_id) a ON a.contract_id = c.id
		LEFT JOIN settlements st ON st.contract_id = c.id AND st.settled_on <= ?
		WHERE pe.sme = ?
		ORDER BY c.id`, asOf, Retention, acceptedBy, asOf, true).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]Accepted, len(rows))
	for i, r := range rows {
		out[i] = Accepted{ID: r.ID, ProjectCode: r.ProjectCode, DistrictCode: r.DistrictCode, PayeeName: r.PayeeName,
			CreditCode: r.CreditCode, AcceptedOn: r.AcceptedOn, SettledOn: store.Str(r.SettledOn), Sum: money.Amount(r.Sum),
			Paid: money.Amount(r.Paid), ProgressCeiling: r.ProgressCeiling}
		if r.Settlement != nil {
			out[i].Settlement, out[i].Retention = money.Amount(*r.Settlement), money.Amount(*r.Retention)
		}
	}
	return out, nil
}
