package audit_test

import (
	"archive/zip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"renofund/internal/access"
	"renofund/internal/console/consoletest"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// call sends a JSON request to the API as who (consoletest.Call).
var call = consoletest.Call

// books gives HZ a district fund of 10,000.00 (received 03-01, half
// allocated to HZ-001) and pays the same contractor 300.00 twice within
// three days in April: a possible duplicate payment.
func books(t *testing.T, s *consoletest.Site) {
	call(t, s, "finance", "POST", "/v1/funds", map[string]any{"code": "HZ-F01", "kind": "district_fiscal", "name": "海州区改造资金",
		"holder": "district:HZ", "fiscal_year": 2026, "document_no": "海财〔2026〕1号", "eligible_categories": []string{"basic"}}, 201)
	call(t, s, "finance", "POST", "/v1/funds/HZ-F01/receipts", map[string]any{"amount": "10000.00", "received_on": "2026-03-01",
		"payer": map[string]any{"name": "连云港市财政局"}}, 201)
	call(t, s, "finance", "POST", "/v1/allocations", map[string]any{"fund": "HZ-F01", "from": "district:HZ", "to": "project:HZ-001",
		"amount": "5000.00", "allocated_on": "2026-03-02"}, 201)
	for _, on := range []string{"2026-04-03", "2026-04-05"} {
		call(t, s, "hz", "POST", "/v1/expenditures", map[string]any{"project": "HZ-001", "category": "basic", "amount": "300.00",
			"paid_on": on, "purpose": "雨污分流管网改造",
			"payee": map[string]any{"name": "连云港市政工程有限公司", "credit_code": "91350100M000100Y43", "bank_account": "6222020000000001"}}, 201)
	}
}

// has fails the test unless page answered status and holds every text.
func has(t *testing.T, what string, p consoletest.Page, status int, texts ...string) {
	t.Helper()
	if p.Status != status {
		t.Errorf("%s: status %d, want %d", what, p.Status, status)
	}
	for _, s := range texts {
		if !strings.Contains(p.Body, s) {
			t.Errorf("%s: no %q on the page", what, s)
		}
	}
}

// TestFindings: the list filters by kind and status; a finding's page
// shows it and its (empty) history; an empty note and a forged form are
// refused and store nothing; the auditor acknowledges and then closes it;
// the district reads its finding without the form and may not review; LY
// does not see it.
func TestFindings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := consoletest.New(t, db)
		books(t, s)
		items := call(t, s, "auditor", "GET", "/v1/audit/exceptions?kind=duplicate_payment", nil, 200)["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("duplicate payments: %v", items)
		}
		id := items[0].(map[string]any)["id"].(string)
		au := s.SignIn("auditor")
		has(t, "list by kind", au.Get("/console/exceptions?kind=duplicate_payment"), http.StatusOK, id, "疑似重复支付", "300.00",
			`href="/console/exceptions/`+url.PathEscape(id)+`"`, "export=xlsx")
		for _, q := range []string{"kind=idle_money", "status=closed", "district=LY"} {
			if p := au.Get("/console/exceptions?" + q); p.Status != http.StatusOK || strings.Contains(p.Body, id) {
				t.Errorf("?%s: %d, lists %s: %v", q, p.Status, id, strings.Contains(p.Body, id))
			}
		}
		path := "/console/exceptions/" + url.PathEscape(id)
		has(t, "finding", au.Get(path), http.StatusOK, "审计疑点：疑似重复支付", "尚未处理", "确认（已知悉，待处理）", `name="note"`)

		reviews := func() int {
			return len(call(t, s, "auditor", "GET", "/v1/audit/exceptions/"+url.PathEscape(id), nil, 200)["reviews"].([]any))
		}
		has(t, "empty note", au.PostForm(path+"/reviews", url.Values{"action": {"acknowledge"}, "note": {""}}), http.StatusBadRequest,
			"请填写处理意见")
		has(t, "forged", au.PostForm(path+"/reviews", url.Values{"_csrf": {"forged"}, "action": {"acknowledge"}, "note": {"x"}}),
			http.StatusForbidden)
		if n := reviews(); n != 0 {
			t.Fatalf("a refused review was stored: %d", n)
		}
		au.Get(path)
		p := au.PostForm(path+"/reviews", url.Values{"_key": {au.Key}, "action": {"acknowledge"}, "note": {"已通知区财政核实"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("acknowledge: %d %s", p.Status, p.Body)
		}
		has(t, "acknowledged", au.Get(p.Location()), http.StatusOK, "已记录：确认，疑点状态为“已确认”", "已通知区财政核实", "auditor")
		au.Get(path)
		p = au.PostForm(path+"/reviews", url.Values{"_key": {au.Key}, "action": {"close"}, "note": {"系两期进度款，非重复"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("close: %d %s", p.Status, p.Body)
		}
		has(t, "closed", au.Get(path), http.StatusOK, "该疑点已关闭", "系两期进度款，非重复")
		if n := reviews(); n != 2 {
			t.Errorf("%d reviews stored, want 2", n)
		}
		has(t, "closed list", au.Get("/console/exceptions?status=closed"), http.StatusOK, id)
		if p := au.Get("/console/exceptions?status=open&kind=duplicate_payment"); strings.Contains(p.Body, id) {
			t.Errorf("a closed finding listed as open")
		}
		au.Get(path)
		has(t, "backwards", au.PostForm(path+"/reviews", url.Values{"action": {"acknowledge"}, "note": {"x"}}), http.StatusConflict)

		hz := s.SignIn("hz")
		page := hz.Get(path)
		has(t, "HZ's finding", page, http.StatusOK, "系两期进度款，非重复")
		if strings.Contains(page.Body, `name="note"`) {
			t.Errorf("HZ is offered the review form")
		}
		has(t, "HZ reviews", hz.PostForm(path+"/reviews", url.Values{"action": {"close"}, "note": {"x"}}), http.StatusForbidden)
		has(t, "LY reads HZ's finding", s.SignIn("ly").Get(path), http.StatusNotFound)
	})
}

// TestBulletin: a stored bulletin's page shows its sections as tables with
// formatted amounts; its workbook downloads; LY reads only its own rows.
func TestBulletin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := consoletest.New(t, db)
		books(t, s)
		ctx := access.With(context.Background(), access.Actor{Role: access.Finance, Name: "finance"})
		if _, err := s.App.Bulletins.Draft(ctx, "2026-04"); err != nil {
			t.Fatal(err)
		}
		au := s.SignIn("auditor")
		has(t, "list", au.Get("/console/bulletins"), http.StatusOK, `href="/console/bulletins/2026-04"`, "月度通报")
		has(t, "bulletin", au.Get("/console/bulletins/2026-04"), http.StatusOK, "2026-04 老旧小区改造资金月度通报",
			"一、资金支出进度", "四、项目进度滞后", "海州区", "区级财政资金", "合计", "10,000.00", "600.00", "%")
		x := au.Get("/console/bulletins/2026-04?format=xlsx")
		if x.Status != http.StatusOK || !strings.HasPrefix(x.Body, "PK") || !strings.Contains(x.Header.Get("Content-Type"), "spreadsheetml") ||
			!strings.Contains(x.Header.Get("Content-Disposition"), "bulletin-2026-04") {
			t.Errorf("xlsx: %d %s %s", x.Status, x.Header.Get("Content-Type"), x.Header.Get("Content-Disposition"))
		}
		ly := s.SignIn("ly").Get("/console/bulletins/2026-04")
		has(t, "LY's bulletin", ly, http.StatusOK, "一、资金支出进度", "（LY 的数据与全市合计）")
		if strings.Contains(ly.Body, "海州区") {
			t.Errorf("LY reads HZ's rows")
		}
		has(t, "no such month", au.Get("/console/bulletins/2026-05"), http.StatusNotFound)
	})
}

