package audit_test

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"renofund/internal/access"
	"renofund/internal/audit"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// roots flattens a trace to "payer/household amount" per receipt, checking
// on the way that at every node the sources sum to the node.
func roots(t *testing.T, tr *audit.Trace) map[string]money.Amount {
	t.Helper()
	out := map[string]money.Amount{}
	var walk func(n *audit.Node)
	walk = func(n *audit.Node) {
		if n.Unattributed {
			t.Errorf("unattributed %s", n.Amount)
		}
		if len(n.Sources) == 0 {
			out[n.Transfer.PayerName+"/"+n.Transfer.Household] += n.Amount
			return
		}
		var sum money.Amount
		for _, s := range n.Sources {
			sum += s.Amount
			walk(s)
		}
		if sum != n.Amount {
			t.Errorf("%s %s: sources sum to %s", n.Transfer.VoucherNo, n.Amount, sum)
		}
	}
	var legs, origins money.Amount
	for _, l := range tr.Legs {
		legs += l.Amount
		walk(&audit.Node{Amount: l.Amount, Sources: l.Sources})
	}
	for _, o := range tr.Origins {
		origins += o.Amount
	}
	if legs != tr.Amount || origins != tr.Amount {
		t.Errorf("legs sum to %s, origins to %s, payment %s", legs, origins, tr.Amount)
	}
	return out
}

func TestTraceThreeSources(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		three := f.city()
		tr, err := audit.TraceExpenditure(f.as(access.Auditor, ""), db, three.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := roots(t, tr)
		want := map[string]money.Amount{"财政部/": yuan(100_000), "江苏省财政厅/": yuan(50_000),
			"业主1/3-101": yuan(1000), "业主2/3-202": yuan(2000), "业主3/3-303": yuan(2500)}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("roots %v, want %v", got, want)
		}
		var kinds []string
		for _, o := range tr.Origins {
			kinds = append(kinds, o.Fund+":"+o.Kind+":"+o.Transfer.DocumentNo)
		}
		sort.Strings(kinds)
		if w := "CG-2026:central_grant:财预〔2026〕12号 PG-2026:provincial_grant:苏财建〔2026〕7号 " +
			"RC-HZ-001:resident_contribution: RC-HZ-001:resident_contribution: RC-HZ-001:resident_contribution:"; strings.Join(kinds, " ") != w {
			t.Errorf("origins %v", kinds)
		}
		// The central grant went city → district → project: two allocations.
		cg := tr.Legs[0]
		if cg.Code != "CG-2026" || len(cg.Sources) != 1 || cg.Sources[0].Transfer.From != "district:HZ" ||
			cg.Sources[0].Sources[0].Transfer.From != "city" || cg.Sources[0].Sources[0].Sources[0].Transfer.Type != "receipt" {
			t.Errorf("central grant leg %+v", cg)
		}
		// The provincial grant went straight from the city to the project.
		if pg := tr.Legs[1]; pg.Sources[0].Transfer.From != "city" || pg.Sources[0].Sources[0].Transfer.PayerName != "江苏省财政厅" {
			t.Errorf("provincial grant leg %+v", pg)
		}

		// The district's own trace stops where the money entered the
		// district: the central grant at the city's allocation to district
		// HZ, the provincial grant at the city's allocation to the project;
		// the residents' money is the district's own, down to the receipts.
		hz := f.as(access.District, "HZ")
		own, err := audit.TraceExpenditure(hz, db, three.ID)
		if err != nil {
			t.Fatalf("own district: %v", err)
		}
		got = roots(t, own)
		want = map[string]money.Amount{"/": yuan(150_000), "业主1/3-101": yuan(1000), "业主2/3-202": yuan(2000), "业主3/3-303": yuan(2500)}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("district's roots %v, want %v", got, want)
		}
		var boundary []string
		var seen func(ns []*audit.Node)
		seen = func(ns []*audit.Node) {
			for _, n := range ns {
				if n.Boundary {
					boundary = append(boundary, n.Transfer.From+"→"+n.Transfer.To+" "+n.Amount.String())
					if len(n.Sources) != 0 || n.Transfer.Type != "allocation" || n.Transfer.PayerName != "" {
						t.Errorf("boundary node %+v", n)
					}
				}
				if n.Transfer.From == "city" && !n.Boundary {
					t.Errorf("the district's walk went past its boundary: %+v", n)
				}
				seen(n.Sources)
			}
		}
		for _, l := range own.Legs {
			seen(l.Sources)
		}
		sort.Strings(boundary)
		if w := "city→district:HZ 100000.00 city→project:HZ-001 50000.00"; strings.Join(boundary, " ") != w {
			t.Errorf("boundary %v, want %s", boundary, w)
		}
		for _, o := range own.Origins {
			if o.Transfer.Type == "receipt" && o.Transfer.PayerName != "" && !strings.HasPrefix(o.Transfer.PayerName, "业主") {
				t.Errorf("the district sees the city's receipt %+v", o.Transfer)
			}
		}
		if _, err := audit.TraceExpenditure(f.as(access.District, "LY"), db, three.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("other district: %v, want not found", err)
		}
		receipt := tr.Origins[0].Transfer.ID
		if _, err := audit.TraceExpenditure(f.ctx, db, receipt); !errors.Is(err, errs.ErrInvalidRequest) {
			t.Errorf("tracing a receipt: %v", err)
		}
	})
}

