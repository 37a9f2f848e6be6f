package kit_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"renofund/internal/console/consoletest"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
	"renofund/internal/web"
)

// TestSignIn: a browser without a session is sent to the sign-in page and
// back where it was going; a wrong token gets the form again with a
// refusal and no cookie; a right one a session cookie that is HttpOnly,
// SameSite=Strict and holds no token. The token appears on no page.
func TestSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := consoletest.New(t, db)
		b := s.Browser()
		p := b.Get("/console/funds?kind=donation")
		if p.Status != http.StatusSeeOther || p.Location() != "/console/login?next="+url.QueryEscape("/console/funds?kind=donation") {
			t.Fatalf("no session: %d %q", p.Status, p.Location())
		}
		if p = b.Get(p.Location()); p.Status != 200 || !strings.Contains(p.Body, `name="token"`) || !strings.Contains(p.Body, `type="password"`) {
			t.Fatalf("sign-in page: %d %s", p.Status, p.Body)
		}
		for _, bad := range []string{"", "rf_wrong", s.Tokens["finance"] + "x", "Bearer " + s.Tokens["finance"]} {
			p = b.PostForm("/console/login", url.Values{"token": {bad}})
			if p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, "令牌无效") || p.Header.Get("Set-Cookie") != "" {
				t.Errorf("token %q: %d, cookie %q", bad, p.Status, p.Header.Get("Set-Cookie"))
			}
		}
		p = b.PostForm("/console/login", url.Values{"token": {s.Tokens["finance"]}, "next": {"/console/funds?kind=donation"}})
		if p.Status != http.StatusSeeOther || p.Location() != "/console/funds?kind=donation" {
			t.Fatalf("sign in: %d %q", p.Status, p.Location())
		}
		cookie := p.Header.Get("Set-Cookie")
		for _, want := range []string{web.SessionCookie + "=", "HttpOnly", "SameSite=Strict", "Path=/"} {
			if !strings.Contains(cookie, want) {
				t.Errorf("cookie %q lacks %s", cookie, want)
			}
		}
		if strings.Contains(cookie, "Secure") || strings.Contains(cookie, s.Tokens["finance"]) {
			t.Errorf("cookie over plain HTTP: %q", cookie)
		}
		p = b.Get("/console/funds?kind=donation")
		if p.Status != 200 || !strings.Contains(p.Body, "资金") || strings.Contains(p.Body, s.Tokens["finance"]) {
			t.Errorf("signed in: %d", p.Status)
		}
		// Behind a TLS-terminating proxy the cookie is Secure.
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/console/login", strings.NewReader(url.Values{"token": {s.Tokens["auditor"]}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-Proto", "https")
		if p = s.Browser().Do(req); !strings.Contains(p.Header.Get("Set-Cookie"), "Secure") {
			t.Errorf("over TLS: cookie %q", p.Header.Get("Set-Cookie"))
		}
	})
}

// TestSignInStaysInConsole: after signing in, the browser goes only to a
// console page, never to another site.
func TestSignInStaysInConsole(t *testing.T) {
	s := consoletest.New(t, storetest.Open(t, store.SQLite))
	for _, next := range []string{"//evil.example/console/", "https://evil.example/", "/console/\\evil", "/v1/funds", ""} {
		p := s.Browser().PostForm("/console/login", url.Values{"token": {s.Tokens["hz"]}, "next": {next}})
		if p.Status != http.StatusSeeOther || p.Location() != "/console/dashboard" {
			t.Errorf("next %q: %d → %q", next, p.Status, p.Location())
		}
	}
	p := s.Browser().PostForm("/console/login", url.Values{"token": {s.Tokens["admin"]}})
	if p.Location() != "/console/tokens" {
		t.Errorf("admin lands on %q", p.Location())
	}
}

