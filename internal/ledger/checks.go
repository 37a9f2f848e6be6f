package ledger

import (
	"context"
	"strings"

	"renofund/internal/money"
	"renofund/internal/store"
)

// What the exception rules read of the books: lean rows, no postings.

// Voucher is a transfer as a rule reads it.
type Voucher struct {
	VoucherNo, District, Project, BookedOn, RecordedAt, RecordedBy string
	PayeeName, PayeeCreditCode, PayeeBankAccount                   string
	Amount                                                         money.Amount
}

const voucherColumns = `t.voucher_no, t.district_code, t.project_code, t.booked_on, t.recorded_at, t.recorded_by,
	t.payee_name, t.payee_credit_code, t.payee_bank_account, t.amount`

func (l *Ledger) vouchers(ctx context.Context, q string, args ...any) ([]Voucher, error) {
	var rows []struct {
		VoucherNo, BookedOn, RecordedAt, RecordedBy                             string
		DistrictCode, ProjectCode, PayeeName, PayeeCreditCode, PayeeBankAccount *string
		Amount                                                                  int64
	}
	if err := l.db.Conn(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Voucher, len(rows))
	for i, r := range rows {
		out[i] = Voucher{VoucherNo: r.VoucherNo, District: store.Str(r.DistrictCode), Project: store.Str(r.ProjectCode),
			BookedOn: r.BookedOn, RecordedAt: r.RecordedAt, RecordedBy: r.RecordedBy, PayeeName: store.Str(r.PayeeName),
			PayeeCreditCode: store.Str(r.PayeeCreditCode), PayeeBankAccount: store.Str(r.PayeeBankAccount), Amount: money.Amount(r.Amount)}
	}
	return out, nil
}

// RepeatedPayments lists the expenditures not reversed (of one district
// when given) whose amount another such expenditure shares, by amount and
// booking date: the candidates for a duplicate payment.
func (l *Ledger) RepeatedPayments(ctx context.Context, district string) ([]Voucher, error) {
	scope, args := "", []any{}
	if district != "" {
		scope, args = " AND t.district_code = ?", []any{district}
	}
	unreversed := " AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.reversal_of = t.id)"
	return l.vouchers(ctx, `SELECT `+voucherColumns+` FROM transfers t
		WHERE t.type = 'expenditure'`+scope+unreversed+` AND t.amount IN (
			SELECT t.amount FROM transfers t WHERE t.type = 'expenditure'`+scope+unreversed+`
			GROUP BY t.amount HAVING COUNT(*) > 1)
		ORDER BY t.amount, t.booked_on, t.fiscal_year, t.voucher_seq`, append(args, args...)...)
}

// Recording is the vouchers of one district ("" for the city's) booked on
// one date and recorded by one person within one hour (UTC, "2006-01-02T15").
type Recording struct {
	District, BookedOn, Hour, RecordedBy string
	Count                                int
	Amount                               money.Amount
}

// RecordedAfter sums the transfers (of one district when given) recorded
// before until (a stored timestamp) on a later UTC date than the one they
// were booked on, or on the same date too when sameDay is set, per district,
// booking date, hour of recording and recorder: the candidates for a late
// entry, a few rows however many vouchers a backlog holds. The later-date
// ones are kept as they are written (late_recordings), so with until on the
// hour and sameDay unset nothing but those few rows is read.
func (l *Ledger) RecordedAfter(ctx context.Context, district, until string, sameDay bool) ([]Recording, error) {
	var rows []struct {
		DistrictCode               *string
		BookedOn, Hour, RecordedBy string
		Count                      int
		Amount                     int64
	}
	var q string
	var args []any
	if onTheHour := len(until) > 13 && strings.Trim(until[13:], ":0.Z") == ""; onTheHour && !sameDay {
		q, args = `SELECT NULLIF(t.district_code, '') AS district_code, t.booked_on, t.hour, t.recorded_by, t.count, t.amount
			FROM late_recordings t WHERE t.hour < ?`, []any{until[:13]}
		if district != "" {
			q, args = q+" AND t.district_code = ?", append(args, district)
		}
	} else {
		cmp := ">"
		if sameDay {
			cmp = ">="
		}
		where, wargs := "", []any{until}
		if district != "" {
			where, wargs = " AND t.district_code = ?", append(wargs, district)
		}
		q, args = `SELECT t.district_code, t.booked_on, SUBSTR(t.recorded_at, 1, 13) AS hour, t.recorded_by,
			COUNT(*) AS count, SUM(t.amount) AS amount FROM transfers t
			WHERE t.recorded_at < ? AND SUBSTR(t.recorded_at, 1, 10) `+cmp+` t.booked_on`+where+`
			GROUP BY t.district_code, t.booked_on, SUBSTR(t.recorded_at, 1, 13), t.recorded_by`, wargs
	}
	if err := l.db.Conn(ctx).Raw(q+" ORDER BY 1, 2, 3, 4", args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Recording, len(rows))
	for i, r := range rows {
		out[i] = Recording{District: store.Str(r.DistrictCode), BookedOn: r.BookedOn, Hour: r.Hour, RecordedBy: r.RecordedBy,
			Count: r.Count, Amount: money.Amount(r.Amount)}
	}
	return out, nil
}
