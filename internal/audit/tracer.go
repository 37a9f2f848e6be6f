package audit

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"renofund/funding"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
)

// FundInfo is what a trace shows of a fund.
type FundInfo struct {
	Code          string `json:"fund"`
	Kind          string `json:"kind"`
	Name          string `json:"name"`
	Holder        string `json:"fund_holder"`
	FiscalYear    int    `json:"fiscal_year"`
	DocumentNo    string `json:"document_no"`
	BudgetSubject string `json:"budget_subject"`
	Direct        bool   `json:"direct"`
}

// loadFund reads a fund and the district that holds it ("" for the city);
// an unknown code is errs.ErrNotFound.
func loadFund(conn *gorm.DB, code string) (*FundInfo, string, error) {
	var fs []struct {
		FundInfo
		DistrictCode *string
	}
	err := conn.Raw(`SELECT code, kind, name, holder, fiscal_year, document_no, budget_subject, direct, district_code
		FROM funds WHERE code = ?`, code).Scan(&fs).Error
	if err != nil {
		return nil, "", err
	}
	if len(fs) == 0 {
		return nil, "", fmt.Errorf("%w: fund %q", errs.ErrNotFound, code)
	}
	return &fs[0].FundInfo, store.Str(fs[0].DistrictCode), nil
}

type holding struct{ fund, holder string }

// tracer walks inflows back to receipts, computing each holding's flow and
// loading each transfer at most once per trace. For a district it stops at
// the district's boundary (see Node.Boundary).
type tracer struct {
	ctx       context.Context
	ledger    *ledger.Ledger
	conn      *gorm.DB // for the funds
	district  string   // the caller's district; "" for the city-wide roles
	funds     map[string]*FundInfo
	flows     map[holding]*flow
	transfers map[string]*ledger.Transfer
}

func newTracer(ctx context.Context, db *store.DB, district string) *tracer {
	return &tracer{ctx: ctx, ledger: ledger.New(db), conn: db.Conn(ctx), district: district, funds: map[string]*FundInfo{},
		flows: map[holding]*flow{}, transfers: map[string]*ledger.Transfer{}}
}

func (tr *tracer) fund(code string) (*FundInfo, error) {
	if f := tr.funds[code]; f != nil {
		return f, nil
	}
	f, _, err := loadFund(tr.conn, code)
	if err == nil {
		tr.funds[code] = f
	}
	return f, err
}

func (tr *tracer) flow(fund, holder string) (*flow, error) {
	k := holding{fund, holder}
	if fl := tr.flows[k]; fl != nil {
		return fl, nil
	}
	fl, err := computeFlow(tr.ctx, tr.ledger, fund, holder)
	if err == nil {
		tr.flows[k] = fl
	}
	return fl, err
}

// expand turns ranges of inflows into holder into nodes, following each
// allocation to the same range of what it took at the giving holder.
func (tr *tracer) expand(fund, holder string, ps []piece) ([]*Node, error) {
	ps = merge(ps)
	if err := tr.load(ps); err != nil {
		return nil, err
	}
	nodes := make([]*Node, 0, len(ps))
	for _, p := range ps {
		n := &Node{Holder: holder, Amount: money.Amount(p.amt)}
		nodes = append(nodes, n)
		t := tr.transfers[p.src]
		if t == nil {
			n.Unattributed, n.Transfer.ID = true, p.src
			continue
		}
		n.Transfer = movementOf(t)
		if t.Type != ledger.TypeAllocation || t.From == "" {
			continue // a receipt, or money a reversal returned without a record of it
		}
		if from, _ := funding.ParseHolder(t.From); tr.district != "" && from.District != tr.district {
			n.Boundary = true
			continue
		}
		fl, err := tr.flow(fund, t.From)
		if err != nil {
			return nil, err
		}
		if n.Sources, err = tr.expand(fund, t.From, within(fl.out[t.ID], p.off, p.amt)); err != nil {
			return nil, err
		}
	}
	return nodes, nil
}

// load reads the transfers the ranges name that are not loaded yet.
func (tr *tracer) load(ps []piece) error {
	var ids []string
	for _, p := range ps {
		if _, ok := tr.transfers[p.src]; !ok && p.src != "" {
			tr.transfers[p.src] = nil
			ids = append(ids, p.src)
		}
	}
	got, err := tr.ledger.Transfers(tr.ctx, ids)
	if err != nil {
		return err
	}
	for id, t := range got {
		tr.transfers[id] = t
	}
	return nil
}
