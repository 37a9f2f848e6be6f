package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// User is one person at the browser: a browser context of their own, like
// an incognito window (cookies, storage and downloads are nobody else's),
// with one tab. Every method fails the test when its step fails or takes
// longer than Step, and every method that lands on a page writes a
// full-page screenshot of it.
type User struct {
	t    testing.TB
	who  string
	base string // the site: http://127.0.0.1:port
	ctx  context.Context

	mu      sync.Mutex
	dialogs []string // the messages of the dialogs the pages opened
	faults  []string // scripts' uncaught errors and refusals by the content security policy
}

// User opens a window for who on the site at base.
func (c *Chromium) User(t testing.TB, base, who string) *User {
	t.Helper()
	ctx, cancel := chromedp.NewContext(c.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The first action attaches the tab for the context's lifetime, so it
	// runs on the undeadlined context and the wait is bounded here.
	// The viewport is the window's 1400×900 whatever the browser's frame
	// takes, so that every screenshot has the same width.
	if err := within(Step, cancel, func() error { return chromedp.Do(ctx, chromedp.EmulateViewport(1400, 900)) }); err != nil {
		t.Fatalf("%s: open a window: %v\n%s", who, err, c.output())
	}
	u := &User{t: t, who: who, base: strings.TrimSuffix(base, "/"), ctx: ctx}
	u.answerDialogs()
	u.watchConsole()
	return u
}

// watchConsole keeps what the console reports going wrong on the pages:
// an uncaught exception, or something the content security policy refused
// (an inline script or style the console must not have).
func (u *User) watchConsole() {
	messages := chromedp.Console(u.ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || strings.Contains(m.Text, "Content Security Policy") {
				u.mu.Lock()
				u.faults = append(u.faults, fmt.Sprintf("%s:%d %s", m.URL, m.Line+1, m.Text))
				u.mu.Unlock()
			}
		}
	}()
}

// Faults are the scripts' uncaught errors and the content security
// policy's refusals seen so far on the user's pages.
func (u *User) Faults() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.faults...)
}

// answerDialogs answers every confirmation (data-confirm) yes, as a clerk
// would, and remembers it so that a test can see it was asked.
func (u *User) answerDialogs() {
	opening := chromedp.Events(u.ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range opening {
			if err != nil {
				return
			}
			u.mu.Lock()
			u.dialogs = append(u.dialogs, ev.Message)
			u.mu.Unlock()
			ctx, cancel := context.WithTimeout(u.ctx, Step)
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			cancel()
		}
	}()
}

// Tab opens another tab in the user's window: it shares the user's cookies.
func (u *User) Tab() *User {
	u.t.Helper()
	ctx, cancel := chromedp.NewContext(u.ctx)
	u.t.Cleanup(cancel)
	if err := within(Step, cancel, func() error { return chromedp.Do(ctx) }); err != nil {
		u.t.Fatalf("%s: open a tab: %v", u.who, err)
	}
	tab := &User{t: u.t, who: u.who + "-tab", base: u.base, ctx: ctx}
	tab.answerDialogs()
	tab.watchConsole()
	return tab
}

// Who is the user's name, as in the screenshots' names.
func (u *User) Who() string { return u.who }

// step runs fn with a deadline of Step and fails the test on an error.
func (u *User) step(what string, fn func(ctx context.Context) error) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, Step)
	defer cancel()
	if err := fn(ctx); err != nil {
		u.t.Fatalf("%s: %s: %v", u.who, what, err)
	}
}

// slowPage is how long a page may take to load before the test log says
// so: a hint for performance work (the server under the race detector is
// several times slower), not a failure.
const slowPage = 5 * time.Second

