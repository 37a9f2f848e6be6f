package console_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"renofund/internal/access"
	"renofund/internal/console/consoletest"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
	"renofund/internal/web"
)

// The console's access matrix, made from its route table: every page route
// × every user (admin, finance, auditor, district HZ, district LY) × an
// object of HZ and one of LY where the path names one.
//
//	a role the route does not admit:  403, the refusal page.
//	a role it admits, on a GET:       200 (or a redirect inside the console);
//	                                  a district user on the other district's
//	                                  object: 403 or 404, and nothing of it shown.
//	a role it admits, on a POST:      past the role check (not 401 or 403 forbidden).
//	no session:                       a GET is sent to the sign-in page, a POST
//	                                  answers 401.
//
// A page route with a path parameter needs a sample in samples; a sample
// naming no route fails the test, so the table follows the console. A
// sample answering "" for LY names an object of the city's, not of a
// district (a month's bulletin): it is tried once, as HZ's.

// sample gives the concrete path of a route for an object of district d.
type sample func(w *world, d string) string

// samples are the objects the parameterised pages are tried on.
var samples = map[string]sample{}

// world is the console site with an object of each kind in each district.
type world struct {
	*consoletest.Site
}

func newWorld(t *testing.T, db *store.DB) *world {
	return &world{consoletest.New(t, db)}
}

// pageRoutes are the console's routes that need a session.
func pageRoutes(s *consoletest.Site) []web.Route {
	var out []web.Route
	for _, r := range s.API.Routes() {
		if r.Page && r.Roles != nil {
			out = append(out, r)
		}
	}
	return out
}

// TestSamplesCoverRoutes: every parameterised page has a sample and every
// sample a page.
func TestSamplesCoverRoutes(t *testing.T) {
	s := consoletest.New(t, storetest.Open(t, store.SQLite))
	seen := map[string]bool{}
	for _, r := range pageRoutes(s) {
		key := r.Method + " " + r.Path
		seen[key] = true
		if strings.Contains(r.Path, ":") || strings.Contains(r.Path, "*") {
			if samples[key] == nil {
				t.Errorf("%s has no sample: add one to samples in console_test.go", key)
			}
		}
	}
	for key := range samples {
		if !seen[key] {
			t.Errorf("sample %s names no console route: remove it", key)
		}
	}
	if len(seen) < 4 {
		t.Errorf("only %d console routes", len(seen))
	}
}

// TestAccessMatrix runs every cell on both engines.
func TestAccessMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		browsers := map[string]*consoletest.Browser{}
		for _, u := range consoletest.Who {
			browsers[u.Name] = w.SignIn(u.Name)
		}
		cells := 0
		for _, r := range pageRoutes(w.Site) {
			key := r.Method + " " + r.Path
			if r.Path == "/console/logout" {
				continue // it would end the session the other cells use; kit's tests cover it
			}
			for _, side := range []string{"HZ", "LY"} {
				path := r.Path
				owner := side // whose object the path names
				if s := samples[key]; s != nil {
					if path = s(w, side); path == "" {
						continue // the city's object: one cell per user
					}
					if s(w, "LY") == "" {
						owner = "" // the city's object: every reader's
					}
				} else if side == "LY" {
					continue // no object: one cell per user
				}
				for _, u := range consoletest.Who {
					if u.Name == "reviewer" {
						continue // a finance user like finance
					}
					cells++
					b := browsers[u.Name]
					var p consoletest.Page
					if r.Method == http.MethodGet {
						p = b.Get(path)
					} else {
						b.Get("/console/projects") // a page with the CSRF secret (or the 403 page, which has it too)
						if b.CSRF == "" {
							t.Fatalf("%s: no CSRF secret on the page", u.Name)
						}
						p = b.PostForm(path, url.Values{})
					}
					judge(t, key, path, u.Name, u.Role, u.District, owner, r, p)
				}
			}
			// Without a session.
			var p consoletest.Page
			anon := w.Browser()
			path := r.Path
			if s := samples[key]; s != nil {
				path = s(w, "HZ")
			}
			if r.Method == http.MethodGet {
				if p = anon.Get(path); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location(), web.LoginPath) {
					t.Errorf("%s without a session: %d %q", key, p.Status, p.Location())
				}
			} else if p = anon.PostForm(path, url.Values{}); p.Status != http.StatusUnauthorized {
				t.Errorf("%s without a session: %d", key, p.Status)
			}
		}
		t.Logf("%d cells", cells)
	})
}

// judge checks one cell; side is the district whose object the path
// names, "" for the city's.
func judge(t *testing.T, key, path, who string, role access.Role, district, side string, r web.Route, p consoletest.Page) {
	t.Helper()
	admitted := slices.Contains(r.Roles, role)
	switch {
	case !admitted:
		if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "无权") {
			t.Errorf("%s as %s: %d, want the 403 page", path, who, p.Status)
		}
	case r.Method != http.MethodGet:
		if p.Status == http.StatusUnauthorized || (p.Status == http.StatusForbidden && strings.Contains(p.Body, "<code>forbidden</code>")) || p.Status >= 500 {
			t.Errorf("%s %s as %s: %d, want past the role check", r.Method, path, who, p.Status)
		}
	case district != "" && side != "" && district != side && strings.Contains(key, ":"):
		if p.Status != http.StatusForbidden && p.Status != http.StatusNotFound {
			t.Errorf("%s as %s (other district): %d, want 403 or 404", path, who, p.Status)
		}
		if strings.Contains(p.Body, side+"-001") {
			t.Errorf("%s as %s shows the other district's project", path, who)
		}
	default:
		ok := p.Status == http.StatusOK || (p.Status == http.StatusSeeOther && strings.HasPrefix(p.Location(), "/console/"))
		if !ok {
			t.Errorf("%s as %s: %d %q, want the page", path, who, p.Status, p.Location())
		}
		if district != "" {
			other := map[string]string{"HZ": "LY", "LY": "HZ"}[district]
			if strings.Contains(p.Body, other+"-001") {
				t.Errorf("%s as %s shows district %s's project", path, who, other)
			}
		}
	}
}
