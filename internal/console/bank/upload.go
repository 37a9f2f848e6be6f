package bank

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/gin-gonic/gin"

	"renofund/internal/console/kit"
	"renofund/internal/web"
)

// maxUpload bounds a statement uploaded through the console: the API's own
// bound on an upload (32 MiB), with room for the form's other fields.
const maxUpload = 32<<20 + 64<<10

// district is a district offered in a form.
type district struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// account is a bank account offered in the upload form.
type account struct {
	ID        string `json:"id"`
	District  string `json:"district"`
	Bank      string `json:"bank"`
	AccountNo string `json:"account_no"`
	Name      string `json:"name"`
}

// uploadForm is the upload page's model: the choices, what was chosen, and
// the API's refusal of the last attempt.
type uploadForm struct {
	Districts []district
	Accounts  []account
	District  string
	Account   string
	Window    string
	Error     *kit.APIError
}

// choices reads the districts the user may pick (a district's user: its
// own) and the bank accounts it sees.
func (s *section) choices(c *gin.Context) ([]district, []account, error) {
	var ds web.List[district]
	if err := s.k.Get(c, "/v1/districts?limit=1000", &ds); err != nil {
		return nil, nil, err
	}
	if a, _ := web.Actor(c); a.District != "" {
		own := ds.Items[:0]
		for _, d := range ds.Items {
			if d.Code == a.District {
				own = append(own, d)
			}
		}
		ds.Items = own
	}
	var as web.List[account]
	if err := s.k.Get(c, "/v1/bank-accounts?limit=1000", &as); err != nil {
		return nil, nil, err
	}
	return ds.Items, as.Items, nil
}

// uploadPage is the form to upload a statement.
func (s *section) uploadPage(c *gin.Context) {
	f := uploadForm{Account: c.Query("account"), Window: "3"}
	if a, _ := web.Actor(c); a.District != "" {
		f.District = a.District
	}
	s.renderUpload(c, http.StatusOK, f)
}

// renderUpload shows the upload form with its choices.
func (s *section) renderUpload(c *gin.Context, status int, f uploadForm) {
	var err error
	if f.Districts, f.Accounts, err = s.choices(c); err != nil {
		s.k.Refuse(c, err)
		return
	}
	s.k.Render(c, status, "bank-upload", "上传银行对账单", f)
}

// upload relays the form's statement to POST /v1/reconciliations as a
// multipart form and shows the result; a refusal (a duplicate statement, a
// broken running balance, another district) is shown on the form. The
// multipart boundary is made from the form's key, so that a form sent
// twice is the same request and the API acts once.
func (s *section) upload(c *gin.Context) {
	f := uploadForm{District: c.PostForm("district"), Account: c.PostForm("account"), Window: strings.TrimSpace(c.PostForm("window_days"))}
	fh, err := c.FormFile("file")
	if err != nil {
		f.Error = &kit.APIError{Status: http.StatusBadRequest, Code: "invalid_request", Message: "请选择要上传的对账单文件。"}
		s.renderUpload(c, http.StatusBadRequest, f)
		return
	}
	file, err := fh.Open()
	if err != nil {
		s.k.Refuse(c, err)
		return
	}
	defer file.Close()
	key := c.PostForm("_key")
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if key != "" {
		if err := w.SetBoundary("renofund-" + key); err != nil {
			s.k.Fail(c, http.StatusBadRequest, "invalid_request", "表单已损坏，请刷新页面后重试。")
			return
		}
	}
	for _, field := range [][2]string{{"district", f.District}, {"account", f.Account}, {"window_days", f.Window}} {
		if field[1] != "" {
			_ = w.WriteField(field[0], field[1]) // writes into memory
		}
	}
	part, _ := w.CreateFormFile("file", filepath.Base(fh.Filename))
	if _, err := io.Copy(part, file); err != nil {
		s.k.Refuse(c, err)
		return
	}
	_ = w.Close()
	var out struct {
		ID              string `json:"id"`
		MatchedCount    int    `json:"matched_count"`
		UnmatchedBank   []any  `json:"unmatched_bank"`
		UnmatchedLedger []any  `json:"unmatched_ledger"`
	}
	var h []string
	if key != "" {
		h = []string{"Idempotency-Key", key}
	}
	if _, err := s.k.Call(c, http.MethodPost, "/v1/reconciliations", &body, w.FormDataContentType(), &out, h...); err != nil {
		var e *kit.APIError
		if !errors.As(err, &e) {
			s.k.Refuse(c, err)
			return
		}
		f.Error = e
		s.renderUpload(c, e.Status, f)
		return
	}
	kit.Back(c, "/console/reconciliations/"+out.ID, fmt.Sprintf("对账完成：自动匹配 %d 项，银行未达 %d 笔，账面未达 %d 笔。",
		out.MatchedCount, len(out.UnmatchedBank), len(out.UnmatchedLedger)))
}

// accountForm is the registration page's model.
type accountForm struct {
	Districts                              []district
	District, Bank, AccountNo, Name, Funds string
	Error                                  *kit.APIError
}

// accountPage is the form to register a bank account.
func (s *section) accountPage(c *gin.Context) {
	f := accountForm{}
	if a, _ := web.Actor(c); a.District != "" {
		f.District = a.District
	}
	s.renderAccount(c, http.StatusOK, f)
}

func (s *section) renderAccount(c *gin.Context, status int, f accountForm) {
	var err error
	if f.Districts, _, err = s.choices(c); err != nil {
		s.k.Refuse(c, err)
		return
	}
	s.k.Render(c, status, "bank-account", "登记银行账户", f)
}

// register sends the form to POST /v1/bank-accounts and goes on to the
// upload form with the new account chosen; a refusal is shown on the form.
func (s *section) register(c *gin.Context) {
	f := accountForm{District: c.PostForm("district"), Bank: strings.TrimSpace(c.PostForm("bank")),
		AccountNo: strings.TrimSpace(c.PostForm("account_no")), Name: strings.TrimSpace(c.PostForm("name")),
		Funds: strings.TrimSpace(c.PostForm("funds"))}
	in := map[string]any{"district": f.District, "bank": f.Bank, "account_no": f.AccountNo, "name": f.Name}
	if funds := strings.FieldsFunc(f.Funds, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '、' }); len(funds) > 0 {
		in["funds"] = funds
	}
	var out account
	if err := s.k.Post(c, "/v1/bank-accounts", in, c.PostForm("_key"), &out); err != nil {
		var e *kit.APIError
		if !errors.As(err, &e) {
			s.k.Refuse(c, err)
			return
		}
		f.Error = e
		s.renderAccount(c, e.Status, f)
		return
	}
	kit.Back(c, "/console/reconciliations/new?account="+out.ID, "已登记银行账户 "+out.AccountNo+"。")
}
