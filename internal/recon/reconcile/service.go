package reconcile

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/ledger/bankbook"
	"renofund/internal/money"
	"renofund/internal/recon"
	"renofund/internal/store"
)

// Districts is what reconciliation asks of the registry.
type Districts interface {
	DistrictExists(ctx context.Context, code string) (bool, error)
	// Fund loads a fund the caller may see.
	Fund(ctx context.Context, code string) (*funding.Fund, error)
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

// ErrDuplicate refuses a statement already reconciled for the same account
// (or, without one, the same district): the same file, or the same lines
// over the same period in another file.
var ErrDuplicate = errs.New(errs.Conflict, "duplicate_statement", "this statement has already been reconciled")

// ReportedLine is a statement line as reported back.
type ReportedLine struct {
	Line                int           `json:"line"`
	Date                string        `json:"date"`
	Amount              money.Amount  `json:"amount"` // signed: + money in
	Balance             *money.Amount `json:"balance,omitempty"`
	Reference           string        `json:"reference,omitempty"`
	Counterparty        string        `json:"counterparty,omitempty"`
	CounterpartyAccount string        `json:"counterparty_account,omitempty"`
	Summary             string        `json:"summary,omitempty"`
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
	Match    string         `json:"match"` // the match's id, to undo it
	Bank     ReportedLine   `json:"bank"`
	Movement LedgerMovement `json:"movement"`
	By       string         `json:"by"` // reference, amount_date, group or manual
}

// MatchedGroup is a match of several lines on one side or both: one bank
// line paying several vouchers, a batch, or what a person matched by hand.
type MatchedGroup struct {
	Match     string           `json:"match"`
	Bank      []ReportedLine   `json:"bank"`
	Movements []LedgerMovement `json:"movements"`
	By        string           `json:"by"`
	Reason    string           `json:"reason,omitempty"`
}

// Reconciliation is a stored bank reconciliation as it stands: the
// automatic matches and those made or undone by hand since, with the
// history of the latter.
type Reconciliation struct {
	ID              string           `json:"id"`
	District        string           `json:"district"`
	Account         string           `json:"account,omitempty"`
	StatementSHA256 string           `json:"statement_sha256"`
	WindowDays      int              `json:"window_days"`
	PeriodFrom      string           `json:"period_from"`
	PeriodTo        string           `json:"period_to"`
	StatementFrom   string           `json:"statement_from"`
	StatementTo     string           `json:"statement_to"`
	MatchedCount    int              `json:"matched_count"`
	Matched         []MatchedPair    `json:"matched"`
	Groups          []MatchedGroup   `json:"groups"`
	UnmatchedBank   []ReportedLine   `json:"unmatched_bank"`
	UnmatchedLedger []LedgerMovement `json:"unmatched_ledger"`
	History         []MatchEvent     `json:"history"`
	CreatedBy       string           `json:"created_by"`
	CreatedAt       string           `json:"created_at"`
}

// Upload is a statement to reconcile: the district (or the account's), the
// account it belongs to (optional), the file and the date window.
type Upload struct {
	District, Account string
	File              []byte
	Window            int
}

// Reconcile matches a district's bank statement (see recon.ReadStatement; the
// account's saved mapping applies) against its ledger movements (of the
// account's funds, when it lists some) over the statement's dates widened by
// the window: first by reference (the transfer's reference, the client's
// voucher number, the voucher number or the transfer id), then by equal
// amount within window days, one to one, then one to many by amount (see
// recon.MatchGroups). A statement with malformed lines or a broken running
// balance is refused with every bad line listed; the same statement twice
// for the same account with ErrDuplicate.
func (s *Service) Reconcile(ctx context.Context, up Upload) (*Reconciliation, error) {
	window, district := up.Window, up.District
	if window < 0 || window > 31 {
		return nil, fmt.Errorf("%w: window_days must be from 0 to 31", errs.ErrInvalidRequest)
	}
	var acct *Account
	if up.Account != "" {
		var err error
		if acct, err = s.account(ctx, up.Account); err != nil {
			return nil, err
		}
		if district == "" {
			district = acct.District
		}
		if acct.District != district {
			return nil, fmt.Errorf("%w: bank account %s belongs to district %s", errs.ErrInvalidRequest, acct.ID, acct.District)
		}
	}
	if err := s.writableDistrict(ctx, district); err != nil {
		return nil, err
	}
	var mapping recon.Mapping
	var funds []string
	scope := "district:" + district
	if acct != nil {
		mapping, funds, scope = acct.Mapping, acct.Funds, "account:"+acct.ID
	}
	lines, err := recon.ReadStatement(up.File, mapping)
	if errors.Is(err, recon.ErrInvalid) {
		return nil, fmt.Errorf("%w: %w", errs.ErrInvalidRequest, err)
	}
	if err != nil {
		return nil, err
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("%w: the statement has no lines", errs.ErrInvalidRequest)
	}
	first, last := lines[0].Date, lines[0].Date
	for _, l := range lines {
		first, last = minTime(first, l.Date), maxTime(last, l.Date)
	}
	from, to := first.AddDate(0, 0, -window), last.AddDate(0, 0, window)
	moves, byID, err := s.movements(ctx, district, from.Format(time.DateOnly), to.Format(time.DateOnly), funds)
	if err != nil {
		return nil, err
	}
	res := recon.Match(lines, moves, window)
	groups, _, _ := recon.MatchGroups(res.UnmatchedBank, res.UnmatchedLedger, window)
	sum := sha256.Sum256(up.File)
	r := &Reconciliation{ID: ledger.NewID(), District: district, StatementSHA256: hex.EncodeToString(sum[:]), WindowDays: window,
		PeriodFrom: from.Format(time.DateOnly), PeriodTo: to.Format(time.DateOnly),
		StatementFrom: first.Format(time.DateOnly), StatementTo: last.Format(time.DateOnly),
		CreatedBy: access.From(ctx).Label(), CreatedAt: store.Now()}
	if acct != nil {
		r.Account = acct.ID
	}
	var ms []matchRow
	add := func(method string, bank []recon.BankLine, movs []recon.Movement) {
		m := matchRow{ID: ledger.NewID(), ReconciliationID: r.ID, Method: method, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
		for _, b := range bank {
			m.lines = append(m.lines, b.Line)
		}
		for _, mv := range movs {
			m.transfers = append(m.transfers, mv.ID)
		}
		ms = append(ms, m)
	}
	for _, p := range res.Matched {
		add(string(p.By), []recon.BankLine{p.Bank}, []recon.Movement{p.Movement})
	}
	for _, g := range groups {
		add(string(recon.ByGroup), g.Bank, g.Movements)
	}
	items := items{bank: make([]ReportedLine, len(lines)), ledger: make([]LedgerMovement, 0, len(moves))}
	for i, l := range lines {
		items.bank[i] = toBankLine(l)
	}
	for _, m := range moves {
		items.ledger = append(items.ledger, byID[m.ID])
	}
	r.build(items, ms, nil)
	body, _ := json.Marshal(r)
	linesSum := sha256.Sum256([]byte(canonical(lines)))
	fileKey := scope + ":" + r.StatementSHA256
	linesKey := scope + ":" + r.StatementFrom + ":" + r.StatementTo + ":" + hex.EncodeToString(linesSum[:])
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var dup int64
		if err := tx.Raw("SELECT COUNT(*) FROM reconciliations WHERE file_key = ? OR lines_key = ?", fileKey, linesKey).Row().Scan(&dup); err != nil {
			return err
		}
		if dup > 0 {
			return ErrDuplicate
		}
		if err := tx.Exec(`INSERT INTO reconciliations (id, district_code, statement_sha256, window_days, period_from, period_to,
			matched, unmatched_bank, unmatched_ledger, result, created_by, created_at, account_id, file_key, lines_key)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			r.ID, district, r.StatementSHA256, window, r.PeriodFrom, r.PeriodTo, r.MatchedCount, len(r.UnmatchedBank),
			len(r.UnmatchedLedger), string(body), r.CreatedBy, r.CreatedAt, store.Null(r.Account), fileKey, linesKey).Error; err != nil {
			return err
		}
		return insertMatches(tx, ms)
	})
	if store.UniqueViolation(err) {
		err = ErrDuplicate
	}
	if errors.Is(err, ErrDuplicate) {
		return nil, fmt.Errorf("%w: %s (SHA-256 %s, %s to %s)", ErrDuplicate, strings.TrimPrefix(scope, "district:"),
			r.StatementSHA256, r.StatementFrom, r.StatementTo)
	}
	return r, err
}

// movements returns the district's ledger movements between two dates.
func (s *Service) movements(ctx context.Context, district, from, to string, funds []string) ([]recon.Movement, map[string]LedgerMovement, error) {
	nets, err := bankbook.Net(ctx, s.db, district, from, to, funds...)
	if err != nil {
		return nil, nil, err
	}
	out := make([]recon.Movement, 0, len(nets))
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
		out = append(out, recon.Movement{ID: n.ID, Date: d, Amount: n.Net, Reference: ref})
		byID[n.ID] = LedgerMovement{ID: n.ID, VoucherNo: n.VoucherNo, Type: n.Type, Date: n.BookedOn, Amount: n.Net, Reference: ref}
	}
	return out, byID, nil
}

// canonical writes the movements of the lines (date, amount, balance,
// reference) without their line numbers or texts, so that the same lines in
// another file or layout of the same bank's export read the same.
func canonical(lines []recon.BankLine) string {
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "%s|%d|%t|%d|%s\n", l.Date.Format(time.DateOnly), l.Amount, l.HasBalance, l.Balance, l.Reference)
	}
	return b.String()
}

func toBankLine(b recon.BankLine) ReportedLine {
	r := ReportedLine{Line: b.Line, Date: b.Date.Format(time.DateOnly), Amount: b.Amount, Reference: b.Reference,
		Counterparty: b.Counterparty, CounterpartyAccount: b.CounterpartyAccount, Summary: b.Summary}
	if b.HasBalance {
		bal := b.Balance
		r.Balance = &bal
	}
	return r
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
