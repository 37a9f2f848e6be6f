package funding

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/recon"
	"renofund/internal/store"
)

// BankLine is a statement line as reported back.
type BankLine struct {
	Line         int          `json:"line"`
	Date         string       `json:"date"`
	Amount       money.Amount `json:"amount"` // signed: + money in
	Reference    string       `json:"reference,omitempty"`
	Counterparty string       `json:"counterparty,omitempty"`
}

// Movement is a ledger movement of the district's money: the net effect of
// one transfer on its holders (+ in, − out). Allocations between the
// district and its own projects net to zero and are not movements.
type Movement struct {
	ID        string       `json:"id"`
	VoucherNo string       `json:"voucher_no"`
	Type      string       `json:"type"`
	Date      string       `json:"date"`
	Amount    money.Amount `json:"amount"`
	Reference string       `json:"reference,omitempty"`
}

// MatchedPair is a bank line and the movement it accounts for.
type MatchedPair struct {
	Bank     BankLine `json:"bank"`
	Movement Movement `json:"movement"`
	By       string   `json:"by"` // reference or amount_date
}

// Reconciliation is a stored bank reconciliation.
type Reconciliation struct {
	ID              string        `json:"id"`
	District        string        `json:"district"`
	StatementSHA256 string        `json:"statement_sha256"`
	WindowDays      int           `json:"window_days"`
	PeriodFrom      string        `json:"period_from"`
	PeriodTo        string        `json:"period_to"`
	MatchedCount    int           `json:"matched_count"`
	Matched         []MatchedPair `json:"matched"`
	UnmatchedBank   []BankLine    `json:"unmatched_bank"`
	UnmatchedLedger []Movement    `json:"unmatched_ledger"`
	CreatedBy       string        `json:"created_by"`
	CreatedAt       string        `json:"created_at"`
}

// Reconcile matches a district's bank statement (CSV date,amount,reference,
// counterparty or the same columns in XLSX) against its ledger movements over
// the statement's dates widened by the window: first by reference (the
// transfer's reference, the client's voucher number, the voucher number or the
// transfer id), then by equal amount within window days, one to one. A
// statement with malformed lines is refused with every bad line listed.
func (s *Service) Reconcile(ctx context.Context, district string, file []byte, window int) (*Reconciliation, error) {
	if window < 0 || window > 31 {
		return nil, fmt.Errorf("%w: window_days must be from 0 to 31", errs.ErrInvalidRequest)
	}
	if err := writable(access.From(ctx), district); err != nil {
		return nil, err
	}
	if ok, err := s.districtExists(ctx, district); err != nil || !ok {
		if err == nil {
			err = fmt.Errorf("%w: district %q", errs.ErrNotFound, district)
		}
		return nil, err
	}
	var lines []recon.BankLine
	var err error
	if bytes.HasPrefix(file, []byte("PK")) {
		lines, err = recon.ParseXLSX(bytes.NewReader(file))
	} else {
		lines, err = recon.ParseCSV(bytes.NewReader(file))
	}
	if errors.Is(err, recon.ErrInvalid) {
		return nil, fmt.Errorf("%w: %v", errs.ErrInvalidRequest, err)
	}
	if err != nil {
		return nil, err
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("%w: the statement has no lines", errs.ErrInvalidRequest)
	}
	from, to := lines[0].Date, lines[0].Date
	for _, l := range lines {
		from, to = minTime(from, l.Date), maxTime(to, l.Date)
	}
	from, to = from.AddDate(0, 0, -window), to.AddDate(0, 0, window)
	moves, byID, err := s.movements(ctx, district, from.Format(time.DateOnly), to.Format(time.DateOnly))
	if err != nil {
		return nil, err
	}
	res := recon.Match(lines, moves, window)
	sum := sha256.Sum256(file)
	r := &Reconciliation{ID: ledger.NewID(), District: district, StatementSHA256: hex.EncodeToString(sum[:]), WindowDays: window,
		PeriodFrom: from.Format(time.DateOnly), PeriodTo: to.Format(time.DateOnly), MatchedCount: len(res.Matched),
		Matched: []MatchedPair{}, UnmatchedBank: []BankLine{}, UnmatchedLedger: []Movement{},
		CreatedBy: access.From(ctx).Label(), CreatedAt: store.Now()}
	for _, p := range res.Matched {
		r.Matched = append(r.Matched, MatchedPair{Bank: toBankLine(p.Bank), Movement: byID[p.Movement.ID], By: string(p.By)})
	}
	for _, b := range res.UnmatchedBank {
		r.UnmatchedBank = append(r.UnmatchedBank, toBankLine(b))
	}
	for _, m := range res.UnmatchedLedger {
		r.UnmatchedLedger = append(r.UnmatchedLedger, byID[m.ID])
	}
	body, _ := json.Marshal(r)
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO reconciliations (id, district_code, statement_sha256, window_days, period_from, period_to,
			matched, unmatched_bank, unmatched_ledger, result, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
			r.ID, district, r.StatementSHA256, window, r.PeriodFrom, r.PeriodTo, len(r.Matched), len(r.UnmatchedBank),
			len(r.UnmatchedLedger), string(body), r.CreatedBy, r.CreatedAt).Error
	})
	return r, err
}

