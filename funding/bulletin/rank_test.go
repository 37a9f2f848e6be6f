package bulletin

import (
	"testing"

	"renofund/internal/money"
)

// TestRank: districts by exact spending rate, highest first; equal rates
// (1/3 and 2/6) share a place even where rounding would not tell them
// apart from a near one (3333/10000 rounds to the same 0.3333); nothing
// available comes last, unranked; ties in order by code.
func TestRank(t *testing.T) {
	area := func(code string, spent, available money.Amount) Area {
		return Area{District: code, Figures: Figures{SpentYTD: spent, Available: available}}
	}
	ds := []Area{area("A", 0, 0), area("B", 1, 3), area("C", 3333, 10000), area("D", 2, 6), area("E", 9, 10), area("F", 0, 5)}
	rank(ds)
	want := []struct {
		code string
		rank int
	}{{"E", 1}, {"B", 2}, {"D", 2}, {"C", 4}, {"F", 5}, {"A", 0}}
	for i, w := range want {
		if ds[i].District != w.code || ds[i].Rank != w.rank {
			t.Errorf("place %d: %s ranked %d, want %s ranked %d", i, ds[i].District, ds[i].Rank, w.code, w.rank)
		}
	}
}

// TestRate: the spending rate is exact to four decimals, rounded half-up,
// and empty when nothing was available.
func TestRate(t *testing.T) {
	for _, c := range []struct {
		spent, available money.Amount
		want             string
	}{{1, 3, "0.3333"}, {2, 3, "0.6667"}, {1, 8, "0.1250"}, {1, 20000, "0.0001"}, {1, 20001, "0.0000"}, {5, 5, "1.0000"}, {0, 0, ""}} {
		var a adder
		f := Figures{SpentYTD: c.spent, ReceivedYTD: c.available}
		a.rate(&f, false)
		if f.SpendingRate != c.want || f.Available != c.available {
			t.Errorf("%d ÷ %d = %q (available %d), want %q", c.spent, c.available, f.SpendingRate, f.Available, c.want)
		}
	}
}
