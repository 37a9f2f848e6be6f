package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"renofund/funding/movement"
	"renofund/internal/creditcode"
	"renofund/internal/errs"
	"renofund/internal/money"
	"renofund/internal/sheet"
)

// row is one data row, checked on its own.
type row struct {
	line     int
	cells    []string // as in the file, for the rejects file
	receipt  movement.Receipt
	capped   money.Amount      // the household's cap, for a provident-fund withdrawal
	key      string            // content key and occurrence; set when the row is good
	problems []sheet.LineError // what is wrong with the row itself
}

func (r *row) fail(col int, code, reason string) {
	name := ""
	if col >= 0 {
		name = Columns[col]
	}
	r.problems = append(r.problems, sheet.LineError{Line: r.line, Column: name, Code: code, Reason: reason})
}

// check reads and checks every record on its own, and gives each good row
// its key. Rows are also run through funding's own receipt checks, so that
// an import accepts exactly what POST …/receipts accepts. An error is
// returned only for what is not a row's fault.
func (im *Importer) check(ctx context.Context, t *target, tab *table) ([]*row, error) {
	rows := make([]*row, len(tab.records))
	seen := make(map[string]int, len(tab.records))
	for i, rec := range tab.records {
		r := &row{line: rec.line, cells: rec.cells}
		rows[i] = r
		if rec.bad != "" {
			r.fail(-1, codeInvalid, rec.bad)
			continue
		}
		tab.parse(r, t.fund.Code)
		if len(r.problems) > 0 {
			continue
		}
		if t.fund.Kind != movement.ProvidentFund {
			r.receipt.Share = 0 // the share column speaks of provident-fund withdrawals only
		}
		tr, err := im.moves.ReceiptTransfer(ctx, r.receipt)
		if err != nil {
			e := errs.Classify(err)
			if e.Kind != errs.Invalid && !errors.Is(err, errs.ErrRuleViolation) {
				return nil, err
			}
			col := -1
			if errors.Is(err, errs.ErrRuleViolation) {
				col = colShare
			}
			r.fail(col, e.Code, err.Error())
			continue
		}
		r.capped = tr.HouseholdCap
		content := contentKey(r.receipt)
		seen[content]++
		r.key = content + "#" + strconv.Itoa(seen[content])
	}
	return rows, nil
}

// parse fills the row's receipt from its cells, noting every bad cell.
func (tab *table) parse(r *row, fund string) {
	get := func(c int) string {
		if tab.col[c] < 0 {
			return ""
		}
		return strings.TrimSpace(r.cells[tab.col[c]])
	}
	rc := &r.receipt
	rc.Fund = fund
	rc.Household = r.text(colHousehold, get(colHousehold), true, 128)
	if s := get(colAmount); s == "" {
		r.fail(colAmount, codeAmount, "is required")
	} else if a, reason := tab.amount(s); reason != "" {
		r.fail(colAmount, codeAmount, reason)
	} else if a == 0 {
		r.fail(colAmount, codeAmount, "must be greater than zero")
	} else {
		rc.Amount = a
	}
	if s := get(colReceivedOn); s == "" {
		r.fail(colReceivedOn, codeInvalid, "is required")
	} else if d, reason := tab.date(s); reason != "" {
		r.fail(colReceivedOn, codeInvalid, reason)
	} else {
		rc.ReceivedOn = d
	}
	rc.Payer.Name = r.text(colPayerName, get(colPayerName), true, 200)
	if s := get(colPayerCreditCode); s != "" {
		if creditcode.Validate(s) != nil {
			r.fail(colPayerCreditCode, codeCredit, strconv.Quote(s)+" is not a valid unified social credit code")
		}
		rc.Payer.CreditCode = s
	}
	rc.Reference = r.text(colReference, get(colReference), false, 128)
	if s := get(colShare); s != "" {
		if a, reason := tab.amount(s); reason != "" {
			r.fail(colShare, codeAmount, reason)
		} else {
			rc.Share = a
		}
	}
}

// amount reads an amount cell as the API reads an amount (in a workbook, a
// number cell too: see sheet.Source.Amount); the reason is "" when it is valid.
func (tab *table) amount(s string) (money.Amount, string) {
	a, err := tab.cells.Amount(s)
	if err != nil {
		return 0, strconv.Quote(s) + " must be a non-negative decimal with at most two decimals, at most 10^15 yuan"
	}
	return a, ""
}

// date reads a YYYY-MM-DD date cell (in a workbook, a date cell too: see
// sheet.Source.Date); the reason is "" when it is valid.
func (tab *table) date(s string) (string, string) {
	t, err := tab.cells.Date(s)
	if err != nil {
		return "", strconv.Quote(s) + " must be a date YYYY-MM-DD"
	}
	return t.Format(time.DateOnly), ""
}

// text checks a free-text cell as the API checks text fields.
func (r *row) text(col int, s string, required bool, maxLen int) string {
	switch {
	case s == "" && required:
		r.fail(col, codeInvalid, "is required")
	case len([]rune(s)) > maxLen:
		r.fail(col, codeInvalid, "is longer than "+strconv.Itoa(maxLen)+" characters")
	case strings.ContainsFunc(s, func(c rune) bool { return c < 0x20 || c == 0x7f }):
		r.fail(col, codeInvalid, "contains a control character")
	}
	return s
}

// contentKey identifies a receipt by what it says, whatever the file's
// layout or order: the same household, amount, date, payer and reference in
// the same fund give the same key. Values are taken as parsed ("100" and
// "100.00" are the same amount), joined with a separator that text fields
// cannot contain.
func contentKey(rc movement.Receipt) string {
	h := sha256.New()
	for _, s := range []string{rc.Fund, rc.Household, strconv.FormatInt(int64(rc.Amount), 10), rc.ReceivedOn,
		rc.Payer.Name, rc.Payer.CreditCode, rc.Reference} {
		h.Write([]byte(s))
		h.Write([]byte{0x1f})
	}
	return hex.EncodeToString(h.Sum(nil))
}
