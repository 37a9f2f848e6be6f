package recon

import (
	"sort"

	"renofund/internal/money"
)

// Bounds of the group pass: subset sums grow combinatorially, so the pass
// looks at most MaxCandidates items per line (those closest in date), groups
// of at most MaxGroup, and at most MaxSteps subsets in a whole
// reconciliation: C(12,2)+C(12,3)+C(12,4) = 781 subsets per line at worst,
// and a statement of any length costs at most MaxSteps. What it cannot
// settle within the bounds is left for a person.
const (
	MaxGroup      = 4
	MaxCandidates = 12
	MaxSteps      = 500_000
)

// ByGroup marks a bank line matched with several movements (one payment
// settling several vouchers) or a movement with several bank lines (a batch
// the bank booked line by line).
const ByGroup Method = "group"

// Group is one side's item matched with several of the other's.
type Group struct {
	Bank      []BankLine
	Movements []Movement
}

// MatchGroups pairs what Match left over, one to many: first each bank line
// with a set of free movements of the same sign within window days whose
// amounts add up to its own, then each movement with a set of free bank
// lines. A set is taken only when it is the one smallest set that adds up
// (two equally small sets are ambiguous and left for a person). Items are
// taken in their order, so the result is deterministic.
func MatchGroups(bank []BankLine, ledger []Movement, window int) (groups []Group, restBank []BankLine, restLedger []Movement) {
	if window < 0 {
		window = 0
	}
	steps := 0
	bankTaken, ledgerTaken := make([]bool, len(bank)), make([]bool, len(ledger))
	for i, b := range bank {
		set := subsetFor(b.Amount, day(b.Date), len(ledger), ledgerTaken, func(j int) (money.Amount, int64) {
			return ledger[j].Amount, day(ledger[j].Date)
		}, window, &steps)
		if set == nil {
			continue
		}
		g := Group{Bank: []BankLine{b}}
		for _, j := range set {
			ledgerTaken[j] = true
			g.Movements = append(g.Movements, ledger[j])
		}
		bankTaken[i] = true
		groups = append(groups, g)
	}
	for j, m := range ledger {
		if ledgerTaken[j] {
			continue
		}
		set := subsetFor(m.Amount, day(m.Date), len(bank), bankTaken, func(i int) (money.Amount, int64) {
			return bank[i].Amount, day(bank[i].Date)
		}, window, &steps)
		if set == nil {
			continue
		}
		g := Group{Movements: []Movement{m}}
		for _, i := range set {
			bankTaken[i] = true
			g.Bank = append(g.Bank, bank[i])
		}
		ledgerTaken[j] = true
		groups = append(groups, g)
	}
	for i, b := range bank {
		if !bankTaken[i] {
			restBank = append(restBank, b)
		}
	}
	for j, m := range ledger {
		if !ledgerTaken[j] {
			restLedger = append(restLedger, m)
		}
	}
	return groups, restBank, restLedger
}

// subsetFor finds the unique smallest set (2 to MaxGroup items) among the n
// items of the other side, free and of the same sign as target, smaller in
// size and within window days of d, whose amounts sum to target; nil when
// there is none, more than one, or the step budget runs out.
func subsetFor(target money.Amount, d int64, n int, taken []bool, item func(int) (money.Amount, int64),
	window int, steps *int) []int {
	if target == 0 {
		return nil
	}
	type cand struct {
		idx  int
		amt  money.Amount
		dist int64
	}
	var cs []cand
	for k := 0; k < n; k++ {
		if taken[k] {
			continue
		}
		a, dd := item(k)
		dist := dd - d
		if dist < 0 {
			dist = -dist
		}
		if dist > int64(window) || (a > 0) != (target > 0) || abs(a) >= abs(target) || a == 0 {
			continue
		}
		cs = append(cs, cand{k, a, dist})
	}
	sort.SliceStable(cs, func(a, b int) bool { return cs[a].dist < cs[b].dist })
	if len(cs) > MaxCandidates {
		cs = cs[:MaxCandidates]
	}
	goal := abs(target)
	for size := 2; size <= MaxGroup && size <= len(cs); size++ {
		var found [][]int
		pick := make([]int, 0, size)
		var walk func(from int, sum money.Amount) bool
		walk = func(from int, sum money.Amount) bool {
			if *steps++; *steps > MaxSteps {
				return false
			}
			if len(pick) == size {
				if sum == goal {
					found = append(found, append([]int(nil), pick...))
				}
				return len(found) < 2
			}
			for k := from; k < len(cs); k++ {
				if s := sum + abs(cs[k].amt); s <= goal {
					pick = append(pick, k)
					ok := walk(k+1, s)
					pick = pick[:len(pick)-1]
					if !ok {
						return false
					}
				}
			}
			return true
		}
		if !walk(0, 0) && *steps > MaxSteps {
			return nil
		}
		switch len(found) {
		case 0:
			continue
		case 1:
			out := make([]int, size)
			for i, k := range found[0] {
				out[i] = cs[k].idx
			}
			sort.Ints(out)
			return out
		}
		return nil // ambiguous: a person decides
	}
	return nil
}

func abs(a money.Amount) money.Amount {
	if a < 0 {
		return -a
	}
	return a
}
