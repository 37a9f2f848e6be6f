package browser_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"

	"renofund/internal/access"
	"renofund/internal/browser"
	"renofund/internal/console/consoletest"
	"renofund/internal/console/kit"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
	"renofund/internal/web"
)

// moneyPages are console pages of the books: the administrator, who keeps
// districts and tokens, has none of them in the menu.
var moneyPages = []string{"/console/dashboard", "/console/projects", "/console/funds", "/console/transfers", "/console/payment-requests"}

// TestSignInAsEachRole signs in through the form as every role, on both
// engines: the console lands on the role's home page; the token is in no
// browser storage and the session cookie is out of scripts' reach; the
// menu offers what the role may open and nothing it may not; a page the
// role may not open is the 403 page; signing out returns to the sign-in
// page, after which the back button and reloading a console page in
// another tab lead to the sign-in page too.
func TestSignInAsEachRole(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		for _, w := range consoletest.Who {
			if w.Name == "reviewer" {
				continue // a second finance clerk: the four-eyes test signs them in
			}
			u := s.signIn(w.Name)
			if got, want := u.Path(), kit.Home(w.Role); got != want {
				t.Errorf("%s landed on %s, want %s", w.Name, got, want)
			}
			if got := u.Text("header .who"); !strings.Contains(got, w.Name) || !strings.Contains(got, kit.Label(string(w.Role))) {
				t.Errorf("%s: the header says %q", w.Name, got)
			}
			checkNoTokenInBrowser(t, s, u, w.Name)
			checkMenu(t, u, w.Name, w.Role)

			forbidden := "/console/tokens"
			if w.Role == access.Admin {
				forbidden = "/console/funds"
			}
			if got := u.Open(forbidden); got != http.StatusForbidden || u.Text("main h1") != "无权访问" {
				t.Errorf("%s opened %s: %d %q, want the 403 page", w.Name, forbidden, got, u.Text("main h1"))
			}

			// A second tab of the same window stays on a console page.
			home := kit.Home(w.Role)
			var tab *browser.User
			if w.Name == "hz" {
				if tab = u.Tab(); tab.Open(home) != http.StatusOK {
					t.Errorf("hz: the second tab's %s: %s", home, tab.Text("main"))
				}
			}
			got := u.Follow("form.logout button[type=submit]")
			if p, q := loginNote(u.Path()); got != http.StatusOK || p != web.LoginPath || q.Get("ok") != "已退出登录" || !u.Has("#token") {
				t.Errorf("%s signed out onto %s: %d", w.Name, u.Path(), got)
			}
			for _, c := range u.Cookies() {
				if c.Name == web.SessionCookie {
					t.Errorf("%s: the session cookie outlived the sign-out: %+v", w.Name, c)
				}
			}
			if w.Name != "hz" {
				continue // one user is enough for what follows
			}
			u.Back()
			if p, q := loginNote(u.Path()); p != web.LoginPath || q.Get("next") != forbidden || u.Has("nav.side") {
				t.Errorf("hz: back after signing out showed %s", u.Path())
			}
			tab.Reload()
			if p, q := loginNote(tab.Path()); p != web.LoginPath || q.Get("next") != home || !tab.Has("#token") {
				t.Errorf("hz: reloading %s in the other tab after signing out showed %s", home, tab.Path())
			}
		}
	})
}

// checkNoTokenInBrowser: after signing in, the token is in neither
// storage nor document.cookie (the session cookie is HttpOnly), and the
// session cookie is HttpOnly, SameSite=Strict and not the token.
func checkNoTokenInBrowser(t *testing.T, s *site, u *browser.User, who string) {
	t.Helper()
	var seen struct {
		Local, Session [][]string
		Cookie         string
	}
	u.Eval(`({Local: Object.entries(localStorage), Session: Object.entries(sessionStorage), Cookie: document.cookie})`, &seen)
	token := s.Tokens[who]
	for _, kv := range slices.Concat(seen.Local, seen.Session) {
		if strings.Contains(strings.Join(kv, "="), token) {
			t.Errorf("%s: the token is in browser storage: %q", who, kv)
		}
	}
	if strings.Contains(seen.Cookie, token) || strings.Contains(seen.Cookie, web.SessionCookie) {
		t.Errorf("%s: document.cookie shows %q", who, seen.Cookie)
	}
	var session *network.Cookie
	for _, c := range u.Cookies() {
		if strings.Contains(c.Value, token) {
			t.Errorf("%s: cookie %s holds the token", who, c.Name)
		}
		if c.Name == web.SessionCookie {
			session = c
		}
	}
	if session == nil || !session.HTTPOnly || session.SameSite != network.CookieSameSiteStrict || session.Path != "/" {
		t.Errorf("%s: the session cookie: %+v", who, session)
	}
}

// checkMenu: the menu holds what the role may open. A district has the
// books and no tokens page; the administrator has the tokens page and no
// page of the books; every role but the administrator has the projects
// and funds.
func checkMenu(t *testing.T, u *browser.User, who string, role access.Role) {
	t.Helper()
	menu := u.Attrs("nav.side a", "href")
	has := func(p string) bool { return slices.Contains(menu, p) }
	switch role {
	case access.Admin:
		if !has("/console/tokens") {
			t.Errorf("%s: no tokens page in the menu %q", who, menu)
		}
		for _, p := range moneyPages {
			if has(p) {
				t.Errorf("%s: the menu offers %s: %q", who, p, menu)
			}
		}
	default:
		if has("/console/tokens") {
			t.Errorf("%s: the menu offers the tokens page: %q", who, menu)
		}
		for _, p := range []string{"/console/dashboard", "/console/projects", "/console/funds"} {
			if !has(p) {
				t.Errorf("%s: no %s in the menu %q", who, p, menu)
			}
		}
	}
}

// loginNote is the query of the sign-in page after signing out.
func loginNote(path string) (string, url.Values) {
	p, q, _ := strings.Cut(path, "?")
	v, _ := url.ParseQuery(q)
	return p, v
}
