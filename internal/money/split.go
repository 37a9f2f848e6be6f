package money

import (
	"errors"
	"math/big"
	"sort"
)

// ErrSplit reports weights that cannot divide a total.
var ErrSplit = errors.New("cannot split")

// Split divides total into parts proportional to weights by the largest
// remainder method: each part gets the floor of its exact share, then the fen
// left over go one each to the parts with the largest remainders (ties to the
// earlier part). The parts always sum exactly to total. Weights must be
// non-negative with a positive sum; total must be non-negative.
func Split(total Amount, weights []Rate) ([]Amount, error) {
	if total < 0 || len(weights) == 0 {
		return nil, ErrSplit
	}
	// Scale the decimal weights to integers sharing one exponent so the
	// arithmetic below is exact big-integer arithmetic.
	minExp := int32(0)
	for _, w := range weights {
		if w.d.Sign() < 0 {
			return nil, ErrSplit
		}
		if e := w.d.Exponent(); e < minExp {
			minExp = e
		}
	}
	ints := make([]*big.Int, len(weights))
	sum := new(big.Int)
	for i, w := range weights {
		ints[i] = w.d.Shift(-minExp).BigInt()
		sum.Add(sum, ints[i])
	}
	if sum.Sign() == 0 {
		return nil, ErrSplit
	}
	return splitInts(total, ints, sum), nil
}

// SplitInt is Split for integer weights (fen, households, square centimetres).
func SplitInt(total Amount, weights []int64) ([]Amount, error) {
	if total < 0 || len(weights) == 0 {
		return nil, ErrSplit
	}
	ints := make([]*big.Int, len(weights))
	sum := new(big.Int)
	for i, w := range weights {
		if w < 0 {
			return nil, ErrSplit
		}
		ints[i] = big.NewInt(w)
		sum.Add(sum, ints[i])
	}
	if sum.Sign() == 0 {
		return nil, ErrSplit
	}
	return splitInts(total, ints, sum), nil
}

func splitInts(total Amount, weights []*big.Int, sum *big.Int) []Amount {
	parts := make([]Amount, len(weights))
	rems := make([]*big.Int, len(weights))
	t := big.NewInt(int64(total))
	given := Amount(0)
	for i, w := range weights {
		q, r := new(big.Int).QuoRem(new(big.Int).Mul(t, w), sum, new(big.Int))
		parts[i] = Amount(q.Int64())
		rems[i] = r
		given += parts[i]
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rems[order[a]].Cmp(rems[order[b]]) > 0 })
	for k := 0; given < total; k++ {
		parts[order[k%len(order)]]++
		given++
	}
	return parts
}
