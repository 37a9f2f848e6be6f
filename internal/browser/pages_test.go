package browser_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"renofund/internal/browser"
)

// detail matches a link to a detail page, named by its route with the
// last segment left out: /console/projects/HZ-001 is /console/projects/:.
var detail = regexp.MustCompile(`^(/console/[a-z-]+)/[^/?]+$`)

// TestEveryPage opens, as the administrator, the finance bureau and a
// district, every page of the menu and, from the lists, the first detail
// page of each kind: each answers 200 with a heading, no script fails and
// the content security policy refuses nothing; each gets its screenshot.
// That every entry opens proves the menu offers only what the role may
// open; no page of the district's shows anything of the other district.
// (The auditor's menu is the bureau's pages, read-only; it is signed in
// by TestSignInAsEachRole, and the console's access matrix opens every
// page as every role.)
func TestEveryPage(t *testing.T) {
	t.Parallel()
	s := sqliteSite(t)
	details := map[string]bool{} // detail routes visited, by anyone
	for _, who := range []string{"admin", "finance", "hz"} {
		u := s.signIn(who)
		menu := u.Attrs("nav.side a", "href")
		if len(menu) == 0 {
			t.Fatalf("%s: no menu", who)
		}
		var links []string
		for _, p := range menu {
			got := http.StatusOK // the page signing in landed on is open already
			if p != u.Path() {
				got = u.Open(p)
			}
			if h := u.Text("main h1"); got != http.StatusOK || h == "" || h == "无权访问" {
				t.Errorf("%s: the menu's %s: %d %q", who, p, got, h)
				continue
			}
			checkForeign(t, u, who)
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
			checkForeign(t, u, who)
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

// checkForeign: a district clerk's page shows nothing of the other
// district.
func checkForeign(t *testing.T, u *browser.User, who string) {
	t.Helper()
	if len(foreign[who]) == 0 {
		return
	}
	html := u.HTML()
	for _, f := range foreign[who] {
		if strings.Contains(html, f) {
			t.Errorf("%s: %s shows %s", who, u.Path(), f)
		}
	}
}
