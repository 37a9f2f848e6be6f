package harness

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
	"time"

	"renofund/internal/ledger"
	"renofund/internal/ledger/proof"
	"renofund/subsidy"
)

// snapshot is what a refused operation must leave unchanged: every count
// and total the operations can move, and a digest of every holding's
// balance and chain head.
type snapshot struct {
	Transfers     int64
	Postings      int64
	Holdings      int64
	Balance       int64
	Plans         int64
	PlansExecuted int64
	Runs          int64
	RunsPaid      int64
	RunsCancelled int64
	RunLines      int64
	Ratings       int64
	Managers      int64
	Checkpoints   int64
	Vouchers      int64
	Heads         string `gorm:"-"`
}

// snapshotSQL reads every count in one statement, so that it is one
// consistent snapshot on both engines.
const snapshotSQL = `SELECT
	(SELECT COUNT(*) FROM transfers) AS transfers,
	(SELECT COUNT(*) FROM postings) AS postings,
	(SELECT COUNT(*) FROM holdings) AS holdings,
	(SELECT CAST(COALESCE(SUM(balance), 0) AS BIGINT) FROM holdings) AS balance,
	(SELECT COUNT(*) FROM allocation_plans) AS plans,
	(SELECT COUNT(*) FROM allocation_plans WHERE status = 'executed') AS plans_executed,
	(SELECT COUNT(*) FROM subsidy_runs) AS runs,
	(SELECT COUNT(*) FROM subsidy_runs WHERE status = 'paid') AS runs_paid,
	(SELECT COUNT(*) FROM subsidy_runs WHERE status = 'cancelled') AS runs_cancelled,
	(SELECT COUNT(*) FROM subsidy_run_lines) AS run_lines,
	(SELECT COUNT(*) FROM subsidy_ratings) AS ratings,
	(SELECT COUNT(*) FROM subsidy_property_managers) AS managers,
	(SELECT COUNT(*) FROM checkpoints) AS checkpoints,
	(SELECT CAST(COALESCE(SUM(last_seq), 0) AS BIGINT) FROM voucher_counters) AS vouchers`

type holdingRow struct {
	FundCode  string
	Holder    string
	Balance   int64
	ChainSeq  int64
	ChainHead string
}

func (h *harness) holdingRows(ctx context.Context) ([]holdingRow, error) {
	var rows []holdingRow
	err := h.db.G.WithContext(ctx).Raw(`SELECT fund_code, holder, balance, chain_seq, chain_head FROM holdings
		ORDER BY fund_code, holder`).Scan(&rows).Error
	return rows, err
}

func (h *harness) snapshot(ctx context.Context) (*snapshot, error) {
	var s snapshot
	if err := h.db.G.WithContext(ctx).Raw(snapshotSQL).Scan(&s).Error; err != nil {
		return nil, err
	}
	rows, err := h.holdingRows(ctx)
	if err != nil {
		return nil, err
	}
	sum := sha256.New()
	for _, r := range rows {
		fmt.Fprintf(sum, "%s|%s|%d|%d|%s\n", r.FundCode, r.Holder, r.Balance, r.ChainSeq, r.ChainHead)
	}
	s.Heads = hex.EncodeToString(sum.Sum(nil))[:16]
	return &s, nil
}

// diff describes how two snapshots differ, "" when they do not.
func (s *snapshot) diff(o *snapshot) string {
	var out []string
	a, b := reflect.ValueOf(*s), reflect.ValueOf(*o)
	for i := range a.NumField() {
		if x, y := a.Field(i).Interface(), b.Field(i).Interface(); x != y {
			out = append(out, fmt.Sprintf("%s %v → %v", a.Type().Field(i).Name, x, y))
		}
	}
	return strings.Join(out, ", ")
}

