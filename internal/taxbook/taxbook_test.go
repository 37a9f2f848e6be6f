package taxbook_test

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"testing"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
	"renofund/internal/taxbook"
	"renofund/internal/window"
)

// creditCode is a valid unified social credit code.
const creditCode = "91350100M000100Y43"

var (
	finance = access.With(context.Background(), access.Actor{Role: access.Finance, Name: "t"})
	auditor = access.With(context.Background(), access.Actor{Role: access.Auditor, Name: "a"})
	admin   = access.With(context.Background(), access.Actor{Role: access.Admin, Name: "root"})
)

func districtCtx(d string) context.Context {
	return access.With(context.Background(), access.Actor{Role: access.District, District: d, Name: "d-" + d})
}

// city registers districts HZ and LY with one project each (HZ-001,
// LY-001), and QS with none.
func city(t *testing.T, db *store.DB) {
	t.Helper()
	reg := funding.NewRegistry(db, ledger.New(db))
	for _, d := range []string{"HZ", "LY", "QS"} {
		if _, err := reg.CreateDistrict(finance, funding.District{Code: d, Name: d + " 区"}); err != nil {
			t.Fatalf("CreateDistrict %s: %v", d, err)
		}
	}
	for _, p := range []funding.Project{
		{Code: "HZ-001", Name: "海州 新村", District: "HZ", Households: 120, FloorAreaM2: money.MustRate("8000"), Buildings: 4, BuiltYear: 1995},
		{Code: "LY-001", Name: "连云 小区", District: "LY", Households: 80, FloorAreaM2: money.MustRate("5000"), Buildings: 2, BuiltYear: 1998},
	} {
		if _, err := reg.CreateProject(finance, p); err != nil {
			t.Fatalf("CreateProject %s: %v", p.Code, err)
		}
	}
}

func countRecords(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var n int64
	if err := db.G.Raw("SELECT COUNT(*) FROM tax_records").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// relief is 100000.00 of elderly-care income on a day under regime 2026-7:
// VAT 6000.00 and CIT on the excluded 10000.00, 2500.00; 8500.00 in all.
func relief(project string) taxbook.ReliefIn {
	return taxbook.ReliefIn{Service: "elderly_care", On: "2026-05-01", Revenue: money.MustParse("100000.00"),
		VATRate: money.MustRate("0.06"), Project: project,
		Provider: &taxbook.Party{Name: "海州区颐养服务中心", CreditCode: creditCode}}
}

// asset is 10000.00 of electronics put in service on 2026-03-15: three
// years, 36 months from 2026-04; tax expenditure 25%, 2500.00.
func asset(project string) taxbook.AssetIn {
	return taxbook.AssetIn{Utility: &taxbook.Party{Name: "国网连云港供电公司", CreditCode: creditCode}, Project: project,
		Description: "配电箱更换", AssetClass: "electronics", Nature: "capital", Cost: money.MustParse("10000.00"),
		InServiceOn: "2026-03-15"}
}

func TestServiceRelief(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		city(t, db)
		b := taxbook.New(db)
		tests := []struct {
			name string
			ctx  context.Context
			in   taxbook.ReliefIn
		}{
			{"finance", finance, relief("HZ-001")},
			{"the project's district", districtCtx("HZ"), relief("HZ-001")},
		}
		for _, tt := range tests {
			got, err := b.ServiceRelief(tt.ctx, tt.in)
			if err != nil {
				t.Fatalf("%s: ServiceRelief: %v", tt.name, err)
			}
			if got.ID == "" || got.Project != "HZ-001" || got.Regime == nil || *got.Regime != "2026-7" {
				t.Errorf("%s: id %q, project %q, regime %v", tt.name, got.ID, got.Project, got.Regime)
			}
			want := map[string][2]money.Amount{
				"vat_exempt":      {got.VATExempt, money.MustParse("6000.00")},
				"income_excluded": {got.IncomeExcluded, money.MustParse("10000.00")},
				"cit_saving":      {got.CITSaving, money.MustParse("2500.00")},
				"deed_tax_exempt": {got.DeedTaxExempt, 0},
				"total":           {got.Total, money.MustParse("8500.00")},
			}
			for k, v := range want {
				if v[0] != v[1] {
					t.Errorf("%s: %s = %s, want %s", tt.name, k, v[0], v[1])
				}
			}
			if len(got.Parts) != 1 || got.Parts[0].From != "2026-05-01" || got.Parts[0].Days != 1 || got.Parts[0].Total != got.Total {
				t.Errorf("%s: parts = %+v, want one day", tt.name, got.Parts)
			}
		}
		// Finance may record relief not tied to a project (city level).
		city, err := b.ServiceRelief(finance, taxbook.ReliefIn{Service: "childcare", On: "2028-01-01",
			Revenue: money.MustParse("100000.00"), VATRate: money.MustRate("0.06")})
		if err != nil {
			t.Fatalf("city relief: %v", err)
		}
		if city.Regime != nil || city.Total != 0 || city.Project != "" {
			t.Errorf("outside every regime: regime %v, total %s, project %q; want nil, 0.00, none", city.Regime, city.Total, city.Project)
		}
		if got := countRecords(t, db); got != 3 {
			t.Errorf("%d tax records, want 3", got)
		}
	})
}

