// Package clues is what the exception rules read of the books, beyond the
// flows every report reads (internal/ledger): lean rows of vouchers, when
// each holding last moved money, a holding's postings in booking order, and
// what vote-bound funds have paid. It reads the ledger's tables and writes
// nothing.
package clues

import (
	"context"
	"strings"

	"renofund/internal/ledger"
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

func vouchers(ctx context.Context, db *store.DB, q string, args ...any) ([]Voucher, error) {
	var rows []struct {
		VoucherNo, BookedOn, RecordedAt, RecordedBy                             string
		DistrictCode, ProjectCode, PayeeName, PayeeCreditCode, PayeeBankAccount *string
		Amount                                                                  int64
	}
	if err := db.Conn(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
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
func RepeatedPayments(ctx context.Context, db *store.DB, district string) ([]Voucher, error) {
	scope, args := "", []any{}
	if district != "" {
		scope, args = " AND t.district_code = ?", []any{district}
	}
	unreversed := " AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.reversal_of = t.id)"
	return vouchers(ctx, db, `SELECT `+voucherColumns+` FROM transfers t
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
func RecordedAfter(ctx context.Context, db *store.DB, district, until string, sameDay bool) ([]Recording, error) {
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
	if err := db.Conn(ctx).Raw(q+" ORDER BY 1, 2, 3, 4", args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Recording, len(rows))
	for i, r := range rows {
		out[i] = Recording{District: store.Str(r.DistrictCode), BookedOn: r.BookedOn, Hour: r.Hour, RecordedBy: r.RecordedBy,
			Count: r.Count, Amount: money.Amount(r.Amount)}
	}
	return out, nil
}

// Activity is when money last moved on from a holding that still holds
// some: LastOut is the booking date of its latest outflow ("" when nothing
// has gone out), FirstIn that of its earliest inflow.
type Activity struct {
	ledger.Holding
	FirstIn, LastOut string
}

// Activities lists, for every holding with money in it (of one district
// when given), when money last moved on from it.
func Activities(ctx context.Context, db *store.DB, district string) ([]Activity, error) {
	where, args := ledger.HoldingFilter{District: district, Positive: true}.Where()
	var rows []struct {
		FundCode, Holder      string
		DistrictCode, Project *string
		Balance               int64
		FirstIn, LastOut      *string
	}
	err := db.Conn(ctx).Raw(`SELECT h.fund_code, h.holder, h.district_code, h.project_code AS project, h.balance,
		MIN(NULLIF(m.first_in, '')) AS first_in, MAX(NULLIF(m.last_out, '')) AS last_out
		FROM holdings h CROSS JOIN holding_months m
		WHERE `+where+` AND m.fund_code = h.fund_code AND m.holder = h.holder
		GROUP BY h.fund_code, h.holder, h.district_code, h.project_code, h.balance ORDER BY 1, 2`, args...).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]Activity, len(rows))
	for i, r := range rows {
		out[i] = Activity{Holding: ledger.Holding{Fund: r.FundCode, Holder: r.Holder, District: store.Str(r.DistrictCode),
			Project: store.Str(r.Project), Balance: money.Amount(r.Balance)}, FirstIn: store.Str(r.FirstIn), LastOut: store.Str(r.LastOut)}
	}
	return out, nil
}

// Entry is one posting of a holding with the date it was booked on.
type Entry struct {
	Fund, Holder, District string
	BookedOn               string
	VoucherSeq             int64
	Amount                 money.Amount // + in, − out
}

// Entries lists the postings of the holdings f selects, per holding in
// booking order (then voucher order), for first-in-first-out reasoning.
func Entries(ctx context.Context, db *store.DB, f ledger.HoldingFilter) ([]Entry, error) {
	where, args := f.Where()
	var rows []struct {
		FundCode, Holder   string
		District           *string
		BookedOn           string
		VoucherSeq, Amount int64
	}
	err := db.Conn(ctx).Raw(`SELECT p.fund_code, p.holder, h.district_code AS district, t.booked_on, t.voucher_seq, p.amount
		FROM holdings h CROSS JOIN postings p CROSS JOIN transfers t
		WHERE `+where+` AND p.fund_code = h.fund_code AND p.holder = h.holder AND t.id = p.transfer_id
		ORDER BY p.fund_code, p.holder, t.booked_on, t.voucher_seq`, args...).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]Entry, len(rows))
	for i, r := range rows {
		out[i] = Entry{Fund: r.FundCode, Holder: r.Holder, District: store.Str(r.District), BookedOn: r.BookedOn,
			VoucherSeq: r.VoucherSeq, Amount: money.Amount(r.Amount)}
	}
	return out, nil
}

// FundSpending is what a fund has paid out, net of reversals, and the date
// of its first payment.
type FundSpending struct {
	Fund      string
	Spent     money.Amount
	FirstPaid string // "" when it has paid nothing
}

// Spending reports, for each of the funds that has postings, its
// expenditures (subsidy payments aside) and when it first paid one.
func Spending(ctx context.Context, db *store.DB, funds []string) ([]FundSpending, error) {
	if len(funds) == 0 {
		return nil, nil
	}
	var rows []struct {
		Fund      string
		Spent     int64
		FirstPaid *string
	}
	// From the funds' holdings to their postings (every expenditure has one
	// out of a holding beside the outside world's), so that both engines
	// look up the few postings of these funds instead of reading them all.
	err := db.Conn(ctx).Raw(`SELECT h.fund_code AS fund,
		COALESCE(-SUM(CASE WHEN t.base_type = 'expenditure' THEN p.amount END), 0) AS spent,
		MIN(CASE WHEN t.type = 'expenditure' THEN t.booked_on END) AS first_paid
		FROM holdings h CROSS JOIN postings p CROSS JOIN transfers t
		WHERE h.fund_code IN ? AND p.fund_code = h.fund_code AND p.holder = h.holder AND t.id = p.transfer_id
		GROUP BY h.fund_code ORDER BY 1`, funds).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]FundSpending, len(rows))
	for i, r := range rows {
		out[i] = FundSpending{Fund: r.Fund, Spent: money.Amount(r.Spent), FirstPaid: store.Str(r.FirstPaid)}
	}
	return out, nil
}
