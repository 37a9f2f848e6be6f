package browser_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// detail matches a link to a detail page, named by its route with the
// last segment left out: /console/projects/HZ-001 is /console/projects/:.
var detail = regexp.MustCompile(`^(/console/[a-z-]+)/[^/?]+$`)

// TestEveryPage opens, as each role, every page of its menu and, from the
// lists, the first detail page of each kind: each answers 200 with a
// heading, no script fails and the content security policy refuses
// nothing; each gets its screenshot. The menu offering only what the role
// may open is proven by every entry opening.
//
// It runs on SQLite only: the same pages over PostgreSQL are opened by the
// console's access matrix (internal/console) on both engines, and loading
// each page twice more in the browser, with the server under the race
// detector, would double the run for no new finding.
func TestEveryPage(t *testing.T) {
	s := newSite(t, storetest.Open(t, store.SQLite))
	details := map[string]bool{} // detail routes visited, by anyone
	for _, who := range []string{"admin", "finance", "auditor", "hz"} {
		u := s.signIn(who)
		menu := u.Attrs("nav.side a", "href")
		if len(menu) == 0 {
			t.Fatalf("%s: no menu", who)
		}
		var links []string
		for _, p := range menu {
			got := u.Open(p)
			if h := u.Text("main h1"); got != http.StatusOK || h == "" || h == "无权访问" {
				t.Errorf("%s: the menu's %s: %d %q", who, p, got, h)
				continue
			}
			for _, href := range u.Attrs("table.grid tbody a[href^='/console/']", "href") {
				if m := detail.FindStringSubmatch(href); m != nil && !details[m[1]] && !slices.Contains(menu, href) {
					details[m[1]] = true
					links = append(links, href)
				}
			}
		}
		for _, p := range links {
			if got := u.Open(p); got != http.StatusOK || u.Text("main h1") == "" {
				t.Errorf("%s: %s: %d %q", who, p, got, u.Text("main h1"))
			}
		}
		if f := u.Faults(); len(f) > 0 {
			t.Errorf("%s: the pages' scripts failed or were refused:\n%s", who, strings.Join(f, "\n"))
		}
	}
	for _, kind := range []string{"/console/projects", "/console/funds", "/console/transfers", "/console/payment-requests"} {
		if !details[kind] {
			t.Errorf("no detail page of %s was reached from the lists: %v", kind, details)
		}
	}
}