// movements returns the district's ledger movements between two dates.
func (s *Service) movements(ctx context.Context, district, from, to string) ([]recon.Movement, map[string]Movement, error) {
	var rows []struct {
		ID, VoucherNo, Type, BookedOn string
		Reference, SourceVoucherNo    *string
		Net                           int64
	}
	err := s.db.Conn(ctx).Raw(`SELECT t.id AS id, t.voucher_no AS voucher_no, t.type AS type, t.booked_on AS booked_on,
		t.reference AS reference, t.source_voucher_no AS source_voucher_no, SUM(p.amount) AS net
		FROM transfers t JOIN postings p ON p.transfer_id = t.id
		JOIN holdings h ON h.fund_code = p.fund_code AND h.holder = p.holder
		WHERE h.district_code = ? AND t.booked_on BETWEEN ? AND ?
		GROUP BY t.id, t.voucher_no, t.type, t.booked_on, t.reference, t.source_voucher_no
		HAVING SUM(p.amount) <> 0 ORDER BY t.booked_on, t.id`, district, from, to).Scan(&rows).Error
	out := make([]recon.Movement, 0, len(rows))
	byID := make(map[string]Movement, len(rows))
	for _, r := range rows {
		d, _ := time.Parse(time.DateOnly, r.BookedOn)
		ref := r.VoucherNo
		if r.SourceVoucherNo != nil {
			ref = *r.SourceVoucherNo
		}
		if r.Reference != nil {
			ref = *r.Reference
		}
		out = append(out, recon.Movement{ID: r.ID, Date: d, Amount: money.Amount(r.Net), Reference: ref})
		byID[r.ID] = Movement{ID: r.ID, VoucherNo: r.VoucherNo, Type: r.Type, Date: r.BookedOn, Amount: money.Amount(r.Net), Reference: ref}
	}
	return out, byID, err
}

func toBankLine(b recon.BankLine) BankLine {
	return BankLine{Line: b.Line, Date: b.Date.Format(time.DateOnly), Amount: b.Amount, Reference: b.Reference, Counterparty: b.Counterparty}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// ReconciliationSummary is a stored reconciliation without its lines.
type ReconciliationSummary struct {
	ID              string `json:"id"`
	District        string `json:"district"`
	StatementSHA256 string `json:"statement_sha256"`
	WindowDays      int    `json:"window_days"`
	PeriodFrom      string `json:"period_from"`
	PeriodTo        string `json:"period_to"`
	MatchedCount    int    `json:"matched_count"`
	UnmatchedBank   int    `json:"unmatched_bank"`
	UnmatchedLedger int    `json:"unmatched_ledger"`
	CreatedBy       string `json:"created_by"`
	CreatedAt       string `json:"created_at"`
}

// Reconciliations lists a district's stored reconciliations, newest first,
// without their lines, a page after the cursor (the last id of the previous page).
func (s *Service) Reconciliations(ctx context.Context, district, after string, limit int) ([]ReconciliationSummary, error) {
	district, err := access.From(ctx).Area(district)
	if err != nil {
		return nil, err
	}
	q := `SELECT id, district_code AS district, statement_sha256, window_days, period_from, period_to, matched AS matched_count,
		unmatched_bank, unmatched_ledger, created_by, created_at FROM reconciliations`
	q += " WHERE 1 = 1"
	var args []any
	if district != "" {
		q += " AND district_code = ?"
		args = append(args, district)
	}
	if after != "" {
		q += " AND id < ?"
		args = append(args, after)
	}
	var rs []ReconciliationSummary
	err = s.db.Conn(ctx).Raw(q+" ORDER BY id DESC LIMIT ?", append(args, limit)...).Scan(&rs).Error
	return rs, err
}

// GetReconciliation returns one stored reconciliation with its lines, as
// the JSON that was answered when it was made.
func (s *Service) GetReconciliation(ctx context.Context, id string) (json.RawMessage, error) {
	var rows []struct{ District, Result string }
	if err := s.db.Conn(ctx).Raw("SELECT district_code AS district, result FROM reconciliations WHERE id = ?", id).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 || !access.From(ctx).Sees(rows[0].District) {
		return nil, fmt.Errorf("%w: reconciliation %s", errs.ErrNotFound, id)
	}
	return json.RawMessage(rows[0].Result), nil
}
