// Package dashboard is the console's first page (概览): a fiscal year's
// money at a glance for the finance bureau, auditors and a district office.
// Cards give what arrived, what was passed down, spent and held, the
// spending rate (支出进度) and the findings not closed; charts, each with its
// figures in a table beneath, show the money by source kind and district,
// the districts ranked by spending rate, the months of the year, budgets
// against spending, and the findings by kind.
//
// Everything comes from the JSON API as the signed-in user, in a handful of
// calls to routes that aggregate (the funding and budget reports, the
// exception list, the monthly bulletins), so a district's dashboard shows
// its own money only because the API answers it nothing else.
package dashboard

import (
	"embed"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"renofund/funding"
	"renofund/funding/bulletin"
	"renofund/internal/access"
	"renofund/internal/console/kit"
	"renofund/internal/field"
	"renofund/internal/web"
	"renofund/internal/window"
)

//go:embed templates/*.html
var templates embed.FS

// Path is the dashboard's address; kit.Home sends readers here.
const Path = "/console/dashboard"

// reads are the API routes behind the page.
var reads = []string{"GET /v1/reports/funding", "GET /v1/reports/budget", "GET /v1/audit/exceptions",
	"GET /v1/bulletins", "GET /v1/bulletins/:month", "GET /v1/districts"}

// Routes is the dashboard, open to the roles that may read every route
// behind it (the readers: finance, auditor, district).
func Routes(k *kit.Kit) []web.Route {
	k.Pages(templates, "templates/*.html")
	roles := everyOf(k, reads...)
	k.Nav(Path, "概览", roles)
	b := &board{k: k}
	return []web.Route{{Method: http.MethodGet, Path: Path, Page: true, Roles: roles, Query: []string{"fiscal_year"},
		Summary: "The dashboard: a fiscal year's money by source, district and month, spending rates, budgets and open findings",
		Handle:  b.page}}
}

// everyOf are the roles that may call every one of routes.
func everyOf(k *kit.Kit, routes ...string) []access.Role {
	out := slices.Clone(k.RolesOf(routes[0]))
	for _, r := range routes[1:] {
		more := k.RolesOf(r)
		out = slices.DeleteFunc(out, func(role access.Role) bool { return !slices.Contains(more, role) })
	}
	return out
}

// board serves the page.
type board struct{ k *kit.Kit }

// page answers GET /console/dashboard?fiscal_year=YYYY; without a year, the
// current one (in China Standard Time), or when it holds no money at all,
// the latest year a monthly bulletin covers.
func (b *board) page(c *gin.Context) {
	sess, _ := web.Session(c)
	now := time.Now().In(field.Zone)
	year, chosen := now.Year(), false
	if v := c.Query("fiscal_year"); v != "" {
		y, err := window.Year("fiscal_year", v)
		if err != nil {
			b.k.Fail(c, http.StatusBadRequest, "invalid_request", "年度应为 2000 至 2100 之间的四位数字，例如 2026。")
			return
		}
		year, chosen = y, true
	}
	ans, err := b.load(c, sess.Actor, year, chosen)
	if err != nil {
		b.k.Refuse(c, err)
		return
	}
	v, err := build(ans, sess.Actor, now)
	if err != nil {
		b.k.Refuse(c, err)
		return
	}
	b.k.Render(c, http.StatusOK, "dashboard", "概览", v)
}

// answers are what the API answered for the page.
type answers struct {
	year     int
	drafted  []string // the months whose bulletin is drafted, YYYY-MM
	funding  []fundingLine
	budget   []budgetLine
	findings []finding
	months   map[int]*spending // the year's bulletins by month
	// names are the districts' names by code: for a district, its own.
	names map[string]string
}

