package reconcile

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"gorm.io/gorm"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/recon"
	"renofund/internal/sheet"
	"renofund/internal/store"
)

// Manual matching refusals.
var (
	// ErrAlreadyMatched refuses a manual match of a line or movement that
	// another match holds: undo that one first.
	ErrAlreadyMatched = errs.New(errs.Conflict, "already_matched", "a line or movement is already matched")
	// ErrAlreadyUnmatched refuses undoing a match twice.
	ErrAlreadyUnmatched = errs.New(errs.Conflict, "already_unmatched", "the match has already been undone")
	// ErrNotInReconciliation refuses a line or movement the reconciliation
	// does not hold.
	ErrNotInReconciliation = errs.New(errs.Rule, "not_in_reconciliation", "no such line or movement in this reconciliation")
)

// ByManual marks a match made by a person.
const ByManual recon.Method = "manual"

// MatchEvent is a manual match or the undoing of a match, with who did it,
// when and why: the reconciliation's history, never rewritten.
type MatchEvent struct {
	Action    string   `json:"action"` // match or unmatch
	Match     string   `json:"match"`
	BankLines []int    `json:"bank_lines,omitempty"`
	Transfers []string `json:"transfers,omitempty"`
	Reason    string   `json:"reason"`
	By        string   `json:"by"`
	At        string   `json:"at"`
}

// ManualIn is a manual match.
type ManualIn struct {
	BankLines []int    `json:"bank_lines"`
	Transfers []string `json:"transfers"`
	Reason    string   `json:"reason"`
}

// UnmatchIn says why a match is undone.
type UnmatchIn struct {
	Reason string `json:"reason"`
}

func checkReason(reason string) error {
	return field.Text("reason", strings.TrimSpace(reason), true, 500)
}

type matchRow struct {
	ID, ReconciliationID, Method, BankLines, Transfers, Reason, CreatedBy, CreatedAt string

	lines     []int
	transfers []string
}

type unmatchRow struct {
	MatchID, Reason, CreatedBy, CreatedAt string
}

func insertMatches(tx *gorm.DB, ms []matchRow) error {
	rows := make([][]any, len(ms))
	for i, m := range ms {
		lj, _ := json.Marshal(m.lines)
		tj, _ := json.Marshal(m.transfers)
		rows[i] = []any{m.ID, m.ReconciliationID, m.Method, string(lj), string(tj), m.Reason, m.CreatedBy, m.CreatedAt}
	}
	return store.InsertMany(tx, "recon_matches", []string{"id", "reconciliation_id", "method", "bank_lines", "transfers",
		"reason", "created_by", "created_at"}, rows)
}

// items are every bank line and movement a reconciliation holds, in date
// order.
type items struct {
	bank   []ReportedLine
	ledger []LedgerMovement
}

// itemsOf recovers every line and movement from a reconciliation as it was
// stored.
func itemsOf(r *Reconciliation) items {
	var it items
	for _, p := range r.Matched {
		it.bank, it.ledger = append(it.bank, p.Bank), append(it.ledger, p.Movement)
	}
	for _, g := range r.Groups {
		it.bank, it.ledger = append(it.bank, g.Bank...), append(it.ledger, g.Movements...)
	}
	it.bank, it.ledger = append(it.bank, r.UnmatchedBank...), append(it.ledger, r.UnmatchedLedger...)
	sort.SliceStable(it.bank, func(a, b int) bool {
		x, y := it.bank[a], it.bank[b]
		return x.Date < y.Date || x.Date == y.Date && x.Line < y.Line
	})
	sort.SliceStable(it.ledger, func(a, b int) bool {
		x, y := it.ledger[a], it.ledger[b]
		return x.Date < y.Date || x.Date == y.Date && x.ID < y.ID
	})
	return it
}

