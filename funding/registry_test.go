package funding_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/errs"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// city is a registry with two districts, HZ (projects HZ-001, HZ-002) and
// LY (project LY-001), registered by the finance bureau.
type city struct {
	t        *testing.T
	svc      *app.Services
	registry *funding.Registry
}

func newCity(t *testing.T, db *store.DB) *city {
	t.Helper()
	svc := app.New(db, nil)
	t.Cleanup(svc.Close)
	c := &city{t: t, svc: svc, registry: svc.Registry}
	for _, d := range []funding.District{{Code: "HZ", Name: "海州区"}, {Code: "LY", Name: "连云区"}} {
		if _, err := c.registry.CreateDistrict(c.actor("finance"), d); err != nil {
			t.Fatalf("district %s: %v", d.Code, err)
		}
	}
	for _, p := range []string{"HZ-001", "HZ-002", "LY-001"} {
		district, _, _ := strings.Cut(p, "-")
		if _, err := c.registry.CreateProject(c.actor("finance"), community(p, district)); err != nil {
			t.Fatalf("project %s: %v", p, err)
		}
	}
	return c
}

// actor is the finance bureau ("finance"), an auditor ("auditor") or the
// named district's office.
func (c *city) actor(who string) context.Context {
	a := access.Actor{Role: access.District, District: who, Name: strings.ToLower(who)}
	switch who {
	case "finance":
		a = access.Actor{Role: access.Finance, Name: "t"}
	case "auditor":
		a = access.Actor{Role: access.Auditor, Name: "a"}
	}
	return access.With(context.Background(), a)
}

// community is a valid project of the district.
func community(code, district string) funding.Project {
	return funding.Project{Code: code, Name: "小区 " + code, District: district, Households: 240,
		FloorAreaM2: money.MustRate("16800.5"), Buildings: 6, BuiltYear: 1994,
		Budget: funding.Budget{Basic: 2_000_000_00, Improvement: 800_000_00, Upgrade: 300_000_00}}
}

// pot is a valid fund of the holder that needs no vote.
func pot(code, kind, holder string) funding.Fund {
	return funding.Fund{Code: code, Kind: kind, Name: "资金 " + code, Holder: holder, FiscalYear: 2026,
		DocumentNo: "连财建〔2026〕1号", EligibleCategories: []string{funding.Basic, funding.Improvement}}
}

// passing is a vote that passes for use.
func passing() *funding.Vote {
	return &funding.Vote{TotalAreaM2: money.MustRate("12000"), TotalOwners: 160, ParticipatingAreaM2: money.MustRate("10000"),
		ParticipatingOwners: 130, YesAreaM2: money.MustRate("8000"), YesOwners: 100, HeldOn: "2026-02-20", Purpose: "use"}
}

// funds registers the funds as the finance bureau.
func (c *city) funds(fs ...funding.Fund) {
	c.t.Helper()
	for _, f := range fs {
		if _, err := c.registry.CreateFund(c.actor("finance"), f); err != nil {
			c.t.Fatalf("fund %s: %v", f.Code, err)
		}
	}
}

