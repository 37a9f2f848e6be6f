package audit

import (
	"context"
	"fmt"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
)

// TraceRule states how a trace attributes fungible money, for the response.
const TraceRule = "FIFO per holding in posting (hash-chain) order: each fen leaving a holding is the oldest fen " +
	"still in it; reversing an outflow returns the very money it took to the front, reversing an inflow takes " +
	"back what is left of it first. Amounts are exact to the fen and sum to the payment at every level."

// Movement is what a trace shows of a transfer.
type Movement struct {
	ID               string       `json:"id"`
	VoucherNo        string       `json:"voucher_no"`
	Type             string       `json:"type"`
	BookedOn         string       `json:"booked_on"`
	From             string       `json:"from,omitempty"`
	To               string       `json:"to,omitempty"`
	District         string       `json:"district,omitempty"`
	Project          string       `json:"project,omitempty"`
	Category         string       `json:"category,omitempty"`
	Amount           money.Amount `json:"amount"` // the whole transfer
	DocumentNo       string       `json:"document_no,omitempty"`
	PayerName        string       `json:"payer_name,omitempty"`
	PayerCreditCode  string       `json:"payer_credit_code,omitempty"`
	Household        string       `json:"household,omitempty"`
	Reference        string       `json:"reference,omitempty"`
	PayeeName        string       `json:"payee_name,omitempty"`
	PayeeCreditCode  string       `json:"payee_credit_code,omitempty"`
	PayeeBankAccount string       `json:"payee_bank_account,omitempty"`
	Purpose          string       `json:"purpose,omitempty"`
	ReversalOf       string       `json:"reversal_of,omitempty"`
}

func movementOf(t *ledger.Transfer) Movement {
	return Movement{ID: t.ID, VoucherNo: t.VoucherNo, Type: t.Type, BookedOn: t.BookedOn, From: t.From, To: t.To,
		District: t.District, Project: t.Project, Category: t.Category, Amount: t.Amount, DocumentNo: t.DocumentNo,
		PayerName: t.PayerName, PayerCreditCode: t.PayerCreditCode, Household: t.Household, Reference: t.Reference,
		PayeeName: t.PayeeName, PayeeCreditCode: t.PayeeCreditCode, PayeeBankAccount: t.PayeeBankAccount,
		Purpose: t.Purpose, ReversalOf: t.ReversalOf}
}

// Node is one inflow that part of a payment came from: a receipt (a leaf:
// the payer, the document, the household) or an allocation, whose own
// sources at the giving holder follow.
type Node struct {
	Transfer Movement     `json:"transfer"`
	Holder   string       `json:"holder"` // the holding the inflow entered
	Amount   money.Amount `json:"amount"` // the part of the payment it paid
	// Unattributed marks money the holding's inflows did not cover, which
	// only altered stored rows can cause (verification will say where).
	Unattributed bool `json:"unattributed,omitempty"`
	// Boundary marks, in a district's trace, the allocation that brought
	// the money into the district from above. The walk stops there: what
	// funded it at the giving holder (the city's receipts, their payers and
	// amounts) is in the city's books, which a district does not read, just
	// as a district's view of a fund shows only its own holdings.
	Boundary bool    `json:"boundary,omitempty"`
	Sources  []*Node `json:"sources,omitempty"`
}

// Leg is one fund's part of a payment and where it came from.
type Leg struct {
	FundInfo
	Holder  string       `json:"holder"` // paid from
	Amount  money.Amount `json:"amount"`
	Sources []*Node      `json:"sources"`
}

// Origin is one receipt a payment traces back to, with what it paid.
type Origin struct {
	Fund     string       `json:"fund"`
	Kind     string       `json:"kind"`
	Transfer Movement     `json:"transfer"`
	Amount   money.Amount `json:"amount"`
}

// Trace walks a payment back to its sources.
type Trace struct {
	Payment    Movement     `json:"payment"`
	Amount     money.Amount `json:"amount"`
	ReversedBy string       `json:"reversed_by,omitempty"`
	Rule       string       `json:"rule"`
	Legs       []Leg        `json:"legs"` // one per fund, summing to Amount
	// Origins are the receipts at the roots, summing to Amount; in a
	// district's trace, the allocations at its boundary stand in for the
	// city's receipts behind them.
	Origins []Origin `json:"origins"`
}

// ErrNotPayment refuses to trace a transfer that pays no one.
var ErrNotPayment = fmt.Errorf("%w: only an expenditure or a subsidy payment can be traced", errs.ErrInvalidRequest)

// TraceExpenditure walks back from a payment (an expenditure or a subsidy
// payment) through every allocation to the receipts that funded it, per fund
// leg, by the rule in TraceRule. A district actor may trace only its own
// district's payments; any other is not found.
func TraceExpenditure(ctx context.Context, db *store.DB, id string) (*Trace, error) {
	t, err := ledger.New(db).Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !access.From(ctx).Sees(t.District) {
		return nil, fmt.Errorf("%w %s", ledger.ErrTransferNotFound, id)
	}
	if t.Type != ledger.TypeExpenditure && t.Type != ledger.TypeSubsidy {
		return nil, fmt.Errorf("%w (%s is a %s)", ErrNotPayment, id, t.Type)
	}
	district := ""
	if a := access.From(ctx); a.Role == access.District {
		district = a.District
	}
	tr := newTracer(ctx, db, district)
	out := &Trace{Payment: movementOf(t), Amount: t.Amount, Rule: TraceRule, Legs: []Leg{}, Origins: []Origin{}}
	if out.ReversedBy, err = ledger.New(db).ReversalOf(ctx, id); err != nil {
		return nil, err
	}
	origins := map[string]int{}
	for _, p := range t.Postings {
		if p.Holder == ledger.External || p.Amount >= 0 {
			continue
		}
		fi, err := tr.fund(p.Fund)
		if err != nil {
			return nil, err
		}
		fl, err := tr.flow(p.Fund, p.Holder)
		if err != nil {
			return nil, err
		}
		leg := Leg{FundInfo: *fi, Holder: p.Holder, Amount: -p.Amount}
		if leg.Sources, err = tr.expand(p.Fund, p.Holder, take(fl.out[t.ID], int64(-p.Amount))); err != nil {
			return nil, err
		}
		out.Legs = append(out.Legs, leg)
		collect(out, origins, fi, leg.Sources)
	}
	return out, nil
}

// collect adds the receipts at the roots of nodes to the trace's origins,
// one entry per receipt.
func collect(t *Trace, seen map[string]int, fi *FundInfo, nodes []*Node) {
	for _, n := range nodes {
		if len(n.Sources) > 0 {
			collect(t, seen, fi, n.Sources)
			continue
		}
		if i, ok := seen[n.Transfer.ID]; ok && n.Transfer.ID != "" {
			t.Origins[i].Amount += n.Amount
			continue
		}
		seen[n.Transfer.ID] = len(t.Origins)
		t.Origins = append(t.Origins, Origin{Fund: fi.Code, Kind: fi.Kind, Transfer: n.Transfer, Amount: n.Amount})
	}
}
