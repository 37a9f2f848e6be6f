package console

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/web"
)

// signedIn is every role: pages open to anyone with a session.
var signedIn = []access.Role{access.Admin, access.Finance, access.Auditor, access.District}

// routes is the console's route table. Each page takes its roles from the
// API route behind it; the side menu lists what the user's role may open.
func (k *Console) routes() []web.Route {
	lists := []listSpec{
		{Path: "/console/projects", Title: "项目（小区）", API: "/v1/projects",
			Note:    "每个改造小区一个项目；点击编号查看资金来源、支出、合同与验收。",
			Filters: []filter{{Name: "district", Label: "区县"}},
			Cols: []column{{Key: "code", Label: "项目编号", Kind: link, Link: "/console/projects/{code}"},
				{Key: "name", Label: "小区名称"}, {Key: "district", Label: "区县"}, {Key: "status", Label: "状态", Kind: code},
				{Key: "households", Label: "户数"}, {Key: "buildings", Label: "楼栋"}, {Key: "built_year", Label: "建成年份"},
				{Key: "budget.basic", Label: "基础类预算", Kind: amount}, {Key: "budget.improvement", Label: "完善类预算", Kind: amount},
				{Key: "budget.upgrade", Label: "提升类预算", Kind: amount}}},
		{Path: "/console/funds", Title: "资金", API: "/v1/funds",
			Note:    "每一笔资金来源：到账、拨付、支出与余额。",
			Filters: []filter{{Name: "kind", Label: "资金类型", Options: funding.Kinds}, {Name: "holder", Label: "持有方"}, {Name: "fiscal_year", Label: "年度"}, {Name: "district", Label: "区县"}},
			Cols: []column{{Key: "code", Label: "资金编号"}, {Key: "name", Label: "名称"}, {Key: "kind", Label: "类型", Kind: code},
				{Key: "holder", Label: "持有方", Kind: code}, {Key: "fiscal_year", Label: "年度"},
				{Key: "totals.received", Label: "到账", Kind: amount}, {Key: "totals.allocated_out", Label: "下拨", Kind: amount},
				{Key: "totals.spent", Label: "支出", Kind: amount}, {Key: "totals.available", Label: "可用余额", Kind: amount}}},
	}
	routes := []web.Route{
		{Method: http.MethodGet, Path: "/console/static/*file", Page: true, Summary: "The console's styles and scripts", Handle: k.static},
		{Method: http.MethodGet, Path: "/console/login", Page: true, Summary: "Sign in", Handle: k.loginPage},
		{Method: http.MethodPost, Path: "/console/login", Page: true, Summary: "Exchange a token for a session", MaxBody: 4 << 10, Handle: k.login},
		{Method: http.MethodPost, Path: "/console/logout", Page: true, Roles: signedIn, Summary: "Sign out", MaxBody: 4 << 10, Handle: k.logout},
		{Method: http.MethodGet, Path: "/console/", Page: true, Roles: signedIn, Summary: "The console's home", Handle: func(c *gin.Context) {
			a, _ := web.Actor(c)
			c.Redirect(http.StatusSeeOther, k.home(a.Role))
		}},
	}
	for _, spec := range lists {
		r := k.listRoute(spec)
		routes = append(routes, r)
		k.nav = append(k.nav, navItem{Path: spec.Path, Label: spec.Title, Roles: r.Roles})
	}
	return routes
}

// home is where a role lands after signing in.
func (k *Console) home(role access.Role) string {
	return "/console/projects"
}

// static serves the embedded styles and scripts, cacheable for a day.
func (k *Console) static(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=86400")
	c.FileFromFS("static"+c.Param("file"), http.FS(staticFiles))
}