// TestFundVisibility: a district sees the funds held by itself or its
// projects and the city funds whose money reached its holders; every other
// fund answers exactly as a fund that does not exist.
func TestFundVisibility(t *testing.T) {
	eachCity(t, func(t *testing.T, c *city) {
		c.funds(pot("CG", "central_grant", "city"), pot("PG", "provincial_grant", "city"),
			pot("SB", "special_bond", "city"), pot("CF", "city_fiscal", "city"),
			pot("HZ-DF", "district_fiscal", "district:HZ"), pot("HZ-RC", "resident_contribution", "project:HZ-001"),
			pot("LY-DF", "district_fiscal", "district:LY"))
		fin := c.actor("finance")
		for _, code := range []string{"CG", "PG", "SB", "CF"} {
			if _, err := c.svc.Movements.Receive(fin, movement.Receipt{Fund: code, Amount: 1_000_00, ReceivedOn: "2026-01-10",
				Payer: movement.Party{Name: "江苏省财政厅"}}); err != nil {
				t.Fatal(err)
			}
		}
		for _, a := range []movement.Allocation{
			{Fund: "CG", From: "city", To: "district:HZ", Amount: 400_00},    // reaches HZ's own holder
			{Fund: "PG", From: "city", To: "project:HZ-002", Amount: 300_00}, // reaches a project of HZ
			{Fund: "SB", From: "city", To: "project:LY-001", Amount: 200_00}, // reaches LY only
		} {
			a.AllocatedOn = "2026-02-01"
			if _, err := c.svc.Movements.Allocate(fin, a); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			actor, fund string
			visible     bool
		}{
			{"HZ", "CG", true},
			{"HZ", "PG", true},
			{"HZ", "HZ-DF", true},
			{"HZ", "HZ-RC", true},
			{"HZ", "SB", false},    // allocated to another district
			{"HZ", "CF", false},    // received, still all at the city
			{"HZ", "LY-DF", false}, // another district's own
			{"LY", "SB", true},
			{"LY", "LY-DF", true},
			{"LY", "CG", false},
			{"LY", "HZ-RC", false},
			{"finance", "HZ-RC", true},
			{"finance", "LY-DF", true},
			{"finance", "CF", true},
		} {
			f, err := c.registry.Fund(c.actor(tc.actor), tc.fund)
			if tc.visible {
				if err != nil || f.Code != tc.fund {
					t.Errorf("%s: Fund(%s) = %v, %v; want it", tc.actor, tc.fund, f, err)
				}
				continue
			}
			_, missing := c.registry.Fund(c.actor(tc.actor), "NOPE")
			if !errors.Is(err, errs.ErrNotFound) || f != nil {
				t.Errorf("%s: Fund(%s) = %v, %v; want not found", tc.actor, tc.fund, f, err)
				continue
			}
			if got, want := err.Error(), strings.ReplaceAll(missing.Error(), "NOPE", tc.fund); got != want {
				t.Errorf("%s: Fund(%s) says %q, a missing fund %q", tc.actor, tc.fund, got, want)
			}
		}
	})
}

func TestCreateProjectRefusals(t *testing.T) {
	eachCity(t, func(t *testing.T, c *city) {
		for _, tc := range []struct {
			name  string
			actor string
			edit  func(p *funding.Project)
			want  error
		}{
			{"bad code", "finance", func(p *funding.Project) { p.Code = "HZ 003" }, errs.ErrInvalidRequest},
			{"empty code", "finance", func(p *funding.Project) { p.Code = "" }, errs.ErrInvalidRequest},
			{"no name", "finance", func(p *funding.Project) { p.Name = "" }, errs.ErrInvalidRequest},
			{"negative households", "finance", func(p *funding.Project) { p.Households = -1 }, errs.ErrInvalidRequest},
			{"built before 1900", "finance", func(p *funding.Project) { p.BuiltYear = 1899 }, errs.ErrInvalidRequest},
			{"budget above the maximum", "finance", func(p *funding.Project) { p.Budget.Upgrade = money.Max + 1 }, errs.ErrInvalidAmount},
			{"unknown district", "finance", func(p *funding.Project) { p.Code, p.District = "ZZ-001", "ZZ" }, errs.ErrNotFound},
			{"code taken", "finance", func(p *funding.Project) { p.Code = "HZ-001" }, errs.ErrConflict},
			{"another district's project", "LY", func(*funding.Project) {}, errs.ErrForbidden},
			{"auditor", "auditor", func(*funding.Project) {}, errs.ErrForbidden},
		} {
			p := community("HZ-003", "HZ")
			tc.edit(&p)
			if got, err := c.registry.CreateProject(c.actor(tc.actor), p); !errors.Is(err, tc.want) {
				t.Errorf("%s: CreateProject = %+v, %v; want %v", tc.name, got, err, tc.want)
			}
		}
		if _, err := c.registry.Project(c.actor("finance"), "HZ-003"); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("a refused project exists: %v", err)
		}
	})
}