func TestUtilityAsset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		city(t, db)
		b := taxbook.New(db)
		for _, ctx := range []context.Context{finance, districtCtx("HZ")} {
			got, err := b.UtilityAsset(ctx, asset("HZ-001"))
			if err != nil {
				t.Fatalf("UtilityAsset as %s: %v", access.From(ctx).Label(), err)
			}
			if got.ID == "" || got.Project != "HZ-001" || got.LifeYears != 3 || got.TaxExpenditure != money.MustParse("2500.00") {
				t.Errorf("asset = id %q project %q life %d tax expenditure %s; want HZ-001, 3, 2500.00",
					got.ID, got.Project, got.LifeYears, got.TaxExpenditure)
			}
			if len(got.Schedule) != 36 {
				t.Fatalf("schedule has %d rows, want 36", len(got.Schedule))
			}
			first, last := got.Schedule[0], got.Schedule[35]
			if first.Month != "2026-04" || first.Depreciation != money.MustParse("277.78") {
				t.Errorf("first row = %+v, want 2026-04 277.78", first)
			}
			if last.Month != "2029-03" || last.Accumulated != got.Cost || last.Net != 0 {
				t.Errorf("last row = %+v, want 2029-03 fully depreciated", last)
			}
			var sum money.Amount
			for _, r := range got.Schedule {
				sum += r.Depreciation
			}
			if sum != got.Cost {
				t.Errorf("depreciation sums to %s, want the cost %s", sum, got.Cost)
			}
		}
	})
}

