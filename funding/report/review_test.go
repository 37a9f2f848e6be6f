package report_test

import (
	"errors"
	"slices"
	"testing"

	"renofund/funding/movement"
	"renofund/funding/report"
	"renofund/internal/errs"
	"renofund/internal/window"
)

// TestExceptionList: findings keep their ids from call to call and come in
// id order, a page at a time; each filter selects what it names; a filter
// value that names nothing is refused; a district may not ask for
// another's findings.
func TestExceptionList(t *testing.T) {
	eachTown(t, func(t *testing.T, town *smallTown) {
		rules := report.DefaultRules(asOf)
		list := func(q report.ExceptionQuery) []string {
			t.Helper()
			q.Rules = rules
			ex, err := town.svc.Reports.ExceptionList(finance(), q)
			if err != nil {
				t.Fatalf("%+v: %v", q, err)
			}
			ids := make([]string, len(ex))
			for i, e := range ex {
				ids[i] = e.ID
			}
			return ids
		}
		all := list(report.ExceptionQuery{})
		if len(all) != 16 || !slices.IsSorted(all) || len(slices.Compact(slices.Clone(all))) != len(all) {
			t.Fatalf("ids %v: want 16, sorted, distinct", all)
		}
		if again := list(report.ExceptionQuery{}); !slices.Equal(again, all) {
			t.Errorf("ids changed between calls:\n%v\n%v", all, again)
		}
		var paged []string
		for after := ""; ; {
			page := list(report.ExceptionQuery{After: after, Limit: 5})
			paged = append(paged, page...)
			if len(page) < 5 {
				break
			}
			after = page[len(page)-1]
		}
		if !slices.Equal(paged, all) {
			t.Errorf("pages of 5: %v, want %v", paged, all)
		}
		for _, tc := range []struct {
			q    report.ExceptionQuery
			want []string
		}{
			{report.ExceptionQuery{Kind: report.ExIdleMoney}, []string{"idle_money:city", "idle_money:district:HZ", "idle_money:district:LY"}},
			{report.ExceptionQuery{Kind: report.ExOverBudget, District: "LY"}, []string{"over_budget:LY-001@basic"}},
			{report.ExceptionQuery{Severity: "medium", District: "LY"}, []string{"direct_fund_routed:2026-00000011",
				"expiring_unspent:SB@district:LY", "over_budget:LY-001@basic"}},
			{report.ExceptionQuery{Kind: report.ExRetention, Window: window.Window{From: "2026-02-02", To: "2026-02-28"}},
				[]string{"retention:HZ-DF@district:HZ", "retention:SB@district:LY"}},
			{report.ExceptionQuery{Window: window.Window{From: "2026-06-01"}}, []string{"expiring_unspent:SB@city",
				"expiring_unspent:SB@district:LY"}},
			{report.ExceptionQuery{Status: report.StatusClosed}, []string{}},
			{report.ExceptionQuery{Kind: report.ExDuplicate}, []string{}},
		} {
			if got := list(tc.q); !slices.Equal(got, tc.want) {
				t.Errorf("%+v: %v, want %v", tc.q, got, tc.want)
			}
		}
		if got := list(report.ExceptionQuery{Status: report.StatusOpen}); !slices.Equal(got, all) {
			t.Errorf("open: %v, want every finding", got)
		}
		for _, q := range []report.ExceptionQuery{{Kind: "payment"}, {Severity: "urgent"}, {Status: "done"}} {
			q.Rules = rules
			if _, err := town.svc.Reports.ExceptionList(finance(), q); !errors.Is(err, errs.ErrInvalidRequest) {
				t.Errorf("%+v: %v, want invalid_request", q, err)
			}
		}
		for _, r := range []report.Rules{{AsOf: asOf, IdleDays: -1}, {AsOf: asOf, DuplicateDays: 36501}, {AsOf: asOf, LateDays: -5}} {
			if _, err := town.svc.Reports.ExceptionList(finance(), report.ExceptionQuery{Rules: r}); !errors.Is(err, errs.ErrInvalidRequest) {
				t.Errorf("rules %+v: %v, want invalid_request", r, err)
			}
		}
		_, err := town.svc.Reports.ExceptionList(office("HZ"), report.ExceptionQuery{Rules: rules, District: "LY"})
		if !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("HZ asks for LY's findings: %v, want forbidden", err)
		}
	})
}

// TestIdleThresholds: idle money is one finding per holder; idle_days
// moves the line, and idle_min leaves out holders with less idle.
func TestIdleThresholds(t *testing.T) {
	eachTown(t, func(t *testing.T, town *smallTown) {
		for _, tc := range []struct {
			days int
			min  int64
			want []string
		}{
			{90, 0, []string{"city", "district:HZ", "district:LY"}},
			{90, 200_000, []string{"city", "district:LY"}},
			{90, 200_001, []string{"city"}},
			{100, 0, []string{"city"}}, // the city's CG since 02-03; the districts' since 02-05
			{0, 0, []string{"city", "district:HZ", "district:LY", "project:HZ-001", "project:HZ-002", "project:LY-001"}},
		} {
			r := report.DefaultRules(asOf)
			r.IdleDays, r.IdleMin = tc.days, yuan(tc.min)
			ex, err := town.svc.Reports.ExceptionList(finance(), report.ExceptionQuery{Rules: r, Kind: report.ExIdleMoney})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range ex {
				got = append(got, e.Subject)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("idle %d days, at least %d: %v, want %v", tc.days, tc.min, got, tc.want)
			}
		}
	})
}

