package report_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"renofund/funding/report"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/window"
)

// TestFundView: the finance bureau sees a fund's money entering and leaving
// the books and every holding; a district sees its own holdings, what
// reached them from outside the district and what they paid out.
func TestFundView(t *testing.T) {
	type holding struct {
		holder    string
		available int64
	}
	eachTown(t, func(t *testing.T, town *smallTown) {
		for _, tc := range []struct {
			actor, fund                string
			received, spent, available int64
			holdings                   []holding
		}{
			{"", "CG", 1_000_000, 160_000, 840_000, []holding{{"city", 350_000}, {"district:HZ", 100_000},
				{"project:HZ-001", 180_000}, {"project:LY-001", 210_000}}},
			{"HZ", "CG", 400_000, 120_000, 280_000, []holding{{"district:HZ", 100_000}, {"project:HZ-001", 180_000}}},
			{"LY", "CG", 250_000, 40_000, 210_000, []holding{{"project:LY-001", 210_000}}},
			{"", "DIR", 300_000, 40_000, 260_000, []holding{{"city", 150_000}, {"district:LY", 0},
				{"project:HZ-002", 90_000}, {"project:LY-001", 20_000}}},
			{"LY", "DIR", 50_000, 30_000, 20_000, []holding{{"district:LY", 0}, {"project:LY-001", 20_000}}},
			{"HZ", "HZ-DF", 80_000, 0, 80_000, []holding{{"district:HZ", 80_000}}},
			{"HZ", "HZ-MF", 20_000, 8_000, 12_000, []holding{{"project:HZ-002", 12_000}}},
		} {
			v, err := town.svc.Reports.FundView(office(tc.actor), tc.fund, window.Window{})
			if err != nil {
				t.Fatalf("%q views %s: %v", tc.actor, tc.fund, err)
			}
			want := report.Totals{Received: yuan(tc.received), Spent: yuan(tc.spent), Available: yuan(tc.available)}
			if v.Code != tc.fund || v.Totals != want {
				t.Errorf("%q views %s: %s totals %+v, want %+v", tc.actor, tc.fund, v.Code, v.Totals, want)
			}
			var hs []report.Holding
			for _, h := range tc.holdings {
				hs = append(hs, report.Holding{Holder: h.holder, Available: yuan(h.available)})
			}
			if !slices.Equal(v.Holdings, hs) {
				t.Errorf("%q views %s: holdings %+v, want %+v", tc.actor, tc.fund, v.Holdings, hs)
			}
		}
		for _, tc := range []struct{ actor, fund string }{{"HZ", "SB"}, {"HZ", "HZ-NOPE"}, {"LY", "HZ-DF"}, {"LY", "HZ-MF"}} {
			_, err := town.svc.Reports.FundView(office(tc.actor), tc.fund, window.Window{})
			_, missing := town.svc.Reports.FundView(office(tc.actor), "NOPE", window.Window{})
			if !errors.Is(err, errs.ErrNotFound) || err.Error() != strings.ReplaceAll(missing.Error(), "NOPE", tc.fund) {
				t.Errorf("%s views %s: %v, want what a missing fund says: %v", tc.actor, tc.fund, err, missing)
			}
		}
	})
}

// TestProjectFunding: a project's money per fund and its spending per
// category against budget.
func TestProjectFunding(t *testing.T) {
	eachTown(t, func(t *testing.T, town *smallTown) {
		v, err := town.svc.Reports.ProjectFunding(office("LY"), "LY-001", window.Window{})
		if err != nil {
			t.Fatal(err)
		}
		funds := []report.FundLine{
			{Fund: "CG", Kind: "central_grant", Received: yuan(250_000), Spent: yuan(40_000), Available: yuan(210_000)},
			{Fund: "DIR", Kind: "central_grant", Received: yuan(50_000), Spent: yuan(30_000), Available: yuan(20_000)},
		}
		cats := []report.CategoryLine{{Category: "basic", Budget: yuan(50_000), Spent: yuan(70_000)},
			{Category: "improvement", Budget: yuan(100_000)}, {Category: "upgrade"}}
		totals := report.Totals{Received: yuan(300_000), Spent: yuan(70_000), Available: yuan(230_000)}
		if !slices.Equal(v.Funds, funds) || !slices.Equal(v.Categories, cats) || v.Totals != totals {
			t.Errorf("LY-001: %+v\nwant funds %+v, categories %+v, totals %+v", v, funds, cats, totals)
		}
		if _, err := town.svc.Reports.ProjectFunding(office("HZ"), "LY-001", window.Window{}); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("HZ views LY-001: %v, want not found", err)
		}
	})
}

// TestTransferList: a district lists and reads its own transfers only.
func TestTransferList(t *testing.T) {
	eachTown(t, func(t *testing.T, town *smallTown) {
		for _, tc := range []struct {
			actor string
			f     ledger.Filter
			want  int
			err   error
		}{
			{"", ledger.Filter{Limit: 100}, 21, nil},
			{"", ledger.Filter{Project: "LY-001", Limit: 100}, 6, nil},
			{"LY", ledger.Filter{Limit: 100}, 8, nil},
			{"HZ", ledger.Filter{Type: ledger.TypeExpenditure, Limit: 100}, 4, nil},
			{"HZ", ledger.Filter{District: "LY", Limit: 100}, 0, errs.ErrForbidden},
			{"HZ", ledger.Filter{Project: "LY-001", Limit: 100}, 0, errs.ErrNotFound},
		} {
			ts, err := town.svc.Reports.Transfers(office(tc.actor), tc.f)
			if len(ts) != tc.want || !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Errorf("%q lists %+v: %d transfers, %v; want %d, %v", tc.actor, tc.f, len(ts), err, tc.want, tc.err)
			}
		}
		if _, err := town.svc.Reports.Transfer(office("HZ"), town.routed.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("HZ reads LY's transfer: %v, want not found", err)
		}
		if got, err := town.svc.Reports.Transfer(office("LY"), town.routed.ID); err != nil || got.Amount != yuan(50_000) {
			t.Errorf("LY reads its transfer: %+v, %v", got, err)
		}
	})
}
