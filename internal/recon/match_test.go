package recon

import (
	"flag"
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"time"

	"renofund/internal/money"
	"renofund/internal/sheet"
)

func bl(line int, d string, amount string, ref string) BankLine {
	return BankLine{Line: line, Date: date(d), Amount: signed(amount), Reference: ref}
}

func mv(id, d, amount, ref string) Movement {
	return Movement{ID: id, Date: date(d), Amount: signed(amount), Reference: ref}
}

func signed(s string) money.Amount {
	a, reason := readAmount(sheet.Source{}, s)
	if reason != "" {
		panic(s + reason)
	}
	return a
}

// summary renders a result compactly: "line→id(by)" for pairs, then the
// unmatched bank lines and movements.
func summary(r Result) string {
	var parts []string
	for _, p := range r.Matched {
		parts = append(parts, fmt.Sprintf("%d→%s(%s)", p.Bank.Line, p.Movement.ID, p.By))
	}
	var bank, ledger []string
	for _, b := range r.UnmatchedBank {
		bank = append(bank, fmt.Sprint(b.Line))
	}
	for _, m := range r.UnmatchedLedger {
		ledger = append(ledger, m.ID)
	}
	return fmt.Sprintf("%s | bank %s | ledger %s", strings.Join(parts, " "), strings.Join(bank, ","), strings.Join(ledger, ","))
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name   string
		bank   []BankLine
		ledger []Movement
		window int
		want   string
	}{
		{
			name:   "exact reference, dates far apart",
			bank:   []BankLine{bl(2, "2021-07-01", "-500", "V2021-0007")},
			ledger: []Movement{mv("T1", "2021-06-01", "-500", "V2021-0007")},
			window: 3,
			want:   "2→T1(reference) | bank  | ledger ",
		},
		{
			name:   "reference quotes the movement ID",
			bank:   []BankLine{bl(2, "2021-07-01", "1000", " T9 ")},
			ledger: []Movement{mv("T8", "2021-07-01", "1000", ""), mv("T9", "2021-08-01", "1000", "")},
			window: 3,
			want:   "2→T9(reference) | bank  | ledger T8",
		},
		{
			name:   "reference wins over a closer amount-and-date candidate",
			bank:   []BankLine{bl(2, "2021-07-01", "300", "P-1"), bl(3, "2021-07-01", "300", "")},
			ledger: []Movement{mv("T1", "2021-07-01", "300", ""), mv("T2", "2021-07-09", "300", "P-1")},
			window: 1,
			want:   "2→T2(reference) 3→T1(amount_date) | bank  | ledger ",
		},
		{
			name:   "same reference, different amount: falls back to amount and date",
			bank:   []BankLine{bl(2, "2021-07-01", "300", "P-1")},
			ledger: []Movement{mv("T1", "2021-07-01", "301", "P-1"), mv("T2", "2021-07-02", "300", "X")},
			window: 1,
			want:   "2→T2(amount_date) | bank  | ledger T1",
		},
		{
			name:   "reference case matters",
			bank:   []BankLine{bl(2, "2021-07-01", "300", "p-1")},
			ledger: []Movement{mv("T1", "2021-08-01", "300", "P-1")},
			window: 3,
			want:   " | bank 2 | ledger T1",
		},
		{
			name:   "amount and date at the edge of the window",
			bank:   []BankLine{bl(2, "2021-07-01", "-20", ""), bl(3, "2021-07-10", "-20", "")},
			ledger: []Movement{mv("T1", "2021-07-04", "-20", ""), mv("T2", "2021-07-06", "-20", "")},
			window: 3,
			want:   "2→T1(amount_date) | bank 3 | ledger T2",
		},
		{
			name:   "outside the window: not matched",
			bank:   []BankLine{bl(2, "2021-07-01", "75.5", "")},
			ledger: []Movement{mv("T1", "2021-07-05", "75.5", ""), mv("T2", "2021-06-27", "75.5", "")},
			window: 3,
			want:   " | bank 2 | ledger T1,T2",
		},
		{
			name:   "window zero: same day only",
			bank:   []BankLine{bl(2, "2021-07-01", "1", ""), bl(3, "2021-07-02", "1", "")},
			ledger: []Movement{mv("T1", "2021-07-02", "1", "")},
			window: 0,
			want:   "3→T1(amount_date) | bank 2 | ledger ",
		},
		{
			name:   "negative window counts as zero",
			bank:   []BankLine{bl(2, "2021-07-01", "1", "")},
			ledger: []Movement{mv("T1", "2021-07-01", "1", "")},
			window: -5,
			want:   "2→T1(amount_date) | bank  | ledger ",
		},
		{
			name:   "sign matters",
			bank:   []BankLine{bl(2, "2021-07-01", "500", "")},
			ledger: []Movement{mv("T1", "2021-07-01", "-500", "")},
			window: 3,
			want:   " | bank 2 | ledger T1",
		},
		{
			name:   "closest date wins",
			bank:   []BankLine{bl(2, "2021-07-10", "9", "")},
			ledger: []Movement{mv("T1", "2021-07-07", "9", ""), mv("T2", "2021-07-12", "9", ""), mv("T3", "2021-07-11", "9", "")},
			window: 5,
			want:   "2→T3(amount_date) | bank  | ledger T1,T2",
		},
		{
			name:   "equally close: earliest ledger line",
			bank:   []BankLine{bl(2, "2021-07-10", "9", "")},
			ledger: []Movement{mv("T1", "2021-07-12", "9", ""), mv("T2", "2021-07-08", "9", ""), mv("T3", "2021-07-08", "9", "")},
			window: 5,
			want:   "2→T1(amount_date) | bank  | ledger T2,T3",
		},
		{
			name:   "empty references never match each other",
			bank:   []BankLine{bl(2, "2021-07-01", "5", "")},
			ledger: []Movement{mv("M1", "2021-09-01", "5", "")},
			window: 3,
			want:   " | bank 2 | ledger M1",
		},
		{
			name:   "duplicates on both sides pair one to one",
			bank:   []BankLine{bl(2, "2021-07-01", "500", ""), bl(3, "2021-07-01", "500", "")},
			ledger: []Movement{mv("T1", "2021-07-01", "500", ""), mv("T2", "2021-07-01", "500", "")},
			window: 0,
			want:   "2→T1(amount_date) 3→T2(amount_date) | bank  | ledger ",
		},
		{
			name:   "three bank lines against two movements: one left over",
			bank:   []BankLine{bl(2, "2021-07-01", "500", ""), bl(3, "2021-07-01", "500", ""), bl(4, "2021-07-01", "500", "")},
			ledger: []Movement{mv("T1", "2021-07-01", "500", ""), mv("T2", "2021-07-01", "500", "")},
			window: 0,
			want:   "2→T1(amount_date) 3→T2(amount_date) | bank 4 | ledger ",
		},
		{
			name:   "two movements against three bank lines by reference: one left over",
			bank:   []BankLine{bl(2, "2021-07-01", "500", "R"), bl(3, "2021-07-01", "500", "R")},
			ledger: []Movement{mv("T1", "2021-07-01", "500", "R"), mv("T2", "2021-07-01", "500", "R"), mv("T3", "2021-07-01", "500", "R")},
			window: 0,
			want:   "2→T1(reference) 3→T2(reference) | bank  | ledger T3",
		},
		{
			name: "a movement filed under its reference and its ID is taken once",
			bank: []BankLine{bl(2, "2021-07-01", "7", "V1"), bl(3, "2021-07-01", "7", "T1")},
			ledger: []Movement{
				mv("T1", "2021-07-01", "7", "V1"),
			},
			window: 0,
			want:   "2→T1(reference) | bank 3 | ledger ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Match(tt.bank, tt.ledger, tt.window)
			if s := summary(got); s != tt.want {
				t.Errorf("got  %s\nwant %s", s, tt.want)
			}
		})
	}
}

