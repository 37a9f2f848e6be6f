package dashboard_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"renofund/internal/console/consoletest"
	"renofund/internal/console/kit"
	"renofund/internal/field"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// api calls the JSON API as who and decodes the answer into out (when not
// nil), failing the test unless the status is want.
func api(t testing.TB, s *consoletest.Site, who, method, path string, body any, want int, out any) {
	t.Helper()
	var r *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	} else {
		r = bytes.NewReader(nil)
	}
	req := httptest.NewRequest(method, path, r)
	req.Header.Set("Authorization", "Bearer "+s.Tokens[who])
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.API.Handler().ServeHTTP(rec, req)
	if rec.Code != want {
		t.Fatalf("%s %s %s: %d %s", who, method, path, rec.Code, rec.Body)
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// lastYear is the year the tests book in: ended, so that its months'
// bulletins can be drafted, whatever today is.
func lastYear() int { return time.Now().In(field.Zone).Year() - 1 }

// city books a year of money in HZ and LY (in lastYear): a central grant
// received by the city, passed down to HZ (and on to its project) and to
// LY's project; HZ's own fiscal money; a payment in each district; and the
// bulletins of the first three months.
func city(t *testing.T, s *consoletest.Site) int {
	y := lastYear()
	d := func(m, day int) string { return fmt.Sprintf("%d-%02d-%02d", y, m, day) }
	payee := map[string]any{"name": "连云港市政工程有限公司", "credit_code": "91350100M000100Y43", "bank_account": "6222020000000001"}
	cg := fmt.Sprintf("CG-%d", y)
	api(t, s, "finance", "POST", "/v1/funds", map[string]any{"code": cg, "kind": "central_grant", "name": "中央补助资金",
		"holder": "city", "fiscal_year": y, "document_no": "财综〔1〕1号", "eligible_categories": []string{"basic", "improvement"}}, 201, nil)
	api(t, s, "finance", "POST", "/v1/funds/"+cg+"/receipts", map[string]any{"amount": "1000000.00", "received_on": d(1, 10),
		"payer": map[string]any{"name": "江苏省财政厅"}}, 201, nil)
	for _, a := range []struct{ from, to, amount, on string }{
		{"city", "district:HZ", "600000.00", d(1, 15)}, {"district:HZ", "project:HZ-001", "500000.00", d(1, 20)},
		{"city", "project:LY-001", "300000.00", d(2, 1)},
	} {
		api(t, s, "finance", "POST", "/v1/allocations", map[string]any{"fund": cg, "from": a.from, "to": a.to,
			"amount": a.amount, "allocated_on": a.on}, 201, nil)
	}
	df := fmt.Sprintf("HZ-DF-%d", y)
	api(t, s, "hz", "POST", "/v1/funds", map[string]any{"code": df, "kind": "district_fiscal", "name": "区级配套资金",
		"holder": "district:HZ", "fiscal_year": y, "document_no": "海财〔1〕2号", "eligible_categories": []string{"basic"}}, 201, nil)
	api(t, s, "hz", "POST", "/v1/funds/"+df+"/receipts", map[string]any{"amount": "200000.00", "received_on": d(2, 1),
		"payer": map[string]any{"name": "海州区财政局"}}, 201, nil)
	api(t, s, "hz", "POST", "/v1/expenditures", map[string]any{"project": "HZ-001", "category": "basic", "amount": "250000.50",
		"payee": payee, "paid_on": d(2, 10), "purpose": "雨污分流管网改造"}, 201, nil)
	api(t, s, "ly", "POST", "/v1/expenditures", map[string]any{"project": "LY-001", "category": "basic", "amount": "100000.00",
		"payee": payee, "paid_on": d(3, 5), "purpose": "屋面防水"}, 201, nil)
	for m := 1; m <= 3; m++ {
		api(t, s, "finance", "POST", fmt.Sprintf("/v1/bulletins/%d-%02d", y, m), nil, 201, nil)
	}
	return y
}

// fundTotals sums the totals of GET /v1/funds?fiscal_year= as who sees them.
func fundTotals(t *testing.T, s *consoletest.Site, who string, y int) (received, spent, available money.Amount) {
	var page struct {
		Items []struct {
			Totals struct {
				Received, Spent, Available money.Amount
			}
		}
	}
	api(t, s, who, "GET", fmt.Sprintf("/v1/funds?fiscal_year=%d&limit=1000", y), nil, 200, &page)
	for _, f := range page.Items {
		received += f.Totals.Received
		spent += f.Totals.Spent
		available += f.Totals.Available
	}
	return
}

// card reads a card's figure from the page.
func card(t *testing.T, page, label string) string {
	t.Helper()
	m := regexp.MustCompile(`<div class="k">` + regexp.QuoteMeta(label) + `</div><div class="v">([^<]*)</div>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no card %s", label)
	}
	return m[1]
}

// svgs are the page's charts by their label.
func svgs(page string) map[string]string {
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`(?s)<svg class="chart" role="img" aria-label="([^"]*)".*?</svg>`).FindAllStringSubmatch(page, -1) {
		out[m[1]] = m[0]
	}
	return out
}

