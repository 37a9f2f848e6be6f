package main

import (
	"bytes"
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"renofund/internal/console/consoletest"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestDemoTokens: the tokens the demo command prints sign in to the
// console, each as its user, and the district clerk lands on its dashboard.
func TestDemoTokens(t *testing.T) {
	s := consoletest.New(t, storetest.Open(t, store.SQLite))
	var out bytes.Buffer
	if err := demoTokens(context.Background(), s.App.Tokens, "127.0.0.1:8080", &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "http://127.0.0.1:8080/console/") {
		t.Errorf("no address to sign in at:\n%s", out.String())
	}
	secrets := regexp.MustCompile(`rf_[A-Za-z0-9_-]{43}`).FindAllString(out.String(), -1)
	if len(secrets) != len(demoUsers) {
		t.Fatalf("%d tokens printed:\n%s", len(secrets), out.String())
	}
	for i, secret := range secrets {
		p := s.Browser().PostForm("/console/login", url.Values{"token": {secret}})
		if p.Status != 303 || p.Location() != "/console/dashboard" {
			t.Errorf("%s: sign in %d %q", demoUsers[i].name, p.Status, p.Location())
		}
	}
}
