package books

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"renofund/funding/importer"
	"renofund/internal/console/kit"
)

// fund is a fund as GET /v1/funds/{code} gives it.
type fund struct {
	Code               string   `json:"code"`
	Kind               string   `json:"kind"`
	Name               string   `json:"name"`
	Holder             string   `json:"holder"`
	District           string   `json:"district"`
	FiscalYear         int      `json:"fiscal_year"`
	DocumentNo         string   `json:"document_no"`
	BudgetSubject      string   `json:"budget_subject"`
	Direct             bool     `json:"direct"`
	EligibleCategories []string `json:"eligible_categories"`
	ExpiresOn          string   `json:"expires_on"`
	Repayable          bool     `json:"repayable"`
	Vote               *struct {
		HeldOn  string `json:"held_on"`
		Purpose string `json:"purpose"`
		RuleSet string `json:"rule_set"`
	} `json:"vote"`
	CreatedBy string           `json:"created_by"`
	CreatedAt string           `json:"created_at"`
	Totals    totals           `json:"totals"`
	Holdings  []map[string]any `json:"holdings"`
}

// window is a report window as the fund page's filter form sets it.
type window struct{ FiscalYear, From, To string }

// fundPage is the fund page's model.
type fundPage struct {
	F        fund
	Window   window
	Holdings kit.ListView
	// Importable: the fund takes household receipts and the user may
	// import them.
	Importable bool
}

// holdingSpec is the table of a fund's holdings.
var holdingSpec = kit.ListSpec{Title: "资金持有方结存", Cols: []kit.Column{{Key: "holder", Label: "持有方", Kind: kit.Code},
	{Key: "available", Label: "可用余额", Kind: kit.Amount}}}

// fund shows a fund's facts, its totals and its holdings in a window
// (?fiscal_year= or ?from=&to=, as the API takes them).
func (b *books) fund(c *gin.Context) {
	code := c.Param("code")
	base := "/console/funds/" + esc(code)
	w := window{FiscalYear: strings.TrimSpace(c.Query("fiscal_year")), From: strings.TrimSpace(c.Query("from")), To: strings.TrimSpace(c.Query("to"))}
	q := url.Values{}
	for name, v := range map[string]string{"fiscal_year": w.FiscalYear, "from": w.From, "to": w.To} {
		if v != "" {
			q.Set(name, v)
		}
	}
	var f fund
	if err := b.k.Get(c, "/v1/funds/"+esc(code)+"?"+q.Encode(), &f); err != nil {
		b.refuse(c, err)
		return
	}
	if c.Query("export") != "" {
		if c.Query("table") != "holdings" {
			b.k.Fail(c, http.StatusBadRequest, "invalid_request", "没有这张表："+c.Query("table"))
			return
		}
		b.sendLocal(c, base, "holdings", holdingSpec, f.Holdings)
		return
	}
	v := fundPage{F: f, Window: w, Holdings: local(c, base, q, "holdings", holdingSpec, f.Holdings),
		Importable: slices.Contains(importer.Kinds, f.Kind) && b.may(c, `POST /v1/funds/:code/receipts\:import`)}
	b.k.Render(c, http.StatusOK, "books_fund", f.Name+" "+f.Code, v)
}

// importPage is the receipts import page's model: the form, and after an
// import its result or the refusal with every bad row.
type importPage struct {
	F       fund
	Partial bool
	Result  *importResult
	Refusal *kit.APIError
	Rows    kit.ListView // the bad rows of a refusal or of a partial import
	Earlier kit.ListView // the fund's earlier imports
	// RejectsCSV is a partial import's rejected rows as a data: link to
	// download.
	RejectsCSV template.URL
}

// importResult is what POST /v1/funds/{code}/receipts:import answers.
type importResult struct {
	ID         string           `json:"id"`
	FileSHA256 string           `json:"file_sha256"`
	Rows       int              `json:"rows"`
	Imported   int              `json:"imported"`
	Duplicates int              `json:"duplicates"`
	Rejected   int              `json:"rejected"`
	Total      string           `json:"total"`
	Rejects    []map[string]any `json:"rejects"`
	RejectsCSV string           `json:"rejects_csv"`
}

// lineSpec is the table of a file's bad rows.
var lineSpec = kit.ListSpec{Title: "有问题的行", Cols: []kit.Column{{Key: "line", Label: "行号"}, {Key: "column", Label: "列"},
	{Key: "code", Label: "错误代码"}, {Key: "reason", Label: "原因"}}}

