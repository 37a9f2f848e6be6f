package bank

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"renofund/internal/console/kit"
)

// difference is a match whose two sides differ (a booking error).
type difference struct {
	Match string `json:"match"`
	Bank  string `json:"bank"`
	Books string `json:"books"`
	Gap   string `json:"gap"`
}

// signature is who signed or reviewed, and when.
type signature struct {
	By string `json:"by"`
	At string `json:"at"`
}

// balanceStatement is the API's 余额调节表; amounts are signed decimals.
type balanceStatement struct {
	Month          string       `json:"month"`
	AsOf           string       `json:"as_of"`
	BankBalance    string       `json:"bank_balance"`
	BookBalance    string       `json:"book_balance"`
	BankNotInBooks []line       `json:"bank_not_in_books"`
	BooksNotInBank []movement   `json:"books_not_in_bank"`
	Differences    []difference `json:"differences"`
	AdjustedBank   string       `json:"adjusted_bank_balance"`
	AdjustedBook   string       `json:"adjusted_book_balance"`
	Difference     string       `json:"difference"`
	Agrees         bool         `json:"agrees"`
	SHA256         string       `json:"sha256"`
	Signed         *signature   `json:"signed"`
	Reviewed       *signature   `json:"reviewed"`
}

// statementPage is the balance statement page's model. Unavailable says
// why there is no statement for the month (a statement without a running
// balance, say).
type statementPage struct {
	R           reconciliation
	B           *balanceStatement
	Month       string
	Months      []string
	Unavailable *kit.APIError
	CanSign     bool
	CanReview   bool
}

// months are the months a statement's dates run through, YYYY-MM.
func months(from, to string) []string {
	start, err1 := time.Parse("2006-01", from[:min(7, len(from))])
	end, err2 := time.Parse("2006-01", to[:min(7, len(to))])
	if err1 != nil || err2 != nil {
		return nil
	}
	var out []string
	for m := start; !m.After(end); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// statement shows the month's balance statement of a reconciliation
// (?month=, the statement's last by default) with the forms to sign and to
// review it; ?format=xlsx (or csv) downloads it as the API makes it.
func (s *section) statement(c *gin.Context) {
	id := c.Param("id")
	q := url.Values{}
	if m := c.Query("month"); m != "" {
		q.Set("month", m)
	}
	path := "/v1/reconciliations/" + url.PathEscape(id) + "/balance-statement"
	if f := c.Query("format"); f != "" {
		q.Set("format", f)
		ans, err := s.k.Call(c, http.MethodGet, path+"?"+q.Encode(), nil, "", nil)
		if err != nil {
			s.k.Refuse(c, err)
			return
		}
		kit.Relay(c, ans)
		return
	}
	r, ok := s.load(c, id)
	if !ok {
		return
	}
	p := statementPage{R: *r, Month: c.Query("month"), Months: months(r.StatementFrom, r.StatementTo)}
	var b balanceStatement
	if err := s.k.Get(c, path+"?"+q.Encode(), &b); err != nil {
		var e *kit.APIError
		if !errors.As(err, &e) || e.Status != http.StatusUnprocessableEntity {
			s.k.Refuse(c, err)
			return
		}
		p.Unavailable = e
	} else {
		p.B, p.Month = &b, b.Month
		p.CanSign = b.Signed == nil && may(c, s.k.RolesOf("POST /v1/reconciliations/:id/balance-statement/sign"))
		p.CanReview = b.Signed != nil && b.Reviewed == nil && may(c, s.k.RolesOf("POST /v1/reconciliations/:id/balance-statement/review"))
	}
	s.k.Render(c, http.StatusOK, "bank-statement", "余额调节表 "+p.Month, p)
}

// step signs or reviews the month's balance statement (step is "sign" or
// "review") and comes back to it with message.
func (s *section) step(step, message string) func(c *gin.Context) {
	return func(c *gin.Context) {
		id, month := c.Param("id"), c.PostForm("month")
		path := "/v1/reconciliations/" + url.PathEscape(id) + "/balance-statement/" + step + "?month=" + url.QueryEscape(month)
		var h []string
		if key := c.PostForm("_key"); key != "" {
			h = []string{"Idempotency-Key", key}
		}
		if _, err := s.k.Call(c, http.MethodPost, path, http.NoBody, "", nil, h...); err != nil {
			s.k.Refuse(c, err)
			return
		}
		kit.Back(c, "/console/reconciliations/"+url.PathEscape(id)+"/balance-statement?month="+url.QueryEscape(month), message)
	}
}