// TestRefusals: each refusal names its reason and records nothing. A
// district asking about another district's project is answered exactly as
// for a project that does not exist.
func TestRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		city(t, db)
		b := taxbook.New(db)
		ly, qs, hz := districtCtx("LY"), districtCtx("QS"), districtCtx("HZ")
		withRelief := func(f func(*taxbook.ReliefIn)) taxbook.ReliefIn { in := relief("HZ-001"); f(&in); return in }
		withAsset := func(f func(*taxbook.AssetIn)) taxbook.AssetIn { in := asset("HZ-001"); f(&in); return in }
		tests := []struct {
			name   string
			ctx    context.Context
			relief *taxbook.ReliefIn
			asset  *taxbook.AssetIn
			want   error
		}{
			{"relief, another district's project", ly, ptr(relief("HZ-001")), nil, errs.ErrNotFound},
			{"asset, another district's project", ly, nil, ptr(asset("HZ-001")), errs.ErrNotFound},
			{"relief, district without projects", qs, ptr(relief("HZ-001")), nil, errs.ErrNotFound},
			{"relief, missing project", finance, ptr(relief("NOPE")), nil, errs.ErrNotFound},
			{"asset, missing project", hz, nil, ptr(asset("HZ-404")), errs.ErrNotFound},
			{"relief, district names no project", hz, ptr(relief("")), nil, errs.ErrForbidden},
			{"relief, district without projects names none", qs, ptr(relief("")), nil, errs.ErrForbidden},
			{"asset, no project", finance, nil, ptr(asset("")), errs.ErrInvalidRequest},
			{"asset, district names no project", qs, nil, ptr(asset("")), errs.ErrInvalidRequest},
			{"relief, auditor", auditor, ptr(relief("HZ-001")), nil, errs.ErrForbidden},
			{"relief, auditor at city level", auditor, ptr(relief("")), nil, errs.ErrForbidden},
			{"asset, admin", admin, nil, ptr(asset("HZ-001")), errs.ErrForbidden},
			{"relief, unknown service", finance, ptr(withRelief(func(in *taxbook.ReliefIn) { in.Service = "catering" })), nil, errs.ErrInvalidRequest},
			{"relief, vat above 1", finance, ptr(withRelief(func(in *taxbook.ReliefIn) { in.VATRate = money.MustRate("1.5") })), nil, errs.ErrInvalidRequest},
			{"relief, bad date", finance, ptr(withRelief(func(in *taxbook.ReliefIn) { in.On = "2026-02-30" })), nil, errs.ErrInvalidRequest},
			{"relief, bad provider code", finance, ptr(withRelief(func(in *taxbook.ReliefIn) {
				in.Provider = &taxbook.Party{Name: "x", CreditCode: "91350100M000100Y44"}
			})), nil, errs.ErrInvalidCredit},
			{"asset, no utility", finance, nil, ptr(withAsset(func(in *taxbook.AssetIn) { in.Utility = nil })), errs.ErrInvalidRequest},
			{"asset, life below minimum", finance, nil, ptr(withAsset(func(in *taxbook.AssetIn) { in.LifeYears = 2 })), errs.ErrRuleViolation},
			{"asset, unknown class", finance, nil, ptr(withAsset(func(in *taxbook.AssetIn) { in.AssetClass = "ship" })), errs.ErrInvalidRequest},
			{"asset, zero cost", finance, nil, ptr(withAsset(func(in *taxbook.AssetIn) { in.Cost = 0 })), errs.ErrInvalidAmount},
		}
		for _, tt := range tests {
			var err error
			if tt.relief != nil {
				var got *taxbook.Relief
				got, err = b.ServiceRelief(tt.ctx, *tt.relief)
				if got != nil {
					t.Errorf("%s: refused, yet answered %+v", tt.name, got)
				}
			} else {
				var got *taxbook.Asset
				got, err = b.UtilityAsset(tt.ctx, *tt.asset)
				if got != nil {
					t.Errorf("%s: refused, yet answered %+v", tt.name, got)
				}
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("%s: error = %v, want %v", tt.name, err, tt.want)
			}
			if n := countRecords(t, db); n != 0 {
				t.Fatalf("%s: refused, yet %d tax records stored", tt.name, n)
			}
		}

		// Another district's project and a missing one read the same.
		_, other := b.ServiceRelief(ly, relief("HZ-001"))
		_, missing := b.ServiceRelief(ly, relief("HZ-404"))
		if got, want := strings.ReplaceAll(other.Error(), "HZ-001", "?"), strings.ReplaceAll(missing.Error(), "HZ-404", "?"); got != want {
			t.Errorf("another district's project: %q; a missing one: %q; want the same", got, want)
		}
		_, other = b.Project(ly, "HZ-001")
		_, missing = b.Project(ly, "HZ-404")
		if !errors.Is(other, errs.ErrNotFound) || !errors.Is(missing, errs.ErrNotFound) ||
			strings.ReplaceAll(other.Error(), "HZ-001", "?") != strings.ReplaceAll(missing.Error(), "HZ-404", "?") {
			t.Errorf("Project view: another district's %v; a missing one %v; want the same not found", other, missing)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// book records, as TestViews expects: against HZ-001 an asset by the
// district (2026-03-15, 2500.00) and a relief by finance (2026-05-01,
// 8500.00); against LY-001 a relief by the district (1100.00); and a city
// relief by finance (85.00).
func book(t *testing.T, b *taxbook.Book) {
	t.Helper()
	if _, err := b.UtilityAsset(districtCtx("HZ"), asset("HZ-001")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ServiceRelief(finance, relief("HZ-001")); err != nil {
		t.Fatal(err)
	}
	// 20000.00 childcare at 3% VAT: 600.00 + 20000 × 10% × 25% = 500.00.
	ly := taxbook.ReliefIn{Service: "childcare", On: "2026-06-01", Revenue: money.MustParse("20000.00"),
		VATRate: money.MustRate("0.03"), Project: "LY-001"}
	if _, err := b.ServiceRelief(districtCtx("LY"), ly); err != nil {
		t.Fatal(err)
	}
	// 1000.00 housekeeping at 6% VAT: 60.00 + 25.00.
	cityRelief := taxbook.ReliefIn{Service: "housekeeping", On: "2026-05-01", Revenue: money.MustParse("1000.00"),
		VATRate: money.MustRate("0.06"), Provider: &taxbook.Party{Name: "家政公司", CreditCode: creditCode}}
	if _, err := b.ServiceRelief(finance, cityRelief); err != nil {
		t.Fatal(err)
	}
}

func TestProjectView(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		city(t, db)
		b := taxbook.New(db)
		book(t, b)
		for _, ctx := range []context.Context{finance, auditor, districtCtx("HZ")} {
			v, err := b.Project(ctx, "HZ-001")
			if err != nil {
				t.Fatalf("Project as %s: %v", access.From(ctx).Label(), err)
			}
			if v.Project != "HZ-001" || v.Total != money.MustParse("11000.00") || len(v.Items) != 2 {
				t.Fatalf("Project as %s = %s, total %s, %d items; want HZ-001, 11000.00, 2",
					access.From(ctx).Label(), v.Project, v.Total, len(v.Items))
			}
			want := []struct {
				kind, regime, on, party, by string
				total                       money.Amount
			}{
				{taxbook.KindUtilityAsset, "", "2026-03-15", "国网连云港供电公司", "district:d-HZ", money.MustParse("2500.00")},
				{taxbook.KindServiceRelief, "2026-7", "2026-05-01", "海州区颐养服务中心", "finance:t", money.MustParse("8500.00")},
			}
			for i, it := range v.Items {
				w := want[i]
				if it.ID == "" || it.Kind != w.kind || it.Regime != w.regime || it.On != w.on || it.Party.Name != w.party ||
					it.Party.CreditCode != creditCode || it.RecordedBy != w.by || it.Total != w.total || it.RecordedAt == "" {
					t.Errorf("item %d = %+v, want %+v", i, it, w)
				}
				if !json.Valid(it.Detail) {
					t.Errorf("item %d: detail %s is not JSON", i, it.Detail)
				}
			}
		}
		// A project with nothing recorded has an empty list, not null.
		reg := funding.NewRegistry(db, ledger.New(db))
		if _, err := reg.CreateProject(finance, funding.Project{Code: "QS-001", Name: "空", District: "QS", BuiltYear: 2000,
			FloorAreaM2: money.MustRate("1")}); err != nil {
			t.Fatal(err)
		}
		v, err := b.Project(districtCtx("QS"), "QS-001")
		if err != nil || v.Total != 0 || v.Items == nil || len(v.Items) != 0 {
			t.Errorf("empty project = %+v, %v; want total 0 and no items", v, err)
		}
		for _, tt := range []struct {
			name, project string
			ctx           context.Context
		}{
			{"another district's project", "HZ-001", districtCtx("LY")},
			{"a district without projects", "HZ-001", districtCtx("QS")},
			{"a missing project", "NOPE", finance},
		} {
			if v, err := b.Project(tt.ctx, tt.project); !errors.Is(err, errs.ErrNotFound) || v != nil {
				t.Errorf("%s: Project = %+v, %v; want nil, %v", tt.name, v, err, errs.ErrNotFound)
			}
		}
	})
}

func TestReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		city(t, db)
		b := taxbook.New(db)
		if r, err := b.Report(finance, window.Window{}); err != nil || r.Total != 0 || r.Lines == nil || len(r.Lines) != 0 {
			t.Errorf("empty report = %+v, %v; want no lines, total 0", r, err)
		}
		book(t, b)
		line := func(d, k string, n int64, total string) taxbook.Line {
			return taxbook.Line{District: d, Kind: k, Items: n, Total: money.MustParse(total)}
		}
		all := []taxbook.Line{
			line("HZ", taxbook.KindServiceRelief, 1, "8500.00"),
			line("HZ", taxbook.KindUtilityAsset, 1, "2500.00"),
			line("LY", taxbook.KindServiceRelief, 1, "1100.00"),
			line("city", taxbook.KindServiceRelief, 1, "85.00"),
		}
		tests := []struct {
			name  string
			ctx   context.Context
			lines []taxbook.Line
			total string
		}{
			{"finance", finance, all, "12185.00"},
			{"auditor", auditor, all, "12185.00"},
			{"admin", admin, all, "12185.00"},
			{"HZ", districtCtx("HZ"), all[:2], "11000.00"},
			{"LY", districtCtx("LY"), all[2:3], "1100.00"},
			{"QS", districtCtx("QS"), []taxbook.Line{}, "0.00"},
		}
		for _, tt := range tests {
			r, err := b.Report(tt.ctx, window.Window{})
			if err != nil {
				t.Fatalf("%s: Report: %v", tt.name, err)
			}
			if r.Total != money.MustParse(tt.total) {
				t.Errorf("%s: total = %s, want %s", tt.name, r.Total, tt.total)
			}
			// The order is the database's text order, which on PostgreSQL
			// depends on the collation ("city" before or after "HZ").
			sort.Slice(r.Lines, func(i, j int) bool {
				a, b := r.Lines[i], r.Lines[j]
				return a.District < b.District || (a.District == b.District && a.Kind < b.Kind)
			})
			if len(r.Lines) != len(tt.lines) {
				t.Errorf("%s: lines = %+v, want %+v", tt.name, r.Lines, tt.lines)
				continue
			}
			for i := range r.Lines {
				if r.Lines[i] != tt.lines[i] {
					t.Errorf("%s: line %d = %+v, want %+v", tt.name, i, r.Lines[i], tt.lines[i])
				}
			}
		}
	})
}
