package audit

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
)

// Filter selects rows of the trail; empty fields select everything.
type Filter struct {
	District string `json:"district,omitempty"` // the voucher's district
	Project  string `json:"project,omitempty"`  // the voucher's project
	Fund     string `json:"fund,omitempty"`     // only this fund's legs
	From     string `json:"from,omitempty"`     // booked_on on or after, YYYY-MM-DD
	To       string `json:"to,omitempty"`       // booked_on on or before, YYYY-MM-DD
}

// Scope checks f and applies the caller's reach: a district actor gets its
// own district whatever it asked for, and asking for another district is
// forbidden. Export and ExportDir call it; a handler may call it first to
// answer a refusal before it starts a download.
func Scope(ctx context.Context, f Filter) (Filter, error) {
	for _, d := range []struct{ name, v string }{{"from", f.From}, {"to", f.To}} {
		if d.v == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, d.v); err != nil {
			return f, fmt.Errorf("%w: %s must be a date YYYY-MM-DD, got %q", errs.ErrInvalidRequest, d.name, d.v)
		}
	}
	if f.From != "" && f.To != "" && f.From > f.To {
		return f, fmt.Errorf("%w: from %s is after to %s", errs.ErrInvalidRequest, f.From, f.To)
	}
	var err error
	f.District, err = access.From(ctx).Area(f.District)
	return f, err
}

// where renders the filter, after any fixed conditions, as conditions on
// transfers t.
func (f Filter) where(fixed ...string) (string, []any) {
	conds := fixed
	var args []any
	add := func(cond, v string) {
		if v != "" {
			conds = append(conds, cond)
			args = append(args, v)
		}
	}
	add("t.district_code = ?", f.District)
	add("t.project_code = ?", f.Project)
	if f.Fund != "" {
		// A transfer of one fund names it; one paid from several names
		// them in its postings only. The concatenation keeps the planner on
		// the postings' primary key, not on the fund's whole chain.
		conds = append(conds, "(t.fund_code = ? OR (t.fund_code IS NULL AND EXISTS (SELECT 1 FROM postings pf "+
			"WHERE pf.transfer_id = t.id AND pf.fund_code || '' = ?)))")
		args = append(args, f.Fund, f.Fund)
	}
	add("t.booked_on >= ?", f.From)
	add("t.booked_on <= ?", f.To)
	return strings.Join(conds, " AND "), args
}

// trailPage is how many transfers streamRows reads at a time.
const trailPage = 1000

// trailTransfers selects a page of transfers in voucher order, each with
// the voucher number of the transfer it reverses.
const trailTransfers = `SELECT t.id, t.fiscal_year, t.voucher_seq, t.voucher_no, t.type, t.base_type, t.booked_on,
	t.recorded_by, t.recorded_at, t.hash,
	t.district_code, t.project_code, t.category, t.payer_name, t.payer_credit_code, t.payee_name,
	t.payee_credit_code, t.payee_bank_account, t.household, t.reference, t.document_no, t.source_voucher_no,
	t.purpose, t.forced_reason, t.reversal_of, t.plan_id, t.batch_id, o.voucher_no
	FROM transfers t LEFT JOIN transfers o ON o.id = t.reversal_of`

// trailPostings selects the postings of the transfers in a voucher range
// with their funds, in trail order. The range is bounded on both sides, so
// both engines walk the voucher index and probe each transfer's postings.
const trailPostings = `SELECT t.id, f.kind, f.direct, f.budget_subject, f.document_no,
	p.fund_code, p.holder, p.amount, p.chain_seq, p.hash
	FROM transfers t JOIN postings p ON p.transfer_id = t.id JOIN funds f ON f.code = p.fund_code
	WHERE (t.fiscal_year, t.voucher_seq) > (?, ?) AND (t.fiscal_year, t.voucher_seq) <= (?, ?)`

// posting is one scanned posting with the fund it belongs to.
type posting struct {
	fund     Row // the fund columns only
	holder   string
	amount   int64
	chainSeq sql.NullInt64
	hash     sql.NullString
}

func scanTransfer(rows *sql.Rows, r *Row) error {
	var n [18]sql.NullString
	err := rows.Scan(&r.TransferID, &r.FiscalYear, &r.VoucherSeq, &r.VoucherNo, &r.Type, &r.BaseType, &r.BookedOn,
		&r.RecordedBy, &r.RecordedAt, &r.TransferHash,
		&n[0], &n[1], &n[2], &n[3], &n[4], &n[5], &n[6], &n[7], &n[8], &n[9], &n[10], &n[11], &n[12], &n[13],
		&n[14], &n[15], &n[16], &n[17])
	if err != nil {
		return err
	}
	for i, dst := range []*string{&r.District, &r.Project, &r.Category, &r.PayerName, &r.PayerCreditCode,
		&r.PayeeName, &r.PayeeCreditCode, &r.PayeeBankAccount, &r.Household, &r.Reference, &r.DocumentNo,
		&r.SourceVoucherNo, &r.Purpose, &r.ForcedReason, &r.ReversalOf, &r.PlanID, &r.BatchID,
		&r.ReversalOfVoucher} {
		*dst = n[i].String
	}
	if len(r.BookedOn) >= 7 {
		r.Period = r.BookedOn[:7]
	}
	return nil
}

