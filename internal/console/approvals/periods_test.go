package approvals_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"renofund/internal/console/consoletest"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestPeriodCloseAndReopen: finance asks to close March on the console;
// its own confirmation is refused with same_person; the reviewer closes it
// and nothing is booked into March any more; the administrator asks with a
// reason to reopen it and finance confirms; the history shows every step
// and exports.
func TestPeriodCloseAndReopen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := consoletest.New(t, db)
		fund(t, s, "CG", "central_grant", "city", "1000.00", "basic")
		periods := func() map[string]map[string]any {
			out := map[string]map[string]any{}
			for _, p := range must(t, s, "auditor", "GET", "/v1/periods", nil, 200)["items"].([]any) {
				out[p.(map[string]any)["period"].(string)] = p.(map[string]any)
			}
			return out
		}

		fin := signIn(t, s, "finance")
		p := fin.Get("/console/periods")
		has(t, "the periods", p, "尚未结账", "申请结账", "尚无期间办理过结账")
		p = fin.Get("/console/periods?close=2026-03")
		has(t, "the request's confirmation", p, `action="/console/periods/2026-03/close"`, "提交结账申请")
		p = fin.PostForm("/console/periods/2026-03/close", form("_key", fin.Key))
		status(t, "ask to close", p, http.StatusSeeOther)
		has(t, "after asking", fin.Get(p.Location()), "已申请结账 2026-03", "待确认结账", "由您申请，须另一人确认")
		if got := periods()["2026-03"]; got["status"] != "close_requested" || got["requested_by"] != "finance:finance" {
			t.Fatalf("March after the request: %v", got)
		}

		refused(t, "the requester confirms", fin.PostForm("/console/periods/2026-03/close/confirm", form("_key", fin.Key)),
			http.StatusForbidden, "same_person", "四眼原则")
		hz := signIn(t, s, "hz")
		lacks(t, "HZ's periods", hz.Get("/console/periods"), `method="post" action="/console/periods/`, "<h2>申请结账</h2>")
		refused(t, "HZ confirms", hz.PostForm("/console/periods/2026-03/close/confirm", url.Values{}), http.StatusForbidden, "forbidden", "无权")
		aud := signIn(t, s, "auditor")
		p = aud.Get("/console/periods")
		has(t, "the auditor's periods", p, "2026-03", "待确认结账")
		lacks(t, "the auditor's periods", p, `method="post" action="/console/periods/`, "<h2>申请结账</h2>")
		rev := signIn(t, s, "reviewer")
		refused(t, "no CSRF secret", rev.PostForm("/console/periods/2026-03/close/confirm", form("_csrf", "")),
			http.StatusForbidden, "csrf_failed", "页面已过期")
		if got := periods()["2026-03"]; got["status"] != "close_requested" {
			t.Fatalf("refusals changed March: %v", got)
		}

		p = rev.PostForm("/console/periods/2026-03/close/confirm", form("_key", rev.Key))
		status(t, "the reviewer confirms", p, http.StatusSeeOther)
		has(t, "after closing", rev.Get(p.Location()), "2026-03 已结账", "已结账至", "1,000.00", "#")
		if got := periods()["2026-03"]; got["status"] != "closed" {
			t.Fatalf("March after the confirmation: %v", got)
		}
		if code, out := api(t, s, "finance", "POST", "/v1/funds/CG/receipts", map[string]any{"amount": "1.00",
			"received_on": "2026-03-15", "payer": map[string]any{"name": "江苏省财政厅"}}); code != http.StatusConflict {
			t.Errorf("a receipt into closed March: %d %v", code, out)
		}

		adm := signIn(t, s, "admin")
		has(t, "the administrator's periods", adm.Get("/console/periods"), "申请反结账")
		refused(t, "a reopening without a reason", adm.PostForm("/console/periods/2026-03/reopen", form("reason", "")),
			http.StatusBadRequest, "invalid_request", "提交的内容有误")
		p = adm.PostForm("/console/periods/2026-03/reopen", form("reason", "更正三月凭证", "_key", adm.Key))
		status(t, "ask to reopen", p, http.StatusSeeOther)
		if got := periods()["2026-03"]; got["status"] != "reopen_requested" || got["reason"] != "更正三月凭证" {
			t.Fatalf("March after the reopening request: %v", got)
		}
		refused(t, "the administrator confirms", adm.PostForm("/console/periods/2026-03/reopen/confirm", url.Values{}),
			http.StatusForbidden, "forbidden", "无权")
		p = fin.Get("/console/periods")
		has(t, "finance sees the request", p, "确认反结账</button>", "更正三月凭证")
		p = fin.PostForm("/console/periods/2026-03/reopen/confirm", form("_key", fin.Key))
		status(t, "finance confirms the reopening", p, http.StatusSeeOther)
		p = fin.Get(p.Location())
		has(t, "after reopening", p, "2026-03 已反结账", "申请结账", "申请反结账", "确认反结账", "确认结账", "finance:reviewer", "admin:admin")
		if got := periods()["2026-03"]; got["status"] != "open" {
			t.Fatalf("March after the reopening: %v", got)
		}

		p = aud.Get("/console/periods?export=csv")
		status(t, "the history's export", p, http.StatusOK)
		if lines := strings.Split(strings.TrimSpace(p.Body), "\n"); len(lines) != 5 || !strings.HasPrefix(lines[0], "\ufeff期间,步骤") ||
			!strings.Contains(lines[1], "2026-03,确认反结账,未结,finance:finance,更正三月凭证") {
			t.Errorf("history export:\n%s", p.Body)
		}
	})
}