// openFindings counts the findings who sees that are not closed, from the
// exception list's JSON pages.
func openFindings(t *testing.T, s *consoletest.Site, who string) (open, review int) {
	var page struct {
		Items []struct{ Status string }
	}
	api(t, s, who, "GET", "/v1/audit/exceptions?limit=1000", nil, 200, &page)
	for _, f := range page.Items {
		switch f.Status {
		case "open":
			open++
		case "closed":
		default:
			review++
		}
	}
	return open, review
}

// TestDashboard: the finance bureau and the auditor see every district's
// money, a district its own and nothing of another's, the administrator is
// refused; the cards equal what the API answers the same user, and the
// charts are SVG with their Chinese labels in CJK fonts.
func TestDashboard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := consoletest.New(t, db)
		y := city(t, s)
		// One finding under review, so that the page tells the two apart.
		var list struct {
			Items []struct{ ID string }
		}
		api(t, s, "auditor", "GET", "/v1/audit/exceptions?limit=1", nil, 200, &list)
		if len(list.Items) == 0 {
			t.Fatal("the city has no findings to review")
		}
		api(t, s, "auditor", "POST", "/v1/audit/exceptions/"+list.Items[0].ID+"/reviews",
			map[string]any{"action": "acknowledge", "note": "已核实"}, 201, nil)
		path := fmt.Sprintf("/console/dashboard?fiscal_year=%d", y)

		fin := s.SignIn("finance").Get(path)
		if fin.Status != http.StatusOK {
			t.Fatalf("finance: %d %s", fin.Status, fin.Body)
		}
		received, spent, available := fundTotals(t, s, "finance", y)
		if received != money.MustParse("1200000.00") || spent != money.MustParse("350000.50") {
			t.Fatalf("the API's funds: received %s spent %s", received, spent)
		}
		for label, want := range map[string]string{
			"到账资金": kit.Yuan(received), "本年支出": kit.Yuan(spent), "资金余额": kit.Yuan(available),
			"下拨区县": "900,000.00", "支出进度": "29.17%", // 350,000.50 ÷ 1,200,000.00
		} {
			if got := card(t, fin.Body, label); got != want {
				t.Errorf("finance card %s = %q, want %q", label, got, want)
			}
		}
		open, review := openFindings(t, s, "finance")
		if review != 1 || card(t, fin.Body, "未结异常") != fmt.Sprint(open+review) ||
			!strings.Contains(fin.Body, fmt.Sprintf("待处理 %d，处理中 %d", open, review)) {
			t.Errorf("finance findings card %q, the API counts %d open and %d in review", card(t, fin.Body, "未结异常"), open, review)
		}
		charts := svgs(fin.Body)
		if len(charts) != 5 {
			t.Fatalf("finance: %d charts, want 5: %v", len(charts), keys(charts))
		}
		for label, words := range map[string][]string{
			"各区县本年可用资金按来源": {"市级", "海州区", "连云区", "中央补助资金", "区级财政资金", "万元"},
			"各区县支出进度排名":    {"海州区", "连云区", "33.33%", "31.25%"},
			"本年逐月资金流入与流出":  {"1月", "12月", "到账", "下拨区县", "支出"},
			"预算执行（按类别）":    {"基础类", "完善类", "提升类", "预算", "累计支出"},
			"未结异常按类型":      {"待处理", "处理中"},
		} {
			svg := charts[label]
			for _, w := range words {
				if !strings.Contains(svg, w) {
					t.Errorf("chart %s lacks %q", label, w)
				}
			}
			if !strings.Contains(svg, "font-family:'PingFang SC'") || strings.Contains(svg, "Roboto") {
				t.Errorf("chart %s does not ask for CJK fonts", label)
			}
		}
		// The ranking: LY spent a third of its 300,000.00, HZ 250,000.50 of
		// its 800,000.00; the tables give the exact figures.
		for _, want := range []string{
			`<td class="num">1</td><td>连云区</td><td class="num">300,000.00</td><td class="num">100,000.00</td>`,
			`<td class="num">2</td><td>海州区</td><td class="num">800,000.00</td><td class="num">250,000.50</td>`,
			`<td>1月</td><td class="num">1,000,000.00</td><td class="num">600,000.00</td><td class="num">0.00</td>`,
			`<td>4月</td><td colspan="3" class="num muted">尚无月通报</td>`,
			`<td>基础类</td><td class="num">2,000,000.00</td><td class="num">350,000.50</td><td class="num">1,649,999.50</td><td class="num">17.50%</td>`,
		} {
			if !strings.Contains(fin.Body, want) {
				t.Errorf("finance page lacks %s", want)
			}
		}

		aud := s.SignIn("auditor").Get(path)
		if aud.Status != http.StatusOK || card(t, aud.Body, "到账资金") != kit.Yuan(received) || len(svgs(aud.Body)) != 5 {
			t.Errorf("auditor: %d, received %q", aud.Status, card(t, aud.Body, "到账资金"))
		}

		for _, d := range []struct{ who, own, other, otherCode string }{
			{"hz", "海州区", "连云区", "LY"}, {"ly", "连云区", "海州区", "HZ"},
		} {
			p := s.SignIn(d.who).Get(path)
			if p.Status != http.StatusOK {
				t.Fatalf("%s: %d %s", d.who, p.Status, p.Body)
			}
			received, spent, available := fundTotals(t, s, d.who, y)
			for label, want := range map[string]string{"到位资金": kit.Yuan(received), "本年支出": kit.Yuan(spent), "资金余额": kit.Yuan(available)} {
				if got := card(t, p.Body, label); got != want {
					t.Errorf("%s card %s = %q, want %q", d.who, label, got, want)
				}
			}
			open, review := openFindings(t, s, d.who)
			if card(t, p.Body, "未结异常") != fmt.Sprint(open+review) {
				t.Errorf("%s findings card %q, the API counts %d", d.who, card(t, p.Body, "未结异常"), open+review)
			}
			if !strings.Contains(p.Body, "概览 · "+d.own) || len(svgs(p.Body)) != 5 {
				t.Errorf("%s: not its own dashboard, or %d charts", d.who, len(svgs(p.Body)))
			}
			for _, w := range []string{d.other, d.otherCode, "全市"} {
				if strings.Contains(p.Body, w) {
					t.Errorf("%s's dashboard shows %q", d.who, w)
				}
			}
		}
		if hz := s.SignIn("hz").Get(path); card(t, hz.Body, "到位资金") != "800,000.00" || card(t, hz.Body, "上级拨入") != "600,000.00" {
			t.Errorf("hz: received %q, allocated %q", card(t, hz.Body, "到位资金"), card(t, hz.Body, "上级拨入"))
		}

		if p := s.SignIn("admin").Get(path); p.Status != http.StatusForbidden || !strings.Contains(p.Body, "无权访问") {
			t.Errorf("admin: %d", p.Status)
		}
		if p := s.Browser().Get(path); p.Status != http.StatusSeeOther && p.Status != http.StatusUnauthorized {
			t.Errorf("no session: %d", p.Status)
		}
		if p := s.SignIn("finance").Get("/console/dashboard?fiscal_year=26"); p.Status != http.StatusBadRequest ||
			!strings.Contains(p.Body, "年度应为") {
			t.Errorf("a bad year: %d", p.Status)
		}

		// Without a year: this one, which holds what last year left; the
		// selector offers last year, whose bulletins are drafted.
		now := s.SignIn("finance").Get("/console/dashboard")
		cur := y + 1
		if now.Status != http.StatusOK || !strings.Contains(now.Body, fmt.Sprintf("概览 · 全市 · %d年", cur)) ||
			!strings.Contains(now.Body, fmt.Sprintf(`<option value="%d">`, y)) ||
			card(t, now.Body, "资金余额") != kit.Yuan(available) || card(t, now.Body, "到账资金") != "0.00" {
			t.Errorf("the default year: %d %q", now.Status, card(t, now.Body, "资金余额"))
		}
	})
}

