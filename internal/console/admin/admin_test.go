package admin_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"renofund/internal/console/consoletest"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// secretField is where the answer page shows a new token's secret.
var secretField = regexp.MustCompile(`id="secret" class="secret" readonly value="(rf_[A-Za-z0-9_-]+)"`)

// tokenID finds a token's id by its name on the tokens page: the revoke
// form of its row.
var revokeForm = regexp.MustCompile(`action="/console/tokens/([^/"]+)/revoke" data-confirm="确认吊销“([^”]+)”`)

func check(t *testing.T, what string, p consoletest.Page, status int, texts ...string) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: %d, want %d\n%.3000s", what, p.Status, status, p.Body)
	}
	for _, s := range texts {
		if !strings.Contains(p.Body, s) {
			t.Errorf("%s: the page lacks %q", what, s)
		}
	}
}

// TestTokens: the administrator lands on the tokens page, issues a district
// token on its form and sees the secret once (stored nowhere), the new
// clerk signs in with it and sees its own district only, and when the
// administrator revokes it the clerk's session stops at once. Other roles
// are refused the page, a form without its CSRF secret issues nothing, and
// a refused form keeps what was typed.
func TestTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := consoletest.New(t, db)
		adm := s.Browser()
		p := adm.PostForm("/console/login", url.Values{"token": {s.Tokens["admin"]}})
		if p.Status != http.StatusSeeOther || p.Location() != "/console/tokens" {
			t.Fatalf("the administrator's sign-in: %d → %q", p.Status, p.Location())
		}
		p = adm.Get("/console/tokens")
		check(t, "the tokens", p, http.StatusOK, "访问令牌", "发放令牌", "reviewer", "财政局", "吊销", "export=xlsx", "export=csv")
		for who, secret := range s.Tokens {
			if strings.Contains(p.Body, secret) {
				t.Errorf("the tokens page shows %s's secret", who)
			}
		}
		count := func() int {
			var n int
			if err := db.G.Raw("SELECT COUNT(*) FROM tokens").Scan(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()

		for _, who := range []string{"finance", "auditor", "hz"} {
			b := s.SignIn(who)
			check(t, who+"'s tokens", b.Get("/console/tokens"), http.StatusForbidden, "<code>forbidden</code>", "无权")
		}
		p = adm.PostForm("/console/tokens", url.Values{"_csrf": {""}, "role": {"finance"}, "name": {"intruder"}})
		check(t, "no CSRF secret", p, http.StatusForbidden, "<code>csrf_failed</code>")
		p = adm.PostForm("/console/tokens", url.Values{"role": {"district"}, "district": {""}, "name": {"no-district"}})
		check(t, "a district token without a district", p, http.StatusBadRequest, "<code>invalid_request</code>", `value="no-district"`)
		if n := count(); n != before {
			t.Fatalf("refused forms issued tokens: %d → %d", before, n)
		}

		p = adm.PostForm("/console/tokens", url.Values{"role": {"district"}, "district": {"HZ"}, "name": {"hz-clerk"}, "ttl": {"720h"}})
		check(t, "the issued token", p, http.StatusCreated, "令牌已发放", "只显示这一次", "hz-clerk", "区县", "HZ")
		m := secretField.FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatalf("no secret on the answer:\n%s", p.Body)
		}
		secret := m[1]
		if p.Header.Get("Cache-Control") != "no-store" || p.Header.Get("Location") != "" {
			t.Errorf("the answer is cacheable or a redirect: %v", p.Header)
		}
		var stored int
		if err := db.G.Raw("SELECT COUNT(*) FROM idempotency_keys WHERE body LIKE ?", "%"+secret+"%").Scan(&stored).Error; err != nil {
			t.Fatal(err)
		}
		if stored != 0 {
			t.Errorf("the secret is stored with an idempotency key")
		}

		clerk := s.Browser()
		p = clerk.PostForm("/console/login", url.Values{"token": {secret}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("sign in with the issued token: %d %s", p.Status, p.Body)
		}
		p = clerk.Get("/console/projects")
		check(t, "the clerk's projects", p, http.StatusOK, "HZ-001", "hz-clerk")
		if strings.Contains(p.Body, "LY-001") {
			t.Errorf("the HZ clerk sees LY's project")
		}

		p = adm.Get("/console/tokens")
		id := ""
		for _, m := range revokeForm.FindAllStringSubmatch(p.Body, -1) {
			if m[2] == "hz-clerk" {
				id = m[1]
			}
		}
		if id == "" {
			t.Fatalf("no revoke form for hz-clerk:\n%s", p.Body)
		}
		p = adm.PostForm("/console/tokens/"+id+"/revoke", url.Values{})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("revoke: %d %s", p.Status, p.Body)
		}
		check(t, "after revoking", adm.Get(p.Location()), http.StatusOK, "令牌“hz-clerk”（区县）已吊销", "已吊销（")
		p = clerk.Get("/console/projects")
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location(), "/console/login") {
			t.Errorf("the revoked clerk's session still opens pages: %d → %q", p.Status, p.Location())
		}
		if p = s.Browser().PostForm("/console/login", url.Values{"token": {secret}}); p.Status != http.StatusUnauthorized {
			t.Errorf("sign in with a revoked token: %d", p.Status)
		}

		p = adm.Get("/console/tokens?export=csv")
		check(t, "the export", p, http.StatusOK, "使用人", "hz-clerk", "reviewer")
		if strings.Contains(p.Body, secret) {
			t.Errorf("the export holds a secret")
		}
	})
}
