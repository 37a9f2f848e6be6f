// Package console is the service's web console for the finance bureau,
// districts and auditors: pages rendered on the server from html/template,
// a little plain JavaScript, no front-end build. The console is a client of
// the JSON API in the same process: every page reads and writes through the
// API's routes as the signed-in user, so it obeys the same roles, district
// scoping, validation, four-eyes rules and audit events as curl does.
package console

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"renofund/internal/access"
	"renofund/internal/auth"
	"renofund/internal/web"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Console serves the console's pages.
type Console struct {
	web    *web.Server
	tokens *auth.Tokens
	api    []web.Route
	pages  map[string]*template.Template
	nav    []navItem
}

// navItem is one entry of the side menu, shown to the roles that may open it.
type navItem struct {
	Path, Label string
	Roles       []access.Role
}

// Face returns the console's routes for httpapi.Deps.Faces.
func Face(tokens *auth.Tokens) func(ws *web.Server, api []web.Route) []web.Route {
	return func(ws *web.Server, api []web.Route) []web.Route {
		k := &Console{web: ws, tokens: tokens, api: api}
		k.pages = parsePages()
		ws.PageFail = k.fail
		return k.routes()
	}
}

// parsePages parses each page template with the layout it fills.
func parsePages() map[string]*template.Template {
	base := template.Must(template.New("").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html"))
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		panic(err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		pages[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFiles, n))
	}
	return pages
}

// rolesOf returns the roles of the API route "METHOD /path": a page showing
// what that route answers is open to the same roles.
func (k *Console) rolesOf(route string) []access.Role {
	method, path, _ := strings.Cut(route, " ")
	for _, r := range k.api {
		if r.Method == method && r.Path == path {
			return r.Roles
		}
	}
	panic("console: no API route " + route)
}

// anyRoles is the union of the roles of several API routes.
func (k *Console) anyRoles(routes ...string) []access.Role {
	var out []access.Role
	for _, r := range routes {
		for _, role := range k.rolesOf(r) {
			if !slices.Contains(out, role) {
				out = append(out, role)
			}
		}
	}
	return out
}

// view is what every page template receives.
type view struct {
	Title   string
	Actor   access.Actor
	CSRF    string
	Nav     []navItem
	Current string // the request's path, to mark the menu
	Flash   string // a success message after a redirect
	Data    any
}

// render writes page name inside the layout.
func (k *Console) render(c *gin.Context, status int, name, title string, data any) {
	v := view{Title: title, Data: data, Current: c.Request.URL.Path, Flash: c.Query("ok")}
	if sess, ok := web.Session(c); ok {
		v.Actor, v.CSRF = sess.Actor, sess.CSRF
		for _, n := range k.nav {
			if slices.Contains(n.Roles, sess.Actor.Role) {
				v.Nav = append(v.Nav, n)
			}
		}
	}
	t, ok := k.pages[name]
	if !ok {
		panic("console: no template " + name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		k.web.Fail(c, fmt.Errorf("render %s: %w", name, err))
		return
	}
	pageHeaders(c)
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// pageHeaders keep the console's pages out of caches and frames and limit
// them to their own scripts and styles.
func pageHeaders(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Header("X-Frame-Options", "DENY")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Referrer-Policy", "same-origin")
	c.Header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'")
}

// fail renders a refusal as a page (web.Server.PageFail).
func (k *Console) fail(c *gin.Context, status int, code, message string) {
	k.render(c, status, "error", "出错了", apiError{Status: status, Code: code, Message: message})
}

// apiError is a refusal the API answered.
type apiError struct {
	Status        int
	Code, Message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// Explain is the refusal in the clerk's words, with the API's code beside it.
func (e *apiError) Explain() string {
	if m, ok := codeText[e.Code]; ok {
		return m
	}
	return e.Message
}

// call sends one request to the API as the page's signed-in user and
// decodes a JSON answer into out (when out is not nil). A refusal is an
// *apiError; the raw answer is returned for downloads.
func (k *Console) call(c *gin.Context, method, path string, body io.Reader, contentType string, out any, header ...string) (*recorder, error) {
	sess, ok := web.Session(c)
	if !ok {
		return nil, fmt.Errorf("console: call %s without a session", path)
	}
	req, err := http.NewRequestWithContext(web.AsActor(c.Request.Context(), sess.Actor), method, path, body)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	req.Header.Set("X-Request-Id", web.RequestID(c))
	rec := newRecorder()
	k.web.Handler().ServeHTTP(rec, req)
	if rec.status >= 300 {
		var e struct {
			Error struct{ Code, Message string }
		}
		_ = json.Unmarshal(rec.body.Bytes(), &e)
		return rec, &apiError{Status: rec.status, Code: e.Error.Code, Message: e.Error.Message}
	}
	if out != nil {
		if err := json.Unmarshal(rec.body.Bytes(), out); err != nil {
			return rec, fmt.Errorf("console: decode %s %s: %w", method, path, err)
		}
	}
	return rec, nil
}

// get reads a JSON answer of the API.
func (k *Console) get(c *gin.Context, path string, out any) error {
	_, err := k.call(c, http.MethodGet, path, nil, "", out)
	return err
}

// post sends a JSON body to the API. key, when set, is the Idempotency-Key:
// the form's own key, so that a double click files one payment.
func (k *Console) post(c *gin.Context, path string, body any, key string, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	var h []string
	if key != "" {
		h = []string{"Idempotency-Key", key}
	}
	_, err = k.call(c, http.MethodPost, path, bytes.NewReader(b), "application/json", out, h...)
	return err
}

// recorder is the API's answer to an in-process call.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}, status: http.StatusOK} }

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(status int)      { r.status = status }

// relay passes an API answer (a download: CSV, XLSX, a ZIP package) to the browser.
func relay(c *gin.Context, rec *recorder) {
	for _, h := range []string{"Content-Type", "Content-Disposition"} {
		if v := rec.header.Get(h); v != "" {
			c.Header(h, v)
		}
	}
	c.Data(rec.status, rec.header.Get("Content-Type"), rec.body.Bytes())
}

// back sends the browser to path after a successful form, with a message.
func back(c *gin.Context, path, message string) {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	c.Redirect(http.StatusSeeOther, path+sep+"ok="+urlQuery(message))
}