// build sets the matches and what is left unmatched from the match rows
// and the undoings.
func (r *Reconciliation) build(it items, ms []matchRow, un []unmatchRow) {
	bank := make(map[int]ReportedLine, len(it.bank))
	for _, b := range it.bank {
		bank[b.Line] = b
	}
	mov := make(map[string]LedgerMovement, len(it.ledger))
	for _, m := range it.ledger {
		mov[m.ID] = m
	}
	undone := map[string]unmatchRow{}
	for _, u := range un {
		undone[u.MatchID] = u
	}
	usedB, usedM := map[int]bool{}, map[string]bool{}
	r.Matched, r.Groups, r.History = []MatchedPair{}, []MatchedGroup{}, []MatchEvent{}
	for _, m := range ms {
		if m.Method == string(ByManual) {
			r.History = append(r.History, MatchEvent{Action: "match", Match: m.ID, BankLines: m.lines, Transfers: m.transfers,
				Reason: m.Reason, By: m.CreatedBy, At: m.CreatedAt})
		}
		if u, ok := undone[m.ID]; ok {
			r.History = append(r.History, MatchEvent{Action: "unmatch", Match: m.ID, BankLines: m.lines, Transfers: m.transfers,
				Reason: u.Reason, By: u.CreatedBy, At: u.CreatedAt})
			continue
		}
		g := MatchedGroup{Match: m.ID, By: m.Method, Reason: m.Reason}
		for _, l := range m.lines {
			usedB[l] = true
			g.Bank = append(g.Bank, bank[l])
		}
		for _, id := range m.transfers {
			usedM[id] = true
			g.Movements = append(g.Movements, mov[id])
		}
		if len(g.Bank) == 1 && len(g.Movements) == 1 && m.Method != string(ByManual) {
			r.Matched = append(r.Matched, MatchedPair{Match: m.ID, Bank: g.Bank[0], Movement: g.Movements[0], By: m.Method})
		} else {
			r.Groups = append(r.Groups, g)
		}
	}
	sort.SliceStable(r.History, func(a, b int) bool { return r.History[a].At < r.History[b].At })
	r.UnmatchedBank, r.UnmatchedLedger = []ReportedLine{}, []LedgerMovement{}
	for _, b := range it.bank {
		if !usedB[b.Line] {
			r.UnmatchedBank = append(r.UnmatchedBank, b)
		}
	}
	for _, m := range it.ledger {
		if !usedM[m.ID] {
			r.UnmatchedLedger = append(r.UnmatchedLedger, m)
		}
	}
	r.MatchedCount = len(r.Matched) + len(r.Groups)
}

// load reads a reconciliation the caller sees as it stands, on conn (a
// transaction that locked it, or the connection).
func (s *Service) load(ctx context.Context, conn *gorm.DB, id string) (*Reconciliation, items, []matchRow, error) {
	var rows []struct{ District, Result string }
	if err := conn.Raw("SELECT district_code AS district, result FROM reconciliations WHERE id = ?", id).Scan(&rows).Error; err != nil {
		return nil, items{}, nil, err
	}
	if len(rows) == 0 || !access.From(ctx).Sees(rows[0].District) {
		return nil, items{}, nil, fmt.Errorf("%w: reconciliation %s", errs.ErrNotFound, id)
	}
	r, err := decodeStored([]byte(rows[0].Result))
	if err != nil {
		return nil, items{}, nil, fmt.Errorf("reconciliation %s: %w", id, err)
	}
	it := itemsOf(r)
	var ms []matchRow
	var un []unmatchRow
	if err := conn.Raw(`SELECT id, reconciliation_id, method, bank_lines, transfers, reason, created_by, created_at
		FROM recon_matches WHERE reconciliation_id = ? ORDER BY created_at, id`, id).Scan(&ms).Error; err != nil {
		return nil, items{}, nil, err
	}
	if err := conn.Raw(`SELECT match_id, reason, created_by, created_at FROM recon_unmatches WHERE reconciliation_id = ?`,
		id).Scan(&un).Error; err != nil {
		return nil, items{}, nil, err
	}
	ms = append(legacyMatches(r), ms...)
	for i := range ms {
		_ = json.Unmarshal([]byte(ms[i].BankLines), &ms[i].lines)
		_ = json.Unmarshal([]byte(ms[i].Transfers), &ms[i].transfers)
	}
	r.build(it, ms, un)
	return r, it, ms, nil
}

