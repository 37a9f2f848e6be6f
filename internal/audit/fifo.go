package audit

import (
	"context"

	"renofund/internal/ledger"
	"renofund/internal/ledger/trail"
)

// piece is a range of one inflow's money: fen [off, off+amt) of what
// transfer src brought into a holding. src is empty for money an outflow
// took that the holding's inflows did not cover, which the ledger's
// never-below-zero rule makes impossible unless stored rows were altered.
type piece struct {
	src      string
	off, amt int64
}

// flow is one holding's first-in, first-out attribution over its whole
// chain: for every transfer that took money out, the inflow ranges it took.
type flow struct {
	out map[string][]piece
}

// computeFlow replays a holding's postings in chain order. Inflows join the
// back of the queue; outflows take from the front. Reversing an outflow puts
// the ranges it took back at the front; reversing an inflow takes what is
// left of that inflow first. The queue always holds exactly the balance.
func computeFlow(ctx context.Context, l *ledger.Ledger, fund, holder string) (*flow, error) {
	entries, err := trail.Chain(ctx, l.DB(), fund, holder)
	if err != nil {
		return nil, err
	}
	fl := &flow{out: map[string][]piece{}}
	var q []piece
	for _, e := range entries {
		id, amount := e.TransferID, int64(e.Amount)
		reversal := e.Type == ledger.TypeReversal && e.ReversalOf != ""
		switch {
		case amount > 0 && reversal && fl.out[e.ReversalOf] != nil:
			q = append(take(fl.out[e.ReversalOf], amount), q...)
		case amount > 0:
			q = append(q, piece{src: id, amt: amount})
		default:
			need := -amount
			var took []piece
			if reversal {
				took = takeOwn(&q, e.ReversalOf, need)
				need -= sum(took)
			}
			took = append(took, takeFront(&q, need)...)
			fl.out[id] = append(fl.out[id], took...)
		}
	}
	return fl, nil
}

// takeFront takes need fen from the front of the queue.
func takeFront(q *[]piece, need int64) []piece {
	var took []piece
	for need > 0 && len(*q) > 0 {
		p := &(*q)[0]
		n := min(need, p.amt)
		took = append(took, piece{src: p.src, off: p.off, amt: n})
		p.off, p.amt, need = p.off+n, p.amt-n, need-n
		if p.amt == 0 {
			*q = (*q)[1:]
		}
	}
	if need > 0 {
		took = append(took, piece{amt: need})
	}
	return took
}

// takeOwn takes up to need fen of inflow src from wherever it still waits
// in the queue.
func takeOwn(q *[]piece, src string, need int64) []piece {
	var took []piece
	kept := (*q)[:0:0]
	for _, p := range *q {
		if p.src == src && need > 0 {
			n := min(need, p.amt)
			took = append(took, piece{src: p.src, off: p.off, amt: n})
			p.off, p.amt, need = p.off+n, p.amt-n, need-n
		}
		if p.amt > 0 {
			kept = append(kept, p)
		}
	}
	*q = kept
	return took
}

// take returns a copy of the first amt fen of the ranges in ps.
func take(ps []piece, amt int64) []piece {
	var out []piece
	for _, p := range ps {
		if amt == 0 {
			break
		}
		n := min(amt, p.amt)
		out = append(out, piece{src: p.src, off: p.off, amt: n})
		amt -= n
	}
	return out
}

// within returns the fen [off, off+amt) of the concatenated ranges ps, the
// part of an outflow that a later range of it corresponds to.
func within(ps []piece, off, amt int64) []piece {
	var out []piece
	for _, p := range ps {
		if amt == 0 {
			break
		}
		if off >= p.amt {
			off -= p.amt
			continue
		}
		n := min(amt, p.amt-off)
		out = append(out, piece{src: p.src, off: p.off + off, amt: n})
		off, amt = 0, amt-n
	}
	if amt > 0 {
		out = append(out, piece{amt: amt})
	}
	return out
}

// merge joins adjacent ranges of the same inflow.
func merge(ps []piece) []piece {
	var out []piece
	for _, p := range ps {
		if n := len(out); n > 0 && out[n-1].src == p.src && out[n-1].off+out[n-1].amt == p.off {
			out[n-1].amt += p.amt
			continue
		}
		out = append(out, p)
	}
	return out
}

func sum(ps []piece) int64 {
	var s int64
	for _, p := range ps {
		s += p.amt
	}
	return s
}
