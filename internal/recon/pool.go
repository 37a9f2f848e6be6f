package recon

import "sort"

// pool holds the candidate movements of one group (one amount, or one amount
// and reference) by date, so that the free movement closest to a date is
// found in near-constant time however many duplicates a statement holds.
//
// Movements are taken by setting taken[j]; a pool skips taken movements
// lazily, so one movement may sit in several pools.
type pool struct {
	entries []poolEntry // collected by add, sorted by build
	built   bool
	days    []int64 // distinct days, ascending
	queues  [][]int // movement indices per day, ascending
	heads   []int   // first possibly free position in each queue
	// next and prev skip days with no free movement left (union-find with
	// path compression): next[k] leads right to k itself or a later day,
	// prev[k+1] leads left to k or an earlier day; len(days) and -1 are
	// the sentinels.
	next, prev []int
}

type poolEntry struct {
	day int64
	j   int
}

// add files movement j under day d; every add comes before any nearest.
func (p *pool) add(d int64, j int) {
	p.entries = append(p.entries, poolEntry{d, j})
}

func (p *pool) build() {
	sort.Slice(p.entries, func(a, b int) bool {
		if p.entries[a].day != p.entries[b].day {
			return p.entries[a].day < p.entries[b].day
		}
		return p.entries[a].j < p.entries[b].j
	})
	for _, e := range p.entries {
		if n := len(p.days); n == 0 || p.days[n-1] != e.day {
			p.days = append(p.days, e.day)
			p.queues = append(p.queues, nil)
		}
		k := len(p.queues) - 1
		p.queues[k] = append(p.queues[k], e.j)
	}
	p.entries = nil
	n := len(p.days)
	p.heads = make([]int, n)
	p.next = make([]int, n+1)
	p.prev = make([]int, n+1)
	for i := range p.next {
		p.next[i], p.prev[i] = i, i
	}
	p.built = true
}

// nearest returns the free movement whose day is closest to d (ties to the
// lower index) and its distance in days; ok is false when none is free.
func (p *pool) nearest(d int64, taken []bool) (j int, dist int64, ok bool) {
	if !p.built {
		p.build()
	}
	n := len(p.days)
	pos := sort.Search(n, func(i int) bool { return p.days[i] >= d })
	right, rj := -1, 0
	for k := p.findNext(pos); k < n; k = p.findNext(k) {
		if j, ok := p.front(k, taken); ok {
			right, rj = k, j
			break
		}
	}
	left, lj := -1, 0
	for k := p.findPrev(pos - 1); k >= 0; k = p.findPrev(k) {
		if j, ok := p.front(k, taken); ok {
			left, lj = k, j
			break
		}
	}
	switch {
	case right < 0 && left < 0:
		return 0, 0, false
	case left < 0:
		return rj, p.days[right] - d, true
	case right < 0:
		return lj, d - p.days[left], true
	}
	rd, ld := p.days[right]-d, d-p.days[left]
	if rd < ld || (rd == ld && rj < lj) {
		return rj, rd, true
	}
	return lj, ld, true
}

// front returns the first free movement of day k, dropping the day from the
// skip lists when none is left.
func (p *pool) front(k int, taken []bool) (int, bool) {
	q := p.queues[k]
	for p.heads[k] < len(q) && taken[q[p.heads[k]]] {
		p.heads[k]++
	}
	if p.heads[k] == len(q) {
		p.next[k] = k + 1
		p.prev[k+1] = k
		return 0, false
	}
	return q[p.heads[k]], true
}

// findNext returns the first day at or after k that may have a free
// movement, or len(days).
func (p *pool) findNext(k int) int {
	root := k
	for p.next[root] != root {
		root = p.next[root]
	}
	for p.next[k] != root {
		p.next[k], k = root, p.next[k]
	}
	return root
}

// findPrev returns the last day at or before k that may have a free
// movement, or -1.
func (p *pool) findPrev(k int) int {
	i := k + 1
	root := i
	for p.prev[root] != root {
		root = p.prev[root]
	}
	for p.prev[i] != root {
		p.prev[i], i = root, p.prev[i]
	}
	return root - 1
}