// legacyMatches reads the pairs of a reconciliation stored before matches
// had rows of their own (a pair without a match id); they cannot be undone.
func legacyMatches(r *Reconciliation) []matchRow {
	var out []matchRow
	for i, p := range r.Matched {
		if p.Match != "" {
			continue
		}
		lj, _ := json.Marshal([]int{p.Bank.Line})
		tj, _ := json.Marshal([]string{p.Movement.ID})
		out = append(out, matchRow{ID: fmt.Sprintf("%s-%d", r.ID, i), Method: p.By, BankLines: string(lj), Transfers: string(tj)})
	}
	return out
}

// GetReconciliation returns a reconciliation as it stands.
func (s *Service) GetReconciliation(ctx context.Context, id string) (*Reconciliation, error) {
	r, _, _, err := s.load(ctx, s.db.Conn(ctx), id)
	return r, err
}

// lock takes the reconciliation's row for the rest of the transaction,
// so that matches made at once see each other.
func (s *Service) lock(ctx context.Context, tx *gorm.DB, id string) (*Reconciliation, items, []matchRow, error) {
	var ids []string
	if err := tx.Raw("SELECT id FROM reconciliations WHERE id = ?"+s.db.ForUpdate(), id).Scan(&ids).Error; err != nil {
		return nil, items{}, nil, err
	}
	r, it, ms, err := s.load(ctx, tx, id)
	if err != nil {
		return nil, items{}, nil, err
	}
	return r, it, ms, funding.Writable(access.From(ctx), r.District)
}

// MatchManually matches bank lines with movements by hand, with a reason;
// the totals may differ (a booking error the balance statement then shows).
func (s *Service) MatchManually(ctx context.Context, id string, in ManualIn) (*Reconciliation, error) {
	if err := checkReason(in.Reason); err != nil {
		return nil, err
	}
	if len(in.BankLines) == 0 || len(in.Transfers) == 0 || len(in.BankLines) > 50 || len(in.Transfers) > 50 {
		return nil, fmt.Errorf("%w: a match takes 1 to 50 bank lines and 1 to 50 transfers", errs.ErrInvalidRequest)
	}
	lines, transfers := slices.Clone(in.BankLines), slices.Clone(in.Transfers)
	slices.Sort(lines)
	slices.Sort(transfers)
	if len(slices.Compact(lines)) != len(in.BankLines) || len(slices.Compact(transfers)) != len(in.Transfers) {
		return nil, fmt.Errorf("%w: a line or transfer is named twice", errs.ErrInvalidRequest)
	}
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		r, it, _, err := s.lock(ctx, tx, id)
		if err != nil {
			return err
		}
		free := func(inBank bool, key string) error {
			for _, m := range r.Matched {
				if inBank && fmt.Sprint(m.Bank.Line) == key || !inBank && m.Movement.ID == key {
					return fmt.Errorf("%w: %s is in match %s", ErrAlreadyMatched, key, m.Match)
				}
			}
			for _, g := range r.Groups {
				for _, b := range g.Bank {
					if inBank && fmt.Sprint(b.Line) == key {
						return fmt.Errorf("%w: line %s is in match %s", ErrAlreadyMatched, key, g.Match)
					}
				}
				for _, m := range g.Movements {
					if !inBank && m.ID == key {
						return fmt.Errorf("%w: transfer %s is in match %s", ErrAlreadyMatched, key, g.Match)
					}
				}
			}
			return nil
		}
		for _, l := range lines {
			if !slices.ContainsFunc(it.bank, func(b ReportedLine) bool { return b.Line == l }) {
				return fmt.Errorf("%w: bank line %d", ErrNotInReconciliation, l)
			}
			if err := free(true, fmt.Sprint(l)); err != nil {
				return err
			}
		}
		for _, t := range transfers {
			if !slices.ContainsFunc(it.ledger, func(m LedgerMovement) bool { return m.ID == t }) {
				return fmt.Errorf("%w: transfer %q", ErrNotInReconciliation, t)
			}
			if err := free(false, t); err != nil {
				return err
			}
		}
		m := matchRow{ID: ledger.NewID(), ReconciliationID: id, Method: string(ByManual), Reason: strings.TrimSpace(in.Reason),
			CreatedBy: access.From(ctx).Label(), CreatedAt: store.Now(), lines: lines, transfers: transfers}
		return insertMatches(tx, []matchRow{m})
	})
	if err != nil {
		return nil, err
	}
	return s.GetReconciliation(ctx, id)
}