// navigate runs actions that load a page, waits for it, takes its
// screenshot and returns the HTTP status of its document (0 when the
// browser did not fetch one).
func (u *User) navigate(what string, actions ...chromedp.Action[chromedp.Void]) int {
	u.t.Helper()
	var resp *network.Response
	start := time.Now()
	u.step(what, func(ctx context.Context) error {
		var err error
		resp, err = chromedp.RunResponse(ctx, actions...)
		return err
	})
	if took := time.Since(start); took > slowPage {
		u.t.Logf("%s: %s took %s", u.who, what, took.Round(time.Millisecond))
	}
	u.Shot()
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// Open loads path (with its query) and returns the answer's status.
func (u *User) Open(path string) int {
	u.t.Helper()
	return u.navigate("open "+path, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		res, err := cdp.Call(ctx, t, page.Navigate, page.NavigateParams{URL: u.base + path})
		if err == nil && res.ErrorText != "" {
			err = fmt.Errorf("%s", res.ErrorText)
		}
		return err
	}))
}

// Follow clicks the element sel (a link, a form's button) that leads to
// another page, and returns that page's status.
func (u *User) Follow(sel string) int {
	u.t.Helper()
	u.need(sel)
	return u.navigate("follow "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// Back goes back one page in the history, as the browser's back button.
func (u *User) Back() int {
	u.t.Helper()
	return u.navigate("go back", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		h, err := cdp.Call(ctx, t, page.GetNavigationHistory, cdp.Empty{})
		if err != nil {
			return err
		}
		if h.CurrentIndex < 1 {
			return fmt.Errorf("no page to go back to")
		}
		_, err = cdp.Call(ctx, t, page.NavigateToHistoryEntry, page.NavigateToHistoryEntryParams{EntryID: h.Entries[h.CurrentIndex-1].ID})
		return err
	}))
}

// Reload loads the current page again.
func (u *User) Reload() int {
	u.t.Helper()
	return u.navigate("reload", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.Reload, page.ReloadParams{})
		return err
	}))
}

// Type types text into the field sel, key by key.
func (u *User) Type(sel, text string) {
	u.t.Helper()
	u.need(sel)
	u.step("type into "+sel, func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(sel), text, chromedp.NodeVisible))
	})
}

// Set sets the value of the field or select sel.
func (u *User) Set(sel, value string) {
	u.t.Helper()
	u.need(sel)
	u.step("set "+sel, func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(sel), value))
	})
}

// Upload puts the file at path into the file input sel
// (DOM.setFileInputFiles).
func (u *User) Upload(sel, path string) {
	u.t.Helper()
	u.need(sel)
	abs, err := filepath.Abs(path)
	if err != nil {
		u.t.Fatal(err)
	}
	u.step("upload into "+sel, func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(sel), []string{abs}))
	})
}

// Download clicks the link sel and returns the file the browser saved: its
// name (from the answer's Content-Disposition) and its bytes.
func (u *User) Download(sel string) (name string, data []byte) {
	u.t.Helper()
	u.need(sel)
	dir := u.t.TempDir()
	u.step("download "+sel, func(ctx context.Context) error {
		c := chromedp.FromContext(u.ctx)
		if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, BrowserContextID: c.BrowserContextID, DownloadPath: dir,
		}); err != nil {
			return err
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)); err != nil {
			return err
		}
		// The browser writes name.crdownload and renames it when done.
		for {
			entries, err := os.ReadDir(dir)
			if err != nil {
				return err
			}
			for _, e := range entries {
				if !strings.HasSuffix(e.Name(), ".crdownload") {
					name = e.Name()
					data, err = os.ReadFile(filepath.Join(dir, name))
					return err
				}
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("no file downloaded: %w", ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
	return name, data
}

// NoScript turns JavaScript off in the user's tab from the next page on.
func (u *User) NoScript() {
	u.t.Helper()
	u.step("turn JavaScript off", func(ctx context.Context) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})
}

// Viewport sets the tab's viewport, as a phone's (mobile: touch, the
// page's viewport meta tag honoured) or a desktop's.
func (u *User) Viewport(width, height int64, mobile bool) {
	u.t.Helper()
	var opts []chromedp.EmulateViewportOption
	if mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	u.step("set the viewport", func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.EmulateViewport(width, height, opts...))
	})
}

// Media makes the page render for media ("print", "screen"; "" for the
// tab's own), as for a print preview.
func (u *User) Media(media string) {
	u.t.Helper()
	u.step("emulate "+media+" media", func(ctx context.Context) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media})
		return err
	})
}