// zipFiles reads a ZIP file's entries.
func zipFiles(t *testing.T, body string) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("not a ZIP file: %v", err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		out[f.Name] = string(b)
	}
	return out
}

// TestExport: the export form offers the package; the download is a ZIP
// package with the trail and its manifest, and says it is done by its
// cookie; a district's package is its own; another district's is refused.
func TestExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := consoletest.New(t, db)
		books(t, s)
		au := s.SignIn("auditor")
		has(t, "form", au.Get("/console/export"), http.StatusOK, "完整数据包（ZIP）", `name="dl"`, "data-progress", `class="progress"`,
			`<option value="LY">`)
		p := au.Get("/console/export/download?dl=t1&fiscal_year=2026")
		if p.Status != http.StatusOK || p.Header.Get("Content-Type") != "application/zip" ||
			!strings.Contains(p.Header.Get("Content-Disposition"), ".zip") {
			t.Fatalf("download: %d %s %s", p.Status, p.Header.Get("Content-Type"), p.Body[:min(200, len(p.Body))])
		}
		if !strings.Contains(strings.Join(p.Header.Values("Set-Cookie"), ";"), "renofund_download=t1") {
			t.Errorf("no done cookie: %v", p.Header.Values("Set-Cookie"))
		}
		files := zipFiles(t, p.Body)
		var m struct {
			Rows    int64 `json:"rows"`
			Filters struct {
				District string `json:"district"`
				From     string `json:"from"`
			} `json:"filters"`
			Verify struct {
				OK bool `json:"ok"`
			} `json:"verify"`
		}
		if err := json.Unmarshal([]byte(files["manifest.json"]), &m); err != nil {
			t.Fatalf("manifest.json: %v (files %d)", err, len(files))
		}
		if m.Rows == 0 || !m.Verify.OK || m.Filters.From != "2026-01-01" || !strings.Contains(files["trail.csv"], "HZ-F01") ||
			files["datapackage.json"] == "" || !strings.HasPrefix(files["trail.xlsx"], "PK") {
			t.Errorf("package: manifest %+v, %d files", m, len(files))
		}

		hz := s.SignIn("hz")
		has(t, "HZ's form", hz.Get("/console/export"), http.StatusOK, `<option value="HZ">`)
		p = hz.Get("/console/export/download?dl=t2")
		if err := json.Unmarshal([]byte(zipFiles(t, p.Body)["manifest.json"]), &m); err != nil || m.Filters.District != "HZ" {
			t.Errorf("HZ's package: %v %+v", err, m)
		}
		p = hz.Get("/console/export/download?dl=t3&district=LY")
		has(t, "HZ exports LY", p, http.StatusForbidden, "无权")
		if !strings.Contains(strings.Join(p.Header.Values("Set-Cookie"), ";"), "renofund_download=t3") {
			t.Errorf("no done cookie on the refusal")
		}
		c := au.Get("/console/export/download?format=csv&district=HZ")
		if c.Status != http.StatusOK || !strings.HasPrefix(c.Header.Get("Content-Type"), "text/csv") || !strings.Contains(c.Body, "HZ-F01") {
			t.Errorf("csv: %d %s", c.Status, c.Header.Get("Content-Type"))
		}
		has(t, "bad window", au.Get("/console/export/download?from=2026-05-01&to=2026-04-01"), http.StatusBadRequest)
		if p := au.Get("/console/export/download"); p.Status != http.StatusSeeOther || p.Location() != "/console/export" {
			t.Errorf("the bare download address: %d %s", p.Status, p.Location())
		}
	})
}

