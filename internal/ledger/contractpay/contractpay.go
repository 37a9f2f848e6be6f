// Package contractpay answers the ledger's questions about payments made
// under works contracts (transfers naming a contract, funding/works): what
// a contract has been paid, what a project's retention has paid out, and
// which contractors were paid past their contracts. Net of reversals, as
// every sum of the ledger.
package contractpay

import (
	"context"

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
