package app

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestWiring: the services are built on one database, the HTTP service
// answers, and subsidies see the registry the way their interface says.
func TestWiring(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := New(db, nil)
		defer s.Close()
		api := s.API(nil, 0)
		for _, path := range []string{"/healthz", "/readyz", "/openapi.json"} {
			rec := httptest.NewRecorder()
			api.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			if rec.Code != http.StatusOK {
				t.Errorf("GET %s: %d", path, rec.Code)
			}
		}

		fin := access.With(context.Background(), access.Actor{Role: access.Finance, Name: "t"})
		for _, d := range []string{"HZ", "LY"} {
			if _, err := s.Registry.CreateDistrict(fin, funding.District{Code: d, Name: d}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Registry.CreateProject(fin, funding.Project{Code: d + "-001", Name: "小区", District: d,
				Households: 12, FloorAreaM2: money.MustRate("880.5"), BuiltYear: 1990}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Registry.CreateFund(fin, funding.Fund{Code: "WY", Kind: "city_fiscal", Name: "物业补贴", Holder: "city",
			FiscalYear: 2026, EligibleCategories: []string{funding.Improvement}, ExpiresOn: "2027-12-31", DocumentNo: "连财〔2026〕1号"}); err != nil {
			t.Fatal(err)
		}
		reg := subsidyRegistry{s.Registry}
		for _, c := range []struct {
			holder, district string
			err              error
		}{
			{"city", "", nil}, {"district:HZ", "HZ", nil}, {"district:NOPE", "", errs.ErrNotFound},
			{"project:HZ-001", "", errs.ErrInvalidRequest}, {"nowhere", "", errs.ErrInvalidRequest},
		} {
			d, err := reg.Payer(fin, c.holder)
			if d != c.district || !errors.Is(err, c.err) && (c.err != nil || err != nil) {
				t.Errorf("Payer(%q) = %q, %v; want %q, %v", c.holder, d, err, c.district, c.err)
			}
		}
		f, err := reg.PayingFund(fin, "WY")
		if err != nil || f.ExpiresOn != "2027-12-31" || f.DocumentNo != "连财〔2026〕1号" || len(f.Categories) != 1 {
			t.Errorf("PayingFund = %+v, %v", f, err)
		}
		if _, err := reg.PayingFund(fin, "NOPE"); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("unknown fund: %v", err)
		}
		hz := access.With(context.Background(), access.Actor{Role: access.District, District: "HZ", Name: "hz"})
		if p, err := reg.Project(hz, "HZ-001"); err != nil || p.Households != 12 || p.FloorArea != "880.5" {
			t.Errorf("own project: %+v, %v", p, err)
		}
		if _, err := reg.Project(hz, "LY-001"); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("another district's project: %v, want not found", err)
		}
		all, err := reg.Projects(hz, "")
		if err != nil || len(all) != 2 {
			t.Errorf("Projects(\"\") = %d projects, %v; want both (the city's run reads them all)", len(all), err)
		}
		one, err := reg.Projects(fin, "LY")
		if err != nil || len(one) != 1 || one[0].District != "LY" {
			t.Errorf("Projects(LY) = %+v, %v", one, err)
		}
	})
}
