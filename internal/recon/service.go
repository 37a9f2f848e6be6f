package recon

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

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
)

// Districts is what reconciliation asks of the registry.
type Districts interface {
	DistrictExists(ctx context.Context, code string) (bool, error)
}

// Service reconciles districts' bank statements against the ledger and
// keeps the results.
type Service struct {
	db        *store.DB
	ledger    *ledger.Ledger
	districts Districts
}

// NewService returns the service on db, reading movements from l.
func NewService(db *store.DB, l *ledger.Ledger, d Districts) *Service {
	return &Service{db: db, ledger: l, districts: d}
}

// ReportedLine is a statement line as reported back.
type ReportedLine struct {
	Line         int          `json:"line"`
	Date         string       `json:"date"`
	Amount       money.Amount `json:"amount"` // signed: + money in
	Reference    string       `json:"reference,omitempty"`
	Counterparty string       `json:"counterparty,omitempty"`
}

// LedgerMovement is a ledger movement of the district's money: the net effect of
// one transfer on its holders (+ in, − out). Allocations between the
// district and its own projects net to zero and are not movements.
type LedgerMovement struct {
	ID        string       `json:"id"`
	VoucherNo string       `json:"voucher_no"`
	Type      string       `json:"type"`
	Date      string       `json:"date"`
	Amount    money.Amount `json:"amount"`
	Reference string       `json:"reference,omitempty"`
}

// MatchedPair is a bank line and the movement it accounts for.
type MatchedPair struct {
	Bank     ReportedLine   `json:"bank"`
	Movement LedgerMovement `json:"movement"`
	By       string         `json:"by"` // reference or amount_date
}

// Reconciliation is a stored bank reconciliation.
type Reconciliation struct {
	ID              string           `json:"id"`
	District        string           `json:"district"`
	StatementSHA256 string           `json:"statement_sha256"`
	WindowDays      int              `json:"window_days"`
	PeriodFrom      string           `json:"period_from"`
	PeriodTo        string           `json:"period_to"`
	MatchedCount    int              `json:"matched_count"`
	Matched         []MatchedPair    `json:"matched"`
	UnmatchedBank   []ReportedLine   `json:"unmatched_bank"`
	UnmatchedLedger []LedgerMovement `json:"unmatched_ledger"`
	CreatedBy       string           `json:"created_by"`
	CreatedAt       string           `json:"created_at"`
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
	if err := funding.Writable(access.From(ctx), district); err != nil {
		return nil, err
	}
	if ok, err := s.districts.DistrictExists(ctx, district); err != nil || !ok {
		if err == nil {
			err = fmt.Errorf("%w: district %q", errs.ErrNotFound, district)
		}
		return nil, err
	}
	var lines []BankLine
	var err error
	if bytes.HasPrefix(file, []byte("PK")) {
		lines, err = ParseXLSX(bytes.NewReader(file))
	} else {
		lines, err = ParseCSV(bytes.NewReader(file))
	}
	if errors.Is(err, ErrInvalid) {
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
	res := Match(lines, moves, window)
	sum := sha256.Sum256(file)
	r := &Reconciliation{ID: ledger.NewID(), District: district, StatementSHA256: hex.EncodeToString(sum[:]), WindowDays: window,
		PeriodFrom: from.Format(time.DateOnly), PeriodTo: to.Format(time.DateOnly), MatchedCount: len(res.Matched),
		Matched: []MatchedPair{}, UnmatchedBank: []ReportedLine{}, UnmatchedLedger: []LedgerMovement{},
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
func (s *Service) movements(ctx context.Context, district, from, to string) ([]Movement, map[string]LedgerMovement, error) {
	nets, err := s.ledger.DistrictNet(ctx, district, from, to)
	if err != nil {
		return nil, nil, err
	}
	out := make([]Movement, 0, len(nets))
	byID := make(map[string]LedgerMovement, len(nets))
	for _, n := range nets {
		d, _ := time.Parse(time.DateOnly, n.BookedOn)
		ref := n.VoucherNo
		if n.SourceVoucherNo != "" {
			ref = n.SourceVoucherNo
		}
		if n.Reference != "" {
			ref = n.Reference
		}
		out = append(out, Movement{ID: n.ID, Date: d, Amount: n.Net, Reference: ref})
		byID[n.ID] = LedgerMovement{ID: n.ID, VoucherNo: n.VoucherNo, Type: n.Type, Date: n.BookedOn, Amount: n.Net, Reference: ref}
	}
	return out, byID, nil
}

func toBankLine(b BankLine) ReportedLine {
	return ReportedLine{Line: b.Line, Date: b.Date.Format(time.DateOnly), Amount: b.Amount, Reference: b.Reference, Counterparty: b.Counterparty}
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