// quickCheck checks, in one statement (one consistent snapshot even while
// other workers write), that no holding is below zero and that the money
// held is exactly receipts minus expenditures and subsidy payments, net of
// reversals, summed from the transfers.
func (h *harness) quickCheck(ctx context.Context) error {
	var q struct{ Negative, Held, Received, Paid int64 }
	err := h.db.G.WithContext(ctx).Raw(`SELECT
		(SELECT COUNT(*) FROM holdings WHERE balance < 0) AS negative,
		(SELECT CAST(COALESCE(SUM(balance), 0) AS BIGINT) FROM holdings) AS held,
		(SELECT CAST(COALESCE(SUM(CASE WHEN type = 'reversal' THEN -amount ELSE amount END), 0) AS BIGINT)
			FROM transfers WHERE base_type = 'receipt') AS received,
		(SELECT CAST(COALESCE(SUM(CASE WHEN type = 'reversal' THEN -amount ELSE amount END), 0) AS BIGINT)
			FROM transfers WHERE base_type IN ('expenditure', 'subsidy_payment')) AS paid`).Scan(&q).Error
	switch {
	case err != nil:
		return fmt.Errorf("quick check: %w", err)
	case q.Negative > 0:
		return fmt.Errorf("%d holdings below zero", q.Negative)
	case q.Held != q.Received-q.Paid:
		return fmt.Errorf("money not conserved: holdings sum to %d fen, receipts %d − payments %d = %d",
			q.Held, q.Received, q.Paid, q.Received-q.Paid)
	}
	return nil
}

// checkBooks checks the database against the model with no operation in
// flight: every holding's balance, conservation overall and per fund, every
// count. deep adds the links between plans, runs, reversals and their
// transfers and the read views; verify adds ledger.Verify.
func (h *harness) checkBooks(ctx context.Context, verify, deep bool) error {
	h.mu.Lock()
	h.stats.Checks++
	h.mu.Unlock()
	m := h.model
	m.mu.Lock()
	defer m.mu.Unlock()
	rows, err := h.holdingRows(ctx)
	if err != nil {
		return err
	}
	held := map[string]int64{}
	seen := map[hkey]bool{}
	var total int64
	for _, r := range rows {
		k := hkey{r.FundCode, r.Holder}
		seen[k] = true
		held[r.FundCode] += r.Balance
		total += r.Balance
		switch {
		case r.Balance < 0:
			return fmt.Errorf("holding %s/%s is below zero: %d", k.Fund, k.Holder, r.Balance)
		case !m.holdings[k]:
			return fmt.Errorf("holding %s/%s (balance %d) exists but nothing that succeeded credited it", k.Fund, k.Holder, r.Balance)
		case r.Balance != m.bal[k]:
			return fmt.Errorf("holding %s/%s holds %d fen, model %d (off by %d)", k.Fund, k.Holder, r.Balance, m.bal[k], r.Balance-m.bal[k])
		}
	}
	for k := range m.holdings {
		if !seen[k] {
			return fmt.Errorf("holding %s/%s is missing", k.Fund, k.Holder)
		}
	}
	if err := h.quickCheck(ctx); err != nil {
		return err
	}
	if err := h.checkFunds(ctx, held); err != nil {
		return err
	}
	if err := h.checkCounts(ctx, total); err != nil {
		return err
	}
	if deep {
		if err := h.checkLinks(ctx); err != nil {
			return err
		}
		if err := h.checkViews(ctx, held); err != nil {
			return err
		}
	}
	if verify {
		start := time.Now()
		rep, err := proof.New(h.ledger.DB()).Verify(ctx, proof.Full)
		h.mu.Lock()
		h.stats.Verifies++
		h.verifying += time.Since(start)
		h.mu.Unlock()
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		if !rep.OK {
			return fmt.Errorf("hash links do not verify: %s at %s", rep.Problem, rep.Where)
		}
		if rep.Transfers != m.transfers {
			return fmt.Errorf("verify checked %d transfers, model has %d", rep.Transfers, m.transfers)
		}
		// The verification since the newest checkpoint (the harness seals
		// them among its operations) must agree on untampered books.
		since, err := proof.New(h.ledger.DB()).Verify(ctx, proof.SinceCheckpoint)
		if err != nil {
			return fmt.Errorf("verify since the checkpoint: %w", err)
		}
		if !since.OK {
			return fmt.Errorf("hash links do not verify since checkpoint %v: %s at %s", since.Since, since.Problem, since.Where)
		}
	}
	return nil
}

