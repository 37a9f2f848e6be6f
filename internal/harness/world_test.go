package harness

import (
	"context"
	"fmt"
	"slices"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/creditcode"
	"renofund/internal/money"
)

// world is the registry the harness sets up once: districts, projects,
// funds and subsidy schemes. It never changes afterwards, so workers read it
// without locks.
type world struct {
	districts []string
	projects  []*projectInfo
	funds     []*fundInfo
	schemes   []*schemeInfo
	periods   []string // subsidy periods (quarters)
	model     *model   // what has moved, for the funds a district can see
}

type projectInfo struct {
	Code       string
	District   string
	Households int64
	AreaM2     int64
	Buildings  int64
}

type fundInfo struct {
	Code     string
	Kind     string
	Holder   string // city, district:X or project:X
	District string // the holder's district, "" for the city
	Cats     []string
	Expires  string // YYYY-MM-DD or ""
	Direct   bool
}

// eligible reports whether the fund pays for the category.
func (f *fundInfo) eligible(cat string) bool { return slices.Contains(f.Cats, cat) }

// expired reports whether the fund has expired by date.
func (f *fundInfo) expired(date string) bool { return f.Expires != "" && date > f.Expires }

type schemeInfo struct {
	Code     string
	Fund     string
	Holder   string // city or district:X
	District string // the scope: "" for every project, else the holder district's
}

func (w *world) fund(code string) *fundInfo {
	for _, f := range w.funds {
		if f.Code == code {
			return f
		}
	}
	return nil
}

// sees says whether a may see fund f: a district sees its own funds and
// those money has reached it in (a holding of it in the district), and any
// other fund is reported to it as not found, exactly like an unknown one.
func (w *world) sees(a access.Actor, f *fundInfo) bool {
	if a.Role != access.District || f.District == a.District {
		return true
	}
	return w.model.heldIn(f.Code, a.District, w)
}

func (w *world) project(code string) *projectInfo {
	for _, p := range w.projects {
		if p.Code == code {
			return p
		}
	}
	return nil
}

func (w *world) projectsOf(district string) []*projectInfo {
	var out []*projectInfo
	for _, p := range w.projects {
		if p.District == district {
			out = append(out, p)
		}
	}
	return out
}

// newWorld describes the small city the harness works on: three districts,
// six projects, funds of several kinds (some expiring, some eligible for a
// subset of categories, a direct fund, district and project funds, an
// owners' maintenance fund) and two subsidy schemes, one paying from the
// city and one from a district.
func newWorld() *world {
	w := &world{districts: []string{"D1", "D2", "D3"}}
	for i, p := range []struct {
		code, district string
		households     int64
	}{{"P1", "D1", 320}, {"P2", "D1", 180}, {"P3", "D2", 450}, {"P4", "D2", 96}, {"P5", "D3", 240}, {"P6", "D3", 601}} {
		w.projects = append(w.projects, &projectInfo{Code: p.code, District: p.district, Households: p.households,
			AreaM2: p.households*74 + int64(i)*13, Buildings: p.households/40 + 1})
	}
	all := []string{funding.Basic, funding.Improvement, funding.Upgrade}
	w.funds = []*fundInfo{
		{Code: "F-BND", Kind: "special_bond", Holder: "city", Cats: []string{funding.Basic}, Expires: "2026-06-30"},
		{Code: "F-CEN", Kind: "central_grant", Holder: "city", Cats: []string{funding.Basic, funding.Improvement}, Expires: "2025-12-31"},
		{Code: "F-CTY", Kind: "city_fiscal", Holder: "city", Cats: all},
		{Code: "F-D1", Kind: "district_fiscal", Holder: "district:D1", District: "D1", Cats: []string{funding.Improvement, funding.Upgrade}, Expires: "2025-09-30"},
		{Code: "F-D2", Kind: "district_fiscal", Holder: "district:D2", District: "D2", Cats: all},
		{Code: "F-DIR", Kind: "central_investment", Holder: "city", Cats: []string{funding.Basic, funding.Improvement}, Expires: "2026-03-31", Direct: true},
		{Code: "F-MNT3", Kind: "maintenance_fund", Holder: "project:P3", District: "D2", Cats: []string{funding.Basic, funding.Improvement}},
		{Code: "F-PRV", Kind: "provincial_grant", Holder: "city", Cats: all, Expires: "2025-06-30"},
		{Code: "F-RES2", Kind: "resident_contribution", Holder: "project:P2", District: "D1", Cats: []string{funding.Upgrade}},
		{Code: "F-SUB", Kind: "city_fiscal", Holder: "city", Cats: all},
	}
	w.schemes = []*schemeInfo{
		{Code: "S-CITY", Fund: "F-SUB", Holder: "city"},
		{Code: "S-D2", Fund: "F-D2", Holder: "district:D2", District: "D2"},
	}
	for _, y := range []string{"2024", "2025"} {
		for q := 1; q <= 4; q++ {
			w.periods = append(w.periods, fmt.Sprintf("%s-Q%d", y, q))
		}
	}
	return w
}

