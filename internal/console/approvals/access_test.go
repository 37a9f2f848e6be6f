package approvals_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"renofund/internal/console/consoletest"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestAccess walks every page of the section as every user: a role the
// API route behind a page does not admit gets the 403 page (and a refused
// form changes nothing), a role it admits reads the page.
func TestAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := consoletest.New(t, db)
		fund(t, s, "CG", "central_grant", "city", "1000000.00", "basic")
		quarterScheme(t, s)
		plan := must(t, s, "finance", "POST", "/v1/allocation-plans", map[string]any{"fund": "CG", "from": "city", "total": "10.00",
			"recipients": []map[string]any{{"to": "district:HZ", "area_m2": "1", "households": 1, "buildings": 1, "communities": 1}},
			"weights":    map[string]any{"area": "1"}}, 201)["id"].(string)
		run := must(t, s, "finance", "POST", "/v1/subsidy/runs", map[string]any{"scheme": "Q", "period": "2026-Q1"}, 201)["id"].(string)
		must(t, s, "finance", "POST", "/v1/periods/2026-03/close", nil, 202)

		readers := []string{"finance", "reviewer", "auditor", "hz", "ly"}
		everyone := append([]string{"admin"}, readers...)
		bureau := []string{"finance", "reviewer"}
		writers := []string{"finance", "reviewer", "hz", "ly"}
		pages := []struct {
			method, path string
			who          []string
		}{
			{"GET", "/console/allocation-plans", readers},
			{"GET", "/console/allocation-plans/" + plan, readers},
			{"GET", "/console/allocation-plans/new", writers},
			{"POST", "/console/allocation-plans/new", writers},
			{"POST", "/console/allocation-plans/" + plan + "/execute", writers},
			{"GET", "/console/subsidy/runs", readers},
			{"GET", "/console/subsidy/runs/" + run, readers},
			{"GET", "/console/subsidy/runs/" + run + "/payments.csv", readers},
			{"GET", "/console/subsidy/runs/new", bureau},
			{"POST", "/console/subsidy/runs/new", bureau},
			{"POST", "/console/subsidy/runs/" + run + "/approve", bureau},
			{"POST", "/console/subsidy/runs/" + run + "/cancel", bureau},
			{"GET", "/console/subsidy/schemes", everyone},
			{"GET", "/console/subsidy/ratings", readers},
			{"GET", "/console/periods", everyone},
			{"POST", "/console/periods/2026-03/close", bureau},
			{"POST", "/console/periods/2026-03/close/confirm", bureau},
			{"POST", "/console/periods/2026-03/reopen", []string{"admin"}},
			{"POST", "/console/periods/2026-03/reopen/confirm", bureau},
		}
		browsers := map[string]*consoletest.Browser{}
		for _, who := range everyone {
			browsers[who] = signIn(t, s, who)
		}
		for _, pg := range pages {
			for _, who := range everyone {
				b := browsers[who]
				allowed := slices.Contains(pg.who, who)
				if pg.method == "POST" && allowed {
					continue // the flows' tests take these steps
				}
				var p consoletest.Page
				if pg.method == "GET" {
					p = b.Get(pg.path)
				} else {
					p = b.PostForm(pg.path, url.Values{"reason": {"试"}})
				}
				what := who + " " + pg.method + " " + pg.path
				switch {
				case !allowed:
					refused(t, what, p, http.StatusForbidden, "forbidden", "无权")
				case (who == "hz" || who == "ly") && pg.path == "/console/allocation-plans/"+plan:
					// A city plan does not exist for a district.
					refused(t, what, p, http.StatusNotFound, "not_found", "没有找到")
				case p.Status != http.StatusOK:
					t.Errorf("%s: %d", what, p.Status)
				}
			}
		}
		// The refused steps changed nothing.
		if got := must(t, s, "auditor", "GET", "/v1/allocation-plans/"+plan, nil, 200); got["status"] != "draft" {
			t.Errorf("plan after refusals: %v", got["status"])
		}
		if got := must(t, s, "auditor", "GET", "/v1/subsidy/runs/"+run, nil, 200); got["status"] != "draft" {
			t.Errorf("run after refusals: %v", got["status"])
		}
		for _, p := range must(t, s, "auditor", "GET", "/v1/periods", nil, 200)["items"].([]any) {
			if p := p.(map[string]any); p["period"] == "2026-03" && p["status"] != "close_requested" {
				t.Errorf("March after refusals: %v", p["status"])
			}
		}
		if got := must(t, s, "auditor", "GET", "/v1/allocation-plans", nil, 200)["items"].([]any); len(got) != 1 {
			t.Errorf("refused drafts stored plans: %v", got)
		}
	})
}