// streamRows calls emit with each leg of the selected transfers, in voucher
// order. It reads a page of transfers along the voucher index, then that
// page's postings by transfer id, so neither engine sorts the whole trail
// before the first row leaves, and memory holds one page. The caller runs it
// in one snapshot when the pages must agree with each other.
func streamRows(conn *gorm.DB, f Filter, emit func(*Row) error) error {
	where, args := f.where()
	var year, seq int64
	for {
		cond := "(t.fiscal_year, t.voucher_seq) > (?, ?)"
		q := trailTransfers + " WHERE " + cond
		if where != "" {
			q += " AND " + where
		}
		page, err := transferPage(conn, q+fmt.Sprintf(" ORDER BY t.fiscal_year, t.voucher_seq LIMIT %d", trailPage),
			append([]any{year, seq}, args...))
		if err != nil || len(page) == 0 {
			return err
		}
		last := page[len(page)-1]
		legs, err := pageLegs(conn, page, [4]int64{year, seq, last.FiscalYear, last.VoucherSeq}, where, args, f.Fund)
		if err != nil {
			return err
		}
		for i := range page {
			for _, leg := range legs[page[i].TransferID] {
				if err := emit(leg); err != nil {
					return err
				}
			}
		}
		if len(page) < trailPage {
			return nil
		}
		year, seq = last.FiscalYear, last.VoucherSeq
	}
}

func transferPage(conn *gorm.DB, q string, args []any) ([]Row, error) {
	rows, err := conn.Raw(q, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var page []Row
	for rows.Next() {
		var r Row
		if err := scanTransfer(rows, &r); err != nil {
			return nil, err
		}
		page = append(page, r)
	}
	return page, rows.Err()
}

// pageLegs reads the postings of a page of transfers, the voucher range
// (bounds[0], bounds[1]] to (bounds[2], bounds[3]] under the same filter,
// and folds them into legs, one per transfer and fund (of one fund, when
// fund is set).
func pageLegs(conn *gorm.DB, page []Row, bounds [4]int64, where string, filter []any, fund string) (map[string][]*Row, error) {
	byID := make(map[string]*Row, len(page))
	for i := range page {
		byID[page[i].TransferID] = &page[i]
	}
	q := trailPostings
	args := []any{bounds[0], bounds[1], bounds[2], bounds[3]}
	if where != "" {
		q, args = q+" AND "+where, append(args, filter...)
	}
	if fund != "" {
		q, args = q+" AND p.fund_code = ?", append(args, fund)
	}
	rows, err := conn.Raw(q+" ORDER BY t.fiscal_year, t.voucher_seq, p.fund_code, p.line", args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	legs := make(map[string][]*Row, len(page))
	var p posting
	for rows.Next() {
		var id string
		if err := rows.Scan(&id, &p.fund.FundKind, &p.fund.Direct, &p.fund.BudgetSubject, &p.fund.FundDocumentNo,
			&p.fund.Fund, &p.holder, &p.amount, &p.chainSeq, &p.hash); err != nil {
			return nil, err
		}
		ls, t := legs[id], byID[id]
		if t == nil {
			return nil, fmt.Errorf("audit: posting of transfer %s outside the page", id)
		}
		if n := len(ls); n == 0 || ls[n-1].Fund != p.fund.Fund {
			leg := *t
			leg.Fund, leg.FundKind, leg.Direct = p.fund.Fund, p.fund.FundKind, p.fund.Direct
			leg.BudgetSubject, leg.FundDocumentNo = p.fund.BudgetSubject, p.fund.FundDocumentNo
			ls = append(ls, &leg)
			legs[id] = ls
		}
		fold(ls[len(ls)-1], &p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, ls := range legs {
		for _, leg := range ls {
			finish(leg)
		}
	}
	return legs, nil
}

// fold adds one posting to its leg. A reversal's postings are the
// original's negated; flipping them back keeps the original's direction, and
// finish makes the amount negative (red ink).
func fold(r *Row, p *posting) {
	amount := p.amount
	if r.Type == ledger.TypeReversal {
		amount = -amount
	}
	holder, hash, pos := &r.To, &r.ToPostingHash, &r.ToChainSeq
	if amount < 0 {
		holder, hash, pos = &r.From, &r.FromPostingHash, &r.FromChainSeq
	} else {
		r.Amount += money.Amount(amount)
	}
	*holder = join(*holder, p.holder)
	*hash = join(*hash, p.hash.String)
	if p.chainSeq.Valid && *pos == 0 {
		*pos = seq(p.chainSeq.Int64)
	}
}

func finish(r *Row) *Row {
	if r.Type == ledger.TypeReversal {
		r.Amount = -r.Amount
	}
	r.Summary = summary(r)
	return r
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