// Unmatch undoes a match, automatic or manual, with a reason: its lines and
// movements are free again, and the match stays in the history.
func (s *Service) Unmatch(ctx context.Context, id, match string, in UnmatchIn) (*Reconciliation, error) {
	if err := checkReason(in.Reason); err != nil {
		return nil, err
	}
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if _, _, _, err := s.lock(ctx, tx, id); err != nil {
			return err
		}
		var n int64
		if err := tx.Raw("SELECT COUNT(*) FROM recon_matches WHERE id = ? AND reconciliation_id = ?", match, id).Row().Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("%w: match %q in reconciliation %s", errs.ErrNotFound, match, id)
		}
		if err := tx.Raw("SELECT COUNT(*) FROM recon_unmatches WHERE match_id = ?", match).Row().Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: match %s", ErrAlreadyUnmatched, match)
		}
		return tx.Exec(`INSERT INTO recon_unmatches (match_id, reconciliation_id, reason, created_by, created_at) VALUES (?,?,?,?,?)`,
			match, id, strings.TrimSpace(in.Reason), access.From(ctx).Label(), store.Now()).Error
	})
	if err != nil {
		return nil, err
	}
	return s.GetReconciliation(ctx, id)
}

// signedAmount reads an amount that may be negative, as ReportedLine and
// LedgerMovement write theirs (money.Amount reads only what a client may
// send, never a negative).
type signedAmount money.Amount

func (a *signedAmount) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := sheet.Source{}.SignedAmount(s)
	*a = signedAmount(v)
	return err
}

// storedLine and storedMovement read back ReportedLine and LedgerMovement.
type storedLine struct {
	Line                          int
	Date, Reference, Counterparty string
	CounterpartyAccount           string `json:"counterparty_account"`
	Summary                       string
	Amount                        signedAmount
	Balance                       *signedAmount
}

type storedMovement struct {
	ID, Date, Reference string
	VoucherNo           string `json:"voucher_no"`
	Type                string
	Amount              signedAmount
}

func (l storedLine) line() ReportedLine {
	r := ReportedLine{Line: l.Line, Date: l.Date, Amount: money.Amount(l.Amount), Reference: l.Reference,
		Counterparty: l.Counterparty, CounterpartyAccount: l.CounterpartyAccount, Summary: l.Summary}
	if l.Balance != nil {
		b := money.Amount(*l.Balance)
		r.Balance = &b
	}
	return r
}

func (m storedMovement) movement() LedgerMovement {
	return LedgerMovement{ID: m.ID, VoucherNo: m.VoucherNo, Type: m.Type, Date: m.Date, Amount: money.Amount(m.Amount), Reference: m.Reference}
}

// decodeStored reads a reconciliation as it was stored when it was made.
func decodeStored(b []byte) (*Reconciliation, error) {
	var st struct {
		Reconciliation
		Matched []struct {
			Match    string
			Bank     storedLine
			Movement storedMovement
			By       string
		} `json:"matched"`
		Groups []struct {
			Match     string
			Bank      []storedLine
			Movements []storedMovement
			By        string
		} `json:"groups"`
		UnmatchedBank   []storedLine     `json:"unmatched_bank"`
		UnmatchedLedger []storedMovement `json:"unmatched_ledger"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, err
	}
	r := st.Reconciliation
	r.Matched, r.Groups, r.UnmatchedBank, r.UnmatchedLedger = nil, nil, nil, nil
	for _, p := range st.Matched {
		r.Matched = append(r.Matched, MatchedPair{Match: p.Match, Bank: p.Bank.line(), Movement: p.Movement.movement(), By: p.By})
	}
	for _, g := range st.Groups {
		mg := MatchedGroup{Match: g.Match, By: g.By}
		for _, l := range g.Bank {
			mg.Bank = append(mg.Bank, l.line())
		}
		for _, m := range g.Movements {
			mg.Movements = append(mg.Movements, m.movement())
		}
		r.Groups = append(r.Groups, mg)
	}
	for _, l := range st.UnmatchedBank {
		r.UnmatchedBank = append(r.UnmatchedBank, l.line())
	}
	for _, m := range st.UnmatchedLedger {
		r.UnmatchedLedger = append(r.UnmatchedLedger, m.movement())
	}
	return &r, nil
}