// Cookies are the browser's cookies for the site, as the browser keeps
// them (HttpOnly ones included).
func (u *User) Cookies() []*network.Cookie {
	u.t.Helper()
	var out []*network.Cookie
	u.step("read cookies", func(ctx context.Context) error {
		res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{u.base + "/"}})
		out = res.Cookies
		return err
	})
	return out
}

// Eval evaluates a JavaScript expression in the page and decodes its JSON
// value into out.
func (u *User) Eval(expr string, out any) {
	u.t.Helper()
	var raw []byte
	u.step("evaluate "+expr, func(ctx context.Context) error {
		var err error
		raw, err = chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr))
		return err
	})
	if err := json.Unmarshal(raw, out); err != nil {
		u.t.Fatalf("%s: evaluate %s: %v (%s)", u.who, expr, err, raw)
	}
}

// Has reports whether the page has an element matching sel.
func (u *User) Has(sel string) bool {
	u.t.Helper()
	var ok bool
	u.Eval(fmt.Sprintf("document.querySelector(%s) !== null", quote(sel)), &ok)
	return ok
}

// Texts are the visible texts of the elements matching sel.
func (u *User) Texts(sel string) []string {
	u.t.Helper()
	var out []string
	u.Eval(fmt.Sprintf("Array.from(document.querySelectorAll(%s), e => e.innerText.trim())", quote(sel)), &out)
	return out
}

// Text is the visible text of the first element matching sel, or "".
func (u *User) Text(sel string) string {
	u.t.Helper()
	if t := u.Texts(sel); len(t) > 0 {
		return t[0]
	}
	return ""
}

// Attrs are the values of attribute name of the elements matching sel.
func (u *User) Attrs(sel, name string) []string {
	u.t.Helper()
	var out []string
	u.Eval(fmt.Sprintf("Array.from(document.querySelectorAll(%s), e => e.getAttribute(%s) || '')", quote(sel), quote(name)), &out)
	return out
}

// HTML is the document's markup as the browser holds it, read through the
// DOM domain, so that it works with JavaScript off.
func (u *User) HTML() string {
	u.t.Helper()
	var html string
	u.step("read the document", func(ctx context.Context) error {
		doc, err := chromedp.Call(ctx, dom.GetDocument, dom.GetDocumentParams{})
		if err != nil {
			return err
		}
		res, err := chromedp.Call(ctx, dom.GetOuterHTML, dom.GetOuterHTMLParams{NodeID: doc.Root.NodeID})
		html = res.OuterHTML
		return err
	})
	return html
}

// Path is the current page's path and query, from the tab's history (so
// that it works with JavaScript off).
func (u *User) Path() string {
	u.t.Helper()
	var loc string
	u.step("read the location", func(ctx context.Context) error {
		h, err := chromedp.Call(ctx, page.GetNavigationHistory, cdp.Empty{})
		if err == nil {
			loc = h.Entries[h.CurrentIndex].URL
		}
		return err
	})
	p, err := url.Parse(loc)
	if err != nil {
		u.t.Fatal(err)
	}
	return p.RequestURI()
}

// Dialogs are the messages of the dialogs (confirmations) pages opened.
func (u *User) Dialogs() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.dialogs...)
}

// Shot writes a full-page screenshot of the current page to the
// screenshots' folder.
func (u *User) Shot() {
	u.t.Helper()
	u.ShotTo(shotPath(u.t, u.who, u.Path()))
}

// ShotTo writes a full-page PNG screenshot of the current page to path.
func (u *User) ShotTo(path string) {
	u.t.Helper()
	var png []byte
	u.step("take a screenshot", func(ctx context.Context) error {
		var err error
		png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
		return err
	})
	if err := os.WriteFile(path, png, 0o644); err != nil {
		u.t.Fatal(err)
	}
}

// need fails the test at once, with what the page says, when the page has
// no element matching sel (a query would wait for it until Step ends).
func (u *User) need(sel string) {
	u.t.Helper()
	if !u.Has(sel) {
		u.t.Fatalf("%s: no %s on %s; the page says:\n%.800s", u.who, sel, u.Path(), u.Text("body"))
	}
}

// quote is s as a JavaScript string literal.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
