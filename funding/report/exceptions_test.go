package report_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/funding/report"
)

// TestExceptions: on 2026-05-15 the town breaks each rule once or more:
// money held above the projects past its 30- or 60-day pass-down deadline
// (retention, first in first out), a forced payment (diversion), a
// maintenance fund paid before its vote (vote_missing), a direct fund
// routed through district LY, idle money, a fund expiring within 60 days
// with money unspent, and two categories over budget; idle money comes
// one finding per holder, whatever funds it holds. The finance bureau
// sees every one; a district sees its own and nothing of the city's or
// the other district's.
func TestExceptions(t *testing.T) {
	type finding struct {
		code, subject, district string
		amount                  int64
		severity                string
	}
	eachTown(t, func(t *testing.T, town *smallTown) {
		forced, routed := "voucher "+town.forced.VoucherNo, "voucher "+town.routed.VoucherNo
		all := []finding{
			{report.ExRetention, "CG at city", "", 350_000, "high"},
			{report.ExRetention, "CG at district:HZ", "HZ", 100_000, "high"},
			{report.ExRetention, "DIR at city", "", 150_000, "high"},
			{report.ExRetention, "HZ-DF at district:HZ", "HZ", 80_000, "high"},
			{report.ExRetention, "SB at city", "", 300_000, "high"},
			{report.ExRetention, "SB at district:LY", "LY", 200_000, "high"},
			{report.ExDiversion, forced, "HZ", 10_000, "high"},
			{report.ExVoteMissing, "fund HZ-MF", "HZ", 8_000, "high"},
			{report.ExDirectRouted, routed, "LY", 50_000, "medium"},
			{report.ExIdleMoney, "city", "", 650_000, "low"},
			{report.ExIdleMoney, "district:HZ", "HZ", 180_000, "low"},
			{report.ExIdleMoney, "district:LY", "LY", 200_000, "low"},
			{report.ExExpiring, "SB at city", "", 300_000, "medium"},
			{report.ExExpiring, "SB at district:LY", "LY", 200_000, "medium"},
			{report.ExOverBudget, "HZ-002 upgrade", "HZ", 5_000, "medium"},
			{report.ExOverBudget, "LY-001 basic", "LY", 20_000, "medium"},
		}
		in := func(district string) []finding {
			return slices.DeleteFunc(slices.Clone(all), func(f finding) bool { return f.district != district })
		}
		for _, tc := range []struct {
			actor string
			want  []finding
		}{
			{"", all},
			{"HZ", in("HZ")},
			{"LY", in("LY")},
		} {
			ex, err := town.svc.Reports.Exceptions(office(tc.actor), report.DefaultRules(asOf))
			if err != nil {
				t.Fatal(err)
			}
			var got []finding
			for _, e := range ex {
				got = append(got, finding{e.Code, e.Subject, e.District, int64(e.Amount) / 100, e.Severity})
				if int64(e.Amount)%100 != 0 || e.Rule == "" || e.Detail == "" {
					t.Errorf("%q: %+v: want whole yuan, a rule and a detail", tc.actor, e)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%q: exceptions\n%v\nwant\n%v", tc.actor, got, tc.want)
			}
		}

		ex, err := town.svc.Reports.Exceptions(finance(), report.DefaultRules(asOf))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []struct{ code, subject, detail string }{
			{report.ExRetention, "SB at city", "300000.00 received since 2026-02-01 not passed down within 60 days"},
			{report.ExRetention, "CG at city", "350000.00 received since 2026-01-10 not passed down within 30 days"},
			{report.ExDiversion, forced, "屋面漏水抢修"},
			{report.ExVoteMissing, "fund HZ-MF", "before the vote of 2026-05-01"},
			{report.ExIdleMoney, "city", "in 2 fund(s) (CG, SB) held without moving on, the oldest since 2026-02-03 (101 days)"},
			{report.ExExpiring, "SB at city", "expires on 2026-06-30"},
		} {
			i := slices.IndexFunc(ex, func(e report.Exception) bool { return e.Code == want.code && e.Subject == want.subject })
			if i < 0 || !strings.Contains(ex[i].Detail, want.detail) {
				t.Errorf("%s %s: detail should say %q; exceptions %+v", want.code, want.subject, want.detail, ex)
			}
		}
	})
}

// TestRetentionFirstInFirstOut: what goes on from a holder is taken from
// its oldest money first, so only what is left of a late arrival is
// retention. PG (provincial_grant, 30 days) receives 100,000 on 01-05 and
// 50,000 on 03-20 at the city, which passes 120,000 to district HZ on 03-25;
// HZ passes 70,000 to HZ-001 on 04-01. What stays is 30,000 of the 03-20
// arrival at the city and 50,000 at HZ.
func TestRetentionFirstInFirstOut(t *testing.T) {
	type late struct {
		subject, district string
		amount            int64
		since             string
	}
	atCity, atHZ := late{"PG at city", "", 30_000, "2026-03-20"}, late{"PG at district:HZ", "HZ", 50_000, "2026-03-25"}
	eachTown(t, func(t *testing.T, town *smallTown) {
		_, err := town.svc.Registry.CreateFund(finance(), funding.Fund{Code: "PG", Kind: "provincial_grant", Name: "省级补助",
			Holder: "city", FiscalYear: 2026, EligibleCategories: funding.Categories})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = town.svc.Movements.Batch(finance(), []movement.BatchItem{
			receipt("PG", 100_000, "2026-01-05"),
			receipt("PG", 50_000, "2026-03-20"),
			allocation("PG", "city", "district:HZ", 120_000, "2026-03-25"),
			allocation("PG", "district:HZ", "project:HZ-001", 70_000, "2026-04-01"),
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			actor, asOf string
			want        []late
		}{
			{"", "2026-04-10", nil}, // what is left arrived on 03-20, 21 days before
			{"", "2026-04-20", []late{atCity}},
			{"", "2026-04-25", []late{atCity, atHZ}},
			{"HZ", "2026-04-25", []late{atHZ}},
			{"LY", "2026-04-25", nil},
		} {
			on, _ := time.Parse(time.DateOnly, tc.asOf)
			ex, err := town.svc.Reports.Exceptions(office(tc.actor), report.DefaultRules(on))
			if err != nil {
				t.Fatal(err)
			}
			var got []late
			for _, e := range ex {
				if e.Code == report.ExRetention && strings.HasPrefix(e.Subject, "PG ") {
					since, _, _ := strings.Cut(strings.TrimPrefix(e.Detail, e.Amount.String()+" received since "), " ")
					got = append(got, late{e.Subject, e.District, int64(e.Amount) / 100, since})
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%q on %s: retention of PG %+v, want %+v", tc.actor, tc.asOf, got, tc.want)
			}
		}
	})
}
