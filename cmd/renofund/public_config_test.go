package main

import (
	"strings"
	"testing"

	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestPublicConfig: RENOFUND_PUBLIC_URL must be an http or https address
// without a path (a trailing slash is dropped); RENOFUND_BUREAU_NAME is
// passed as given; both reach the public site's configuration.
func TestPublicConfig(t *testing.T) {
	for _, v := range []string{"gaizao.example.gov.cn", "ftp://example.gov.cn", "https://", "https://example.gov.cn/gaizao",
		"https://example.gov.cn/?x=1", "https://user:pw@example.gov.cn", "https://example.gov.cn/#top"} {
		c := loadConfig(func(k string) string { return map[string]string{"RENOFUND_PUBLIC_URL": v}[k] })
		if !strings.Contains(c.Problem, "RENOFUND_PUBLIC_URL") {
			t.Errorf("public URL %q accepted: %+v", v, c)
		}
	}
	c := loadConfig(func(k string) string {
		return map[string]string{"RENOFUND_PUBLIC_URL": "https://gaizao.example.gov.cn:8443/", "RENOFUND_BUREAU_NAME": " 连云港市财政局 "}[k]
	})
	if c.Problem != "" || c.PublicURL != "https://gaizao.example.gov.cn:8443" || c.Bureau != "连云港市财政局" {
		t.Errorf("config %+v", c)
	}
	if c := loadConfig(func(string) string { return "" }); c.PublicURL != "" || c.Bureau != "" {
		t.Errorf("defaults %+v", c)
	}
	a := wire(storetest.Open(t, store.SQLite), c, nil)
	defer a.Close()
	if a.Public.BaseURL != c.PublicURL || a.Public.Bureau != c.Bureau {
		t.Errorf("wired %+v", a.Public)
	}
}
