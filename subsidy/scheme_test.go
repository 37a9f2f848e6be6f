package subsidy

import (
	"encoding/json"
	"errors"
	"testing"

	"renofund/internal/errs"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

func TestSchemeValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		smallCity(f, "0")
		ok := func(mod func(*Scheme)) Scheme {
			sc := Scheme{Code: "Q", Name: "季度", Fund: "WY", Basis: PerM2Month, Rate: money.MustRate("0.1"),
				Period: Quarter, Bands: standardBands(), ValidFrom: "2021-01-01"}
			mod(&sc)
			return sc
		}
		refusals := []struct {
			name string
			sc   Scheme
			want error
		}{
			{"bad cron spec", ok(func(s *Scheme) { s.Schedule = "61 * * * *" }), errs.ErrInvalidRequest},
			{"cron with seconds", ok(func(s *Scheme) { s.Schedule = "0 0 2 1 * *" }), errs.ErrInvalidRequest},
			{"unknown basis", ok(func(s *Scheme) { s.Basis = "per_building" }), errs.ErrInvalidRequest},
			{"unknown period", ok(func(s *Scheme) { s.Period = "week" }), errs.ErrInvalidRequest},
			{"zero rate", ok(func(s *Scheme) { s.Rate = money.MustRate("0") }), errs.ErrInvalidRequest},
			{"ratio above 1", ok(func(s *Scheme) { s.Bands = bands("60", "1.2") }), errs.ErrInvalidRequest},
			{"band above 100", ok(func(s *Scheme) { s.Bands = []Band{{MinScore: 10001, Ratio: money.MustRate("1")}} }), errs.ErrInvalidRequest},
			{"duplicate band", ok(func(s *Scheme) { s.Bands = bands("60", "1", "60", "0.5") }), errs.ErrInvalidRequest},
			{"no bands", ok(func(s *Scheme) { s.Bands = nil }), errs.ErrInvalidRequest},
			{"formula from ≥ below", ok(func(s *Scheme) {
				s.Formula = &Formula{Below: 8500, From: scorePtr("90"), Base: money.MustRate("0.15"), PerPoint: money.MustRate("0.01")}
			}), errs.ErrInvalidRequest},
			{"valid_to before valid_from", ok(func(s *Scheme) { s.ValidTo = "2020-12-31" }), errs.ErrInvalidRequest},
			{"bad date", ok(func(s *Scheme) { s.ValidFrom = "2021-02-30" }), errs.ErrInvalidRequest},
			{"zero cap", ok(func(s *Scheme) { s.Cap = new(money.Amount) }), errs.ErrInvalidAmount},
			{"unknown fund", ok(func(s *Scheme) { s.Fund = "NOPE" }), errs.ErrNotFound},
			{"unknown district holder", ok(func(s *Scheme) { s.Holder = "district:NOPE" }), errs.ErrNotFound},
			{"project holder", ok(func(s *Scheme) { s.Holder = "project:P1" }), errs.ErrInvalidRequest},
			{"bad code", ok(func(s *Scheme) { s.Code = "a b" }), errs.ErrInvalidRequest},
		}
		for _, tt := range refusals {
			if _, err := f.svc.CreateScheme(f.ctx, tt.sc); !errors.Is(err, tt.want) {
				t.Errorf("%s: error = %v, want %v", tt.name, err, tt.want)
			}
		}
		if _, err := f.svc.CreateScheme(districtCtx("HZ"), ok(func(*Scheme) {})); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("district CreateScheme: error = %v, want forbidden", err)
		}

		// Posting the same code again makes a new version; runs use the current one.
		v1 := f.scheme(ok(func(s *Scheme) { s.Schedule = "0 2 1 */3 *" }))
		v2 := f.scheme(ok(func(s *Scheme) { s.Rate = money.MustRate("0.2"); s.Bands = bands("80", "1", "60", "0.5") }))
		if v1.Version != 1 || v2.Version != 2 || v2.Holder != "city" {
			t.Fatalf("versions = %d, %d; holder %q", v1.Version, v2.Version, v2.Holder)
		}
		if old, err := f.svc.Scheme(f.ctx, "Q", 1); err != nil || old.Rate.String() != "0.1" || old.Schedule == "" {
			t.Errorf("version 1 = %+v, %v", old, err)
		}
		f.rate("P1", "2021-Q3", "85")
		r, err := f.svc.CreateRun(f.ctx, "Q", "2021-Q3")
		if err != nil || r.SchemeVersion != 2 || r.Lines[0].Amount.String() != "600.00" { // 1000 m² × 3 × 0.2
			t.Fatalf("run = %+v, %v; want version 2 paying 600.00 to P1", r, err)
		}
		all, err := f.svc.Schemes(f.ctx, "", 0)
		if err != nil || len(all) != 2 || all[1].Code != "Q" || all[1].Version != 2 {
			t.Errorf("Schemes = %+v, %v", all, err)
		}
		if vs, err := f.svc.SchemeVersions(f.ctx, "Q"); err != nil || len(vs) != 2 {
			t.Errorf("SchemeVersions = %d, %v", len(vs), err)
		}
		// API.md spells the per-community basis "per_community": stored as per_community_period.
		pc := f.scheme(ok(func(s *Scheme) { s.Code = "PC"; s.Basis = "per_community"; s.Rate = money.MustRate("500") }))
		if stored, err := f.svc.Scheme(f.ctx, "PC", 0); pc.Basis != PerCommunityPeriod || err != nil ||
			stored.Basis != PerCommunityPeriod {
			t.Errorf("per_community scheme = %q, stored %+v, %v; want %q", pc.Basis, stored, err, PerCommunityPeriod)
		}
	})
}

func TestSchemeJSON(t *testing.T) {
	in := `{"code":"HN","name":"淮南","fund":"WY","basis":"per_household_month","rate":"8","period":"half_year",
		"bands":[{"min_score":90,"ratio":"1"},{"min_score":"80.5","ratio":"0.9"}],
		"formula":{"below":85,"base":"0.15","per_point":"0.01"},"cap":"3000","valid_from":"2021-01-01",
		"schedule":"0 3 1 1,7 *"}`
	var sc Scheme
	if err := json.Unmarshal([]byte(in), &sc); err != nil {
		t.Fatal(err)
	}
	if sc.Bands[1].MinScore != 8050 || *sc.Cap != money.MustParse("3000") || sc.Formula.Below != 8500 {
		t.Errorf("decoded = %+v", sc)
	}
	out, _ := json.Marshal(sc.Bands)
	if got, want := string(out), `[{"min_score":90,"ratio":"1"},{"min_score":80.5,"ratio":"0.9"}]`; got != want {
		t.Errorf("bands = %s, want %s", got, want)
	}
	for _, bad := range []string{`{"min_score":101}`, `{"min_score":-1}`, `{"min_score":80.123}`, `{"min_score":1e2}`,
		`{"min_score":true}`, `{"min_score":""}`} {
		var b Band
		if err := json.Unmarshal([]byte(bad), &b); !errors.Is(err, errs.ErrInvalidRequest) {
			t.Errorf("Unmarshal(%s) error = %v, want invalid_request", bad, err)
		}
	}
}
