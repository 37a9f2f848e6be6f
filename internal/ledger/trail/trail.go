// Package trail reads the fund trail out of the ledger: every transfer's
// legs (one fund's part of it) in voucher order, a page at a time, and the
// totals an export reconciles its rows against by an independent path.
package trail

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
)

// Filter selects transfers for the fund trail; empty fields select
// everything.
type Filter struct {
	District string // the voucher's district
	Project  string // the voucher's project
	Fund     string // only this fund's legs
	From, To string // booking dates, inclusive
}

// where renders the filter as conditions on transfers t ("1 = 1" for none).
func (f Filter) where() (string, []any) {
	conds := []string{"1 = 1"}
	var args []any
	add := func(cond, v string) {
		if v != "" {
			conds, args = append(conds, cond), append(args, v)
		}
	}
	add("t.district_code = ?", f.District)
	add("t.project_code = ?", f.Project)
	if f.Fund != "" {
		// A transfer of one fund names it; one paid from several names them
		// in its postings only. The concatenation keeps the planner on the
		// postings' primary key, not on the fund's whole chain.
		conds = append(conds, "(t.fund_code = ? OR (t.fund_code IS NULL AND EXISTS (SELECT 1 FROM postings pf "+
			"WHERE pf.transfer_id = t.id AND pf.fund_code || '' = ?)))")
		args = append(args, f.Fund, f.Fund)
	}
	add("t.booked_on >= ?", f.From)
	add("t.booked_on <= ?", f.To)
	return strings.Join(conds, " AND "), args
}

// Leg is one fund's part of one transfer, its postings of that fund folded
// into the side money left (From) and the side it reached (To). A reversal's
// postings are the original's negated; its leg keeps the original's
// direction and has a negative Amount (red ink).
type Leg struct {
	*ledger.Transfer         // the voucher, without its postings
	ReversalOfVoucher string // the voucher number of the transfer it reverses
	LegFund           string
	From, To          string // holders; several are joined with ";"
	LegAmount         money.Amount
	FromChainSeq      int64 // 0: the outside world, which has no chain
	ToChainSeq        int64
	FromHash, ToHash  string
}

// legPage is how many transfers Legs reads at a time.
const legPage = 1000

// Legs calls emit with every leg of the selected transfers in voucher order.
// It reads a page of transfers along the voucher index, then that page's
// postings by voucher range, so neither engine sorts the whole trail before
// the first leg, and memory holds one page. Run it in a snapshot
// (store.DB.Snapshot) when the pages must agree with each other.
func Legs(ctx context.Context, db *store.DB, f Filter, emit func(*Leg) error) error {
	conn := db.Conn(ctx)
	where, args := f.where()
	var year, seq int64
	for {
		page, err := transferPage(conn, "SELECT "+ledger.TransferColumns+`, o.voucher_no FROM transfers t
			LEFT JOIN transfers o ON o.id = t.reversal_of
			WHERE (t.fiscal_year, t.voucher_seq) > (?, ?) AND `+where+
			fmt.Sprintf(" ORDER BY t.fiscal_year, t.voucher_seq LIMIT %d", legPage), append([]any{year, seq}, args...))
		if err != nil || len(page) == 0 {
			return err
		}
		last := page[len(page)-1].Transfer
		legs, err := pageLegs(conn, page, [4]int64{year, seq, int64(last.FiscalYear), last.VoucherSeq}, where, args, f.Fund)
		if err != nil {
			return err
		}
		for _, lg := range legs {
			if err := emit(lg); err != nil {
				return err
			}
		}
		if len(page) < legPage {
			return nil
		}
		year, seq = int64(last.FiscalYear), last.VoucherSeq
	}
}

type pagedTransfer struct {
	*ledger.Transfer
	reversalOfVoucher string
}

