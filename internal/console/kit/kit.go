// Package kit is the console's machinery: the layout and its menu, sign-in
// and sign-out, the in-process client of the JSON API every page reads and
// writes through as the signed-in user, list pages with filters, paging and
// exports, and the formatting of amounts and codes. The pages themselves
// live in the console's section packages (internal/console/...).
package kit

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"path"
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

// Kit is the machinery the console's pages share.
type Kit struct {
	web    *web.Server
	tokens *auth.Tokens
	api    []web.Route
	base   *template.Template // the layout and the shared partials
	pages  map[string]*template.Template
	nav    []navItem
}

// navItem is one entry of the side menu, shown to the roles that may open it.
type navItem struct {
	Path, Label string
	Roles       []access.Role
}

// New makes the kit for the server ws whose JSON API routes are api, and
// makes it render the server's refusals on pages.
func New(ws *web.Server, tokens *auth.Tokens, api []web.Route) *Kit {
	k := &Kit{web: ws, tokens: tokens, api: api, pages: map[string]*template.Template{}}
	k.base = template.Must(template.New("").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/partials.html"))
	k.Pages(templateFiles, "templates/login.html", "templates/error.html", "templates/list.html")
	ws.PageFail = k.Fail
	return k
}

// Pages parses page templates (each defines "content", and may use the
// partials) from fsys; a page is named by its file's base name, which must
// be unique across the console.
func (k *Kit) Pages(fsys fs.FS, patterns ...string) {
	for _, p := range patterns {
		names, err := fs.Glob(fsys, p)
		if err != nil || len(names) == 0 {
			panic(fmt.Sprintf("console: no templates match %s (%v)", p, err))
		}
		for _, n := range names {
			name := strings.TrimSuffix(path.Base(n), ".html")
			if _, dup := k.pages[name]; dup {
				panic("console: two page templates named " + name)
			}
			k.pages[name] = template.Must(template.Must(k.base.Clone()).ParseFS(fsys, n))
		}
	}
}

// Nav adds an entry to the side menu, shown to roles. Entries appear in the
// order they are added.
func (k *Kit) Nav(path, label string, roles []access.Role) {
	k.nav = append(k.nav, navItem{Path: path, Label: label, Roles: roles})
}

// Routes are the kit's own routes: its styles and script, sign-in and
// sign-out.
func (k *Kit) Routes() []web.Route {
	return []web.Route{
		{Method: http.MethodGet, Path: "/console/static/*file", Page: true, Summary: "The console's styles and scripts", Handle: static},
		{Method: http.MethodGet, Path: web.LoginPath, Page: true, Summary: "Sign in", Handle: k.LoginPage},
		{Method: http.MethodPost, Path: web.LoginPath, Page: true, Summary: "Exchange a token for a session", MaxBody: 4 << 10, Handle: k.login},
		{Method: http.MethodPost, Path: "/console/logout", Page: true, Roles: SignedIn, Summary: "Sign out", MaxBody: 4 << 10, Handle: k.logout},
	}
}

// SignedIn is every role: pages open to anyone with a session.
var SignedIn = []access.Role{access.Admin, access.Finance, access.Auditor, access.District}

// Home is where a role lands after signing in: the dashboard, or for the
// administrator the tokens.
func Home(role access.Role) string {
	if role == access.Admin {
		return "/console/tokens"
	}
	return "/console/dashboard"
}

// static serves the embedded styles and scripts, cacheable for an hour.
func static(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=3600")
	c.FileFromFS("static"+c.Param("file"), http.FS(staticFiles))
}

// RolesOf returns the roles of the API route "METHOD /path": a page showing
// what that route answers is open to the same roles.
func (k *Kit) RolesOf(route string) []access.Role {
	method, path, _ := strings.Cut(route, " ")
	for _, r := range k.api {
		if r.Method == method && r.Path == path {
			return r.Roles
		}
	}
	panic("console: no API route " + route)
}

// AnyRoles is the union of the roles of several API routes.
func (k *Kit) AnyRoles(routes ...string) []access.Role {
	var out []access.Role
	for _, r := range routes {
		for _, role := range k.RolesOf(r) {
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
	// FormKey is a fresh key for the page's forms to send as "_key": the
	// API's Idempotency-Key, so that a form sent twice acts once.
	FormKey string
	Data    any
}

// Render writes page name inside the layout.
func (k *Kit) Render(c *gin.Context, status int, name, title string, data any) {
	v := view{Title: title, Data: data, Current: c.Request.URL.Path, Flash: c.Query("ok")}
	if sess, ok := web.Session(c); ok {
		v.Actor, v.CSRF, v.FormKey = sess.Actor, sess.CSRF, randomKey()
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

// Fail renders a refusal as a page (it is the server's PageFail).
func (k *Kit) Fail(c *gin.Context, status int, code, message string) {
	k.Render(c, status, "error", "出错了", &APIError{Status: status, Code: code, Message: message})
}

// APIError is a refusal the API answered.
type APIError struct {
	Status        int
	Code, Message string
}

func (e *APIError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// Explain is the refusal in the clerk's words, with the API's code beside it.
func (e *APIError) Explain() string {
	if m, ok := codeText[e.Code]; ok {
		return m
	}
	return e.Message
}

// Call sends one request to the API as the page's signed-in user and
// decodes a JSON answer into out (when out is not nil). A refusal is an
// *APIError; the raw answer is returned for downloads (Relay). header holds
// name, value pairs.
func (k *Kit) Call(c *gin.Context, method, path string, body io.Reader, contentType string, out any, header ...string) (*Answer, error) {
	sess, ok := web.Session(c)
	if !ok {
		return nil, fmt.Errorf("console: call %s without a session", path)
	}
	if body == nil {
		body = http.NoBody // as a server hands its handlers: a body that is empty, not nil
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
		return rec, &APIError{Status: rec.status, Code: e.Error.Code, Message: e.Error.Message}
	}
	if out != nil {
		if err := json.Unmarshal(rec.body.Bytes(), out); err != nil {
			return rec, fmt.Errorf("console: decode %s %s: %w", method, path, err)
		}
	}
	return rec, nil
}

// Get reads a JSON answer of the API.
func (k *Kit) Get(c *gin.Context, path string, out any) error {
	_, err := k.Call(c, http.MethodGet, path, nil, "", out)
	return err
}

// Post sends a JSON body to the API. key, when set, is the Idempotency-Key:
// the form's own "_key", so that a double click files one payment.
func (k *Kit) Post(c *gin.Context, path string, body any, key string, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	var h []string
	if key != "" {
		h = []string{"Idempotency-Key", key}
	}
	_, err = k.Call(c, http.MethodPost, path, bytes.NewReader(b), "application/json", out, h...)
	return err
}

// Answer is the API's answer to an in-process call.
type Answer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *Answer { return &Answer{header: http.Header{}, status: http.StatusOK} }

func (r *Answer) Header() http.Header         { return r.header }
func (r *Answer) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *Answer) WriteHeader(status int)      { r.status = status }

// Status is the answer's status.
func (r *Answer) Status() int { return r.status }

// Body is the answer's body.
func (r *Answer) Body() []byte { return r.body.Bytes() }

// Relay passes an API answer (a download: CSV, XLSX, a ZIP package) to the browser.
func Relay(c *gin.Context, rec *Answer) {
	for _, h := range []string{"Content-Type", "Content-Disposition"} {
		if v := rec.header.Get(h); v != "" {
			c.Header(h, v)
		}
	}
	c.Data(rec.status, rec.header.Get("Content-Type"), rec.body.Bytes())
}

// Back sends the browser to path after a successful form, with a message.
func Back(c *gin.Context, path, message string) {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	c.Redirect(http.StatusSeeOther, path+sep+"ok="+urlQuery(message))
}

// randomKey is a fresh form key.
func randomKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