// TestCSRF: a state-changing console request needs the session's CSRF
// secret and this origin; refused, it changes nothing (the session lives on).
func TestCSRF(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := consoletest.New(t, db)
		b := s.SignIn("finance")
		b.Get("/console/projects")
		for name, form := range map[string]url.Values{
			"no secret":    {"_csrf": {""}},
			"wrong secret": {"_csrf": {strings.Repeat("A", 43)}},
		} {
			p := b.PostForm("/console/logout", form)
			if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "csrf_failed") || !strings.Contains(p.Body, "页面已过期") {
				t.Errorf("%s: %d %s", name, p.Status, p.Body)
			}
		}
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/console/logout", strings.NewReader(url.Values{"_csrf": {b.CSRF}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		if p := b.Do(req); p.Status != http.StatusForbidden || !strings.Contains(p.Body, "cross_origin") {
			t.Errorf("cross-origin: %d", p.Status)
		}
		if p := b.Get("/console/projects"); p.Status != 200 {
			t.Fatalf("refused forms ended the session: %d", p.Status)
		}
		// Signing out with the secret ends the session: the old cookie no
		// longer opens a page, even sent again by hand.
		old := b.Cookies()
		if p := b.PostForm("/console/logout", url.Values{}); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location(), web.LoginPath) {
			t.Fatalf("sign out: %d %q", p.Status, p.Location())
		}
		again := s.Browser()
		req, _ = http.NewRequest(http.MethodGet, s.URL+"/console/projects", nil)
		for _, c := range old {
			req.AddCookie(c)
		}
		if p := again.Do(req); p.Status != http.StatusSeeOther {
			t.Errorf("the signed-out session still opens pages: %d", p.Status)
		}
	})
}

// TestSessionEnds: a session ends with its token, after an idle spell and
// at its absolute limit; a POST without a session is refused, not redirected.
func TestSessionEnds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := consoletest.New(t, db)
		ctx := context.Background()
		cases := map[string]func(){
			"token revoked": func() {
				if _, err := s.App.Tokens.Revoke(ctx, "hz"); err != nil {
					t.Fatal(err)
				}
			},
			"idle": func() {
				exec(t, db, "UPDATE console_sessions SET last_seen_at = ? WHERE token_id IN (SELECT id FROM tokens WHERE name = 'auditor')",
					store.FormatTime(time.Now().Add(-31*time.Minute)))
			},
			"past its age": func() {
				exec(t, db, "UPDATE console_sessions SET expires_at = ? WHERE token_id IN (SELECT id FROM tokens WHERE name = 'finance')",
					store.FormatTime(time.Now().Add(-time.Second)))
			},
		}
		who := map[string]string{"token revoked": "hz", "idle": "auditor", "past its age": "finance"}
		for name, end := range cases {
			b := s.SignIn(who[name])
			if p := b.Get("/console/projects"); p.Status != 200 {
				t.Fatalf("%s: before: %d", name, p.Status)
			}
			end()
			if p := b.Get("/console/projects"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location(), web.LoginPath) {
				t.Errorf("%s: GET %d %q, want the sign-in page", name, p.Status, p.Location())
			}
			if p := b.PostForm("/console/logout", url.Values{}); p.Status != http.StatusUnauthorized {
				t.Errorf("%s: POST %d, want 401", name, p.Status)
			}
		}
	})
}

// TestSessionStoredHashed: the database holds a hash of the session's
// secret, never the secret the cookie carries.
func TestSessionStoredHashed(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s := consoletest.New(t, db)
	b := s.SignIn("finance")
	var secret string
	for _, c := range b.Cookies() {
		if c.Name == web.SessionCookie {
			secret = c.Value
		}
	}
	var n, hashed int64
	if err := db.Conn(context.Background()).Raw("SELECT COUNT(*) FROM console_sessions WHERE hash = ?", secret).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Conn(context.Background()).Raw("SELECT COUNT(*) FROM console_sessions WHERE length(hash) = 64").Scan(&hashed).Error; err != nil {
		t.Fatal(err)
	}
	if secret == "" || n != 0 || hashed != 1 {
		t.Errorf("secret %q stored in clear %d times; %d hashed sessions", secret, n, hashed)
	}
}

func exec(t *testing.T, db *store.DB, sql string, args ...any) {
	t.Helper()
	if err := db.Conn(context.Background()).Exec(sql, args...).Error; err != nil {
		t.Fatal(err)
	}
}

// TestFormOverLimit: a console form larger than its route allows is
// refused before the session check reads it for its CSRF secret.
func TestFormOverLimit(t *testing.T) {
	s := consoletest.New(t, storetest.Open(t, store.SQLite))
	b := s.SignIn("finance")
	b.Get("/console/projects")
	p := b.PostForm("/console/logout", url.Values{"pad": {strings.Repeat("x", 8<<10)}})
	if p.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("an 8 KiB sign-out form: %d, want 413", p.Status)
	}
	if p = b.Get("/console/projects"); p.Status != http.StatusOK {
		t.Errorf("the refused form ended the session: %d", p.Status)
	}
}