// checkFunds checks conservation per fund from the postings: receipts
// minus payments is what the fund's holdings hold, the outside world's
// side mirrors it, and both agree with the model. Caller holds m.mu.
func (h *harness) checkFunds(ctx context.Context, held map[string]int64) error {
	m := h.model
	var rows []struct {
		Fund                      string
		Received, Spent, External int64
		Postings                  int64
	}
	err := h.db.G.WithContext(ctx).Raw(`SELECT p.fund_code AS fund,
		CAST(SUM(CASE WHEN p.holder <> 'external' AND t.base_type = 'receipt' THEN p.amount ELSE 0 END) AS BIGINT) AS received,
		CAST(SUM(CASE WHEN p.holder <> 'external' AND t.base_type IN ('expenditure', 'subsidy_payment') THEN -p.amount ELSE 0 END) AS BIGINT) AS spent,
		CAST(SUM(CASE WHEN p.holder = 'external' THEN p.amount ELSE 0 END) AS BIGINT) AS external,
		COUNT(*) AS postings
		FROM postings p JOIN transfers t ON t.id = p.transfer_id GROUP BY p.fund_code ORDER BY p.fund_code`).Scan(&rows).Error
	if err != nil {
		return err
	}
	var postings int64
	funds := map[string]bool{}
	for _, r := range rows {
		funds[r.Fund] = true
		postings += r.Postings
		switch {
		case r.Received-r.Spent != held[r.Fund]:
			return fmt.Errorf("fund %s: received %d − spent %d = %d, but its holdings hold %d",
				r.Fund, r.Received, r.Spent, r.Received-r.Spent, held[r.Fund])
		case r.External != -held[r.Fund]:
			return fmt.Errorf("fund %s: the outside world's postings sum to %d, holdings to %d", r.Fund, r.External, held[r.Fund])
		case r.Received != m.received[r.Fund] || r.Spent != m.spent[r.Fund]:
			return fmt.Errorf("fund %s: received %d, spent %d; model %d, %d", r.Fund, r.Received, r.Spent,
				m.received[r.Fund], m.spent[r.Fund])
		}
	}
	for f, v := range held {
		if !funds[f] && v != 0 {
			return fmt.Errorf("fund %s holds %d with no postings", f, v)
		}
	}
	if postings != m.postings {
		return fmt.Errorf("%d postings, model %d", postings, m.postings)
	}
	return nil
}

// checkCounts compares every count with the model, and the voucher
// counters with the transfers of each fiscal year. Caller holds m.mu.
func (h *harness) checkCounts(ctx context.Context, total int64) error {
	m := h.model
	s, err := h.snapshot(ctx)
	if err != nil {
		return err
	}
	want := snapshot{Transfers: m.transfers, Postings: m.postings, Holdings: int64(len(m.holdings)), Balance: total,
		Ratings: m.ratings, Managers: m.mgrRows, Checkpoints: m.checkpts, Vouchers: m.transfers, Heads: s.Heads}
	for _, p := range m.plans {
		want.Plans++
		if p.Status == "executed" {
			want.PlansExecuted++
		}
	}
	for _, r := range m.runs {
		want.Runs++
		want.RunLines += int64(r.LineCount)
		switch r.Status {
		case subsidy.Paid:
			want.RunsPaid++
		case subsidy.Cancelled:
			want.RunsCancelled++
		}
	}
	if d := want.diff(s); d != "" {
		return fmt.Errorf("database differs from the model (model → database): %s", d)
	}
	var years []struct {
		FiscalYear int
		N          int64
		Last       *int64
	}
	err = h.db.G.WithContext(ctx).Raw(`SELECT t.fiscal_year AS fiscal_year, COUNT(*) AS n,
		(SELECT last_seq FROM voucher_counters c WHERE c.fiscal_year = t.fiscal_year) AS last
		FROM transfers t GROUP BY t.fiscal_year ORDER BY t.fiscal_year`).Scan(&years).Error
	if err != nil {
		return err
	}
	if len(years) != len(m.byYear) {
		return fmt.Errorf("transfers in %d fiscal years, model %d (%v)", len(years), len(m.byYear), m.byYear)
	}
	for _, y := range years {
		if y.N != m.byYear[y.FiscalYear] || y.Last == nil || *y.Last != y.N {
			return fmt.Errorf("fiscal year %d: %d transfers (model %d), voucher counter at %v",
				y.FiscalYear, y.N, m.byYear[y.FiscalYear], deref(y.Last))
		}
	}
	return nil
}

