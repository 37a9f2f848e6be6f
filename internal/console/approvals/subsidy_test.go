package approvals_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"renofund/internal/console/consoletest"
	"renofund/internal/creditcode"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// quarterScheme is a city scheme paying 9000.00 per community and quarter
// from fund WY to projects scored 60 or more, with a property manager for
// each project and Q1 ratings of 95.
func quarterScheme(t *testing.T, s *consoletest.Site) {
	t.Helper()
	fund(t, s, "WY", "city_fiscal", "city", "100000.00", "improvement")
	must(t, s, "finance", "POST", "/v1/subsidy/schemes", map[string]any{"code": "Q", "name": "季度物业补贴", "fund": "WY",
		"basis": "per_community", "rate": "9000", "period": "quarter", "valid_from": "2026-01-01",
		"bands": []map[string]any{{"min_score": 60, "ratio": "1"}}}, 201)
	for i, d := range []string{"HZ", "LY"} {
		must(t, s, "finance", "PUT", "/v1/projects/"+d+"-001/property-manager", map[string]any{
			"name": fmt.Sprintf("物业公司 %s", d), "credit_code": creditcode.Complete(fmt.Sprintf("9132070%010d", i+1)),
			"bank_account": fmt.Sprintf("6222%012d", i+1), "from": "2026-01-01"}, 200)
		must(t, s, "finance", "POST", "/v1/subsidy/ratings", map[string]any{"project": d + "-001", "period": "2026-Q1", "score": 95}, 201)
	}
}

// runID is the run a redirect after the draft form points at.
func runID(t *testing.T, p consoletest.Page) string {
	t.Helper()
	status(t, "draft", p, http.StatusSeeOther)
	u, err := url.Parse(p.Location())
	if err != nil || !strings.HasPrefix(u.Path, "/console/subsidy/runs/") {
		t.Fatalf("draft went to %q", p.Location())
	}
	return strings.TrimPrefix(u.Path, "/console/subsidy/runs/")
}

