// Package console is the service's web console for the finance bureau,
// districts and auditors: pages rendered on the server from html/template,
// a little plain JavaScript, no front-end build. The console is a client of
// the JSON API in the same process: every page reads and writes through the
// API's routes as the signed-in user, so it obeys the same roles, district
// scoping, validation, four-eyes rules and audit events as curl does. The
// machinery is in kit; each section of the menu is a package of its own.
package console

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"renofund/funding"
	"renofund/internal/auth"
	"renofund/internal/console/dashboard"
	"renofund/internal/console/kit"
	"renofund/internal/web"
)

// Face returns the console's routes for httpapi.Deps.Faces.
func Face(tokens *auth.Tokens) func(ws *web.Server, api []web.Route) []web.Route {
	return func(ws *web.Server, api []web.Route) []web.Route {
		k := kit.New(ws, tokens, api)
		routes := append(k.Routes(), web.Route{Method: http.MethodGet, Path: "/console/", Page: true, Roles: kit.SignedIn,
			Summary: "The console's home", Handle: func(c *gin.Context) {
				a, _ := web.Actor(c)
				c.Redirect(http.StatusSeeOther, kit.Home(a.Role))
			}})
		// The sections, in the menu's order.
		for _, section := range [][]web.Route{
			dashboard.Routes(k),
			books(k),
		} {
			routes = append(routes, section...)
		}
		return routes
	}
}

// books are the registers: projects and funds.
func books(k *kit.Kit) []web.Route {
	return []web.Route{
		k.List(kit.ListSpec{Path: "/console/projects", Title: "项目（小区）", API: "/v1/projects",
			Note:    "每个改造小区一个项目；点击编号查看资金来源、支出、合同与验收。",
			Filters: []kit.Filter{{Name: "district", Label: "区县"}},
			Cols: []kit.Column{{Key: "code", Label: "项目编号", Kind: kit.Link, Href: "/console/projects/{code}"},
				{Key: "name", Label: "小区名称"}, {Key: "district", Label: "区县"}, {Key: "status", Label: "状态", Kind: kit.Code},
				{Key: "households", Label: "户数"}, {Key: "buildings", Label: "楼栋"}, {Key: "built_year", Label: "建成年份"},
				{Key: "budget.basic", Label: "基础类预算", Kind: kit.Amount}, {Key: "budget.improvement", Label: "完善类预算", Kind: kit.Amount},
				{Key: "budget.upgrade", Label: "提升类预算", Kind: kit.Amount}}}),
		k.List(kit.ListSpec{Path: "/console/funds", Title: "资金", API: "/v1/funds",
			Note: "每一笔资金来源：到账、下拨、支出与余额。",
			Filters: []kit.Filter{{Name: "kind", Label: "资金类型", Options: funding.Kinds}, {Name: "holder", Label: "持有方"},
				{Name: "fiscal_year", Label: "年度"}, {Name: "district", Label: "区县"}},
			Cols: []kit.Column{{Key: "code", Label: "资金编号"}, {Key: "name", Label: "名称"}, {Key: "kind", Label: "类型", Kind: kit.Code},
				{Key: "holder", Label: "持有方", Kind: kit.Code}, {Key: "fiscal_year", Label: "年度"},
				{Key: "totals.received", Label: "到账", Kind: kit.Amount}, {Key: "totals.allocated_out", Label: "下拨", Kind: kit.Amount},
				{Key: "totals.spent", Label: "支出", Kind: kit.Amount}, {Key: "totals.available", Label: "可用余额", Kind: kit.Amount}}}),
	}
}
