package browser

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExecutable: the browser named by RENOFUND_CHROMIUM is taken, and one
// that is not there is an error that does not count as missing (so it is
// never skipped); otherwise the PATH is searched, and a PATH without a
// browser is missing, with the words that say how to install one.
func TestExecutable(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "chromium")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}

	t.Setenv(EnvChromium, fake)
	if got, err := Executable(); got != fake || err != nil {
		t.Errorf("named: %q, %v", got, err)
	}
	t.Setenv(EnvChromium, filepath.Join(dir, "none"))
	if _, err := Executable(); err == nil || errors.Is(err, errMissing) {
		t.Errorf("named and not there: %v", err)
	}

	t.Setenv(EnvChromium, "")
	t.Setenv("PATH", dir)
	if got, err := Executable(); got != fake || err != nil {
		t.Errorf("on the PATH: %q, %v", got, err)
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := Executable(); !errors.Is(err, errMissing) {
		t.Errorf("none on the PATH: %v", err)
	}
	for _, words := range []string{"apt-get install chromium", EnvChromium + "="} {
		if !strings.Contains(errMissing.Error(), words) {
			t.Errorf("the message %q does not say %q", errMissing, words)
		}
	}
}

// TestRequired: a missing browser fails the tests in CI (the PostgreSQL
// test URL set) and when asked to, and nowhere else.
func TestRequired(t *testing.T) {
	for _, c := range []struct {
		url, require string
		want         bool
	}{{"", "", false}, {"postgres://x", "", true}, {"", "1", true}, {"", "0", false}} {
		t.Setenv("RENOFUND_TEST_DATABASE_URL", c.url)
		t.Setenv(EnvRequire, c.require)
		if got := required(); got != c.want {
			t.Errorf("url %q, %s=%q: required %v, want %v", c.url, EnvRequire, c.require, got, c.want)
		}
	}
}

// TestSlug: screenshot names keep letters (Chinese too) and digits and
// turn the rest into single dashes.
func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"/console/projects/HZ-001": "console-projects-HZ-001",
		"TestFourEyes/sqlite":      "TestFourEyes-sqlite",
		"/console/funds kind=专项债券": "console-funds-kind-专项债券",
		"/":                        "",
		"/a//b??c":                 "a-b-c",
	} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}
