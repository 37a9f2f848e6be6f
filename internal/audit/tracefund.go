package audit

import (
	"context"
	"fmt"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/ledger/trail"
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
	fi, fundDistrict, err := loadFund(db.Conn(ctx), code)
	if err != nil {
		return nil, err
	}
	district, err := access.From(ctx).Area("")
	if err != nil {
		return nil, err
	}
	l := ledger.New(db)
	hs, err := l.Holdings(ctx, ledger.HoldingFilter{Fund: code, District: district})
	if err != nil {
		return nil, err
	}
	if district != "" && fundDistrict != district && len(hs) == 0 {
		return nil, fmt.Errorf("%w: fund %q", errs.ErrNotFound, code)
	}
	ft := &FundTrace{Fund: *fi, Payments: []Payment{}, Holdings: []Held{}}
	for _, h := range hs {
		ft.Held += h.Balance
		if h.Balance != 0 {
			ft.Holdings = append(ft.Holdings, Held{Holder: h.Holder, District: h.District, Project: h.Project, Amount: h.Balance})
		}
	}
	pays, err := trail.Payments(ctx, l.DB(), code, district)
	if err != nil {
		return nil, err
	}
	for _, p := range pays {
		ft.Paid += p.Paid
		ft.Payments = append(ft.Payments, Payment{TransferID: p.ID, VoucherNo: p.VoucherNo, Type: p.Type, BookedOn: p.BookedOn,
			PaidFrom: p.PaidFrom, District: p.District, Project: p.Project, Category: p.Category, PayeeName: p.PayeeName,
			PayeeCreditCode: p.PayeeCreditCode, PayeeBankAccount: p.PayeeBankAccount, Purpose: p.Purpose,
			ReversalOf: p.ReversalOf, Amount: p.Paid})
	}
	// Received: receipts at the holders in view, and in a district's view
	// what reached them from outside the district (see report.FundView).
	flows, err := l.Flows(ctx, ledger.FlowFilter{Fund: code, District: district})
	if err != nil {
		return nil, err
	}
	for _, f := range flows {
		ft.Received += f.Received
		if district != "" {
			ft.Received += f.AllocatedIn - f.AllocatedOut
		}
	}
	return ft, nil
}
