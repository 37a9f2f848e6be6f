// Package consoletest serves the console for tests: the service on a test
// database, listening on 127.0.0.1, with two districts (HZ and LY) and a
// project in each, a token for every role, and a browser-like client that
// signs in, follows the console's forms and carries their CSRF secret.
package consoletest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/httpapi"
	"renofund/internal/money"
	"renofund/internal/store"
)

// Site is the service under test.
type Site struct {
	T      testing.TB
	DB     *store.DB
	App    *app.Services
	API    *httpapi.Server
	URL    string            // http://127.0.0.1:port
	Tokens map[string]string // by who: admin, finance, reviewer (a second finance clerk), auditor, hz, ly
}

// Who are the users of a site, with their roles and districts.
var Who = []struct {
	Name     string
	Role     access.Role
	District string
}{
	{"admin", access.Admin, ""}, {"finance", access.Finance, ""}, {"reviewer", access.Finance, ""},
	{"auditor", access.Auditor, ""}, {"hz", access.District, "HZ"}, {"ly", access.District, "LY"},
}

// New serves the console on db with districts HZ (海州区) and LY (连云区),
// projects HZ-001 and LY-001, and a token for every user of Who.
func New(t testing.TB, db *store.DB) *Site {
	t.Helper()
	s := Bare(t, db)
	ctx := access.With(context.Background(), access.System)
	for _, d := range []struct{ code, name string }{{"HZ", "海州区"}, {"LY", "连云区"}} {
		if _, err := s.App.Registry.CreateDistrict(ctx, funding.District{Code: d.code, Name: d.name}); err != nil {
			t.Fatal(err)
		}
		_, err := s.App.Registry.CreateProject(ctx, funding.Project{Code: d.code + "-001", Name: d.name + "新村", District: d.code,
			Households: 120, FloorAreaM2: money.MustRate("8000"), Buildings: 4, BuiltYear: 1995,
			Budget: funding.Budget{Basic: money.MustParse("1000000.00"), Improvement: money.MustParse("200000.00")}})
		if err != nil {
			t.Fatal(err)
		}
	}
	s.IssueAll()
	return s
}

// Bare serves the console on db as it is (a demo city, say); call IssueAll
// once the districts exist.
func Bare(t testing.TB, db *store.DB) *Site {
	t.Helper()
	svc := app.New(db, nil)
	api := svc.API(nil, 0)
	srv := httptest.NewServer(api.Handler()) // 127.0.0.1
	t.Cleanup(func() { srv.Close(); api.Close(); svc.Close() })
	return &Site{T: t, DB: db, App: svc, API: api, URL: srv.URL, Tokens: map[string]string{}}
}

// IssueAll issues a token for every user of Who.
func (s *Site) IssueAll() {
	s.T.Helper()
	for _, w := range Who {
		secret, _, err := s.App.Tokens.Issue(context.Background(), w.Role, w.District, w.Name, 0)
		if err != nil {
			s.T.Fatalf("issue %s: %v", w.Name, err)
		}
		s.Tokens[w.Name] = secret
	}
}

// Browser is a cookie-keeping client that does not follow redirects, so
// that tests see them.
type Browser struct {
	site   *Site
	client *http.Client
	CSRF   string // the CSRF secret of the last page that carried one
	Key    string // the form key of the last page that carried one
}

// Browser returns a client with no session.
func (s *Site) Browser() *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{site: s, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// SignIn returns a browser signed in as who (a name of Who).
func (s *Site) SignIn(who string) *Browser {
	s.T.Helper()
	b := s.Browser()
	r := b.PostForm("/console/login", url.Values{"token": {s.Tokens[who]}})
	if r.Status != http.StatusSeeOther {
		s.T.Fatalf("sign in as %s: %d %s", who, r.Status, r.Body)
	}
	return b
}

// Page is an answer as the browser saw it.
type Page struct {
	Status int
	Header http.Header
	Body   string
}

// Location is where a redirect points.
func (p Page) Location() string { return p.Header.Get("Location") }

var (
	csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	keyField  = regexp.MustCompile(`name="_key" value="([^"]+)"`)
)

// Get fetches path.
func (b *Browser) Get(path string) Page {
	b.site.T.Helper()
	req, err := http.NewRequest(http.MethodGet, b.site.URL+path, nil)
	if err != nil {
		b.site.T.Fatal(err)
	}
	return b.do(req)
}

// PostForm sends a form to path as the page's own form would: from this
// origin, with the CSRF secret of the last page unless the form sets one.
func (b *Browser) PostForm(path string, form url.Values) Page {
	b.site.T.Helper()
	if _, ok := form["_csrf"]; !ok && b.CSRF != "" {
		form.Set("_csrf", b.CSRF)
	}
	req, err := http.NewRequest(http.MethodPost, b.site.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.site.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.site.URL)
	return b.do(req)
}

// Do sends a request of the test's own making with the browser's cookies.
func (b *Browser) Do(req *http.Request) Page {
	b.site.T.Helper()
	return b.do(req)
}

func (b *Browser) do(req *http.Request) Page {
	resp, err := b.client.Do(req)
	if err != nil {
		b.site.T.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.site.T.Fatal(err)
	}
	p := Page{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}
	if m := csrfField.FindStringSubmatch(p.Body); m != nil {
		b.CSRF = m[1]
	}
	if m := keyField.FindStringSubmatch(p.Body); m != nil {
		b.Key = m[1]
	}
	return p
}

// Cookies are the browser's cookies for the site.
func (b *Browser) Cookies() []*http.Cookie {
	u, _ := url.Parse(b.site.URL)
	return b.client.Jar.Cookies(u)
}

// Call sends a JSON request to the site's API with who's token and decodes
// its answer, failing t unless the status is want.
func Call(t testing.TB, s *Site, who, method, path string, body any, want int) map[string]any {
	t.Helper()
	var buf bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			t.Fatal(err)
		}
	}
	req := httptest.NewRequest(method, path, &buf)
	req.Header.Set("Authorization", "Bearer "+s.Tokens[who])
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.API.Handler().ServeHTTP(rec, req)
	if rec.Code != want {
		t.Fatalf("%s %s as %s: %d, want %d: %s", method, path, who, rec.Code, want, rec.Body)
	}
	out := map[string]any{}
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return out
}
