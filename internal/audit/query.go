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
	a := access.From(ctx)
	if a.Role == access.District {
		if f.District != "" && f.District != a.District {
			return f, fmt.Errorf("%w: district %s belongs to someone else", errs.ErrForbidden, f.District)
		}
		f.District = a.District
	}
	return f, nil
}

// where renders the filter, after any fixed conditions, for a query over
// transfers t and postings p.
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
	add("p.fund_code = ?", f.Fund)
	add("t.booked_on >= ?", f.From)
	add("t.booked_on <= ?", f.To)
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// trailQuery returns every posting of the selected transfers with its
// transfer and fund, in trail order, so that the postings of one leg are
// adjacent and can be folded into a row as they stream past.
const trailQuery = `SELECT t.id, t.fiscal_year, t.voucher_seq, t.voucher_no, t.type, t.base_type, t.booked_on,
	t.recorded_by, t.recorded_at, t.hash,
	t.district_code, t.project_code, t.category, t.payer_name, t.payer_credit_code, t.payee_name,
	t.payee_credit_code, t.payee_bank_account, t.household, t.reference, t.document_no, t.source_voucher_no,
	t.purpose, t.forced_reason, t.reversal_of, t.plan_id, t.batch_id, o.voucher_no,
	f.kind, f.direct, f.budget_subject, f.document_no,
	p.fund_code, p.holder, p.amount, p.chain_seq, p.hash
	FROM transfers t
	JOIN postings p ON p.transfer_id = t.id
	JOIN funds f ON f.code = p.fund_code
	LEFT JOIN transfers o ON o.id = t.reversal_of`

const trailOrder = " ORDER BY t.fiscal_year, t.voucher_seq, p.fund_code, p.line"

// posting is one scanned row of trailQuery.
type posting struct {
	row      Row
	holder   string
	amount   int64
	chainSeq sql.NullInt64
	hash     sql.NullString
}

func scanPosting(rows *sql.Rows, p *posting) error {
	r := &p.row
	var n [18]sql.NullString
	err := rows.Scan(&r.TransferID, &r.FiscalYear, &r.VoucherSeq, &r.VoucherNo, &r.Type, &r.BaseType, &r.BookedOn,
		&r.RecordedBy, &r.RecordedAt, &r.TransferHash,
		&n[0], &n[1], &n[2], &n[3], &n[4], &n[5], &n[6], &n[7], &n[8], &n[9], &n[10], &n[11], &n[12], &n[13],
		&n[14], &n[15], &n[16], &n[17],
		&r.FundKind, &r.Direct, &r.BudgetSubject, &r.FundDocumentNo,
		&r.Fund, &p.holder, &p.amount, &p.chainSeq, &p.hash)
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

// streamRows runs the trail query on conn and calls emit with each leg, in
// order. Only the leg being assembled is held in memory.
func streamRows(conn *gorm.DB, f Filter, emit func(*Row) error) error {
	where, args := f.where()
	rows, err := conn.Raw(trailQuery+where+trailOrder, args...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	var cur, next posting
	have := false
	for rows.Next() {
		if err := scanPosting(rows, &next); err != nil {
			return err
		}
		if have && (next.row.TransferID != cur.row.TransferID || next.row.Fund != cur.row.Fund) {
			if err := emit(finish(&cur.row)); err != nil {
				return err
			}
			have = false
		}
		if !have {
			cur.row, have = next.row, true
			cur.row.Amount = 0
		}
		fold(&cur.row, &next)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if have {
		return emit(finish(&cur.row))
	}
	return nil
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
