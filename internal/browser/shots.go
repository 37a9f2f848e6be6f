package browser

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// EnvShots names the folder for the screenshots; by default it is
// screenshots/ at the repository's root.
const EnvShots = "RENOFUND_SCREENSHOTS"

// shots is where the screenshots go and how many each test has taken, so
// that a test's pages sort in the order they were visited.
var shots struct {
	sync.Mutex
	dir    string
	logged bool
	taken  map[string]int // by test name
}

// ShotDir is the screenshots' folder, created if need be; the first call
// logs its path.
func ShotDir(t testing.TB) string {
	t.Helper()
	shots.Lock()
	defer shots.Unlock()
	if shots.dir == "" {
		dir := os.Getenv(EnvShots)
		if dir == "" {
			root, err := repoRoot()
			if err != nil {
				t.Fatal(err)
			}
			dir = filepath.Join(root, "screenshots")
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			t.Fatal(err)
		}
		shots.dir = abs
	}
	if err := os.MkdirAll(shots.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if !shots.logged {
		shots.logged = true
		t.Logf("screenshots of every page visited: %s", shots.dir)
	}
	return shots.dir
}

// shotPath is the file for the next screenshot of test t: the test's name,
// a sequence number, who looked and at what (the page's path and query,
// less the flash message, which the screenshot shows anyway).
func shotPath(t testing.TB, who, at string) string {
	dir := ShotDir(t)
	shots.Lock()
	defer shots.Unlock()
	if shots.taken == nil {
		shots.taken = map[string]int{}
	}
	shots.taken[t.Name()]++
	if u, err := url.Parse(at); err == nil {
		q := u.Query()
		q.Del("ok")
		at = u.Path + " " + q.Encode()
		if s, err := url.QueryUnescape(at); err == nil {
			at = s
		}
	}
	page := slug(at)
	if page == "" {
		page = "root"
	}
	if r := []rune(page); len(r) > 60 {
		page = string(r[:60])
	}
	name := fmt.Sprintf("%s-%02d-%s-%s.png", slug(t.Name()), shots.taken[t.Name()], slug(who), page)
	return filepath.Join(dir, name)
}

// repoRoot is the directory of go.mod above the working directory (a test
// runs in its package's directory).
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory; set %s", EnvShots)
		}
		dir = parent
	}
}
