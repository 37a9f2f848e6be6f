package browser_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestPublicPage: a resident with JavaScript off finds the published
// community on the public index and reads its disclosure page without
// signing in: its works, money and contractor are there, and nothing
// personal (households' names, numbers and amounts, bank accounts); a
// community not published is not found. On a phone the page fits the
// screen's width; printed, it carries the QR code leading back to it.
func TestPublicPage(t *testing.T) {
	t.Parallel()
	s := sqliteSite(t)
	s.api("finance", "POST", "/v1/projects/HZ-001/publish", nil, 200)

	resident := s.chrome.User(t, s.URL, "resident")
	resident.NoScript()
	if got := resident.Open("/public/"); got != http.StatusOK {
		t.Fatalf("the public index: %d", got)
	}
	if got := resident.Follow(`a[href="/public/projects/HZ-001"]`); got != http.StatusOK {
		t.Fatalf("the disclosure page: %d", got)
	}
	html := resident.HTML()
	if !strings.Contains(resident.Text("h1"), "公示") || !strings.Contains(html, "海州区新村") ||
		!strings.Contains(html, "连云港市政工程有限公司") || !strings.Contains(html, "900,000.00") {
		t.Errorf("the page lacks the community, its contractor or its contract:\n%.3000s", resident.Text("main"))
	}
	for _, p := range personal {
		if strings.Contains(html, p) {
			t.Errorf("the public page shows personal data %q", p)
		}
	}
	if len(html) > 200<<10 {
		t.Errorf("the page weighs %d bytes", len(html))
	}
	if got := resident.Cookies(); len(got) != 0 {
		t.Errorf("the public pages set cookies: %+v", got)
	}
	resident.Media("print")
	resident.Shot()
	var qr bool
	resident.Eval(`getComputedStyle(document.querySelector(".qr")).display !== "none" && document.querySelector(".qr svg, .qr img") !== null`, &qr)
	if !qr {
		t.Errorf("the printed notice has no QR code")
	}
	if got := resident.Open("/public/projects/LY-001"); got != http.StatusNotFound || strings.Contains(resident.HTML(), "连云区新村") {
		t.Errorf("an unpublished community: %d", got)
	}

	phone := s.chrome.User(t, s.URL, "phone")
	phone.Viewport(390, 844, true)
	if got := phone.Open("/public/projects/HZ-001"); got != http.StatusOK {
		t.Fatalf("the page on a phone: %d", got)
	}
	var width struct{ Page, Screen int }
	phone.Eval(`({Page: document.documentElement.scrollWidth, Screen: window.innerWidth})`, &width)
	if width.Page > width.Screen {
		t.Errorf("on a phone the page is %dpx wide on a %dpx screen", width.Page, width.Screen)
	}
}
