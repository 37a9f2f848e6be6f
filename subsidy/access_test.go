package subsidy

import (
	"context"
	"errors"
	"testing"
	"time"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

func TestPropertyManagers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		smallCity(f, "0")
		hz := districtCtx("HZ")
		good := PropertyManager{Name: "港城物业", CreditCode: code(7), BankAccount: "6222000000000007"}
		refusals := []struct {
			name    string
			ctx     context.Context
			project string
			m       PropertyManager
			want    error
		}{
			{"other district", hz, "P3", good, errs.ErrNotFound}, // exactly as if it did not exist
			{"auditor", access.With(context.Background(), access.Actor{Role: access.Auditor}), "P1", good, errs.ErrForbidden},
			{"unknown project", hz, "NOPE", good, errs.ErrNotFound},
			{"bad credit code", hz, "P1", PropertyManager{Name: "x", CreditCode: "913207000000000071", BankAccount: "1"},
				errs.ErrInvalidCredit},
			{"no name", hz, "P1", PropertyManager{CreditCode: code(7), BankAccount: "1"}, errs.ErrInvalidRequest},
			{"no bank account", hz, "P1", PropertyManager{Name: "x", CreditCode: code(7)}, errs.ErrInvalidRequest},
		}
		for _, tt := range refusals {
			if _, err := f.svc.SetPropertyManager(tt.ctx, tt.project, tt.m); !errors.Is(err, tt.want) {
				t.Errorf("%s: error = %v, want %v", tt.name, err, tt.want)
			}
		}
		// Without from, a new company takes over today, ending the open contract yesterday.
		f.svc.now = func() time.Time { return time.Date(2026, 5, 20, 9, 0, 0, 0, Zone) }
		got, err := f.svc.SetPropertyManager(hz, "P1", good)
		if err != nil || got.Version != 3 || got.RecordedBy != "district:d-HZ" || got.From != "2026-05-20" || got.To != "" {
			t.Fatalf("SetPropertyManager = %+v, %v", got, err)
		}
		hist, err := f.svc.PropertyManagers(hz, "P1")
		if err != nil || len(hist) != 3 || hist[0].CreditCode != code(1) || hist[1].CreditCode != code(1) ||
			hist[1].To != "2026-05-19" || hist[2].CreditCode != code(7) {
			t.Errorf("history = %+v, %v", hist, err)
		}
		m, err := f.svc.Management(f.ctx, "P1")
		if err != nil || m.Current == nil || m.Current.Name != "港城物业" || len(m.Contracts) != 2 || len(m.History) != 3 {
			t.Errorf("management = %+v, %v", m, err)
		}
		if _, err := f.svc.Management(hz, "P3"); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("another district's manager: error = %v, want not found", err)
		}
	})
}

