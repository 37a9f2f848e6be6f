package subsidy

import (
	"strings"
	"testing"

	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// approveRun drafts and pays a run of scheme M for 2021-07.
func (f *fixture) approveRun() *Run { return f.payRun("M", "2021-07") }

// payRun drafts a run (as ctx) and has it paid (by rev).
func (f *fixture) payRun(scheme, period string) *Run {
	f.t.Helper()
	r, err := f.svc.CreateRun(f.ctx, scheme, period)
	f.must(err)
	paid, err := f.svc.Approve(f.rev, r.ID)
	f.must(err)
	return paid
}

func adjustments(r *Run) []Line {
	var out []Line
	for _, l := range r.Lines {
		if l.Status == Adjustment {
			out = append(out, l)
		}
		if l.Status == Payable {
			panic("a later run has a payable line for " + l.Project)
		}
	}
	return out
}

func TestCorrectedRatingIsSettledByOneAdjustment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		smallCity(f, "100000")
		f.rate("P2", "2021-07", "65") // 0.5 × 8 × 40 = 160.00
		first := f.approveRun()
		if got := f.paidTo("P2"); got != money.MustParse("160") {
			t.Fatalf("first payment to P2 = %s, want 160.00", got)
		}

		// Corrected upwards after payment: 81.5 → 0.9 → 288.00, so 128.00 more.
		f.rate("P2", "2021-07", "81.5")
		second := f.approveRun()
		adj := adjustments(second)
		if len(adj) != 1 || adj[0].Project != "P2" || adj[0].Amount != money.MustParse("128") ||
			adj[0].Reason != ReasonTopUp || adj[0].Settled != money.MustParse("160") {
			t.Fatalf("adjustments = %+v, want one top-up of 128.00 for P2", adj)
		}
		if second.Total != money.MustParse("128") || second.PaidBefore != 1 {
			t.Errorf("second run total = %s, paid_before = %d", second.Total, second.PaidBefore)
		}
		if got, want := f.paidTo("P2"), money.MustParse("288"); got != want {
			t.Errorf("money out to P2 = %s, want the corrected entitlement %s", got, want)
		}
		for _, p := range []string{"P1", "P3"} {
			if got, want := f.paidTo(p), first.Lines[map[string]int{"P1": 0, "P3": 2}[p]].Amount; got != want {
				t.Errorf("money out to %s = %s, want %s (unchanged)", p, got, want)
			}
		}

		// Corrected downwards: a clawback request against the payee, not a payment.
		f.contract("P2", 99, "2021-08-01", "") // a manager from August has no part in July's clawback
		f.rate("P2", "2021-07", "71")
		third := f.approveRun()
		adj = adjustments(third)
		if len(adj) != 1 || adj[0].Amount != -money.MustParse("32") || adj[0].Reason != ReasonClawback ||
			adj[0].Payee == nil || adj[0].Payee.CreditCode != code(2) {
			t.Fatalf("adjustments = %+v, want one clawback of -32.00 against %s", adj, code(2))
		}
		if third.Total != 0 || third.Clawback != -money.MustParse("32") {
			t.Errorf("third run total = %s, clawback = %s", third.Total, third.Clawback)
		}
		if got, want := f.paidTo("P2"), money.MustParse("288"); got != want {
			t.Errorf("money out to P2 = %s, want %s (a clawback pays nothing)", got, want)
		}
		var csv strings.Builder
		f.must(third.WriteCSV(&csv))
		for _, want := range []string{
			"line,2,P2,HZ,物业公司 2," + code(2) + ",6222000000000002,-32.00,adjustment,clawback\n",
			"district_total,,,HZ,,,,0.00,,clawback:-32.00\n",
			"total,,,,,,,0.00,,clawback:-32.00\n",
		} {
			if !strings.Contains(csv.String(), want) {
				t.Errorf("CSV lacks %q:\n%s", want, csv.String())
			}
		}

		// Settled: the next run has nothing to do; a new top-up goes to the
		// company that served July, not to August's manager.
		if adj := adjustments(f.approveRun()); len(adj) != 0 {
			t.Errorf("fourth run adjustments = %+v, want none", adj)
		}
		f.rate("P2", "2021-07", "90")
		fifth := f.approveRun()
		adj = adjustments(fifth)
		if len(adj) != 1 || adj[0].Amount != money.MustParse("64") || adj[0].Payee.CreditCode != code(2) {
			t.Fatalf("fifth run adjustments = %+v, want a 64.00 top-up to %s", adj, code(2))
		}
		if got, want := f.paidTo("P2"), money.MustParse("352"); got != want { // 320 entitled + 32 still to claw back
			t.Errorf("money out to P2 = %s, want %s", got, want)
		}
	})
}

func TestLateRatingIsAFirstPayment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		smallCity(f, "100000")
		f.project("P4", "LY", 10, "100")
		f.approveRun()
		f.manager("P4", 4)
		f.rate("P4", "2021-07", "95")
		r, err := f.svc.CreateRun(f.ctx, "M", "2021-07")
		f.must(err)
		l := r.Lines[3]
		if l.Project != "P4" || l.Status != Payable || l.Amount != money.MustParse("80") || r.Total != l.Amount {
			t.Errorf("line = %+v, total %s; want P4 payable 80.00", l, r.Total)
		}
	})
}
