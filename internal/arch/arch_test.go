// Package arch holds the tests that keep the code's shape: which package
// may import which, who owns which tables, how large a package may grow,
// and that each error code and each package's rules have one home.
package arch

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// pkg is what go list says of one package.
type pkg struct {
	ImportPath   string
	Dir          string
	GoFiles      []string
	TestGoFiles  []string
	XTestGoFiles []string
	Imports      []string
}

// packages lists every package of the module.
func packages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "renofund/...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var ps []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	if len(ps) < 20 {
		t.Fatalf("go list found %d packages", len(ps))
	}
	return ps
}

// domain are the packages of the programme's rules: they import neither the
// HTTP layer nor its framework nor the scheduler's.
var domain = []string{"renofund/funding", "renofund/funding/movement", "renofund/funding/report",
	"renofund/funding/importer", "renofund/subsidy", "renofund/tax", "renofund/internal/ledger", "renofund/internal/ledger/proof"}

func TestImports(t *testing.T) {
	forbidden := []string{"github.com/gin-gonic/gin", "github.com/robfig/cron/v3", "renofund/internal/httpapi", "renofund/internal/web"}
	for _, p := range packages(t) {
		if slices.Contains(domain, p.ImportPath) {
			for _, imp := range p.Imports {
				if slices.Contains(forbidden, imp) {
					t.Errorf("%s imports %s", p.ImportPath, imp)
				}
			}
		}
		if p.ImportPath == "renofund/tax" {
			for _, imp := range p.Imports {
				if strings.HasPrefix(imp, "renofund/") && imp != "renofund/internal/money" && imp != "renofund/internal/errs" {
					t.Errorf("tax, a leaf of pure calculations, imports %s", imp)
				}
			}
		}
		if p.ImportPath == "renofund/subsidy" {
			for _, imp := range p.Imports {
				if strings.HasPrefix(imp, "renofund/funding") {
					t.Errorf("subsidy imports %s: it asks the registry through its own Registry interface", imp)
				}
			}
		}
		if p.ImportPath != "renofund/internal/schedule" && slices.Contains(p.Imports, "github.com/robfig/cron/v3") {
			t.Errorf("%s imports cron; schedules run in internal/schedule", p.ImportPath)
		}
	}
}

// literal is a string literal of production code.
type literal struct {
	pos   string
	value string
}

// literals returns every string literal in a package's production files.
func literals(t *testing.T, p pkg) []literal {
	t.Helper()
	var out []literal
	fset := token.NewFileSet()
	for _, name := range p.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if bl, ok := n.(*ast.BasicLit); ok && bl.Kind == token.STRING {
				if v, err := strconv.Unquote(bl.Value); err == nil {
					out = append(out, literal{fset.Position(bl.Pos()).String(), v})
				}
			}
			return true
		})
	}
	return out
}

var (
	ledgerTables  = regexp.MustCompile(`(?i)\b(from|join|into|update|exists)\s+(transfers|postings|holdings)\b`)
	registryReads = regexp.MustCompile(`(?i)\b(from|join|into|update)\s+(funds|projects)\b`)
	sqlStatement  = regexp.MustCompile(`\b(SELECT|INSERT INTO|UPDATE|DELETE FROM)\b`)
)

// TestTableOwners: the ledger (with its proofs, internal/ledger/proof)
// answers every query on its tables (the
// invariant harness keeps its own SQL: it is the oracle); subsidies learn of
// funds and projects through their Registry; the HTTP layer holds no SQL.
func TestTableOwners(t *testing.T) {
	for _, p := range packages(t) {
		if strings.HasPrefix(p.ImportPath+"/", "renofund/internal/ledger/") || p.ImportPath == "renofund/internal/harness" {
			continue
		}
		for _, l := range literals(t, p) {
			if ledgerTables.MatchString(l.value) {
				t.Errorf("%s names a ledger table: %.80q", l.pos, l.value)
			}
			if p.ImportPath == "renofund/subsidy" && registryReads.MatchString(l.value) {
				t.Errorf("%s: subsidy reads the registry's tables: %.80q", l.pos, l.value)
			}
			if (p.ImportPath == "renofund/internal/httpapi" || p.ImportPath == "renofund/internal/web") && sqlStatement.MatchString(l.value) {
				t.Errorf("%s: SQL in the HTTP layer: %.80q", l.pos, l.value)
			}
		}
	}
}

// maxLines is about how much production code one package may hold.
const maxLines = 2100

func TestPackageSize(t *testing.T) {
	for _, p := range packages(t) {
		n := 0
		for _, name := range p.GoFiles {
			b, err := os.ReadFile(filepath.Join(p.Dir, name))
			if err != nil {
				t.Fatal(err)
			}
			n += strings.Count(string(b), "\n")
		}
		if n > maxLines {
			t.Errorf("%s has %d lines of production code, more than %d: split it by job", p.ImportPath, n, maxLines)
		}
	}
}

// untested are the packages without tests of their own, and why.
var untested = map[string]string{
	"renofund/migrations":               "SQL files; every store test applies them on both engines",
	"renofund/internal/store/storetest": "the test databases themselves",
}

func TestEveryPackageHasTests(t *testing.T) {
	for _, p := range packages(t) {
		if len(p.GoFiles) == 0 || untested[p.ImportPath] != "" {
			continue
		}
		if len(p.TestGoFiles)+len(p.XTestGoFiles) == 0 {
			t.Errorf("%s has no tests of its own", p.ImportPath)
		}
	}
}

var errDecl = regexp.MustCompile(`\b(?:errs\.)?New\((?:errs\.)?[A-Z][A-Za-z]+, "([a-z_]+)"`)

// TestOneDeclarationPerCode: each error code is declared once, so that
// errors.Is holds across packages.
func TestOneDeclarationPerCode(t *testing.T) {
	where := map[string]string{}
	for _, p := range packages(t) {
		for _, name := range p.GoFiles {
			path := filepath.Join(p.Dir, name)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range errDecl.FindAllStringSubmatch(string(b), -1) {
				if prev, ok := where[m[1]]; ok {
					t.Errorf("code %s declared in %s and %s", m[1], prev, path)
				}
				where[m[1]] = path
			}
		}
	}
	if len(where) < 10 {
		t.Errorf("found only %d error declarations: %v", len(where), fmt.Sprint(where))
	}
}
