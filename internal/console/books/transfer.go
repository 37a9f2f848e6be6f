package books

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"renofund/internal/console/kit"
	"renofund/internal/web"
)

// transfer is a transfer as GET /v1/transfers/{id} gives it.
type transfer struct {
	ID              string           `json:"id"`
	VoucherNo       string           `json:"voucher_no"`
	FiscalYear      int              `json:"fiscal_year"`
	Type            string           `json:"type"`
	Fund            string           `json:"fund"`
	From            string           `json:"from"`
	To              string           `json:"to"`
	District        string           `json:"district"`
	Project         string           `json:"project"`
	Category        string           `json:"category"`
	Amount          string           `json:"amount"`
	BookedOn        string           `json:"booked_on"`
	Payer           *party           `json:"payer"`
	Payee           *party           `json:"payee"`
	Household       string           `json:"household"`
	Reference       string           `json:"reference"`
	DocumentNo      string           `json:"document_no"`
	SourceVoucherNo string           `json:"source_voucher_no"`
	Purpose         string           `json:"purpose"`
	ForcedReason    string           `json:"forced_reason"`
	ReversalOf      string           `json:"reversal_of"`
	PlanID          string           `json:"plan_id"`
	BatchID         string           `json:"batch_id"`
	Funding         []map[string]any `json:"funding"`
	Postings        []map[string]any `json:"postings"`
	RecordedBy      string           `json:"recorded_by"`
	RecordedAt      string           `json:"recorded_at"`
	PreparedBy      string           `json:"prepared_by"`
	ApprovedBy      string           `json:"approved_by"`
	Contract        string           `json:"contract"`
	ContractPart    string           `json:"contract_part"`
	EvidenceDigest  string           `json:"evidence_digest"`
	Hash            string           `json:"hash"`
}

// party is a payer or payee.
type party struct {
	Name        string `json:"name"`
	CreditCode  string `json:"credit_code"`
	BankAccount string `json:"bank_account"`
}

// The tables of a transfer: its postings (each holding's signed change,
// and the outside world's side) and what each fund gave.
var (
	postingSpec = kit.ListSpec{Title: "分录", Cols: []kit.Column{{Key: "fund", Label: "资金编号", Kind: kit.Link, Href: "/console/funds/{fund}"},
		{Key: "holder", Label: "持有方", Kind: kit.Code}, {Key: "amount", Label: "金额（正为增加，负为减少）", Kind: kit.Amount}}}
	fundingSpec = kit.ListSpec{Title: "资金构成", Cols: []kit.Column{{Key: "fund", Label: "资金编号", Kind: kit.Link, Href: "/console/funds/{fund}"},
		{Key: "amount", Label: "金额", Kind: kit.Amount}}}
)

// transferPage is the transfer page's model.
type transferPage struct {
	T        transfer
	Postings kit.ListView
	Funding  kit.ListView
	// Reversal is the transfer reversing this one, when one was found.
	Reversal *transfer
	// Reversible: the user's role may reverse transfers, and this one is
	// not a reversal, a subsidy payment (corrected by its scheme's next
	// run) or known to be reversed. The API decides the rest.
	Reversible bool
}

// transfer shows one transfer with its postings, what reversed it, and the
// reversal form.
func (b *books) transfer(c *gin.Context) {
	id := c.Param("id")
	base := "/console/transfers/" + esc(id)
	var t transfer
	if err := b.k.Get(c, "/v1/transfers/"+esc(id), &t); err != nil {
		b.refuse(c, err)
		return
	}
	tables := map[string]table{"postings": {postingSpec, t.Postings}, "funding": {fundingSpec, t.Funding}}
	if c.Query("export") != "" {
		tt, ok := tables[c.Query("table")]
		if !ok {
			b.k.Fail(c, http.StatusBadRequest, "invalid_request", "没有这张表："+c.Query("table"))
			return
		}
		b.sendLocal(c, base, c.Query("table"), tt.Spec, tt.Rows)
		return
	}
	v := transferPage{T: t, Postings: local(c, base, nil, "postings", postingSpec, t.Postings),
		Funding: local(c, base, nil, "funding", fundingSpec, t.Funding)}
	if t.Type != "reversal" {
		rev, err := b.reversalOf(c, t)
		if err != nil {
			b.refuse(c, err)
			return
		}
		v.Reversal = rev
	}
	v.Reversible = b.may(c, "POST /v1/transfers/:id/reversal") && t.Type != "reversal" && t.Type != "subsidy_payment" && v.Reversal == nil
	title := "凭证 " + t.VoucherNo
	b.k.Render(c, http.StatusOK, "books_transfer", title, v)
}

// reversalScan bounds the search for a transfer's reversal: this many pages
// of a thousand later reversals of its project or district.
const reversalScan = 5

// reversalOf finds the reversal of t, if any, among the reversals booked
// after it (transfer ids grow with time) in its project, its district or
// its fund (a reversal moves what the original moved): the API names the
// reversed transfer on the reversal only.
func (b *books) reversalOf(c *gin.Context, t transfer) (*transfer, error) {
	q := url.Values{"type": {"reversal"}, "after": {t.ID}, "limit": {"1000"}}
	switch {
	case t.Project != "":
		q.Set("project", t.Project)
	case t.District != "":
		q.Set("district", t.District)
	case t.Fund != "":
		q.Set("fund", t.Fund) // the city's own: its fund's transfers, not the whole ledger
	}
	for range reversalScan {
		var page web.List[transfer]
		if err := b.k.Get(c, "/v1/transfers?"+q.Encode(), &page); err != nil {
			return nil, err
		}
		for i := range page.Items {
			if page.Items[i].ReversalOf == t.ID {
				return &page.Items[i], nil
			}
		}
		if page.Next == nil {
			break
		}
		q.Set("after", *page.Next)
	}
	return nil, nil
}

// reverse sends the reversal form to POST /v1/transfers/{id}/reversal and
// shows the reversing transfer; a refusal (already reversed, a closed
// period or project, retention held…) is the API's, in Chinese.
func (b *books) reverse(c *gin.Context) {
	id := c.Param("id")
	var out transfer
	err := b.k.Post(c, "/v1/transfers/"+esc(id)+"/reversal", map[string]string{"reason": strings.TrimSpace(c.PostForm("reason"))},
		c.PostForm("_key"), &out)
	if err != nil {
		b.refuse(c, err)
		return
	}
	kit.Back(c, "/console/transfers/"+esc(out.ID), fmt.Sprintf("已冲销：冲销凭证号 %s，金额 %s 元。", out.VoucherNo, kit.Yuan(out.Amount)))
}
