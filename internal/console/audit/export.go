package audit

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	"renofund/internal/console/kit"
	"renofund/internal/web"
)

// DoneCookie is set on the answer to a download (the file or a refusal),
// naming the download form's token: the page's script watches for it to
// take its progress indicator down, since a download does not leave the
// page. It holds nothing secret, so scripts may read it.
const DoneCookie = "renofund_download"

// token is a download form's token as the cookie may carry it.
var token = regexp.MustCompile(`^[0-9a-z]{1,64}$`)

// exportParams are the trail export's filters and format, as the form and
// the API name them.
var exportParams = []string{"district", "project", "fund", "fiscal_year", "from", "to", "format"}

// districtOption is a district offered in the export form.
type districtOption struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// exportForm is the export page's model.
type exportForm struct {
	Districts []districtOption
	Own       string // a district user's own district, the only one it may export
	Token     string
}

// exportPage is the form choosing what to export.
func (s *section) exportPage(c *gin.Context) {
	var ds web.List[districtOption]
	if err := s.k.Get(c, "/v1/districts?limit=1000", &ds); err != nil {
		s.k.Refuse(c, err)
		return
	}
	f := exportForm{Districts: ds.Items, Token: newToken()}
	if a, _ := web.Actor(c); a.District != "" {
		f.Own = a.District
	}
	s.k.Render(c, http.StatusOK, "audit-export", "资金轨迹导出", f)
}

// download relays GET /v1/exports/trail with the form's filters: by
// default the whole package as a ZIP file (the trail as CSV, JSONL and
// XLSX, datapackage.json and the manifest with the sealed checkpoint), or
// one file. Whatever the answer, the done cookie tells the page it came.
// The bare address, with nothing chosen, is the form.
func (s *section) download(c *gin.Context) {
	if c.Request.URL.RawQuery == "" {
		c.Redirect(http.StatusSeeOther, "/console/export")
		return
	}
	q := url.Values{}
	for _, name := range exportParams {
		if v := strings.TrimSpace(c.Query(name)); v != "" {
			q.Set(name, v)
		}
	}
	if q.Get("format") == "" {
		q.Set("format", "zip")
	}
	ans, err := s.k.Call(c, http.MethodGet, "/v1/exports/trail?"+q.Encode(), nil, "", nil)
	if t := c.Query("dl"); token.MatchString(t) {
		http.SetCookie(c.Writer, &http.Cookie{Name: DoneCookie, Value: t, Path: "/console/", MaxAge: 300,
			SameSite: http.SameSiteStrictMode, Secure: c.Request.TLS != nil})
	}
	if err != nil {
		s.k.Refuse(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	kit.Relay(c, ans)
}

// newToken is a fresh download token.
func newToken() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