func TestCreateFundRefusals(t *testing.T) {
	eachCity(t, func(t *testing.T, c *city) {
		c.funds(pot("HZ-RC", "resident_contribution", "project:HZ-001"))
		failing := passing()
		failing.YesOwners = 65 // exactly half of 130: not more than half
		for _, tc := range []struct {
			name string
			edit func(f *funding.Fund)
			want error
		}{
			{"bad code", func(f *funding.Fund) { f.Code = "CG/2026" }, errs.ErrInvalidRequest},
			{"unknown kind", func(f *funding.Fund) { f.Kind = "lottery" }, errs.ErrInvalidRequest},
			{"no categories", func(f *funding.Fund) { f.EligibleCategories = nil }, errs.ErrInvalidRequest},
			{"unknown category", func(f *funding.Fund) { f.EligibleCategories = []string{"basic", "staff"} }, errs.ErrInvalidRequest},
			{"repeated category", func(f *funding.Fund) { f.EligibleCategories = []string{"basic", "basic"} }, errs.ErrInvalidRequest},
			{"fiscal year 1999", func(f *funding.Fund) { f.FiscalYear = 1999 }, errs.ErrInvalidRequest},
			{"fiscal year 2101", func(f *funding.Fund) { f.FiscalYear = 2101 }, errs.ErrInvalidRequest},
			{"no name", func(f *funding.Fund) { f.Name = "" }, errs.ErrInvalidRequest},
			{"bad expiry", func(f *funding.Fund) { f.ExpiresOn = "2026-13-01" }, errs.ErrInvalidRequest},
			{"bad holder", func(f *funding.Fund) { f.Holder = "bank" }, errs.ErrInvalidRequest},
			{"unknown project", func(f *funding.Fund) { f.Holder = "project:HZ-404" }, errs.ErrNotFound},
			{"maintenance fund without a vote", func(f *funding.Fund) { f.Kind = "maintenance_fund" }, funding.ErrVoteFailed},
			{"public revenue without a vote", func(f *funding.Fund) { f.Kind = "public_revenue" }, funding.ErrVoteFailed},
			{"maintenance fund, vote fails", func(f *funding.Fund) { f.Kind, f.Vote = "maintenance_fund", failing }, funding.ErrVoteFailed},
			{"any fund, vote figures invalid", func(f *funding.Fund) {
				f.Vote = passing()
				f.Vote.YesOwners = 131
			}, errs.ErrInvalidRequest},
			{"code taken", func(f *funding.Fund) { f.Code = "HZ-RC" }, errs.ErrConflict},
		} {
			f := pot("HZ-MF", "resident_contribution", "project:HZ-001")
			tc.edit(&f)
			if got, err := c.registry.CreateFund(c.actor("finance"), f); !errors.Is(err, tc.want) {
				t.Errorf("%s: CreateFund = %+v, %v; want %v", tc.name, got, err, tc.want)
			}
		}
		if _, err := c.registry.Fund(c.actor("finance"), "HZ-MF"); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("a refused fund exists: %v", err)
		}
		mf := pot("HZ-MF", "maintenance_fund", "project:HZ-001")
		mf.Vote = passing()
		got, err := c.registry.CreateFund(c.actor("HZ"), mf)
		if err != nil {
			t.Fatalf("maintenance fund with a passing vote: %v", err)
		}
		if got.District != "HZ" || got.Vote.RuleSet != funding.CivilCode278 || got.BudgetSubject != funding.DefaultBudgetSubject {
			t.Errorf("created %+v, want district HZ, rule set %s, budget subject %s", got, funding.CivilCode278, funding.DefaultBudgetSubject)
		}
	})
}

// eachCity runs test on a new city on every engine.
func eachCity(t *testing.T, test func(t *testing.T, c *city)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { test(t, newCity(t, db)) })
}