// reviewCount is how many review steps are stored.
func reviewCount(t *testing.T, town *smallTown) int64 {
	t.Helper()
	var n int64
	if err := town.svc.DB.G.Raw("SELECT COUNT(*) FROM exception_reviews").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestReviews: a finding is acknowledged, explained and closed, each step
// stored with who took it; a step may not go back, a closed finding takes
// no more, a note is required and the action must be known, and a refused
// step stores nothing. When the finding changes (more money idle at the
// city) it is open again and takes steps again.
func TestReviews(t *testing.T) {
	eachTown(t, func(t *testing.T, town *smallTown) {
		rules := report.DefaultRules(asOf)
		const id = "idle_money:city"
		find := func() *report.Finding {
			t.Helper()
			f, err := town.svc.Reports.Finding(finance(), id, rules)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
		step := func(action, note string) error {
			_, err := town.svc.Reports.Review(finance(), find(), report.ReviewIn{Action: action, Note: note})
			return err
		}
		if f := find(); f.Status != report.StatusOpen || len(f.Reviews) != 0 || f.Amount != yuan(650_000) {
			t.Fatalf("before any review: %+v", f)
		}
		for _, tc := range []struct {
			action, note string
			want         error
		}{
			{"acknowledge", "", report.ErrNoteRequired},
			{"approve", "ok", errs.ErrInvalidRequest},
			{"", "ok", errs.ErrInvalidRequest},
			{"explain", "bad\x00note", errs.ErrInvalidRequest},
		} {
			if err := step(tc.action, tc.note); !errors.Is(err, tc.want) {
				t.Errorf("%q %q: %v, want %v", tc.action, tc.note, err, tc.want)
			}
		}
		if n := reviewCount(t, town); n != 0 {
			t.Fatalf("refused steps stored %d rows", n)
		}
		for _, tc := range []struct {
			action, status string
		}{{"acknowledge", report.StatusAcknowledged}, {"explain", report.StatusExplained},
			{"explain", report.StatusExplained}, {"close", report.StatusClosed}} {
			f, err := town.svc.Reports.Review(finance(), find(), report.ReviewIn{Action: tc.action, Note: "资金待拨付 " + tc.action})
			if err != nil || f.Status != tc.status {
				t.Fatalf("%s: %+v, %v; want status %s", tc.action, f, err, tc.status)
			}
			if again := find(); again.Status != tc.status {
				t.Errorf("after %s the finding is %s, want %s", tc.action, again.Status, tc.status)
			}
		}
		f := find()
		if len(f.Reviews) != 4 || f.Reviews[0].ReviewedBy != "finance:bureau" || f.Reviews[3].Seq != 4 ||
			f.Reviews[1].Amount != yuan(650_000) || f.Reviews[1].On != "2026-02-03" || f.Reviews[2].ReviewedAt == "" {
			t.Errorf("stored steps: %+v", f.Reviews)
		}
		for _, action := range []string{"acknowledge", "explain", "close"} {
			if err := step(action, "再看一次"); !errors.Is(err, errs.ErrConflict) {
				t.Errorf("%s a closed finding: %v, want conflict", action, err)
			}
		}
		if err := step("x", "y"); !errors.Is(err, errs.ErrInvalidRequest) {
			t.Errorf("a bad step on a closed finding: %v, want invalid_request first", err)
		}
		closed, err := town.svc.Reports.ExceptionList(finance(), report.ExceptionQuery{Rules: rules, Status: report.StatusClosed})
		if err != nil || len(closed) != 1 || closed[0].ID != id {
			t.Errorf("closed findings: %+v, %v", closed, err)
		}
		// Another finding cannot be taken back from explained to acknowledged.
		other, err := town.svc.Reports.Finding(finance(), "retention:SB@city", rules)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := town.svc.Reports.Review(finance(), other, report.ReviewIn{Action: "explain", Note: "专项债待下达"}); err != nil {
			t.Fatal(err)
		}
		if _, err := town.svc.Reports.Review(finance(), other, report.ReviewIn{Action: "acknowledge", Note: "?"}); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("acknowledge after explain: %v, want conflict", err)
		}
		if n := reviewCount(t, town); n != 5 {
			t.Errorf("%d steps stored, want 5", n)
		}
		// The finding changes: more of CG idles at the city.
		if _, _, err := town.svc.Movements.Batch(finance(), []movement.BatchItem{receipt("SB", 1_000, "2026-02-02")}); err != nil {
			t.Fatal(err)
		}
		if f := find(); f.Status != report.StatusOpen || f.Amount != yuan(651_000) || len(f.Reviews) != 4 {
			t.Errorf("after the finding changed: %+v", f)
		}
		if err := step("acknowledge", "又到一笔"); err != nil {
			t.Errorf("acknowledge the changed finding: %v", err)
		}
	})
}

// TestFindingScope: a district sees its own findings only; an id of no
// finding, or of an unknown rule, is not found.
func TestFindingScope(t *testing.T) {
	eachTown(t, func(t *testing.T, town *smallTown) {
		rules := report.DefaultRules(asOf)
		if f, err := town.svc.Reports.Finding(office("LY"), "idle_money:district:LY", rules); err != nil || f.District != "LY" {
			t.Errorf("LY's own finding: %+v, %v", f, err)
		}
		for _, tc := range []struct{ who, id string }{
			{"HZ", "idle_money:district:LY"}, {"HZ", "idle_money:city"}, {"", "idle_money:project:HZ-001"},
			{"", "nothing:at-all"}, {"", ""}, {"", "retention"},
		} {
			if _, err := town.svc.Reports.Finding(office(tc.who), tc.id, rules); !errors.Is(err, errs.ErrNotFound) {
				t.Errorf("%q asks for %q: %v, want not found", tc.who, tc.id, err)
			}
		}
	})
}
