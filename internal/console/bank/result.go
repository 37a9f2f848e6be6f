package bank

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"renofund/internal/console/kit"
	"renofund/internal/web"
)

// The API's reconciliation as the pages read it. Amounts stay the API's
// decimal strings: they are signed (+ money in), and only shown.
type (
	// line is a bank statement line.
	line struct {
		Line                int     `json:"line"`
		Date                string  `json:"date"`
		Amount              string  `json:"amount"`
		Balance             *string `json:"balance"`
		Reference           string  `json:"reference"`
		Counterparty        string  `json:"counterparty"`
		CounterpartyAccount string  `json:"counterparty_account"`
		Summary             string  `json:"summary"`
	}
	// movement is a voucher's net effect on the district's money.
	movement struct {
		ID        string `json:"id"`
		VoucherNo string `json:"voucher_no"`
		Type      string `json:"type"`
		Date      string `json:"date"`
		Amount    string `json:"amount"`
		Reference string `json:"reference"`
	}
	// pair is a bank line matched with one voucher.
	pair struct {
		Match    string   `json:"match"`
		Bank     line     `json:"bank"`
		Movement movement `json:"movement"`
		By       string   `json:"by"`
	}
	// group is a match of several lines on one side or both.
	group struct {
		Match     string     `json:"match"`
		Bank      []line     `json:"bank"`
		Movements []movement `json:"movements"`
		By        string     `json:"by"`
		Reason    string     `json:"reason"`
	}
	// event is a match made or undone by hand.
	event struct {
		Action    string   `json:"action"`
		Match     string   `json:"match"`
		BankLines []int    `json:"bank_lines"`
		Transfers []string `json:"transfers"`
		Reason    string   `json:"reason"`
		By        string   `json:"by"`
		At        string   `json:"at"`
	}
	// reconciliation is a stored reconciliation as it stands.
	reconciliation struct {
		ID              string     `json:"id"`
		District        string     `json:"district"`
		Account         string     `json:"account"`
		StatementSHA256 string     `json:"statement_sha256"`
		WindowDays      int        `json:"window_days"`
		PeriodFrom      string     `json:"period_from"`
		PeriodTo        string     `json:"period_to"`
		StatementFrom   string     `json:"statement_from"`
		StatementTo     string     `json:"statement_to"`
		MatchedCount    int        `json:"matched_count"`
		Matched         []pair     `json:"matched"`
		Groups          []group    `json:"groups"`
		UnmatchedBank   []line     `json:"unmatched_bank"`
		UnmatchedLedger []movement `json:"unmatched_ledger"`
		History         []event    `json:"history"`
		CreatedBy       string     `json:"created_by"`
		CreatedAt       string     `json:"created_at"`
	}
	// finding is an audit finding about the reconciliation's items.
	finding struct {
		ID       string `json:"id"`
		Code     string `json:"code"`
		Severity string `json:"severity"`
		Amount   string `json:"amount"`
		On       string `json:"on"`
		Status   string `json:"status"`
		Rule     string `json:"rule"`
	}
)

// moneyIn is a signed amount's money in, for the 收入 column.
func moneyIn(amount string) string {
	if strings.HasPrefix(amount, "-") {
		return ""
	}
	return kit.Yuan(amount)
}

// moneyOut is a signed amount's money out, for the 支出 column.
func moneyOut(amount string) string {
	if !strings.HasPrefix(amount, "-") {
		return ""
	}
	return kit.Yuan(amount[1:])
}

// BalanceText is the running balance after the line, if the statement has one.
func (l line) BalanceText() string {
	if l.Balance == nil {
		return ""
	}
	return kit.Yuan(*l.Balance)
}

// In is what a bank line brought into the account.
func (l line) In() string { return moneyIn(l.Amount) }

// Out is what a bank line paid out of the account.
func (l line) Out() string { return moneyOut(l.Amount) }

// In is what a voucher brought into the district's money.
func (m movement) In() string { return moneyIn(m.Amount) }

// Out is what a voucher paid out of the district's money.
func (m movement) Out() string { return moneyOut(m.Amount) }

// methods name how a match was made.
var methods = map[string]string{"reference": "按参考号", "amount_date": "按金额与日期", "group": "组合匹配", "manual": "手工匹配"}

// Method is how the pair was matched, in Chinese.
func (p pair) Method() string { return methods[p.By] }

// Method is how the group was matched, in Chinese.
func (g group) Method() string { return methods[g.By] }

// Name is what the event did, in Chinese.
func (e event) Name() string {
	if e.Action == "unmatch" {
		return "撤销匹配"
	}
	return "手工匹配"
}

