package recon

import (
	"strings"
	"time"

	"renofund/internal/money"
)

// Method says how a bank line and a movement were paired.
type Method string

// The two ways Match pairs a bank line with a movement.
const (
	// ByReference: the bank line quotes the movement's reference or ID and
	// the amounts are equal.
	ByReference Method = "reference"
	// ByAmountDate: the amounts are equal and the dates within the window.
	ByAmountDate Method = "amount_date"
)

// Pair is a bank line matched with a ledger movement.
type Pair struct {
	// Bank is the statement line.
	Bank BankLine
	// Movement is the ledger movement it accounts for.
	Movement Movement
	// By is how they were paired.
	By Method
}

// Result is the outcome of a reconciliation. Every bank line and every
// movement appears exactly once: in a pair or in an unmatched list.
type Result struct {
	// Matched lists the pairs in the order of the bank lines.
	Matched []Pair
	// UnmatchedBank lists the bank lines left over, in their order.
	UnmatchedBank []BankLine
	// UnmatchedLedger lists the movements left over, in their order.
	UnmatchedLedger []Movement
}

// Match pairs bank lines with ledger movements one to one, in two passes over
// the bank lines in their order:
//
//  1. by reference: the line's non-empty reference equals the movement's
//     Reference or ID (surrounding spaces ignored, case significant) and the
//     signed amounts are equal, whatever the dates;
//  2. by amount and date: among the movements still free, equal signed
//     amount and calendar dates at most window days apart (a negative window
//     counts as 0).
//
// In both passes a line takes the free candidate with the closest date, ties
// going to the movement earliest in ledger; duplicates on either side
// therefore pair off one by one. The passes are greedy in bank-line order,
// which is deterministic but not a maximum matching: a line may take a
// movement a later line needed. Those cases end up unmatched, for a person.
func Match(bank []BankLine, ledger []Movement, window int) Result {
	if window < 0 {
		window = 0
	}
	taken := make([]bool, len(ledger))
	pairs := make([]*Pair, len(bank))

	type refKey struct {
		amount money.Amount
		ref    string
	}
	byRef := map[refKey]*pool{}
	for j, m := range ledger {
		ref, id := strings.TrimSpace(m.Reference), strings.TrimSpace(m.ID)
		keys := []string{ref}
		if id != ref {
			keys = append(keys, id) // filed once when ID and Reference agree
		}
		for _, k := range keys {
			if k == "" {
				continue
			}
			key := refKey{m.Amount, k}
			if byRef[key] == nil {
				byRef[key] = &pool{}
			}
			byRef[key].add(day(m.Date), j)
		}
	}
	for i, b := range bank {
		ref := strings.TrimSpace(b.Reference)
		if ref == "" {
			continue
		}
		p := byRef[refKey{b.Amount, ref}]
		if p == nil {
			continue
		}
		if j, _, ok := p.nearest(day(b.Date), taken); ok {
			taken[j] = true
			pairs[i] = &Pair{Bank: b, Movement: ledger[j], By: ByReference}
		}
	}

	byAmount := map[money.Amount]*pool{}
	for j, m := range ledger {
		if taken[j] {
			continue
		}
		if byAmount[m.Amount] == nil {
			byAmount[m.Amount] = &pool{}
		}
		byAmount[m.Amount].add(day(m.Date), j)
	}
	for i, b := range bank {
		if pairs[i] != nil {
			continue
		}
		p := byAmount[b.Amount]
		if p == nil {
			continue
		}
		if j, dist, ok := p.nearest(day(b.Date), taken); ok && dist <= int64(window) {
			taken[j] = true
			pairs[i] = &Pair{Bank: b, Movement: ledger[j], By: ByAmountDate}
		}
	}

	res := Result{Matched: []Pair{}, UnmatchedBank: []BankLine{}, UnmatchedLedger: []Movement{}}
	for i, p := range pairs {
		if p != nil {
			res.Matched = append(res.Matched, *p)
		} else {
			res.UnmatchedBank = append(res.UnmatchedBank, bank[i])
		}
	}
	for j, m := range ledger {
		if !taken[j] {
			res.UnmatchedLedger = append(res.UnmatchedLedger, m)
		}
	}
	return res
}

// day numbers a calendar date (days since 1970-01-01), ignoring time of day
// and time zone.
func day(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}
