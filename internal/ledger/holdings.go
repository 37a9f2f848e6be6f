package ledger

import (
	"context"
	"strings"

	"renofund/internal/money"
	"renofund/internal/store"
)

// Holding is one fund's money at one holder, with the head of its hash chain.
type Holding struct {
	Fund     string
	Holder   string
	District string // the holder's district; "" for the city
	Project  string // the holder's project, if it is one
	Balance  money.Amount
	ChainSeq int64
	Head     string
}

// HoldingFilter selects holdings; empty fields select everything.
type HoldingFilter struct {
	Fund     string
	Funds    []string // any of these funds
	Holder   string
	District string
	// Positive keeps holdings with money in them; AboveProjects keeps the
	// city's and the districts' own holdings (not their projects').
	Positive, AboveProjects bool
}

// Where is the filter as a condition on holdings h, with its arguments.
func (f HoldingFilter) Where() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		conds = append(conds, cond)
		args = append(args, v)
	}
	if f.Fund != "" {
		add("h.fund_code = ?", f.Fund)
	}
	if f.Funds != nil {
		if len(f.Funds) == 0 {
			conds = append(conds, "1 = 0")
		} else {
			add("h.fund_code IN ?", f.Funds)
		}
	}
	if f.Holder != "" {
		add("h.holder = ?", f.Holder)
	}
	if f.District != "" {
		add("h.district_code = ?", f.District)
	}
	if f.Positive {
		conds = append(conds, "h.balance > 0")
	}
	if f.AboveProjects {
		conds = append(conds, "h.project_code IS NULL")
	}
	if len(conds) == 0 {
		return "1 = 1", nil
	}
	return strings.Join(conds, " AND "), args
}

// Holdings lists the holdings f selects, by fund and holder.
func (l *Ledger) Holdings(ctx context.Context, f HoldingFilter) ([]Holding, error) {
	where, args := f.Where()
	var rows []struct {
		FundCode, Holder          string
		DistrictCode, ProjectCode *string
		Balance, ChainSeq         int64
		ChainHead                 string
	}
	err := l.db.Conn(ctx).Raw(`SELECT h.fund_code, h.holder, h.district_code, h.project_code, h.balance, h.chain_seq,
		h.chain_head FROM holdings h WHERE `+where+` ORDER BY h.fund_code, h.holder`, args...).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]Holding, len(rows))
	for i, r := range rows {
		out[i] = Holding{Fund: r.FundCode, Holder: r.Holder, District: store.Str(r.DistrictCode),
			Project: store.Str(r.ProjectCode), Balance: money.Amount(r.Balance), ChainSeq: r.ChainSeq, Head: r.ChainHead}
	}
	return out, nil
}

// HeldIn reports whether some of fund's money has reached district: a
// holding of it at the district or one of its projects.
func (l *Ledger) HeldIn(ctx context.Context, fund, district string) (bool, error) {
	var held []int
	err := l.db.Conn(ctx).Raw("SELECT 1 FROM holdings WHERE fund_code = ? AND district_code = ? LIMIT 1", fund, district).
		Scan(&held).Error
	return len(held) > 0, err
}

// LockHolder reads, under row locks held until the caller's transaction
// ends, every holding with money at one holder, by fund: what an
// expenditure may be attributed over, and what no one else can take
// meanwhile. It must run inside a transaction (store.DB.Tx).
func (l *Ledger) LockHolder(ctx context.Context, holder string) ([]Holding, error) {
	var rows []struct {
		FundCode string
		Balance  int64
	}
	err := l.db.Conn(ctx).Raw("SELECT fund_code, balance FROM holdings WHERE holder = ? AND balance > 0 ORDER BY fund_code"+
		l.db.ForUpdate(), holder).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]Holding, len(rows))
	for i, r := range rows {
		out[i] = Holding{Fund: r.FundCode, Holder: holder, Balance: money.Amount(r.Balance)}
	}
	return out, nil
}

// FundsHeldIn lists, in code order, the funds with a holding at district or
// one of its projects: the funds whose money has reached it.
func (l *Ledger) FundsHeldIn(ctx context.Context, district string) ([]string, error) {
	var codes []string
	err := l.db.Conn(ctx).Raw("SELECT DISTINCT fund_code FROM holdings WHERE district_code = ? ORDER BY fund_code", district).
		Scan(&codes).Error
	return codes, err
}