func deref(p *int64) any {
	if p == nil {
		return "none"
	}
	return *p
}

// checkLinks checks that executed plans posted each share once, paid runs
// each paying line once, and that every reversal mirrors one original that
// is not itself a reversal. Caller holds m.mu.
func (h *harness) checkLinks(ctx context.Context) error {
	m := h.model
	var plans, runs []link
	g := h.db.G.WithContext(ctx)
	if err := g.Raw(`SELECT plan_id AS id, COUNT(*) AS n, CAST(SUM(amount) AS BIGINT) AS sum FROM transfers
		WHERE plan_id IS NOT NULL GROUP BY plan_id`).Scan(&plans).Error; err != nil {
		return err
	}
	if err := g.Raw(`SELECT batch_id AS id, COUNT(*) AS n, CAST(SUM(amount) AS BIGINT) AS sum FROM transfers
		WHERE type = ? GROUP BY batch_id`, ledger.TypeSubsidy).Scan(&runs).Error; err != nil {
		return err
	}
	for _, l := range plans {
		p := m.planByID[l.ID]
		if p == nil || p.Status != "executed" {
			return fmt.Errorf("plan %s has %d transfers but is not executed in the model", l.ID, l.N)
		}
		var n int64
		for _, s := range p.Shares {
			if s.Amount > 0 {
				n++
			}
		}
		if l.N != n || l.Sum != p.Total {
			return fmt.Errorf("plan %s posted %d transfers of %d fen, want %d of %d", l.ID, l.N, l.Sum, n, p.Total)
		}
	}
	for _, p := range m.plans {
		if p.Status == "executed" && p.Total > 0 && !containsLink(plans, p.ID) {
			return fmt.Errorf("executed plan %s posted nothing", p.ID)
		}
	}
	for _, l := range runs {
		r := m.runByID[l.ID]
		if r == nil || r.Status != subsidy.Paid || l.N != int64(r.Paying) || l.Sum != r.Total {
			return fmt.Errorf("run %s posted %d payments of %d fen; model %+v", l.ID, l.N, l.Sum, r)
		}
	}
	for _, r := range m.runs {
		if r.Status == subsidy.Paid && r.Paying > 0 && !containsLink(runs, r.ID) {
			return fmt.Errorf("paid run %s posted nothing", r.ID)
		}
	}
	var revs []struct {
		ID, Type, Base     string
		OrigType, OrigBase *string
		Amount             int64
		OrigAmount         *int64
	}
	if err := g.Raw(`SELECT r.id AS id, r.type AS type, r.base_type AS base, o.type AS orig_type, o.base_type AS orig_base,
		r.amount AS amount, o.amount AS orig_amount
		FROM transfers r LEFT JOIN transfers o ON o.id = r.reversal_of
		WHERE r.reversal_of IS NOT NULL OR r.type = 'reversal'`).Scan(&revs).Error; err != nil {
		return err
	}
	var want int64
	for _, r := range m.recs {
		if r.Type == ledger.TypeReversal {
			want++
		}
	}
	if int64(len(revs)) != want {
		return fmt.Errorf("%d reversals, model %d", len(revs), want)
	}
	for _, r := range revs {
		if r.Type != ledger.TypeReversal || r.OrigType == nil || *r.OrigType == ledger.TypeReversal ||
			*r.OrigBase != r.Base || *r.OrigAmount != r.Amount {
			return fmt.Errorf("reversal %s (%s/%s of %d) does not mirror its original (%v/%v of %v)", r.ID, r.Type, r.Base,
				r.Amount, r.OrigType, r.OrigBase, r.OrigAmount)
		}
	}
	return nil
}

// link is how many transfers of how much a plan or run posted.
type link struct {
	ID     string
	N, Sum int64
}

func containsLink(ls []link, id string) bool {
	for _, l := range ls {
		if l.ID == id {
			return true
		}
	}
	return false
}