// TestDashboardLatestYear: when this year holds no money at all, the page
// opens on the latest year a bulletin covers.
func TestDashboardLatestYear(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := consoletest.New(t, db)
		y := lastYear()
		api(t, s, "hz", "POST", "/v1/funds", map[string]any{"code": "HZ-R", "kind": "resident_contribution", "name": "居民出资",
			"holder": "project:HZ-001", "fiscal_year": y, "document_no": "海财〔1〕3号", "eligible_categories": []string{"basic"}}, 201, nil)
		api(t, s, "hz", "POST", "/v1/funds/HZ-R/receipts", map[string]any{"amount": "5000.00",
			"received_on": fmt.Sprintf("%d-05-01", y), "payer": map[string]any{"name": "居民"}}, 201, nil)
		api(t, s, "hz", "POST", "/v1/expenditures", map[string]any{"project": "HZ-001", "category": "basic", "amount": "5000.00",
			"payee":   map[string]any{"name": "连云港市政工程有限公司", "credit_code": "91350100M000100Y43", "bank_account": "6222020000000001"},
			"paid_on": fmt.Sprintf("%d-05-02", y), "purpose": "单元门"}, 201, nil)
		api(t, s, "finance", "POST", fmt.Sprintf("/v1/bulletins/%d-05", y), nil, 201, nil)

		p := s.SignIn("hz").Get("/console/dashboard")
		if p.Status != http.StatusOK || !strings.Contains(p.Body, fmt.Sprintf("概览 · 海州区 · %d年", y)) ||
			card(t, p.Body, "本年支出") != "5,000.00" || card(t, p.Body, "支出进度") != "100.00%" {
			t.Errorf("hz: %d, spent %q", p.Status, card(t, p.Body, "本年支出"))
		}
		if !strings.Contains(p.Body, `<td>5月</td><td class="num">5,000.00</td><td class="num">0.00</td><td class="num">5,000.00</td>`) {
			t.Error("the trend lacks May's bulletin")
		}
		// An empty year says so instead of drawing nothing.
		e := s.SignIn("finance").Get(fmt.Sprintf("/console/dashboard?fiscal_year=%d", y-1))
		if e.Status != http.StatusOK || !strings.Contains(e.Body, "本年度没有资金记录") || !strings.Contains(e.Body, "还没有生成月通报") ||
			card(t, e.Body, "支出进度") != "—" {
			t.Errorf("an empty year: %d", e.Status)
		}
	})
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
