// Package contractpay answers the ledger's questions about payments made
// under works contracts (transfers naming a contract, funding/works): what
// a contract has been paid, what a project's retention has paid out, and
// which contractors were paid past their contracts. Net of reversals, as
// every sum of the ledger.
package contractpay

import (
	"context"
	"time"

	"renofund/internal/money"
	"renofund/internal/store"
)

// Parts of a contract payment (ledger.Transfer.ContractPart).
const (
	Payment   = "payment"
	Retention = "retention"
)

const net = "SUM(CASE WHEN t.type = 'reversal' THEN -t.amount ELSE t.amount END)"

// Paid sums what has been paid under a contract: its progress and final
// payments, and what was paid out of its retention.
func Paid(ctx context.Context, db *store.DB, contract string) (payments, retention money.Amount, err error) {
	var rows []struct {
		ContractPart string
		Total        int64
	}
	err = db.Conn(ctx).Raw(`SELECT t.contract_part, `+net+` AS total FROM transfers t WHERE t.contract_id = ?
		GROUP BY t.contract_part`, contract).Scan(&rows).Error
	for _, r := range rows {
		if r.ContractPart == Retention {
			retention = money.Amount(r.Total)
		} else {
			payments = money.Amount(r.Total)
		}
	}
	return payments, retention, err
}

// RetentionPaid sums what a project has paid out of its contracts' retention.
func RetentionPaid(ctx context.Context, db *store.DB, project string) (money.Amount, error) {
	var paid int64
	err := db.Conn(ctx).Raw(`SELECT COALESCE(`+net+`, 0) FROM transfers t WHERE t.project_code = ?
		AND t.contract_part = ?`, project, Retention).Scan(&paid).Error
	return money.Amount(paid), err
}

// Over is a contract whose contractor was paid past it.
type Over struct {
	ID, ProjectCode, DistrictCode, Category, CreditCode, FirstPaid string
	Allowed, Paid                                                  int64
}

// OverContracts finds the contracts (of one district's projects, or all)
// whose contractor has been paid more on the project and category than the
// contract allows: its settlement, or its sum before settlement. Payments
// made to the same company outside the contract count with those under it.
func OverContracts(ctx context.Context, db *store.DB, district string) ([]Over, error) {
	var rows []Over
	err := db.Conn(ctx).Raw(`SELECT c.id, c.project_code, p.district_code, c.category, pe.credit_code,
		COALESCE(st.amount, c.sum) AS allowed, `+net+` AS paid, MIN(t.booked_on) AS first_paid
		FROM contracts c JOIN payees pe ON pe.id = c.payee_id JOIN projects p ON p.code = c.project_code
		LEFT JOIN settlements st ON st.contract_id = c.id
		JOIN transfers t ON t.project_code = c.project_code AND t.category = c.category
			AND t.payee_credit_code = pe.credit_code AND t.base_type = 'expenditure'
			AND (t.contract_part IS NULL OR t.contract_part = ?)
		WHERE (? = '' OR p.district_code = ?)
		GROUP BY c.id, c.project_code, p.district_code, c.category, pe.credit_code, st.amount, c.sum
		HAVING `+net+` > COALESCE(st.amount, c.sum)
		ORDER BY c.id`, Payment, district, district).Scan(&rows).Error
	return rows, err
}

// Day is what a contract's contractor was paid on one day at the contract's
// project, under the contract or outside it on its category, net of
// reversals, with the terms that day's payments are judged by.
type Day struct {
	ID, ProjectCode, DistrictCode, Category, CreditCode string
	Sum                                                 int64
	ProgressCeiling                                     string
	LiabilityMonths                                     int
	AcceptedOn                                          string // the first passed acceptance; "" before it
	Settlement, Retention                               int64  // 0 before settlement
	BookedOn                                            string
	Paid                                                int64
}

// Timeline lists, contract by contract and day by day, what each contract's
// contractor was paid at its project (of one district's projects, or all):
// progress, final and retention payments under the contract, and payments
// outside any contract on its category. Repairs paid from the retention to
// another company are not the contractor's and do not count.
func Timeline(ctx context.Context, db *store.DB, district string) ([]Day, error) {
	var rows []Day
	err := db.Conn(ctx).Raw(`SELECT c.id, c.project_code, p.district_code, c.category, pe.credit_code, c.sum,
		c.progress_ceiling, c.liability_months, COALESCE(a.accepted_on, '') AS accepted_on,
		COALESCE(st.amount, 0) AS settlement, COALESCE(st.retention, 0) AS retention, t.booked_on, `+net+` AS paid
		FROM contracts c JOIN payees pe ON pe.id = c.payee_id JOIN projects p ON p.code = c.project_code
		LEFT JOIN settlements st ON st.contract_id = c.id
		LEFT JOIN (SELECT contract_id, MIN(accepted_on) AS accepted_on FROM acceptances WHERE result = 'passed'
			GROUP BY contract_id) a ON a.contract_id = c.id
		JOIN transfers t ON t.project_code = c.project_code AND t.base_type = 'expenditure'
			AND t.payee_credit_code = pe.credit_code
			AND (t.contract_id = c.id OR (t.contract_id IS NULL AND t.category = c.category))
		WHERE (? = '' OR p.district_code = ?)
		GROUP BY c.id, c.project_code, p.district_code, c.category, pe.credit_code, c.sum, c.progress_ceiling,
			c.liability_months, a.accepted_on, st.amount, st.retention, t.booked_on
		ORDER BY c.id, t.booked_on`, district, district).Scan(&rows).Error
	return rows, err
}

// LiabilityEnds is the day a contract's defect-liability period of months
// ends after its acceptance on a checked YYYY-MM-DD date: the same day of
// the month, or the month's last day when that day does not exist in it.
func LiabilityEnds(acceptedOn string, months int) string {
	t, _ := time.Parse(time.DateOnly, acceptedOn)
	first := time.Date(t.Year(), t.Month()+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(t.Day(), last), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}
