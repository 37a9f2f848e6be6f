package audit

import (
	"context"

	"renofund/internal/ledger"
	"renofund/internal/ledger/proof"
	"renofund/internal/ledger/trail"
	"renofund/internal/money"
)

// FundLedger is one fund's totals as the ledger has them.
type FundLedger struct {
	Received  money.Amount  `json:"received"`            // receipts net of reversals, summed over holding postings
	Spent     money.Amount  `json:"spent"`               // expenditures and subsidy payments net of reversals
	Available *money.Amount `json:"available,omitempty"` // sum of the fund's holdings; only when the filter spans whole funds
}

// LedgerTotals are the ledger's totals for the export's filter, over all
// funds and per fund.
type LedgerTotals struct {
	Received  money.Amount          `json:"received"`
	Spent     money.Amount          `json:"spent"`
	Available *money.Amount         `json:"available,omitempty"`
	Funds     map[string]FundLedger `json:"funds"`
}

// ledgerTotals sums the holding-side postings of the selected transfers,
// an independent path from the trail's legs. Available (the holdings) is
// comparable to the rows only when no district, project or date narrows
// the rows, so it is given only then.
func ledgerTotals(ctx context.Context, l *ledger.Ledger, f Filter) (LedgerTotals, error) {
	lt := LedgerTotals{Funds: map[string]FundLedger{}}
	sums, err := trail.Totals(ctx, l.DB(), f.trail())
	if err != nil {
		return lt, err
	}
	for _, s := range sums {
		lt.Funds[s.Fund] = FundLedger{Received: s.Received, Spent: s.Spent}
		lt.Received += s.Received
		lt.Spent += s.Spent
	}
	if f.District != "" || f.Project != "" || f.From != "" || f.To != "" {
		return lt, nil
	}
	hs, err := l.Holdings(ctx, ledger.HoldingFilter{Fund: f.Fund})
	if err != nil {
		return lt, err
	}
	held := map[string]money.Amount{}
	var total money.Amount
	for _, h := range hs {
		held[h.Fund] += h.Balance
		total += h.Balance
	}
	for code, a := range held {
		fl := lt.Funds[code]
		fl.Available = &a
		lt.Funds[code] = fl
	}
	lt.Available = &total
	return lt, nil
}

// reconciled compares the rows' totals with the ledger's, fund by fund.
func reconciled(rows map[string]Totals, lt LedgerTotals) bool {
	for code, fl := range lt.Funds {
		t := rows[code]
		if t.Received != fl.Received || t.Spent != fl.Spent || (fl.Available != nil && t.Net != *fl.Available) {
			return false
		}
	}
	for code, t := range rows {
		if _, ok := lt.Funds[code]; !ok && (t.Received != 0 || t.Spent != 0) {
			return false
		}
	}
	return true
}

// Snapshot identifies the state of the hash chains the export read.
type Snapshot struct {
	// Holdings counts the chains with at least one posting.
	Holdings int64 `json:"holdings"`
	// HeadsDigest is the SHA-256 of the chain heads ("fund|holder|seq|head"
	// lines in fund, holder order), the form a checkpoint seals.
	HeadsDigest string `json:"heads_digest"`
	// SealedByCheckpoint says the export read exactly the heads the
	// manifest's checkpoint sealed: nothing was posted in between.
	SealedByCheckpoint bool `json:"sealed_by_checkpoint"`
}

// snapshotHeads digests the chain heads as the snapshot sees them and
// compares them with what cp sealed.
func snapshotHeads(ctx context.Context, l *ledger.Ledger, cp *proof.Checkpoint) (Snapshot, error) {
	h, err := proof.New(l.DB()).Heads(ctx, cp)
	return Snapshot{Holdings: h.Holdings, HeadsDigest: h.Digest, SealedByCheckpoint: h.Sealed}, err
}
