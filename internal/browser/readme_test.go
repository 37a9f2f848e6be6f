package browser_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/browser"
	"renofund/internal/demo"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// EnvREADMEShots=1 makes TestREADMEScreenshots write the README's pictures.
const EnvREADMEShots = "RENOFUND_README_SHOTS"

// TestREADMEScreenshots writes docs/dashboard.png and docs/public.png, the
// README's pictures, from the demo city: the bureau's dashboard as a
// finance clerk sees it after signing in, and the first published
// community's disclosure page. It runs on demand only (it loads the whole
// demo city):
//
//	RENOFUND_README_SHOTS=1 go test -count=1 -run TestREADMEScreenshots ./internal/browser/
func TestREADMEScreenshots(t *testing.T) {
	if os.Getenv(EnvREADMEShots) != "1" {
		t.Skip("writes the README's screenshots on demand: set " + EnvREADMEShots + "=1")
	}
	chrome := browser.Start(t)
	svc := app.New(storetest.Open(t, store.SQLite), nil)
	// The notice's address and QR code name where `renofund serve` listens
	// by default, not this test's passing port.
	svc.Public.BaseURL = "http://127.0.0.1:8080"
	api := svc.API(nil, 0)
	srv := httptest.NewServer(api.Handler()) // 127.0.0.1
	t.Cleanup(func() { srv.Close(); api.Close(); svc.Close() })
	if _, err := demo.Load(context.Background(), svc); err != nil {
		t.Fatalf("load the demo city: %v", err)
	}
	token, _, err := svc.Tokens.Issue(context.Background(), access.Finance, "", "财政局经办", 0)
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("../../docs")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}

	clerk := signIn(t, chrome, srv.URL, "财政局经办", token)
	if clerk.Path() != "/console/dashboard" {
		t.Fatalf("signed in onto %s", clerk.Path())
	}
	clerk.ShotTo(filepath.Join(root, "dashboard.png"))

	resident := chrome.User(t, srv.URL, "resident")
	if got := resident.Open("/public/"); got != http.StatusOK {
		t.Fatalf("the public index: %d", got)
	}
	if got := resident.Follow(`a[href^="/public/projects/"]`); got != http.StatusOK {
		t.Fatalf("a disclosure page: %d", got)
	}
	resident.ShotTo(filepath.Join(root, "public.png"))
	t.Logf("wrote %s and %s", filepath.Join(root, "dashboard.png"), filepath.Join(root, "public.png"))
}