// importsPart is the table of a fund's earlier imports.
func importsPart(code string) part {
	return part{Name: "imports", API: "/v1/imports", Q: url.Values{"fund": {code}}, Size: pageSize,
		Spec: kit.ListSpec{Title: "导入记录", Cols: []kit.Column{{Key: "created_at", Label: "导入时间"}, {Key: "created_by", Label: "导入人"},
			{Key: "file_name", Label: "文件"}, {Key: "format", Label: "格式"}, {Key: "rows", Label: "行数"}, {Key: "imported", Label: "导入"},
			{Key: "duplicates", Label: "重复跳过"}, {Key: "rejected", Label: "拒收"}, {Key: "total", Label: "金额合计", Kind: kit.Amount},
			{Key: "file_sha256", Label: "文件 SHA-256"}}}}
}

// importForm shows the upload form and the fund's earlier imports.
func (b *books) importForm(c *gin.Context) {
	code := c.Param("code")
	var f fund
	if err := b.k.Get(c, "/v1/funds/"+esc(code), &f); err != nil {
		b.refuse(c, err)
		return
	}
	base := "/console/funds/" + esc(code) + "/receipts-import"
	if c.Query("export") != "" {
		b.export(c, base, importsPart(code), c.Query("export"))
		return
	}
	v := importPage{F: f}
	var err error
	if v.Earlier, err = b.load(c, base, importsPart(code)); err != nil {
		b.refuse(c, err)
		return
	}
	b.k.Render(c, http.StatusOK, "books_import", "导入居民缴款 "+f.Code, v)
}

// importReceipts relays the uploaded file to POST
// /v1/funds/{code}/receipts:import and shows what became of its rows: the
// result, or the refusal with every bad row (a refused file writes
// nothing).
func (b *books) importReceipts(c *gin.Context) {
	code := c.Param("code")
	var f fund
	if err := b.k.Get(c, "/v1/funds/"+esc(code), &f); err != nil {
		b.refuse(c, err)
		return
	}
	base := "/console/funds/" + esc(code) + "/receipts-import"
	v := importPage{F: f, Partial: c.PostForm("partial") != ""}
	fh, err := c.FormFile("file")
	if err != nil {
		b.k.Fail(c, http.StatusBadRequest, "invalid_request", "请选择要导入的 CSV 或 XLSX 文件。")
		return
	}
	body, contentType, err := fileForm(fh)
	if err != nil {
		b.refuse(c, err)
		return
	}
	path := "/v1/funds/" + esc(code) + "/receipts:import"
	if v.Partial {
		path += "?partial=true"
	}
	var res importResult
	ans, err := b.k.Call(c, http.MethodPost, path, body, contentType, &res, formKey(c)...)
	status := http.StatusOK
	switch e, refused := err.(*kit.APIError); {
	case err == nil:
		v.Result = &res
		v.Rows = lineSpec.View(res.Rejects)
		if res.RejectsCSV != "" {
			v.RejectsCSV = template.URL("data:text/csv;charset=utf-8;base64," +
				base64.StdEncoding.EncodeToString(append([]byte("\ufeff"), res.RejectsCSV...)))
		}
	case refused:
		var body struct {
			Error struct {
				Rows []map[string]any `json:"rows"`
			} `json:"error"`
		}
		_ = json.Unmarshal(ans.Body(), &body)
		v.Refusal, status = e, e.Status
		v.Rows = lineSpec.View(body.Error.Rows)
	default:
		b.refuse(c, err)
		return
	}
	v.Rows.Spec.Path = base
	if v.Earlier, err = b.load(c, base, importsPart(code)); err != nil {
		b.refuse(c, err)
		return
	}
	b.k.Render(c, status, "books_import", "导入居民缴款 "+f.Code, v)
}

// fileForm makes a multipart form holding the uploaded file in the field
// "file", as the API takes it.
func fileForm(fh *multipart.FileHeader) (io.Reader, string, error) {
	src, err := fh.Open()
	if err != nil {
		return nil, "", err
	}
	defer src.Close()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, err := w.CreateFormFile("file", fh.Filename)
	if err != nil {
		return nil, "", err
	}
	if _, err := io.Copy(part, src); err != nil {
		return nil, "", fmt.Errorf("console: reading the upload: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return &buf, w.FormDataContentType(), nil
}