func TestRatings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		smallCity(f, "0")
		hz := districtCtx("HZ")
		r := func(project, period string, score Score) Rating {
			return Rating{Project: project, Period: period, Score: &score}
		}
		refusals := []struct {
			name string
			ctx  context.Context
			in   Rating
			want error
		}{
			{"other district", hz, r("P3", "2021-07", 9000), errs.ErrNotFound}, // exactly as if it did not exist
			{"unknown project", hz, r("NOPE", "2021-07", 9000), errs.ErrNotFound},
			{"above 100", hz, r("P1", "2021-07", 10001), errs.ErrInvalidRequest},
			{"below 0", hz, r("P1", "2021-07", -1), errs.ErrInvalidRequest},
			{"bad period", hz, r("P1", "2021-13", 9000), errs.ErrInvalidRequest},
			{"bad component", hz, Rating{Project: "P1", Period: "2021-07", Score: scorePtr("90"),
				Components: map[string]Score{"cleaning": 10100}}, errs.ErrInvalidRequest},
			{"negative owner reps", hz, Rating{Project: "P1", Period: "2021-07", Score: scorePtr("0"), OwnerReps: -1},
				errs.ErrInvalidRequest},
			{"no score", hz, Rating{Project: "P1", Period: "2021-07"}, errs.ErrInvalidRequest},
		}
		for _, tt := range refusals {
			if _, err := f.svc.RecordRating(tt.ctx, tt.in); !errors.Is(err, tt.want) {
				t.Errorf("%s: error = %v, want %v", tt.name, err, tt.want)
			}
		}
		got, err := f.svc.RecordRating(hz, Rating{Project: "P1", Period: "2021-07", Score: scorePtr("80.5"),
			Components: map[string]Score{"绿化": 7000, "保洁": 9100}, Assessors: []string{"王五"}, OwnerReps: 7})
		if err != nil || got.Version != 2 {
			t.Fatalf("RecordRating = %+v, %v", got, err)
		}
		hist, err := f.svc.Ratings(hz, "P1", "2021-07")
		if err != nil || len(hist) != 2 || *hist[0].Score != 9200 || *hist[1].Score != 8050 ||
			hist[1].Components["绿化"] != 7000 || hist[1].OwnerReps != 7 || hist[1].Assessors[0] != "王五" {
			t.Errorf("history = %+v, %v", hist, err)
		}
		if cur, err := f.svc.Rating(f.ctx, "P1", "2021-07"); err != nil || *cur.Score != 8050 {
			t.Errorf("current = %+v, %v", cur, err)
		}
		if _, err := f.svc.Ratings(hz, "P3", "2021-07"); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("another district's ratings: error = %v, want not found", err)
		}

		// The history list: every version, in the order recorded, scoped.
		f.rate("P3", "2021-08", "70")
		mine, err := f.svc.RatingHistory(hz, RatingFilter{})
		if err != nil || len(mine) != 3 || mine[0].Project != "P1" || mine[2].Version != 2 || mine[2].District != "HZ" {
			t.Errorf("HZ's history = %+v, %v; want P1 v1, P2 v1, P1 v2", mine, err)
		}
		all, err := f.svc.RatingHistory(f.ctx, RatingFilter{Period: "2021-07"})
		if err != nil || len(all) != 4 || all[2].District != "LY" {
			t.Errorf("July's history = %+v, %v; want 4 ratings", all, err)
		}
		page, err := f.svc.RatingHistory(f.ctx, RatingFilter{Project: "P1", Limit: 1, After: all[0].ID})
		if err != nil || len(page) != 1 || page[0].Version != 2 {
			t.Errorf("P1 after its first = %+v, %v; want version 2", page, err)
		}
		for _, tt := range []struct {
			name string
			ctx  context.Context
			f    RatingFilter
			want error
		}{
			{"another district's project", hz, RatingFilter{Project: "P3"}, errs.ErrNotFound},
			{"bad period", f.ctx, RatingFilter{Period: "2021-Q5"}, errs.ErrInvalidRequest},
			{"admin", access.With(context.Background(), access.Actor{Role: access.Admin}), RatingFilter{}, errs.ErrForbidden},
		} {
			if _, err := f.svc.RatingHistory(tt.ctx, tt.f); !errors.Is(err, tt.want) {
				t.Errorf("%s: error = %v, want %v", tt.name, err, tt.want)
			}
		}
	})
}

func TestRunScoping(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		smallCity(f, "100000")
		hz := districtCtx("HZ")
		if _, err := f.svc.CreateRun(hz, "M", "2021-07"); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("district CreateRun: error = %v, want forbidden", err)
		}
		r, err := f.svc.CreateRun(f.ctx, "M", "2021-07")
		f.must(err)
		for _, ctx := range []context.Context{hz, access.With(context.Background(), access.Actor{Role: access.Auditor})} {
			if _, err := f.svc.Approve(ctx, r.ID); !errors.Is(err, errs.ErrForbidden) {
				t.Errorf("Approve as %s: error = %v, want forbidden", access.From(ctx).Role, err)
			}
			if _, err := f.svc.Cancel(ctx, r.ID); !errors.Is(err, errs.ErrForbidden) {
				t.Errorf("Cancel as %s: error = %v, want forbidden", access.From(ctx).Role, err)
			}
		}
		admin := access.With(context.Background(), access.Actor{Role: access.Admin})
		if _, err := f.svc.Run(admin, r.ID); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("admin Run: error = %v, want forbidden", err)
		}
		mine, err := f.svc.Run(hz, r.ID)
		if err != nil || len(mine.Lines) != 2 || mine.Total.String() != "1120.00" || len(mine.Districts) != 1 {
			t.Fatalf("district view = %+v, %v; want its 2 lines totalling 1120.00", mine, err)
		}
		for _, l := range mine.Lines {
			if l.District != "HZ" {
				t.Errorf("district HZ sees line of %s", l.District)
			}
		}
		list, err := f.svc.Runs(hz, RunFilter{Scheme: "M"})
		if err != nil || len(list) != 1 || list[0].Total.String() != "1120.00" || list[0].LineCount != 2 {
			t.Errorf("district list = %+v, %v", list, err)
		}
		list, err = f.svc.Runs(f.ctx, RunFilter{Scheme: "M", Status: Draft})
		if err != nil || len(list) != 1 || list[0].Total.String() != "1720.00" || list[0].LineCount != 3 {
			t.Errorf("finance list = %+v, %v", list, err)
		}
		if _, err := f.svc.Run(f.ctx, "nope"); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("unknown run: error = %v, want not found", err)
		}
	})
}