// creditCode returns a valid unified social credit code numbered n.
func creditCode(n int) string { return creditcode.Complete(fmt.Sprintf("9132070%010d", n)) }

// setup registers the world through the services and puts some money in
// every fund, recording the receipts in the model like any other step.
func (h *harness) setup(ctx context.Context, w *worker) error {
	h.world = newWorld()
	h.world.model = h.model
	ctx = access.With(ctx, w.finance())
	for _, d := range h.world.districts {
		if _, err := h.app.Registry.CreateDistrict(ctx, funding.District{Code: d, Name: "区 " + d}); err != nil {
			return w.fail("create district %s: %v", d, err)
		}
	}
	for _, p := range h.world.projects {
		_, err := h.app.Registry.CreateProject(ctx, funding.Project{Code: p.Code, Name: "小区 " + p.Code, District: p.District,
			Households: p.Households, FloorAreaM2: money.MustRate(fmt.Sprint(p.AreaM2)), Buildings: p.Buildings,
			BuiltYear: 1996, Budget: funding.Budget{Basic: 3_000_000_00, Improvement: 2_000_000_00, Upgrade: 1_000_000_00}})
		if err != nil {
			return w.fail("create project %s: %v", p.Code, err)
		}
	}
	for _, f := range h.world.funds {
		in := funding.Fund{Code: f.Code, Kind: f.Kind, Name: "资金 " + f.Code, Holder: f.Holder, FiscalYear: 2024,
			DocumentNo: "连财建〔2024〕" + f.Code, Direct: f.Direct, EligibleCategories: f.Cats, ExpiresOn: f.Expires,
			Repayable: f.Kind == "special_bond"}
		if f.Kind == "maintenance_fund" {
			in.Vote = &funding.Vote{TotalAreaM2: money.MustRate("30000"), TotalOwners: 450,
				ParticipatingAreaM2: money.MustRate("24000"), ParticipatingOwners: 360, YesAreaM2: money.MustRate("20000"),
				YesOwners: 300, HeldOn: "2024-03-02", Purpose: "use"}
		}
		if _, err := h.app.Registry.CreateFund(ctx, in); err != nil {
			return w.fail("create fund %s: %v", f.Code, err)
		}
	}
	for _, sc := range h.world.schemes {
		if _, err := w.schemeVersion(ctx, sc, 250); err != nil {
			return err
		}
	}
	// Some managers and ratings from the start; P2 and P5 have no manager
	// until a step appoints one, so their lines are skipped.
	for _, p := range []string{"P1", "P3", "P4", "P6"} {
		if _, err := w.setManager(ctx, p); err != nil {
			return err
		}
	}
	for i, p := range h.world.projects {
		for j, period := range h.world.periods[:4] {
			if (i+j)%3 == 2 {
				continue
			}
			if _, err := w.rate(ctx, p.Code, period, int64(55_00+((i*7+j*11)%45)*100)); err != nil {
				return err
			}
		}
	}
	for i, f := range h.world.funds {
		if _, err := w.receive(ctx, receiptIn{fund: f.Code, amount: int64(2_000_000_00 + i*123_457), date: "2024-01-15"}); err != nil {
			return err
		}
	}
	return nil
}