// TestTraceFIFO: receipts R1 100 and R2 200 at the city; 150 allocated to a
// district (R1 100 + R2 50), then 70 and 50 to a project; E1 80 takes the 70
// and 10 of the 50, all R1; E2 40 takes the rest of the 50: R1's last 20 and
// R2's first 20. Reversing E1 puts its money back first in line, so E3 30
// takes R1 again.
func TestTraceFIFO(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.district("HZ", "海州区")
		f.project("HZ-001", "HZ")
		f.fund("F", "city_fiscal", "city", "连财〔2026〕1号")
		f.receive("F", yuan(100), "2026-01-01", "R1", "")
		f.receive("F", yuan(200), "2026-01-02", "R2", "")
		f.allocate("F", "city", "district:HZ", yuan(150), "2026-01-03")
		f.allocate("F", "district:HZ", "project:HZ-001", yuan(70), "2026-01-04")
		f.allocate("F", "district:HZ", "project:HZ-001", yuan(50), "2026-01-05")
		e1 := f.spend("HZ-001", "2026-01-06", "甲公司", "a", part("F", yuan(80)))
		e2 := f.spend("HZ-001", "2026-01-07", "乙公司", "b", part("F", yuan(40)))
		for _, c := range []struct {
			id   string
			want string
		}{
			{e1.ID, "map[R1/:80.00]"},
			{e2.ID, "map[R1/:20.00 R2/:20.00]"},
		} {
			tr, err := audit.TraceExpenditure(f.ctx, db, c.id)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(roots(t, tr)); got != c.want {
				t.Errorf("trace %s: %s, want %s", c.id, got, c.want)
			}
		}
		if _, err := f.svc.Movements.Reverse(f.ctx, e1.ID, "重复支付"); err != nil {
			t.Fatal(err)
		}
		e3 := f.spend("HZ-001", field.Today(), "丙公司", "c", part("F", yuan(30))) // the reversal gave it back today
		tr, err := audit.TraceExpenditure(f.ctx, db, e3.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(roots(t, tr)); got != "map[R1/:30.00]" {
			t.Errorf("after reversal: %s", got)
		}
		if tr, _ := audit.TraceExpenditure(f.ctx, db, e1.ID); tr == nil || tr.ReversedBy == "" {
			t.Errorf("reversed payment's trace does not say so: %+v", tr)
		}
	})
}

func TestTraceFund(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.city()
		ft, err := audit.TraceFund(f.ctx, db, "CG-2026")
		if err != nil {
			t.Fatal(err)
		}
		if ft.Received != yuan(1_000_000) || ft.Paid != yuan(121_234)+56 || ft.Received != ft.Paid+ft.Held ||
			len(ft.Payments) != 3 || ft.Payments[0].PayeeName != "连云港市政工程有限公司" {
			t.Errorf("fund trace %+v", ft)
		}
		var held money.Amount
		for _, h := range ft.Holdings {
			held += h.Amount
		}
		if held != ft.Held {
			t.Errorf("holdings sum to %s, held %s", held, ft.Held)
		}
		hz, err := audit.TraceFund(f.as(access.District, "HZ"), db, "CG-2026")
		if err != nil {
			t.Fatal(err)
		}
		if hz.Received != yuan(400_000) || hz.Paid != yuan(120_000) || hz.Held != yuan(280_000) {
			t.Errorf("district view %+v", hz)
		}
		for _, p := range hz.Payments {
			if p.District != "HZ" {
				t.Errorf("district sees %+v", p)
			}
		}
		sb, err := audit.TraceFund(f.ctx, db, "SB-2026")
		if err != nil || sb.Paid != yuan(70_000) || len(sb.Payments) != 3 || sb.Payments[1].Amount != -yuan(70_000) {
			t.Errorf("reversed payment in fund trace: %+v %v", sb, err)
		}
		if _, err := audit.TraceFund(f.as(access.District, "LY"), db, "RC-HZ-001"); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("other district's fund: %v", err)
		}
		if _, err := audit.TraceFund(f.ctx, db, "NOPE"); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("unknown fund: %v", err)
		}
	})
}
