package audit

import (
	"fmt"

	"gorm.io/gorm"

	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
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

// loadFund reads a fund; an unknown code is errs.ErrNotFound.
func loadFund(conn *gorm.DB, code string) (*FundInfo, error) {
	var fs []FundInfo
	err := conn.Raw(`SELECT code, kind, name, holder, fiscal_year, document_no, budget_subject, direct
		FROM funds WHERE code = ?`, code).Scan(&fs).Error
	if err != nil {
		return nil, err
	}
	if len(fs) == 0 {
		return nil, fmt.Errorf("%w: fund %q", errs.ErrNotFound, code)
	}
	return &fs[0], nil
}

type holding struct{ fund, holder string }

// tracer walks inflows back to receipts, computing each holding's flow and
// loading each transfer at most once per trace. For a district it stops at
// the district's boundary (see Node.Boundary).
type tracer struct {
	conn      *gorm.DB
	district  string // the caller's district; "" for the city-wide roles
	funds     map[string]*FundInfo
	flows     map[holding]*flow
	transfers map[string]*ledger.Transfer
}

func newTracer(conn *gorm.DB, district string) *tracer {
	return &tracer{conn: conn, district: district, funds: map[string]*FundInfo{}, flows: map[holding]*flow{},
		transfers: map[string]*ledger.Transfer{}}
}

func (tr *tracer) fund(code string) (*FundInfo, error) {
	if f := tr.funds[code]; f != nil {
		return f, nil
	}
	f, err := loadFund(tr.conn, code)
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
	fl, err := computeFlow(tr.conn, fund, holder)
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
		if tr.district != "" && ledger.HolderDistrict(t.From) != tr.district {
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

const transferColumns = `SELECT id, fiscal_year, voucher_seq, voucher_no, type, base_type, fund_code, from_holder,
	to_holder, district_code, project_code, category, amount, booked_on, payer_name, payer_credit_code,
	payee_name, payee_credit_code, payee_bank_account, household, reference, document_no, source_voucher_no,
	purpose, forced_reason, reversal_of, plan_id, batch_id, recorded_by, recorded_at, hash FROM transfers`

// load reads the transfers the ranges name that are not loaded yet.
func (tr *tracer) load(ps []piece) error {
	var ids []string
	for _, p := range ps {
		if _, ok := tr.transfers[p.src]; !ok && p.src != "" {
			tr.transfers[p.src] = nil
			ids = append(ids, p.src)
		}
	}
	for start := 0; start < len(ids); start += 500 {
		rows, err := tr.conn.Raw(transferColumns+" WHERE id IN ?", ids[start:min(start+500, len(ids))]).Rows()
		if err != nil {
			return err
		}
		for rows.Next() {
			t, err := ledger.ScanTransfer(rows.Scan)
			if err != nil {
				rows.Close()
				return err
			}
			tr.transfers[t.ID] = t
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}
