package audit

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/gin-gonic/gin"

	"renofund/funding/report"
	"renofund/internal/console/kit"
)

// finding is a finding with its review steps as the API gives it; amounts
// stay the API's decimal strings.
type finding struct {
	ID       string `json:"id"`
	Code     string `json:"code"`
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Subject  string `json:"subject"`
	District string `json:"district"`
	Amount   string `json:"amount"`
	On       string `json:"on"`
	Detail   string `json:"detail"`
	Status   string `json:"status"`
	Reviews  []struct {
		Seq        int    `json:"seq"`
		Action     string `json:"action"`
		Status     string `json:"status"`
		Note       string `json:"note"`
		Amount     string `json:"amount"`
		On         string `json:"on"`
		ReviewedBy string `json:"reviewed_by"`
		ReviewedAt string `json:"reviewed_at"`
	} `json:"reviews"`
}

// action is a review step offered in the form.
type action struct {
	Code, Name string
}

// steps are the review actions, each with the status it leaves a finding in.
var steps = []struct {
	action, status, name string
}{
	{"acknowledge", report.StatusAcknowledged, "确认（已知悉，待处理）"},
	{"explain", report.StatusExplained, "说明（已查明原因）"},
	{"close", report.StatusClosed, "关闭（已整改或无需整改）"},
}

// actionNames are the review actions in Chinese, for the history.
var actionNames = map[string]string{"acknowledge": "确认", "explain": "说明", "close": "关闭"}

// findingPage is the finding page's model: the finding, the steps still
// ahead of it (a finding only moves forward), and whether the user may
// take them.
type findingPage struct {
	F         finding
	Actions   []action
	CanReview bool
	Path      string // the finding's page, escaped
}

// KindName is the finding's kind in Chinese.
func (p findingPage) KindName() string { return kindName(p.F.Code) }

// kindName is a finding kind's Chinese name.
func kindName(code string) string {
	if n, ok := findingNames[code]; ok {
		return n
	}
	return kit.Label(code)
}

// ActionName is a review action in Chinese.
func (findingPage) ActionName(code string) string { return actionNames[code] }

// findingPath is the API path of a finding.
func findingPath(id string) string { return "/v1/audit/exceptions/" + url.PathEscape(id) }

// finding shows one finding with its reviews and the form to review it.
func (s *section) finding(c *gin.Context) {
	id := c.Param("id")
	var f finding
	if err := s.k.Get(c, findingPath(id), &f); err != nil {
		s.k.Refuse(c, err)
		return
	}
	p := findingPage{F: f, CanReview: may(c, s.k.RolesOf("POST /v1/audit/exceptions/:id/reviews")),
		Path: "/console/exceptions/" + url.PathEscape(id)}
	statuses := report.Statuses
	at := slices.Index(statuses, f.Status)
	for _, st := range steps {
		if slices.Index(statuses, st.status) > at {
			p.Actions = append(p.Actions, action{Code: st.action, Name: st.name})
		}
	}
	s.k.Render(c, http.StatusOK, "audit-finding", "审计疑点 "+kindName(f.Code), p)
}

// review sends a review step (acknowledge, explain or close, with a note)
// to POST /v1/audit/exceptions/{id}/reviews.
func (s *section) review(c *gin.Context) {
	id := c.Param("id")
	in := map[string]string{"action": c.PostForm("action"), "note": c.PostForm("note")}
	var f finding
	if err := s.k.Post(c, findingPath(id)+"/reviews", in, c.PostForm("_key"), &f); err != nil {
		s.k.Refuse(c, err)
		return
	}
	kit.Back(c, "/console/exceptions/"+url.PathEscape(id), "已记录："+actionNames[in["action"]]+"，疑点状态为“"+kit.Label(f.Status)+"”。")
}
