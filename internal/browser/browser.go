// Package browser drives a real Chromium, headless, from Go tests with
// chromedp: one browser process per test binary, a browser context of its
// own (cookies, storage, downloads) for each user, every step bounded in
// time, and a full-page screenshot of every page visited, written to a
// folder a reviewer can open. The console's browser tests live here too.
//
// Chromium is found at $RENOFUND_CHROMIUM or on the PATH. Where it is
// missing, the tests fail in CI (RENOFUND_TEST_DATABASE_URL set) or when
// RENOFUND_BROWSER_TESTS=1, saying how to install it; elsewhere (a laptop
// without a browser) they are skipped with the same message.
package browser

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/chromedp"

	"renofund/internal/store/storetest"
)

// Environment variables that steer the browser tests.
const (
	// EnvChromium names the browser's executable when it is not on the PATH.
	EnvChromium = "RENOFUND_CHROMIUM"
	// EnvRequire=1 makes a missing browser a failure outside CI too.
	EnvRequire = "RENOFUND_BROWSER_TESTS"
)

// Step bounds every browser action: a navigation, a click, a download.
const Step = 30 * time.Second

// startLimit bounds the start of the browser process.
const startLimit = 60 * time.Second

// names are the executables tried on the PATH, in order.
var names = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// errMissing says how to get a browser.
var errMissing = errors.New("the browser tests need headless Chromium, which was not found. " +
	"On Debian or Ubuntu: apt-get install chromium. Elsewhere: install Chromium or Google Chrome and set " +
	EnvChromium + "=/path/to/the/executable")

// Executable is the browser to run: $RENOFUND_CHROMIUM, or the first of
// chromium, chromium-browser, google-chrome on the PATH. A browser named
// by RENOFUND_CHROMIUM and not there is an error, never a reason to skip.
func Executable() (string, error) {
	if p := os.Getenv(EnvChromium); p != "" {
		found, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("%s=%s names no browser: %v", EnvChromium, p, err)
		}
		return found, nil
	}
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", errMissing
}

// required reports whether a missing browser fails the tests: in CI, which
// always sets the PostgreSQL test URL, or when asked to.
func required() bool {
	return os.Getenv(storetest.EnvURL) != "" || os.Getenv(EnvRequire) == "1"
}

// Chromium is the browser process a test binary shares.
type Chromium struct {
	ctx  context.Context // the browser's first tab; users' contexts derive from it
	stop func()
	dir  string        // the profile directory, removed on Stop
	out  *bytes.Buffer // the browser's own output, for failure messages
	mu   sync.Mutex    // guards out, which the browser writes to
}

// Write keeps the browser's output (it is the process's stdout and stderr).
func (c *Chromium) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.out.Len() < 64<<10 {
		c.out.Write(p)
	}
	return len(p), nil
}

// output is the tail of what the browser printed.
func (c *Chromium) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.out.String()
	if len(s) > 2000 {
		s = "…" + s[len(s)-2000:]
	}
	return s
}

// shared is the test binary's browser, started on first use.
var shared struct {
	sync.Mutex
	c   *Chromium
	err error
}

// Start returns the test binary's browser, starting it on the first call.
// A missing browser fails t or skips it (see the package doc); a browser
// that is there and does not start always fails t.
func Start(t testing.TB) *Chromium {
	t.Helper()
	shared.Lock()
	defer shared.Unlock()
	if shared.c == nil && shared.err == nil {
		shared.c, shared.err = launch()
	}
	if errors.Is(shared.err, errMissing) && !required() {
		t.Skip(shared.err)
	}
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.c
}

// launch starts the browser: headless, no network of its own, a fresh
// profile, a 1400×900 window.
func launch() (*Chromium, error) {
	path, err := Executable()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "renofund-chromium-")
	if err != nil {
		return nil, err
	}
	c := &Chromium{dir: dir, out: &bytes.Buffer{}}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		// Back and forward load pages again rather than restore them from
		// memory: a test sees what the server answers (the console's pages
		// are no-store, which keeps them out of that cache in any case).
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,BackForwardCache"),
		chromedp.UserDataDir(dir), chromedp.WindowSize(1400, 900), chromedp.CombinedOutput(c))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	c.ctx = ctx
	c.stop = func() {
		// A graceful close, bounded; then the process is killed.
		tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_ = chromedp.Cancel(tctx)
		cancel()
		cancelTab()
		cancelAlloc()
		os.RemoveAll(dir)
	}
	// The first action starts the process; its context must outlive it, so
	// the wait is bounded here rather than by a deadline on that context.
	if err := within(startLimit, cancelTab, func() error { return chromedp.Do(ctx) }); err != nil {
		c.stop()
		return nil, fmt.Errorf("start %s: %w\n%s", path, err, c.output())
	}
	return c, nil
}

// Main runs a test binary's tests and then stops the shared browser: call it
// from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	shared.Lock()
	if shared.c != nil {
		shared.c.stop()
	}
	shared.Unlock()
	os.Exit(code)
}

// within runs fn, giving up after limit: then it calls cancel, which ends
// fn's browser context, and waits for fn to return.
func within(limit time.Duration, cancel func(), fn func() error) error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		cancel()
		<-done
		return fmt.Errorf("no answer within %s", limit)
	}
}

// slug makes a file name part of s: letters (Chinese ones too), digits,
// dashes.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.Trim(s, "/") {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.Trim(b.String(), "-")
}