// resultPage is the reconciliation page's model.
type resultPage struct {
	R        reconciliation
	Findings []finding
	CanMatch bool // the user may match and unmatch
}

// load reads a reconciliation; a refusal is shown as the page.
func (s *section) load(c *gin.Context, id string) (*reconciliation, bool) {
	var r reconciliation
	if err := s.k.Get(c, "/v1/reconciliations/"+url.PathEscape(id), &r); err != nil {
		s.k.Refuse(c, err)
		return nil, false
	}
	return &r, true
}

// reconciliation shows a stored reconciliation: what matched and how, the
// lines and vouchers left on each side (with the manual match form), the
// audit findings its unmatched items raise, and the history of matching by
// hand.
func (s *section) reconciliation(c *gin.Context) {
	r, ok := s.load(c, c.Param("id"))
	if !ok {
		return
	}
	findings, err := s.findings(c, r)
	if err != nil {
		s.k.Refuse(c, err)
		return
	}
	s.k.Render(c, http.StatusOK, "bank-reconciliation", "对账结果 "+r.StatementFrom+" 至 "+r.StatementTo,
		resultPage{R: *r, Findings: findings, CanMatch: may(c, s.k.RolesOf("POST /v1/reconciliations/:id/matches"))})
}

// findings are the bank findings of the audit rules (银行已付单位未记账,
// 单位已付银行未付) that name this reconciliation's bank lines or the
// vouchers it leaves unmatched, as of today.
func (s *section) findings(c *gin.Context, r *reconciliation) ([]finding, error) {
	vouchers := map[string]bool{}
	for _, m := range r.UnmatchedLedger {
		vouchers["voucher_not_in_bank:"+m.VoucherNo] = true
	}
	var out []finding
	for _, kind := range []string{"bank_debit_unbooked", "voucher_not_in_bank"} {
		q := url.Values{"kind": {kind}, "district": {r.District}, "limit": {"1000"}}
		for {
			var page web.List[finding]
			if err := s.k.Get(c, "/v1/audit/exceptions?"+q.Encode(), &page); err != nil {
				return nil, err
			}
			for _, f := range page.Items {
				if strings.HasPrefix(f.ID, "bank_debit_unbooked:"+r.ID+"@") || vouchers[f.ID] {
					out = append(out, f)
				}
			}
			if page.Next == nil {
				break
			}
			q.Set("after", *page.Next)
		}
	}
	return out, nil
}

// match sends the chosen bank lines and vouchers, with the reason, to
// POST /v1/reconciliations/{id}/matches.
func (s *section) match(c *gin.Context) {
	id := c.Param("id")
	var lines []int
	for _, v := range c.PostFormArray("bank_lines") {
		n, err := strconv.Atoi(v)
		if err != nil {
			s.k.Fail(c, http.StatusBadRequest, "invalid_request", "银行流水的行号有误。")
			return
		}
		lines = append(lines, n)
	}
	transfers := c.PostFormArray("transfers")
	if len(lines) == 0 || len(transfers) == 0 {
		s.k.Fail(c, http.StatusBadRequest, "invalid_request", "请至少勾选一笔银行流水和一笔账面凭证。")
		return
	}
	in := map[string]any{"bank_lines": lines, "transfers": transfers, "reason": c.PostForm("reason")}
	if err := s.k.Post(c, "/v1/reconciliations/"+url.PathEscape(id)+"/matches", in, c.PostForm("_key"), nil); err != nil {
		s.k.Refuse(c, err)
		return
	}
	kit.Back(c, "/console/reconciliations/"+url.PathEscape(id), "已手工匹配 "+strconv.Itoa(len(lines))+" 笔银行流水与 "+
		strconv.Itoa(len(transfers))+" 笔凭证。")
}

// unmatch undoes a match, with the reason, through DELETE
// /v1/reconciliations/{id}/matches/{match}.
func (s *section) unmatch(c *gin.Context) {
	id := c.Param("id")
	b, _ := json.Marshal(map[string]string{"reason": c.PostForm("reason")})
	path := "/v1/reconciliations/" + url.PathEscape(id) + "/matches/" + url.PathEscape(c.Param("match"))
	if _, err := s.k.Call(c, http.MethodDelete, path, bytes.NewReader(b), "application/json", nil); err != nil {
		s.k.Refuse(c, err)
		return
	}
	kit.Back(c, "/console/reconciliations/"+url.PathEscape(id), "已撤销该匹配，相关流水和凭证回到未达账项。")
}
