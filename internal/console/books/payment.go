package books

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"renofund/internal/access"
	"renofund/internal/console/kit"
	"renofund/internal/web"
)

// paymentRequest is a filed payment as GET /v1/payment-requests/{id}
// gives it.
type paymentRequest struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	Why         string `json:"why"`
	District    string `json:"district"`
	Project     string `json:"project"`
	Amount      string `json:"amount"`
	Expenditure struct {
		Category    string `json:"category"`
		Payee       party  `json:"payee"`
		PayeeID     string `json:"payee_id"`
		PaidOn      string `json:"paid_on"`
		Purpose     string `json:"purpose"`
		ForceReason string `json:"force_reason"`
		Contract    string `json:"contract"`
		Retention   bool   `json:"retention"`
		Funding     []struct {
			Fund   string `json:"fund"`
			Amount string `json:"amount"`
		} `json:"funding"`
	} `json:"expenditure"`
	PreparedBy string  `json:"prepared_by"`
	PreparedAt string  `json:"prepared_at"`
	DecidedBy  *string `json:"decided_by"`
	DecidedAt  *string `json:"decided_at"`
	Note       *string `json:"note"`
	TransferID *string `json:"transfer_id"`
}

// paymentPage is the payment request page's model.
type paymentPage struct {
	R paymentRequest
	// Decides: the user's role approves and rejects, and the request is
	// pending. Whether this person may (not the preparer) is the API's.
	Decides bool
	// Own: the signed-in user prepared it.
	Own bool
}

// payment shows a filed payment with its approve and reject forms.
func (b *books) payment(c *gin.Context) {
	var r paymentRequest
	if err := b.k.Get(c, "/v1/payment-requests/"+esc(c.Param("id")), &r); err != nil {
		b.refuse(c, err)
		return
	}
	v := paymentPage{R: r, Decides: r.Status == "pending" && b.may(c, "POST /v1/payment-requests/:id/approve")}
	if a, ok := web.Actor(c); ok {
		v.Own = access.Person(r.PreparedBy) == a.Name
	}
	b.k.Render(c, http.StatusOK, "books_payment", "待复核支付 "+kit.Yuan(r.Amount)+" 元", v)
}

// approve approves and pays a filed payment (POST
// /v1/payment-requests/{id}/approve) and shows the transfer it made; the
// preparer's own approval is the API's 403 same_person.
func (b *books) approve(c *gin.Context) {
	var out struct {
		Transfer transfer `json:"transfer"`
	}
	_, err := b.k.Call(c, http.MethodPost, "/v1/payment-requests/"+esc(c.Param("id"))+"/approve", nil, "", &out, formKey(c)...)
	if err != nil {
		b.refuse(c, err)
		return
	}
	kit.Back(c, "/console/transfers/"+esc(out.Transfer.ID), fmt.Sprintf("已复核并支付 %s 元，凭证号 %s。",
		kit.Yuan(out.Transfer.Amount), out.Transfer.VoucherNo))
}

// reject rejects a filed payment with a note (POST
// /v1/payment-requests/{id}/reject).
func (b *books) reject(c *gin.Context) {
	id := c.Param("id")
	err := b.k.Post(c, "/v1/payment-requests/"+esc(id)+"/reject", map[string]string{"note": strings.TrimSpace(c.PostForm("note"))},
		c.PostForm("_key"), nil)
	if err != nil {
		b.refuse(c, err)
		return
	}
	kit.Back(c, "/console/payment-requests/"+esc(id), "已驳回，未付款。")
}