// load asks the API for the page's figures: the year's funding and budget
// reports, every finding, the drafted months and the districts at once,
// then the year's bulletins.
func (b *board) load(c *gin.Context, a access.Actor, year int, chosen bool) (*answers, error) {
	ans := &answers{year: year, months: map[int]*spending{}}
	err := all(
		func() error { return b.reports(c, ans) },
		func() (err error) { ans.findings, err = b.findings(c); return err },
		func() (err error) { ans.drafted, err = b.drafted(c); return err },
		func() (err error) { ans.names, err = b.districts(c, a); return err },
	)
	if err != nil {
		return nil, err
	}
	if !chosen && len(ans.funding) == 0 && len(ans.drafted) > 0 {
		if y, _ := month(ans.drafted[len(ans.drafted)-1]); y < year {
			ans.year = y
			if err := b.reports(c, ans); err != nil {
				return nil, err
			}
		}
	}
	var mu sync.Mutex
	var gets []func() error
	for _, m := range ans.drafted {
		y, n := month(m)
		if y != ans.year {
			continue
		}
		gets = append(gets, func() error {
			var out struct {
				Body struct {
					Spending spending `json:"spending"`
				} `json:"body"`
			}
			if err := b.k.Get(c, "/v1/bulletins/"+m, &out); err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			ans.months[n] = &out.Body.Spending
			return nil
		})
	}
	return ans, all(gets...)
}

// reports reads the year's funding report and the budget report to the
// year's end (budgets are for the works as a whole, so spending is counted
// from the start).
func (b *board) reports(c *gin.Context, ans *answers) error {
	return all(
		func() error {
			var r struct {
				Lines []fundingLine `json:"lines"`
			}
			err := b.k.Get(c, fmt.Sprintf("/v1/reports/funding?fiscal_year=%d", ans.year), &r)
			ans.funding = r.Lines
			return err
		},
		func() error {
			var r struct {
				Items []budgetLine `json:"items"`
			}
			err := b.k.Get(c, fmt.Sprintf("/v1/reports/budget?to=%d-12-31", ans.year), &r)
			ans.budget = r.Items
			return err
		},
	)
}

// findings reads every finding the actor may see, as of today under the
// standard rules.
func (b *board) findings(c *gin.Context) ([]finding, error) {
	rec, err := b.k.Call(c, http.MethodGet, "/v1/audit/exceptions?format=csv", nil, "", nil)
	if err != nil {
		return nil, err
	}
	return readFindings(rec.Body())
}

// drafted lists the months whose bulletin is drafted, in order.
func (b *board) drafted(c *gin.Context) ([]string, error) {
	var out []string
	for after := ""; ; {
		var page web.List[bulletin.Summary]
		if err := b.k.Get(c, "/v1/bulletins?limit=1000&after="+url.QueryEscape(after), &page); err != nil {
			return nil, err
		}
		for _, s := range page.Items {
			out = append(out, s.Month)
		}
		if page.Next == nil {
			return out, nil
		}
		after = *page.Next
	}
}

// districts names the districts by code; a district's page names only its
// own, so that no other district appears on it even where it has nothing.
func (b *board) districts(c *gin.Context, a access.Actor) (map[string]string, error) {
	out := map[string]string{}
	for after := ""; ; {
		var page web.List[funding.District]
		if err := b.k.Get(c, "/v1/districts?limit=1000&after="+url.QueryEscape(after), &page); err != nil {
			return nil, err
		}
		for _, d := range page.Items {
			if a.Role != access.District || d.Code == a.District {
				out[d.Code] = d.Name
			}
		}
		if page.Next == nil {
			return out, nil
		}
		after = *page.Next
	}
}

// all runs reads at once and returns the first one's refusal, if any (an
// *kit.APIError stays one, so that the page can explain it).
func all(reads ...func() error) error {
	errs := make([]error, len(reads))
	var wg sync.WaitGroup
	for i, read := range reads {
		wg.Go(func() { errs[i] = read() })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// month reads a month YYYY-MM as its year and number (0, 0 when it is not
// one).
func month(m string) (year, number int) {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return 0, 0
	}
	return t.Year(), int(t.Month())
}
