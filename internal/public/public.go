// Package public is the service's public face: the disclosure page (公示)
// of each community the finance bureau has published, for its residents to
// read without signing in, and the two API routes by which the bureau
// publishes a page and withdraws it. The pages are rendered on the server
// from embedded templates, with inline styles and no script at all: light
// enough for a phone, and printable as an A4 notice with a QR code that
// leads back to the page. What a page shows comes from one function,
// disclosure.Service.Facts, which decides what may be published.
package public

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"renofund/funding/disclosure"
	"renofund/internal/access"
	"renofund/internal/web"
)

// Config is the public site's configuration.
type Config struct {
	// BaseURL is where residents reach the service (RENOFUND_PUBLIC_URL,
	// e.g. https://gaizao.example.gov.cn): the pages' addresses and their QR
	// codes are built on it. Empty: the request's own scheme and host.
	BaseURL string
	// Bureau is the name the notices are issued in (RENOFUND_BUREAU_NAME).
	Bureau string
}

// DefaultBureau issues the notices when no bureau's name is configured.
const DefaultBureau = "市财政局"

// face serves the public pages and the publishing routes.
type face struct {
	ws    *web.Server
	svc   *disclosure.Service
	cfg   Config
	pages *pages
}

// Face returns the public face's routes for httpapi.Deps.Faces.
func Face(svc *disclosure.Service, cfg Config) func(ws *web.Server, api []web.Route) []web.Route {
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Bureau == "" {
		cfg.Bureau = DefaultBureau
	}
	return func(ws *web.Server, _ []web.Route) []web.Route {
		f := &face{ws: ws, svc: svc, cfg: cfg, pages: newPages()}
		finance := []access.Role{access.Finance}
		return []web.Route{
			{Method: http.MethodPost, Path: "/v1/projects/:code/publish", Roles: finance,
				Summary: "Publish a community's disclosure page (公示) at /public/projects/{code}; again: nothing recorded",
				Resp:    disclosure.Publication{}, Handle: f.publish},
			{Method: http.MethodPost, Path: "/v1/projects/:code/unpublish", Roles: finance,
				Summary: "Withdraw a community's disclosure page, with a reason (every step is kept)",
				Body:    disclosure.WithdrawIn{}, Resp: disclosure.Publication{}, Handle: f.unpublish},
			{Method: http.MethodGet, Path: "/public/", Page: true, Summary: "The published communities", Handle: f.index},
			{Method: http.MethodGet, Path: "/public/projects/:code", Page: true,
				Summary: "A community's disclosure page (no sign-in; 404 unless published)", Handle: f.project},
		}
	}
}

// publish makes a page public.
func (f *face) publish(c *gin.Context) {
	code := c.Param("code")
	f.ws.Write(c, http.StatusOK, func(ctx context.Context) (any, int, error) {
		p, err := f.svc.Publish(ctx, code)
		return p, 0, err
	})
}

// unpublish withdraws a page, with a reason.
func (f *face) unpublish(c *gin.Context) {
	var in disclosure.WithdrawIn
	if err := web.Decode(c, &in); err != nil {
		f.ws.Fail(c, err)
		return
	}
	code := c.Param("code")
	f.ws.Write(c, http.StatusOK, func(ctx context.Context) (any, int, error) {
		p, err := f.svc.Unpublish(ctx, code, in)
		return p, 0, err
	})
}

// project renders a community's disclosure page.
func (f *face) project(c *gin.Context) {
	d, err := f.svc.Facts(c.Request.Context(), c.Param("code"))
	if err != nil {
		f.fail(c, err)
		return
	}
	addr := f.address(c, "/public/projects/"+d.Community.Code)
	qr, err := QRCode(addr)
	if err != nil {
		f.fail(c, err)
		return
	}
	f.pages.render(c, http.StatusOK, "project", projectView{Bureau: f.cfg.Bureau, D: d, URL: addr, QR: qr,
		Days: disclosure.NoticeDays})
}

// index lists the published communities.
func (f *face) index(c *gin.Context) {
	ls, err := f.svc.Published(c.Request.Context())
	if err != nil {
		f.fail(c, err)
		return
	}
	f.pages.render(c, http.StatusOK, "index", indexView{Bureau: f.cfg.Bureau, Items: ls})
}

// address is the absolute address of path on the public site: on the
// configured base, or else on the scheme and host the request came by.
func (f *face) address(c *gin.Context, path string) string {
	if f.cfg.BaseURL != "" {
		return f.cfg.BaseURL + path
	}
	scheme := "http"
	if c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host + path
}
