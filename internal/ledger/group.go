package ledger

import (
	"sort"

	"gorm.io/gorm"

	"renofund/internal/store"
)

// held is what a group commit's members have posted and the ledger has not
// written yet: it is written once for them all when the group flushes
// (store.Group), one voucher block, one statement on PostgreSQL.
type held struct {
	l *Ledger
	// states are the holdings the group has locked, as its held transfers
	// leave their balances; chain sequences and heads are as written.
	states  map[key]*state
	ts      []*Transfer
	touched map[key]bool
}

type heldKey struct{ l *Ledger }

// hold checks transfers posted inside a set-based group commit against the
// group's running balances and keeps them for the group's flush. A holding
// is locked the first time a member moves it and stays locked, so later
// members read its state from memory.
func (l *Ledger) hold(g *store.Group, tx *gorm.DB, ts []*Transfer, keys []key) error {
	h := g.Local(heldKey{l}, func() any { return &held{l: l, states: map[key]*state{}, touched: map[key]bool{}} }).(*held)
	var need []key
	for _, k := range keys {
		if h.states[k] == nil {
			need = append(need, k)
		}
	}
	if len(need) > 0 {
		locked, err := l.lock(store.Quiet(tx), need, ts)
		if err != nil {
			return err
		}
		for k, st := range locked {
			h.states[k] = st
		}
	}
	// The checks move copies: a refused transfer leaves the group's states
	// as they were, and a check that reads the ledger writes what the group
	// holds (and so its states' sequences) first.
	work := make(map[key]*state, len(keys))
	for _, k := range keys {
		c := *h.states[k]
		work[k] = &c
	}
	if err := l.check(tx, ts, work); err != nil {
		return err
	}
	if len(h.ts) == 0 {
		g.Later(store.StageWrites, h.flush)
	}
	for _, k := range keys {
		h.states[k].balance, h.states[k].lastBooked = work[k].balance, work[k].lastBooked
		h.touched[k] = true
	}
	h.ts = append(h.ts, ts...)
	return nil
}

// flush writes the held transfers.
func (h *held) flush(tx *gorm.DB) error {
	ts := h.ts
	keys := make([]key, 0, len(h.touched))
	for k := range h.touched {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].fund != keys[j].fund {
			return keys[i].fund < keys[j].fund
		}
		return keys[i].holder < keys[j].holder
	})
	h.ts, h.touched = nil, map[key]bool{}
	return h.l.write(tx, ts, keys, h.states)
}
