package browser_test

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestFourEyes: a finance clerk files a payment above the approval limit
// through the project page's form (confirming it); it is filed, not paid;
// the clerk's own approval is refused with the four-eyes explanation; a
// second finance person finds it in the list of payments waiting and
// approves it, and the payment is made with both names on it.
func TestFourEyes(t *testing.T) {
	t.Parallel()
	s := sqliteSite(t)
	clerk := s.signIn("finance")
	if got := clerk.Open("/console/projects/HZ-001"); got != http.StatusOK {
		t.Fatalf("the project page: %d", got)
	}
	form := `form[action="/console/projects/HZ-001/expenditures"] `
	clerk.Set(form+"select[name=category]", "basic")
	clerk.Type(form+"input[name=amount]", "1200000.00")
	clerk.Type(form+"input[name=payee_name]", "连云港市政工程有限公司")
	clerk.Type(form+"input[name=payee_credit_code]", payeeCode)
	clerk.Type(form+"input[name=payee_bank_account]", "6222020000000001")
	clerk.Type(form+"input[name=purpose]", "外墙保温工程竣工款")
	if got := clerk.Follow(form + "button[type=submit]"); got != http.StatusOK {
		t.Fatalf("filing the payment: %d %s", got, clerk.Text("main"))
	}
	if !slices.Contains(clerk.Dialogs(), "确认提交这笔支付？") {
		t.Errorf("no confirmation was asked: %q", clerk.Dialogs())
	}
	at, _, _ := strings.Cut(clerk.Path(), "?")
	id := path.Base(at)
	if path.Dir(at) != "/console/payment-requests" || !strings.Contains(clerk.Text("main h1"), "待复核") {
		t.Fatalf("filed onto %s: %q", clerk.Path(), clerk.Text("main h1"))
	}
	if r := s.api("auditor", "GET", "/v1/payment-requests/"+id, nil, 200); r["status"] != "pending" || r["transfer_id"] != nil {
		t.Fatalf("the request as filed: %v", r)
	}

	if got := clerk.Follow(`form[action$="/approve"] button[type=submit]`); got != http.StatusForbidden ||
		!strings.Contains(clerk.Text("main"), "四眼原则") || clerk.Text("main code") != "same_person" {
		t.Errorf("the clerk approving their own payment: %d %q", got, clerk.Text("main"))
	}
	if r := s.api("auditor", "GET", "/v1/payment-requests/"+id, nil, 200); r["status"] != "pending" {
		t.Errorf("after the refused approval: %v", r)
	}

	reviewer := s.signIn("reviewer")
	if got := reviewer.Open("/console/payment-requests?status=pending"); got != http.StatusOK {
		t.Fatalf("the payments waiting: %d", got)
	}
	if got := reviewer.Follow(`table.grid a[href="/console/payment-requests/` + id + `"]`); got != http.StatusOK {
		t.Fatalf("the request: %d", got)
	}
	if got := reviewer.Follow(`form[action$="/approve"] button[type=submit]`); got != http.StatusOK ||
		!strings.HasPrefix(reviewer.Path(), "/console/transfers/") || reviewer.Text("p.flash") == "" {
		t.Fatalf("the reviewer's approval: %d onto %s: %q", got, reviewer.Path(), reviewer.Text("main"))
	}
	r := s.api("auditor", "GET", "/v1/payment-requests/"+id, nil, 200)
	tr := s.api("auditor", "GET", "/v1/transfers/"+r["transfer_id"].(string), nil, 200)
	if r["status"] != "approved" || tr["prepared_by"] != "finance:finance" || tr["approved_by"] != "finance:reviewer" || tr["amount"] != "1200000.00" {
		t.Errorf("approved: %v; the payment: %v", r, tr)
	}
}

// statement is a bank statement of district HZ's special account: the
// city's allocation in and the payment out.
const statement = "交易日期,摘要,收入金额,支出金额,对方户名\n" +
	"2026-03-02,拨款,2000000.00,,连云港市财政局\n" +
	"2026-04-02,工程款,,250000.50,连云港市政工程有限公司\n"

// TestReconciliationUpload: a district clerk uploads a bank statement with
// the file input (DOM.setFileInputFiles); the console shows the result,
// the allocation in and the payment out matched to their vouchers; the
// same file again is refused with an explanation on the form.
func TestReconciliationUpload(t *testing.T) {
	t.Parallel()
	s := sqliteSite(t)
	file := filepath.Join(t.TempDir(), "海州区专户对账单.csv")
	if err := os.WriteFile(file, []byte(statement), 0o644); err != nil {
		t.Fatal(err)
	}
	u := s.signIn("hz")
	form := `form[action="/console/reconciliations/new"] `
	upload := func() int {
		t.Helper()
		if got := u.Open("/console/reconciliations/new"); got != http.StatusOK {
			t.Fatalf("the upload page: %d", got)
		}
		u.Upload(form+"input[type=file][name=file]", file)
		return u.Follow(form + "button[type=submit]")
	}

	got := upload()
	at, _, _ := strings.Cut(u.Path(), "?")
	if got != http.StatusOK || path.Dir(at) != "/console/reconciliations" || !strings.Contains(u.Text("p.flash"), "自动匹配 2 项") ||
		!strings.Contains(u.Text("main"), "250,000.50") {
		t.Fatalf("the upload landed on %s: %d %q", u.Path(), got, u.Text("main"))
	}
	rec := s.api("hz", "GET", "/v1/reconciliations/"+path.Base(at), nil, 200)
	if m, _ := rec["matched"].([]any); len(m) != 2 {
		t.Errorf("matched: %v", rec["matched"])
	}

	if got := upload(); got != http.StatusConflict || !u.Has(form) || !strings.Contains(u.Text(".error"), "不能重复上传") {
		t.Errorf("the same statement again: %d %s %q", got, u.Path(), u.Text("main"))
	}
	if list := s.api("hz", "GET", "/v1/reconciliations", nil, 200)["items"].([]any); len(list) != 1 {
		t.Errorf("reconciliations after the refusal: %v", list)
	}
}

// TestTrailExport: the auditor downloads the fund trail's package from the
// export page (a ZIP with the trail, its data package and manifest); a
// district's package holds only its own movements.
func TestTrailExport(t *testing.T) {
	t.Parallel()
	s := sqliteSite(t)
	for _, c := range []struct {
		who, must, mustNot string
	}{{"auditor", "LY-001", ""}, {"hz", "HZ-001", "LY-001"}} {
		u := s.signIn(c.who)
		if got := u.Open("/console/export"); got != http.StatusOK {
			t.Fatalf("%s: the export page: %d", c.who, got)
		}
		name, data := u.Download(`form[action="/console/export/download"] button[type=submit]`)
		files := unzip(t, data)
		if !strings.HasSuffix(name, ".zip") || files["manifest.json"] == "" || files["datapackage.json"] == "" {
			t.Fatalf("%s: the package %q holds %q", c.who, name, keys(files))
		}
		trail := files["trail.csv"]
		if !strings.Contains(trail, c.must) || (c.mustNot != "" && strings.Contains(trail, c.mustNot)) {
			t.Errorf("%s: the trail:\n%.2000s", c.who, trail)
		}
	}
}

// unzip returns a ZIP file's files by their base names.
func unzip(t *testing.T, data []byte) map[string]string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a ZIP file (%d bytes): %v", len(data), err)
	}
	out := map[string]string{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[path.Base(f.Name)] = string(b)
	}
	return out
}

// keys are a map's keys.
func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
