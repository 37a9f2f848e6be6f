package approvals

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"renofund/internal/console/kit"
	"renofund/internal/field"
	"renofund/internal/period"
	"renofund/internal/sheet"
	"renofund/internal/web"
)

// eventsPerPage is how many steps of the periods' history a page shows.
const eventsPerPage = 50

// periods are the close of months and years in two steps by two people,
// and their reopening: the periods page and one route per step.
func (s *section) periods() []web.Route {
	k := s.k
	read := k.RolesOf("GET /v1/periods")
	k.Nav("/console/periods", "会计期间（结账）", read)
	step := func(path, api, done string, long bool) web.Route {
		return web.Route{Method: http.MethodPost, Path: "/console/periods/:period" + path, Page: true, Long: long,
			Roles: k.RolesOf("POST /v1/periods/:period" + api), Summary: "Period step " + api, Handle: s.periodStep(api, done)}
	}
	return []web.Route{
		{Method: http.MethodGet, Path: "/console/periods", Page: true, Roles: read,
			Summary: "Every period's status and history, with the steps the user may take", Handle: s.periodsPage},
		step("/close", "/close", "已申请结账 %s（含此前各月），待另一位财政人员确认。", false),
		step("/close/confirm", "/close/confirm", "%s 已结账：不再记入该期间，期末余额已封存。", true),
		step("/reopen", "/reopen", "已申请反结账 %s，待财政人员确认。", false),
		step("/reopen/confirm", "/reopen/confirm", "%s 已反结账，其后各月一并重新打开。", true),
	}
}

// periodsPage is the model of the periods page.
type periodsPage struct {
	ClosedThrough string
	Rows          []periodRow
	History       []periodEvent
	// Suggest are the periods that may be asked to close next; Ask is a
	// period the user chose, to confirm the request.
	Suggest []string
	Ask     string
	// Pending counts the steps waiting for a second person.
	Pending int
	// What the signed-in user's role may do (the API still decides).
	CanClose, CanConfirm, CanReopen bool
	Page, Pages                     int
	Next, Prev                      string
}

// periodRow is one period's status.
type periodRow struct {
	*period.Period
	Requested string
	// Mine says the signed-in user asked for the step now pending.
	Mine bool
}

// periodEvent is one step of a period's history.
type periodEvent struct {
	Period string
	period.Event
	When string
}

// periodsPage shows every period's status with the steps the user may
// take, and the history of every step (?export=csv: all of it).
func (s *section) periodsPage(c *gin.Context) {
	var b period.Books
	if err := s.k.Get(c, "/v1/periods", &b); err != nil {
		s.k.Refuse(c, err)
		return
	}
	var history []periodEvent
	for _, p := range b.Items {
		for _, e := range p.History {
			history = append(history, periodEvent{Period: p.Period, Event: e, When: when(e.At)})
		}
	}
	slices.SortStableFunc(history, func(a, b periodEvent) int { return cmp.Compare(b.At, a.At) })
	if c.Query("export") == web.AsCSV {
		periodsCSV(c, history)
		return
	}
	v := periodsPage{ClosedThrough: b.ClosedThrough, Ask: c.Query("close"),
		CanClose:   may(c, s.k.RolesOf("POST /v1/periods/:period/close")),
		CanConfirm: may(c, s.k.RolesOf("POST /v1/periods/:period/close/confirm")),
		CanReopen:  may(c, s.k.RolesOf("POST /v1/periods/:period/reopen"))}
	for i := len(b.Items) - 1; i >= 0; i-- { // newest first
		p := b.Items[i]
		r := periodRow{Period: p}
		if p.RequestedAt != nil {
			r.Requested = when(*p.RequestedAt)
		}
		if p.RequestedBy != nil {
			r.Mine = samePerson(c, *p.RequestedBy)
		}
		if p.Status == period.CloseRequested || p.Status == period.ReopenRequested {
			v.Pending++
		}
		v.Rows = append(v.Rows, r)
	}
	v.Suggest = suggest(b, time.Now().In(field.Zone))
	v.Pages = max(1, (len(history)+eventsPerPage-1)/eventsPerPage)
	v.Page, _ = strconv.Atoi(c.Query("page"))
	v.Page = min(max(v.Page, 1), v.Pages)
	from := (v.Page - 1) * eventsPerPage
	v.History = history[from:min(from+eventsPerPage, len(history))]
	if v.Page < v.Pages {
		v.Next = fmt.Sprintf("/console/periods?page=%d#history", v.Page+1)
	}
	if v.Page > 1 {
		v.Prev = fmt.Sprintf("/console/periods?page=%d#history", v.Page-1)
	}
	s.k.Render(c, http.StatusOK, "periods", "会计期间", v)
}

// suggest are the periods a clerk most likely closes next: the last ended
// month, and the last year whose twelve months are closed, unless already
// closed or asked for.
func suggest(b period.Books, now time.Time) []string {
	status := map[string]string{}
	for _, p := range b.Items {
		status[p.Period] = p.Status
	}
	var out []string
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, field.Zone).AddDate(0, -1, 0).Format("2006-01")
	if month > b.ClosedThrough && status[month] != period.CloseRequested {
		out = append(out, month)
	}
	if b.ClosedThrough != "" {
		y, _ := strconv.Atoi(b.ClosedThrough[:4])
		if b.ClosedThrough[5:] != "12" {
			y--
		}
		if year := strconv.Itoa(y); y >= 2000 && status[year] != period.Closed && status[year] != period.CloseRequested {
			out = append(out, year)
		}
	}
	return out
}

// periodsCSV writes the periods' history, newest first, as CSV for Excel
// (UTF-8 with a byte-order mark).
func periodsCSV(c *gin.Context, history []periodEvent) {
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="periods.csv"`)
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	c.Writer.WriteString("\ufeff")
	w := csv.NewWriter(c.Writer)
	w.Write([]string{"期间", "步骤", "状态", "经办人", "原因", "时间"})
	for _, e := range history {
		reason := ""
		if e.Reason != nil {
			reason = *e.Reason
		}
		w.Write([]string{e.Period, kit.Label(e.Action), kit.Label(e.Status), sheet.Cell(e.Actor), sheet.Cell(reason), e.When})
	}
	w.Flush()
}

// periodStep takes one step of the close or reopen workflow through the
// API (api is the step's path under /v1/periods/{period}) and goes back to
// the periods page saying what was done.
func (s *section) periodStep(api, done string) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := c.Param("period")
		path := "/v1/periods/" + url.PathEscape(p) + api
		var out period.Period
		var err error
		if api == "/reopen" {
			err = s.k.Post(c, path, map[string]string{"reason": c.PostForm("reason")}, c.PostForm("_key"), &out)
		} else {
			err = s.step(c, path, &out)
		}
		if err != nil {
			s.k.Refuse(c, err)
			return
		}
		kit.Back(c, "/console/periods", fmt.Sprintf(done, out.Period))
	}
}