// TestVerify: the page says the chain is intact, with what it checked and
// how long it took; after a posting is altered it says where it breaks; a
// district may not run it.
func TestVerify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := consoletest.New(t, db)
		books(t, s)
		au := s.SignIn("auditor")
		page := au.Get("/console/verify")
		has(t, "verify page", page, http.StatusOK, "开始校验", `name="run"`, "data-progress")
		if strings.Contains(page.Body, "链条完整") {
			t.Errorf("opening the page ran the verification")
		}
		has(t, "verify", au.Get("/console/verify?run=1"), http.StatusOK, "链条完整：未发现篡改", "用时", " 秒", "校验凭证", "重新校验",
			"全部账簿（全面校验）") // no checkpoint yet: the default mode is the full one
		if _, err := s.App.Proof.Checkpoint(context.Background()); err != nil {
			t.Fatal(err)
		}
		has(t, "verify since", au.Get("/console/verify?run=1"), http.StatusOK, "链条完整：未发现篡改", "检查点 第 1 号（")
		has(t, "verify full", au.Get("/console/verify?run=1&full=1"), http.StatusOK, "链条完整：未发现篡改", "全部账簿（全面校验）")
		has(t, "HZ verifies", s.SignIn("hz").Get("/console/verify?run=1"), http.StatusForbidden)
		if err := db.G.Exec("UPDATE postings SET amount = amount + 1 WHERE holder = 'project:HZ-001'").Error; err != nil {
			t.Fatal(err)
		}
		has(t, "tampered", au.Get("/console/verify?run=1"), http.StatusOK, "发现问题", "位置：")
		has(t, "tampered, full", au.Get("/console/verify?run=1&full=1"), http.StatusOK, "发现问题", "位置：")
	})
}
