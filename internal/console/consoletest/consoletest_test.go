package consoletest_test

import (
	"net/http"
	"testing"

	"renofund/internal/console/consoletest"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestSignIn: the site serves the console and every user can sign in.
func TestSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := consoletest.New(t, db)
		for _, w := range consoletest.Who {
			b := s.SignIn(w.Name)
			if p := b.Get("/console/projects"); w.Name != "admin" && p.Status != http.StatusOK {
				t.Errorf("%s: projects %d", w.Name, p.Status)
			}
			if b.CSRF == "" {
				t.Errorf("%s: no CSRF secret on the page", w.Name)
			}
		}
	})
}