// TestRunFourEyes: finance drafts a run on the console; its own approval
// is refused with same_person and pays nothing; a district reads its own
// lines only and may not approve; the reviewer approves; the payment list
// downloads as CSV named for the bank.
func TestRunFourEyes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := consoletest.New(t, db)
		quarterScheme(t, s)
		fin := signIn(t, s, "finance")
		p := fin.Get("/console/subsidy/runs/new")
		status(t, "the form", p, http.StatusOK)
		has(t, "the form", p, `<option value="Q">Q 季度物业补贴（按季度，如 2026-Q1）</option>`)

		p = fin.PostForm("/console/subsidy/runs/new", form("scheme", "Q", "period", "2026-Q1", "_key", fin.Key))
		id := runID(t, p)
		p = fin.Get(p.Location())
		status(t, "the draft", p, http.StatusOK)
		has(t, "the draft", p, "批次草稿已生成：2 行，应付 18,000.00 元", "草稿", "finance:finance", "物业公司 HZ", "物业公司 LY",
			"9,000.00", "18,000.00", "本批次由您起草", "payments.csv")

		// The same period again while the draft stands: the API's run_exists, on the form.
		p = fin.PostForm("/console/subsidy/runs/new", form("scheme", "Q", "period", "2026-Q1", "_key", "another"))
		refused(t, "a second draft", p, http.StatusConflict, "run_exists", "已有待批准的草稿批次")
		has(t, "the form after a refusal", p, `name="period" value="2026-Q1"`)

		p = fin.PostForm("/console/subsidy/runs/"+id+"/approve", form("_key", fin.Key))
		refused(t, "the drafter approves", p, http.StatusForbidden, "same_person", "四眼原则")
		paid := func() []any {
			return must(t, s, "auditor", "GET", "/v1/transfers?type=subsidy_payment", nil, 200)["items"].([]any)
		}
		if got := must(t, s, "auditor", "GET", "/v1/subsidy/runs/"+id, nil, 200); got["status"] != "draft" || len(paid()) != 0 {
			t.Fatalf("after the drafter's refusal: %v, paid %v", got["status"], paid())
		}

		hz := signIn(t, s, "hz")
		p = hz.Get("/console/subsidy/runs/" + id)
		status(t, "HZ reads the run", p, http.StatusOK)
		has(t, "HZ's lines", p, "HZ-001", "物业公司 HZ")
		lacks(t, "HZ's lines", p, "LY-001", "物业公司 LY", "批准支付")
		refused(t, "HZ approves", hz.PostForm("/console/subsidy/runs/"+id+"/approve", form("_key", hz.Key)),
			http.StatusForbidden, "forbidden", "无权")
		aud := signIn(t, s, "auditor")
		p = aud.Get("/console/subsidy/runs/" + id)
		has(t, "the auditor's view", p, "HZ-001", "LY-001")
		lacks(t, "the auditor's view", p, "批准支付", "作废草稿")
		refused(t, "the administrator's runs", signIn(t, s, "admin").Get("/console/subsidy/runs/"+id), http.StatusForbidden, "forbidden", "无权")

		rev := signIn(t, s, "reviewer")
		p = rev.Get("/console/subsidy/runs/" + id)
		has(t, "the reviewer's view", p, "复核无误，批准支付")
		lacks(t, "the reviewer's view", p, "本批次由您起草")
		refused(t, "no CSRF secret", rev.PostForm("/console/subsidy/runs/"+id+"/approve", form("_csrf", "", "_key", rev.Key)),
			http.StatusForbidden, "csrf_failed", "页面已过期")
		if len(paid()) != 0 {
			t.Fatalf("a form without its CSRF secret paid: %v", paid())
		}
		p = rev.PostForm("/console/subsidy/runs/"+id+"/approve", form("_key", rev.Key))
		status(t, "the reviewer approves", p, http.StatusSeeOther)
		p = rev.Get(p.Location())
		has(t, "the paid run", p, "批次已批准并支付：2 笔，共 18,000.00 元", "已支付", "finance:reviewer")
		lacks(t, "the paid run", p, "批准支付</button>")
		got := must(t, s, "auditor", "GET", "/v1/subsidy/runs/"+id, nil, 200)
		if got["status"] != "paid" || got["approved_by"] != "finance:reviewer" || len(paid()) != 2 {
			t.Fatalf("approved run: %v, paid %v", got, paid())
		}

		p = fin.Get("/console/subsidy/runs/" + id + "/payments.csv")
		status(t, "the payment list", p, http.StatusOK)
		if cd := p.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="subsidy-payments-Q-2026-Q1-paid.csv"`) {
			t.Errorf("payment list named %q", cd)
		}
		has(t, "the payment list", p, "record,line,project,district,payee_name", "物业公司 HZ", "9000.00", "total,,,,,,,18000.00")
		p = hz.Get("/console/subsidy/runs/" + id + "/payments.csv")
		has(t, "HZ's payment list", p, "物业公司 HZ")
		lacks(t, "HZ's payment list", p, "物业公司 LY")

		p = fin.Get("/console/subsidy/runs?status=paid")
		has(t, "the paid runs", p, id, "18,000.00")
		has(t, "the schemes", fin.Get("/console/subsidy/schemes"), "季度物业补贴", "按小区按期", "季度")
		has(t, "the ratings", hz.Get("/console/subsidy/ratings"), "HZ-001", "95")
		lacks(t, "HZ's ratings", hz.Get("/console/subsidy/ratings"), "LY-001")
	})
}

// TestRunCancel: a draft is cancelled on its page, pays nothing, and a
// new draft for the period may follow.
func TestRunCancel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := consoletest.New(t, db)
		quarterScheme(t, s)
		fin := signIn(t, s, "finance")
		id := runID(t, fin.PostForm("/console/subsidy/runs/new", form("scheme", "Q", "period", "2026-Q1", "_key", fin.Key)))
		has(t, "the draft", fin.Get("/console/subsidy/runs/"+id), "作废草稿")
		refused(t, "the auditor cancels", signIn(t, s, "auditor").PostForm("/console/subsidy/runs/"+id+"/cancel", url.Values{}),
			http.StatusForbidden, "forbidden", "无权")
		p := fin.PostForm("/console/subsidy/runs/"+id+"/cancel", url.Values{})
		status(t, "cancel", p, http.StatusSeeOther)
		has(t, "the cancelled run", fin.Get(p.Location()), "批次已作废", "已作废", "作废人")
		if got := must(t, s, "auditor", "GET", "/v1/subsidy/runs/"+id, nil, 200); got["status"] != "cancelled" || got["cancelled_by"] != "finance:finance" {
			t.Fatalf("cancelled run: %v", got)
		}
		if ts := must(t, s, "auditor", "GET", "/v1/transfers?type=subsidy_payment", nil, 200)["items"].([]any); len(ts) != 0 {
			t.Errorf("a cancelled run paid: %v", ts)
		}
		refused(t, "approve a cancelled run", signIn(t, s, "reviewer").PostForm("/console/subsidy/runs/"+id+"/approve", url.Values{}),
			http.StatusConflict, "conflict", "可能已经处理过")
		again := runID(t, fin.PostForm("/console/subsidy/runs/new", form("scheme", "Q", "period", "2026-Q1", "_key", "again")))
		if again == id {
			t.Errorf("the new draft is the cancelled run")
		}
	})
}