func transferPage(conn *gorm.DB, q string, args []any) ([]pagedTransfer, error) {
	rows, err := conn.Raw(q, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var page []pagedTransfer
	for rows.Next() {
		var rv sql.NullString
		t, err := ledger.ScanTransfer(func(dest ...any) error { return rows.Scan(append(dest, &rv)...) })
		if err != nil {
			return nil, err
		}
		page = append(page, pagedTransfer{t, rv.String})
	}
	return page, rows.Err()
}

// pageLegs reads the postings of a page of transfers, the voucher range
// (bounds[0], bounds[1]] to (bounds[2], bounds[3]] under the same filter, in
// trail order, and folds them into legs: one per transfer and fund (of one
// fund, when fund is set). The range is bounded on both sides so both
// engines walk the voucher index and probe each transfer's postings.
func pageLegs(conn *gorm.DB, page []pagedTransfer, bounds [4]int64, where string, filter []any, fund string) ([]*Leg, error) {
	byID := make(map[string]pagedTransfer, len(page))
	for _, t := range page {
		byID[t.ID] = t
	}
	q := `SELECT t.id, p.fund_code, p.holder, p.amount, p.chain_seq, p.hash
		FROM transfers t JOIN postings p ON p.transfer_id = t.id
		WHERE (t.fiscal_year, t.voucher_seq) > (?, ?) AND (t.fiscal_year, t.voucher_seq) <= (?, ?) AND ` + where
	args := append([]any{bounds[0], bounds[1], bounds[2], bounds[3]}, filter...)
	if fund != "" {
		q, args = q+" AND p.fund_code = ?", append(args, fund)
	}
	rows, err := conn.Raw(q+" ORDER BY t.fiscal_year, t.voucher_seq, p.fund_code, p.line", args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var legs []*Leg
	for rows.Next() {
		var id, fundCode, holder string
		var amount int64
		var chainSeq sql.NullInt64
		var hash sql.NullString
		if err := rows.Scan(&id, &fundCode, &holder, &amount, &chainSeq, &hash); err != nil {
			return nil, err
		}
		t, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("ledger: posting of transfer %s outside the page", id)
		}
		if n := len(legs); n == 0 || legs[n-1].ID != id || legs[n-1].LegFund != fundCode {
			legs = append(legs, &Leg{Transfer: t.Transfer, ReversalOfVoucher: t.reversalOfVoucher, LegFund: fundCode})
		}
		legs[len(legs)-1].fold(holder, amount, chainSeq, hash.String)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, lg := range legs {
		if lg.Type == ledger.TypeReversal {
			lg.LegAmount = -lg.LegAmount
		}
	}
	return legs, nil
}

// fold adds one posting to the leg. A reversal's postings are flipped back
// to the original's direction; the amount is made negative at the end.
func (lg *Leg) fold(holder string, amount int64, chainSeq sql.NullInt64, hash string) {
	if lg.Type == ledger.TypeReversal {
		amount = -amount
	}
	side, h, pos := &lg.To, &lg.ToHash, &lg.ToChainSeq
	if amount < 0 {
		side, h, pos = &lg.From, &lg.FromHash, &lg.FromChainSeq
	} else {
		lg.LegAmount += money.Amount(amount)
	}
	*side = join(*side, holder)
	*h = join(*h, hash)
	if chainSeq.Valid && *pos == 0 {
		*pos = chainSeq.Int64
	}
}

// join keeps every holder of a side, should a leg ever have more than one.
func join(have, v string) string {
	switch {
	case have == "":
		return v
	case v == "" || v == have:
		return have
	}
	return have + ";" + v
}

// FundTotal is what the holders' side of the selected transfers received
// and spent of one fund, net of reversals.
type FundTotal struct {
	Fund            string
	Received, Spent money.Amount
}

// Totals sums the selected transfers' postings at holdings (not the
// outside world's side), per fund: a path independent of Legs, for an export
// to reconcile its rows against.
func Totals(ctx context.Context, db *store.DB, f Filter) ([]FundTotal, error) {
	byTransfer := f
	byTransfer.Fund = ""
	where, args := byTransfer.where()
	if f.Fund != "" {
		where, args = where+" AND p.fund_code = ?", append(args, f.Fund)
	}
	var rows []struct {
		FundCode        string
		Received, Spent int64
	}
	err := db.Conn(ctx).Raw(`SELECT p.fund_code,
		COALESCE(SUM(CASE WHEN t.base_type = 'receipt' THEN p.amount ELSE 0 END), 0) AS received,
		COALESCE(SUM(CASE WHEN t.base_type IN ('expenditure', 'subsidy_payment') THEN -p.amount ELSE 0 END), 0) AS spent
		FROM postings p JOIN transfers t ON t.id = p.transfer_id
		WHERE p.holder <> '`+ledger.External+`' AND `+where+` GROUP BY p.fund_code ORDER BY 1`, args...).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]FundTotal, len(rows))
	for i, r := range rows {
		out[i] = FundTotal{Fund: r.FundCode, Received: money.Amount(r.Received), Spent: money.Amount(r.Spent)}
	}
	return out, nil
}
