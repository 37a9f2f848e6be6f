package ledger

import (
	"fmt"
	"math"
	"testing"
)

// TestSumGoesPastInt64: a kept total that int64 cannot hold is carried as
// a big integer (the columns are NUMERIC), both ways, and exactly.
func TestSumGoesPastInt64(t *testing.T) {
	var up, down, back sum
	up.add(math.MaxInt64)
	up.add(1)
	down.add(math.MinInt64)
	down.add(-2)
	back.add(math.MaxInt64)
	back.add(math.MaxInt64)
	back.add(-math.MaxInt64)
	for _, c := range []struct {
		s    sum
		want string
	}{{up, "9223372036854775808"}, {down, "-9223372036854775810"}, {back, "9223372036854775807"}} {
		if got := fmt.Sprint(c.s.value()); got != c.want {
			t.Errorf("sum = %s, want %s", got, c.want)
		}
	}
	var small sum
	small.add(5)
	small.add(-7)
	if v, ok := small.value().(int64); !ok || v != -2 {
		t.Errorf("small sum = %v, want int64 -2", small.value())
	}
}
