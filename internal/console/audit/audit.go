// Package audit is the console's audit section: the rule findings
// (审计疑点) with their review, the monthly bulletin (月通报), the fund
// trail export package, and the tamper-evidence verification. Every read
// and write goes through the JSON API as the signed-in user.
package audit

import (
	"embed"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"renofund/funding/report"
	"renofund/internal/access"
	"renofund/internal/console/kit"
	"renofund/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// section holds the kit the pages render and call the API with.
type section struct {
	k *kit.Kit
}

// findingNames name the kinds of finding whose codes mean something else
// elsewhere in the console ("retention" is money withheld too long here, a
// contract's retention on a payment).
var findingNames = map[string]string{"retention": "滞留（未按期下达）"}

// Routes are the section's pages, in the menu: findings, bulletins, the
// trail export, verification.
func Routes(k *kit.Kit) []web.Route {
	k.Pages(templates, "templates/*.html")
	s := &section{k: k}
	exceptions := k.List(kit.ListSpec{Path: "/console/exceptions", Title: "审计疑点", API: "/v1/audit/exceptions",
		Note: "审计规则对资金流向提出的疑点（滞留、挪用、重复支付、银行未达等），按编号排序；点击编号查看详情并确认、说明或关闭。",
		Filters: []kit.Filter{{Name: "kind", Label: "疑点类型", Options: report.Codes, Names: findingNames}, {Name: "severity", Label: "严重程度", Options: report.Severities},
			{Name: "status", Label: "处理状态", Options: report.Statuses}, {Name: "district", Label: "区县"},
			{Name: "period", Label: "期间（如 2026、2026-Q3、2026-07）"}},
		Cols: []kit.Column{{Key: "id", Label: "疑点编号", Kind: kit.Link, Href: "/console/exceptions/{id}"},
			{Key: "code", Label: "类型", Kind: kit.Code, Names: findingNames}, {Key: "severity", Label: "严重程度", Kind: kit.Code},
			{Key: "district", Label: "区县"}, {Key: "subject", Label: "对象"}, {Key: "amount", Label: "金额", Kind: kit.Amount},
			{Key: "on", Label: "日期"}, {Key: "status", Label: "状态", Kind: kit.Code}, {Key: "rule", Label: "依据"}}})
	bulletins := k.List(kit.ListSpec{Path: "/console/bulletins", Title: "月度通报", API: "/v1/bulletins",
		Note: "每月结束后生成并存档的资金通报（支出进度、资金滞留、中小企业逾期账款、项目进度滞后）；点击月份查看。",
		Cols: []kit.Column{{Key: "month", Label: "月份", Kind: kit.Link, Href: "/console/bulletins/{month}"},
			{Key: "drafted_at", Label: "生成时间"}, {Key: "drafted_by", Label: "生成人"}, {Key: "sha256", Label: "存档 SHA-256"}}})
	trail := k.RolesOf("GET /v1/exports/trail")
	k.Nav("/console/export", "资金轨迹导出", trail)
	verify := k.RolesOf("GET /v1/audit/verify")
	k.Nav("/console/verify", "防篡改校验", verify)
	return []web.Route{exceptions,
		{Method: http.MethodGet, Path: "/console/exceptions/:id", Page: true, Roles: k.RolesOf("GET /v1/audit/exceptions/:id"),
			Summary: "A finding with its reviews", Handle: s.finding},
		{Method: http.MethodPost, Path: "/console/exceptions/:id/reviews", Page: true,
			Roles: k.RolesOf("POST /v1/audit/exceptions/:id/reviews"), Summary: "Review a finding", Handle: s.review},
		bulletins,
		{Method: http.MethodGet, Path: "/console/bulletins/:month", Page: true, Roles: k.RolesOf("GET /v1/bulletins/:month"),
			Summary: "A month's bulletin", Handle: s.bulletin},
		{Method: http.MethodGet, Path: "/console/export", Page: true, Roles: trail, Summary: "Choose the trail to export",
			Handle: s.exportPage},
		{Method: http.MethodGet, Path: "/console/export/download", Page: true, Roles: trail, Long: true,
			Summary: "Download the trail export", Handle: s.download},
		{Method: http.MethodGet, Path: "/console/verify", Page: true, Roles: verify, Long: true,
			Summary: "Verify the tamper-evident chains", Handle: s.verify},
	}
}

// may reports whether the signed-in user's role is one of roles: a page
// shows a form only to those the API route behind it admits.
func may(c *gin.Context, roles []access.Role) bool {
	a, ok := web.Actor(c)
	return ok && slices.Contains(roles, a.Role)
}
