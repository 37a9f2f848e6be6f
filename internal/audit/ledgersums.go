package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"gorm.io/gorm"

	"renofund/internal/ledger"
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
func ledgerTotals(tx *gorm.DB, f Filter) (LedgerTotals, error) {
	lt := LedgerTotals{Funds: map[string]FundLedger{}}
	byTransfer := f
	byTransfer.Fund = ""
	where, args := byTransfer.where("p.holder <> 'external'")
	if f.Fund != "" {
		where, args = where+" AND p.fund_code = ?", append(args, f.Fund)
	}
	var sums []struct {
		FundCode        string
		Received, Spent int64
	}
	err := tx.Raw(`SELECT p.fund_code,
		COALESCE(SUM(CASE WHEN t.base_type = 'receipt' THEN p.amount ELSE 0 END), 0) AS received,
		COALESCE(SUM(CASE WHEN t.base_type IN ('expenditure', 'subsidy_payment') THEN -p.amount ELSE 0 END), 0) AS spent
		FROM postings p JOIN transfers t ON t.id = p.transfer_id WHERE `+where+` GROUP BY p.fund_code`, args...).
		Scan(&sums).Error
	if err != nil {
		return lt, err
	}
	for _, s := range sums {
		lt.Funds[s.FundCode] = FundLedger{Received: money.Amount(s.Received), Spent: money.Amount(s.Spent)}
		lt.Received += money.Amount(s.Received)
		lt.Spent += money.Amount(s.Spent)
	}
	if f.District != "" || f.Project != "" || f.From != "" || f.To != "" {
		return lt, nil
	}
	q, hargs := "SELECT fund_code, SUM(balance) AS balance FROM holdings", []any{}
	if f.Fund != "" {
		q, hargs = q+" WHERE fund_code = ?", append(hargs, f.Fund)
	}
	var held []struct {
		FundCode string
		Balance  int64
	}
	if err := tx.Raw(q+" GROUP BY fund_code", hargs...).Scan(&held).Error; err != nil {
		return lt, err
	}
	var total money.Amount
	for _, h := range held {
		fl := lt.Funds[h.FundCode]
		a := money.Amount(h.Balance)
		fl.Available = &a
		lt.Funds[h.FundCode] = fl
		total += a
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

// snapshotHeads digests the chain heads as the snapshot sees them, streaming
// them into the hash, and compares them with what cp sealed.
func snapshotHeads(tx *gorm.DB, cp *ledger.Checkpoint) (Snapshot, error) {
	var s Snapshot
	rows, err := tx.Raw("SELECT fund_code, holder, chain_seq, chain_head FROM holdings WHERE chain_seq > 0 ORDER BY fund_code, holder").Rows()
	if err != nil {
		return s, err
	}
	defer rows.Close()
	h := sha256.New()
	for rows.Next() {
		var fund, holder, head string
		var seq int64
		if err := rows.Scan(&fund, &holder, &seq, &head); err != nil {
			return s, err
		}
		fmt.Fprintf(h, "%s|%s|%d|%s\n", fund, holder, seq, head)
		s.Holdings++
	}
	if err := rows.Err(); err != nil {
		return s, err
	}
	s.HeadsDigest = hex.EncodeToString(h.Sum(nil))
	if cp != nil {
		var heads []string
		if err := tx.Raw("SELECT heads FROM checkpoints WHERE seq = ?", cp.Seq).Scan(&heads).Error; err != nil {
			return s, err
		}
		if len(heads) == 1 {
			sum := sha256.Sum256([]byte(heads[0]))
			s.SealedByCheckpoint = hex.EncodeToString(sum[:]) == s.HeadsDigest
		}
	}
	return s, nil
}