func TestMatchEmpty(t *testing.T) {
	got := Match(nil, nil, 3)
	if got.Matched == nil || got.UnmatchedBank == nil || got.UnmatchedLedger == nil {
		t.Errorf("got %#v, want empty non-nil slices", got)
	}
}

func TestMatchIgnoresTimeOfDay(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	bank := []BankLine{{Line: 2, Date: date("2021-07-01"), Amount: 100}}
	ledger := []Movement{{ID: "T1", Date: time.Date(2021, 7, 1, 23, 30, 0, 0, shanghai), Amount: 100}}
	if got := summary(Match(bank, ledger, 0)); got != "2→T1(amount_date) | bank  | ledger " {
		t.Errorf("got %s", got)
	}
}

var matchSeed = flag.Int64("recon.seed", 0, "seed for TestMatchAgainstBruteForce (0: time-based)")

// TestMatchAgainstBruteForce compares Match with a plain quadratic rendering
// of its rules on random statements full of duplicates.
func TestMatchAgainstBruteForce(t *testing.T) {
	seed := *matchSeed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	rng := rand.New(rand.NewSource(seed))
	base := date("2021-07-01")
	for run := 0; run < 500; run++ {
		amounts := []money.Amount{100, -100, 50000, 7}
		refs := []string{"", "", "V1", "V2", "T3", "T4"}
		bank := make([]BankLine, rng.Intn(30))
		for i := range bank {
			bank[i] = BankLine{Line: i + 2, Date: base.AddDate(0, 0, rng.Intn(20)), Amount: amounts[rng.Intn(len(amounts))], Reference: refs[rng.Intn(len(refs))]}
		}
		ledger := make([]Movement, rng.Intn(30))
		for j := range ledger {
			ledger[j] = Movement{ID: fmt.Sprintf("T%d", j), Date: base.AddDate(0, 0, rng.Intn(20)), Amount: amounts[rng.Intn(len(amounts))], Reference: refs[rng.Intn(len(refs))]}
		}
		window := rng.Intn(5)
		got, want := Match(bank, ledger, window), bruteForce(bank, ledger, window)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("seed %d run %d window %d:\ngot  %s\nwant %s", seed, run, window, summary(got), summary(want))
		}
		if n := len(got.Matched)*2 + len(got.UnmatchedBank) + len(got.UnmatchedLedger); n != len(bank)+len(ledger) {
			t.Fatalf("seed %d run %d: %d items in, %d out", seed, run, len(bank)+len(ledger), n)
		}
	}
}

