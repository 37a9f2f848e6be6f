package browser_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"renofund/internal/browser"
)

// TestMain shares one browser among the package's tests and stops it after.
func TestMain(m *testing.M) { browser.Main(m) }

// TestHarness: the harness's own steps against a small site: a page with
// a form that asks for confirmation, a file input, a download, a refusal,
// and a script that only runs when JavaScript is on; two users do not
// share cookies.
func TestHarness(t *testing.T) {
	c := browser.Start(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		if _, err := r.Cookie("seen"); err != nil {
			http.SetCookie(w, &http.Cookie{Name: "seen", Value: "yes", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		}
		fmt.Fprint(w, `<!doctype html><html><body><h1>首页</h1><p id="js">off</p>
<script>document.getElementById("js").textContent = "on"; sessionStorage.setItem("k", "v")</script>
<form method="post" action="/sent" enctype="multipart/form-data" onsubmit="return confirm('确定提交？')">
<input id="name" name="name"><input id="file" type="file" name="file"><button type="submit">提交</button></form>
<a id="dl" href="/file.csv" download>CSV</a> <a id="no" href="/no">禁止</a></body></html>`)
	})
	mux.HandleFunc("POST /sent", func(w http.ResponseWriter, r *http.Request) {
		f, h, err := r.FormFile("file")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		defer f.Close()
		fmt.Fprintf(w, `<p id="got">%s %s</p>`, r.FormValue("name"), h.Filename)
	})
	mux.HandleFunc("GET /file.csv", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="list.csv"`)
		fmt.Fprint(w, "\ufeff编号,名称\nA,甲\n")
	})
	mux.HandleFunc("GET /no", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<h1>无权访问</h1>`)
	})
	mux.HandleFunc("GET /strict", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
		fmt.Fprint(w, `<p>严格</p><script>document.title = "inline"</script>`)
	})
	srv := httptest.NewServer(mux) // 127.0.0.1
	defer srv.Close()

	u := c.User(t, srv.URL, "clerk")
	if got := u.Open("/"); got != http.StatusOK {
		t.Fatalf("open: %d", got)
	}
	if got := u.Text("#js"); got != "on" {
		t.Errorf("the script did not run: %q", got)
	}
	if got := u.Path(); got != "/" {
		t.Errorf("path %q", got)
	}
	cookies := u.Cookies()
	if len(cookies) != 1 || cookies[0].Name != "seen" || !cookies[0].HTTPOnly {
		t.Errorf("cookies %+v", cookies)
	}
	var stored string
	u.Eval(`sessionStorage.getItem("k")`, &stored)
	if stored != "v" {
		t.Errorf("session storage: %q", stored)
	}

	name, data := u.Download("#dl")
	if name != "list.csv" || string(data) != "\ufeff编号,名称\nA,甲\n" {
		t.Errorf("download %q: %q", name, data)
	}

	file := filepath.Join(t.TempDir(), "statement.csv")
	if err := os.WriteFile(file, []byte("date,amount\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	u.Type("#name", "张三")
	u.Upload("#file", file)
	if got := u.Follow("button[type=submit]"); got != http.StatusOK {
		t.Errorf("submit: %d", got)
	}
	if got := u.Text("#got"); got != "张三 statement.csv" {
		t.Errorf("the server got %q", got)
	}
	if got := u.Dialogs(); !slices.Equal(got, []string{"确定提交？"}) {
		t.Errorf("dialogs %q", got)
	}
	if got := u.Back(); got != http.StatusOK || u.Path() != "/" {
		t.Errorf("back: %d %s", got, u.Path())
	}
	if got := u.Follow("#no"); got != http.StatusForbidden || u.Text("h1") != "无权访问" {
		t.Errorf("refusal: %d %q", got, u.Text("h1"))
	}

	if len(u.Faults()) != 0 {
		t.Errorf("faults on a clean page: %q", u.Faults())
	}
	u.Open("/strict")
	for deadline := time.Now().Add(5 * time.Second); len(u.Faults()) == 0 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	if f := u.Faults(); len(f) != 1 || !strings.Contains(f[0], "Content Security Policy") {
		t.Errorf("an inline script refused by the policy: %q", f)
	}

	// Another user has a browser context of their own: no cookies yet.
	other := c.User(t, srv.URL, "other")
	if got := other.Cookies(); len(got) != 0 {
		t.Errorf("a new user sees cookies: %+v", got)
	}
	other.NoScript()
	other.Open("/")
	if html := other.HTML(); !strings.Contains(html, `<p id="js">off</p>`) {
		t.Errorf("the script ran with JavaScript off:\n%s", html)
	}

	shots, err := filepath.Glob(filepath.Join(browser.ShotDir(t), "TestHarness-*.png"))
	if err != nil || len(shots) < 5 {
		t.Errorf("screenshots: %v %v", shots, err)
	}
}
