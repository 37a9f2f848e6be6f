package audit

import (
	"context"
	"database/sql"
	"fmt"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/money"
	"renofund/internal/store"
)

// Payment is one fund's leg of a payment to a final payee. A reversal is
// listed too, with a negative amount, so the list sums to what was paid net.
type Payment struct {
	TransferID       string       `json:"transfer_id"`
	VoucherNo        string       `json:"voucher_no"`
	Type             string       `json:"type"`
	BookedOn         string       `json:"booked_on"`
	PaidFrom         string       `json:"paid_from"`
	District         string       `json:"district,omitempty"`
	Project          string       `json:"project,omitempty"`
	Category         string       `json:"category,omitempty"`
	PayeeName        string       `json:"payee_name"`
	PayeeCreditCode  string       `json:"payee_credit_code,omitempty"`
	PayeeBankAccount string       `json:"payee_bank_account,omitempty"`
	Purpose          string       `json:"purpose,omitempty"`
	ReversalOf       string       `json:"reversal_of,omitempty"`
	Amount           money.Amount `json:"amount"`
}

// Held is money of the fund still at a holder.
type Held struct {
	Holder   string       `json:"holder"`
	District string       `json:"district,omitempty"`
	Project  string       `json:"project,omitempty"`
	Amount   money.Amount `json:"amount"`
}

// FundTrace follows a source fund forward to every final payee and to what
// is still held where. Received = Paid + Held to the fen: for the whole
// fund, Received is its receipts; in a district's view, what reached the
// district's holders from outside the district, Paid what they paid out and
// Held what they hold.
type FundTrace struct {
	Fund     FundInfo     `json:"fund"`
	Received money.Amount `json:"received"`
	Paid     money.Amount `json:"paid"`
	Held     money.Amount `json:"held"`
	Payments []Payment    `json:"payments"`
	Holdings []Held       `json:"holdings"`
}

// TraceFund lists every payment leg of the fund (payee, project, amount) and
// every holding still holding some of it. A district actor sees only its own
// district's part, and a fund it neither holds nor has money of is not found.
func TraceFund(ctx context.Context, db *store.DB, code string) (*FundTrace, error) {
	conn := db.Conn(ctx)
	fi, err := loadFund(conn, code)
	if err != nil {
		return nil, err
	}
	a := access.From(ctx)
	district := ""
	var fundDistrict sql.NullString
	if a.Role == access.District {
		district = a.District
		if err := conn.Raw("SELECT district_code FROM funds WHERE code = ?", code).Row().Scan(&fundDistrict); err != nil {
			return nil, err
		}
	}
	ft := &FundTrace{Fund: *fi, Payments: []Payment{}, Holdings: []Held{}}
	scope, args := "", []any{code}
	if district != "" {
		scope, args = " AND h.district_code = ?", append(args, district)
	}
	var hs []struct {
		Holder       string
		DistrictCode sql.NullString
		ProjectCode  sql.NullString
		Balance      int64
	}
	if err := conn.Raw(`SELECT h.holder, h.district_code, h.project_code, h.balance FROM holdings h
		WHERE h.fund_code = ?`+scope+` ORDER BY h.holder`, args...).Scan(&hs).Error; err != nil {
		return nil, err
	}
	if district != "" && fundDistrict.String != district && len(hs) == 0 {
		return nil, fmt.Errorf("%w: fund %q", errs.ErrNotFound, code)
	}
	for _, h := range hs {
		ft.Held += money.Amount(h.Balance)
		if h.Balance != 0 {
			ft.Holdings = append(ft.Holdings, Held{Holder: h.Holder, District: h.DistrictCode.String,
				Project: h.ProjectCode.String, Amount: money.Amount(h.Balance)})
		}
	}
	if err := payments(conn, ft, scope, args); err != nil {
		return nil, err
	}
	// Received: receipts at the holders in view, and in a district's view
	// allocations into them from outside the district (net of reversals).
	received := `SELECT COALESCE(SUM(p.amount), 0) FROM postings p
		JOIN transfers t ON t.id = p.transfer_id
		JOIN holdings h ON h.fund_code = p.fund_code AND h.holder = p.holder
		WHERE p.fund_code = ? AND (t.base_type = 'receipt'`
	if district != "" {
		received += ` OR (t.base_type = 'allocation' AND p.holder = t.to_holder AND t.from_holder <> 'district:' || h.district_code)`
	}
	var r int64
	if err := conn.Raw(received+")"+scope, args...).Row().Scan(&r); err != nil {
		return nil, err
	}
	ft.Received = money.Amount(r)
	return ft, nil
}

// payments lists the fund's payment legs from the holders in view, in
// voucher order, and sums them into ft.Paid.
func payments(conn *gorm.DB, ft *FundTrace, scope string, args []any) error {
	rows, err := conn.Raw(`SELECT t.id, t.voucher_no, t.type, t.booked_on, p.holder, t.district_code,
		t.project_code, t.category, t.payee_name, t.payee_credit_code, t.payee_bank_account, t.purpose,
		t.reversal_of, p.amount
		FROM postings p
		JOIN transfers t ON t.id = p.transfer_id
		JOIN holdings h ON h.fund_code = p.fund_code AND h.holder = p.holder
		WHERE p.fund_code = ? AND t.base_type IN ('expenditure', 'subsidy_payment')`+scope+`
		ORDER BY t.fiscal_year, t.voucher_seq`, args...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p Payment
		var n [8]sql.NullString
		var amount int64
		if err := rows.Scan(&p.TransferID, &p.VoucherNo, &p.Type, &p.BookedOn, &p.PaidFrom, &n[0], &n[1], &n[2],
			&n[3], &n[4], &n[5], &n[6], &n[7], &amount); err != nil {
			return err
		}
		p.District, p.Project, p.Category, p.PayeeName = n[0].String, n[1].String, n[2].String, n[3].String
		p.PayeeCreditCode, p.PayeeBankAccount, p.Purpose, p.ReversalOf = n[4].String, n[5].String, n[6].String, n[7].String
		p.Amount = money.Amount(-amount)
		ft.Paid += p.Amount
		ft.Payments = append(ft.Payments, p)
	}
	return rows.Err()
}
