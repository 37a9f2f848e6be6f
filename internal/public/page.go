package public

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	"renofund/funding/disclosure"
	"renofund/internal/errs"
)

//go:embed templates/*.html templates/public.css
var files embed.FS

// pages are the public site's parsed templates and its style sheet.
type pages struct {
	byName map[string]*template.Template
	css    template.CSS
	// csp is the Content-Security-Policy of every page: nothing may load
	// and no script may run; the one inline style sheet is allowed by its
	// hash.
	csp string
}

// newPages parses the templates: each page is the layout with the page's
// own "content".
func newPages() *pages {
	css, err := files.ReadFile("templates/public.css")
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(css)
	p := &pages{byName: map[string]*template.Template{}, css: template.CSS(css),
		csp: "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; " +
			"img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"}
	for _, name := range []string{"project", "index", "notfound", "error"} {
		p.byName[name] = template.Must(template.New("").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/"+name+".html"))
	}
	return p
}

// page is what the layout receives: the page's title and its own data.
type page struct {
	Title string
	CSS   template.CSS
	Data  any
}

// titled is a page's view that names its own title.
type titled interface{ title() string }

// render writes a page with the public site's headers.
func (p *pages) render(c *gin.Context, status int, name string, data titled) {
	var buf bytes.Buffer
	if err := p.byName[name].ExecuteTemplate(&buf, "layout", page{Title: data.title(), CSS: p.css, Data: data}); err != nil {
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", p.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	// Caches ask again each time: a withdrawn page must come down at once.
	h.Set("Cache-Control", "no-cache")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// fail renders a refusal: the same page, to the byte, for a project that
// does not exist and one that is not published; a database that cannot be
// reached is 503, anything else 500 (logged with the request's id).
func (f *face) fail(c *gin.Context, err error) {
	err = f.ws.DB.Translate(err)
	switch errs.Classify(err).Kind {
	case errs.NotFound:
		f.pages.render(c, http.StatusNotFound, "notfound", message{Bureau: f.cfg.Bureau})
	case errs.Unavailable:
		f.pages.render(c, http.StatusServiceUnavailable, "error", message{Bureau: f.cfg.Bureau})
	default:
		f.ws.Log.Error("public page", "path", c.Request.URL.Path, "err", err)
		f.pages.render(c, http.StatusInternalServerError, "error", message{Bureau: f.cfg.Bureau})
	}
}

// projectView is a community's disclosure page.
type projectView struct {
	Bureau string
	D      *disclosure.Disclosure
	URL    string        // the page's own address, which the QR code encodes
	QR     template.HTML // the QR code as inline SVG (QRCode)
	Days   int           // the disclosure period, in days
}

func (v projectView) title() string { return v.D.Community.Name + " 老旧小区改造公示" }

// indexView lists the published communities.
type indexView struct {
	Bureau string
	Items  []disclosure.Listed
}

func (v indexView) title() string { return "老旧小区改造公示" }

// message is a page that says something went wrong.
type message struct{ Bureau string }

func (message) title() string { return "老旧小区改造公示" }
