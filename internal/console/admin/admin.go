// Package admin is the console's section for the administrator: access
// tokens. The administrator issues a token on a form and sees its secret
// once, on the answer page (never in a redirect, never stored by the
// console), lists the tokens (never their secrets) and revokes one, which
// ends every console session signed in with it at once. Everything goes
// through the JSON API as the signed-in administrator.
package admin

import (
	"embed"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/auth"
	"renofund/internal/console/kit"
	"renofund/internal/field"
	"renofund/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// pageSize is how many tokens a page lists.
const pageSize = 50

// tokenList is the tokens' table and its exports.
var tokenList = kit.ListSpec{Path: "/console/tokens", Title: "访问令牌", API: "/v1/tokens",
	Cols: []kit.Column{{Key: "id", Label: "编号"}, {Key: "name", Label: "使用人"}, {Key: "role", Label: "角色", Kind: kit.Code},
		{Key: "district", Label: "区县"}, {Key: "created_at", Label: "发放时间"}, {Key: "expires_at", Label: "到期时间"},
		{Key: "revoked_at", Label: "吊销时间"}}}

// section holds the kit the pages render and call the API with.
type section struct {
	k *kit.Kit
}

// Routes are the tokens page (the administrator's home), the issue form's
// answer and revocation.
func Routes(k *kit.Kit) []web.Route {
	k.Pages(templates, "templates/*.html")
	s := &section{k: k}
	// The kit's list page gives the menu entry and the exports; the page
	// itself adds the issue form and a revoke button per token.
	list := k.List(tokenList)
	exports := list.Handle
	list.Handle = func(c *gin.Context) {
		if c.Query("export") != "" {
			exports(c)
			return
		}
		s.tokens(c, http.StatusOK, issueForm{Role: string(access.District)})
	}
	list.Summary = "Tokens: issue, list, revoke"
	return []web.Route{list,
		{Method: http.MethodPost, Path: "/console/tokens", Page: true, Roles: k.RolesOf("POST /v1/tokens"),
			Summary: "Issue a token; its secret is shown once on the answer", Handle: s.issue},
		{Method: http.MethodPost, Path: "/console/tokens/:id/revoke", Page: true, Roles: k.RolesOf("POST /v1/tokens/:id/revoke"),
			Summary: "Revoke a token: its console sessions end at once", Handle: s.revoke},
	}
}

// tokensPage is the model of the tokens page.
type tokensPage struct {
	Tokens    []tokenRow
	List      kit.ListView // the exports' links and the pager
	Form      issueForm
	Roles     []string
	Districts []funding.District
	TTLs      []ttl
}

// tokenRow is a token as listed.
type tokenRow struct {
	auth.Token
	Created, Expires, Revoked string
}

// issueForm is what the administrator typed, kept when the API refuses it.
type issueForm struct {
	Role, District, Name, TTL string
	Error                     *kit.APIError
}

// ttl is a lifetime offered on the form.
type ttl struct{ Value, Label string }

var ttls = []ttl{{"", "长期有效"}, {"720h", "30 天"}, {"2160h", "90 天"}, {"4380h", "半年"}, {"8760h", "一年"}}

// roles are the roles a token may have, in the form's order.
var roles = []string{string(access.District), string(access.Finance), string(access.Auditor), string(access.Admin)}

// tokens renders the tokens page with the issue form f.
func (s *section) tokens(c *gin.Context, status int, f issueForm) {
	q := url.Values{"limit": {fmt.Sprint(pageSize)}}
	if after := c.Query("after"); after != "" {
		q.Set("after", after)
	}
	var page web.List[auth.Token]
	if err := s.k.Get(c, "/v1/tokens?"+q.Encode(), &page); err != nil {
		s.k.Refuse(c, err)
		return
	}
	var ds web.List[funding.District]
	if err := s.k.Get(c, "/v1/districts?limit=1000", &ds); err != nil {
		s.k.Refuse(c, err)
		return
	}
	v := tokensPage{List: kit.ListView{Spec: tokenList}, Form: f, Roles: roles, Districts: ds.Items, TTLs: ttls}
	for _, t := range page.Items {
		v.Tokens = append(v.Tokens, tokenRow{Token: t, Created: when(t.CreatedAt), Expires: when(t.ExpiresAt), Revoked: when(t.RevokedAt)})
	}
	if page.Next != nil {
		v.List.Next = "/console/tokens?after=" + url.QueryEscape(*page.Next)
	}
	if c.Query("after") != "" {
		v.List.First = "/console/tokens"
	}
	s.k.Render(c, status, "tokens", "访问令牌", v)
}

// issued is the model of the page that shows a new token's secret once.
type issued struct {
	Token   *auth.Token
	Secret  string
	Expires string
}

// issue asks the API for a token and shows its secret on the answer. No
// Idempotency-Key is sent: the API stores a keyed answer to replay it, and
// a secret must never be stored.
func (s *section) issue(c *gin.Context) {
	f := issueForm{Role: c.PostForm("role"), District: c.PostForm("district"), Name: strings.TrimSpace(c.PostForm("name")),
		TTL: c.PostForm("ttl")}
	body := map[string]string{"role": f.Role, "name": f.Name}
	if f.Role == string(access.District) {
		body["district"] = f.District
	}
	if f.TTL != "" {
		body["ttl"] = f.TTL
	}
	var out issued
	err := s.k.Post(c, "/v1/tokens", body, "", &out)
	if e, ok := errors.AsType[*kit.APIError](err); ok {
		f.Error = e
		s.tokens(c, e.Status, f)
		return
	}
	if err != nil {
		s.k.Refuse(c, err)
		return
	}
	if out.Token != nil {
		out.Expires = when(out.Token.ExpiresAt)
	}
	s.k.Render(c, http.StatusCreated, "token-issued", "令牌已发放", out)
}

// revoke ends a token through the API and goes back to the tokens.
func (s *section) revoke(c *gin.Context) {
	var t auth.Token
	if _, err := s.k.Call(c, http.MethodPost, "/v1/tokens/"+url.PathEscape(c.Param("id"))+"/revoke", http.NoBody, "", &t); err != nil {
		s.k.Refuse(c, err)
		return
	}
	kit.Back(c, "/console/tokens", fmt.Sprintf("令牌“%s”（%s）已吊销，使用它的登录已立即失效。", t.Name, kit.Label(t.Role)))
}

// when shows a stored timestamp (RFC 3339, UTC) in China Standard Time.
func when(ts string) string {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return ts
	}
	return t.In(field.Zone).Format("2006-01-02 15:04:05")
}
