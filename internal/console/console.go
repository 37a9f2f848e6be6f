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

	"renofund/internal/auth"
	"renofund/internal/console/admin"
	"renofund/internal/console/approvals"
	"renofund/internal/console/audit"
	"renofund/internal/console/bank"
	"renofund/internal/console/books"
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
			books.Routes(k),
			bank.Routes(k),
			audit.Routes(k),
			approvals.Routes(k),
			admin.Routes(k),
		} {
			routes = append(routes, section...)
		}
		return routes
	}
}