func bruteForce(bank []BankLine, ledger []Movement, window int) Result {
	taken := make([]bool, len(ledger))
	pairs := make([]*Pair, len(bank))
	pick := func(b BankLine, ok func(Movement) bool) int {
		best, bestDist := -1, int64(0)
		for j, m := range ledger {
			if taken[j] || m.Amount != b.Amount || !ok(m) {
				continue
			}
			d := day(m.Date) - day(b.Date)
			if d < 0 {
				d = -d
			}
			if best < 0 || d < bestDist {
				best, bestDist = j, d
			}
		}
		return best
	}
	for i, b := range bank {
		if b.Reference == "" {
			continue
		}
		if j := pick(b, func(m Movement) bool { return m.Reference == b.Reference || m.ID == b.Reference }); j >= 0 {
			taken[j], pairs[i] = true, &Pair{b, ledger[j], ByReference}
		}
	}
	for i, b := range bank {
		if pairs[i] != nil {
			continue
		}
		within := func(m Movement) bool {
			d := day(m.Date) - day(b.Date)
			return -int64(window) <= d && d <= int64(window)
		}
		if j := pick(b, within); j >= 0 {
			taken[j], pairs[i] = true, &Pair{b, ledger[j], ByAmountDate}
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

// BenchmarkMatchDuplicates matches a statement where every line has the same
// amount and reference, the worst case for a naive scan.
func BenchmarkMatchDuplicates(b *testing.B) {
	n := 50_000
	bank := make([]BankLine, n)
	ledger := make([]Movement, n)
	base := date("2021-01-01")
	for i := range bank {
		bank[i] = BankLine{Line: i + 2, Date: base.AddDate(0, 0, i%365), Amount: 50000, Reference: "SALARY"}
		ledger[i] = Movement{ID: fmt.Sprint(i), Date: base.AddDate(0, 0, (i*7)%365), Amount: 50000, Reference: "SALARY"}
	}
	for b.Loop() {
		Match(bank, ledger, 3)
	}
}
