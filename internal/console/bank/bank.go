// Package bank is the console's bank reconciliation (银行对账): the
// districts' special accounts, statements uploaded and matched against the
// books, matching by hand, and the monthly balance statement (余额调节表)
// signed by the district and reviewed by the bureau. Every read and write
// goes through the JSON API as the signed-in user.
package bank

import (
	"embed"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

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

// Routes are the section's pages, in the menu: the reconciliations, the
// upload of a statement, the bank accounts.
func Routes(k *kit.Kit) []web.Route {
	k.Pages(templates, "templates/*.html")
	s := &section{k: k}
	list := k.List(kit.ListSpec{Path: "/console/reconciliations", Title: "银行对账", API: "/v1/reconciliations",
		Note:    "每次上传的银行对账单及其匹配结果；点击编号查看已匹配、未达账项与余额调节表。",
		Filters: []kit.Filter{{Name: "district", Label: "区县"}},
		Cols: []kit.Column{{Key: "id", Label: "对账编号", Kind: kit.Link, Href: "/console/reconciliations/{id}"},
			{Key: "district", Label: "区县"}, {Key: "period_from", Label: "核对起日"}, {Key: "period_to", Label: "核对止日"},
			{Key: "window_days", Label: "日期容差(天)"}, {Key: "matched_count", Label: "已匹配"},
			{Key: "unmatched_bank", Label: "银行未达"}, {Key: "unmatched_ledger", Label: "账面未达"},
			{Key: "created_by", Label: "上传人"}, {Key: "created_at", Label: "上传时间"}}})
	upload := k.RolesOf("POST /v1/reconciliations")
	k.Nav("/console/reconciliations/new", "上传对账单", upload)
	accounts := k.List(kit.ListSpec{Path: "/console/bank-accounts", Title: "银行账户", API: "/v1/bank-accounts",
		Note:    "各区县登记的资金专户。上传对账单时可指定账户，只核对该账户所列资金的收支。",
		Filters: []kit.Filter{{Name: "district", Label: "区县"}},
		Cols: []kit.Column{{Key: "id", Label: "账户编号"}, {Key: "district", Label: "区县"}, {Key: "bank", Label: "开户银行"},
			{Key: "account_no", Label: "账号"}, {Key: "name", Label: "账户名称"}, {Key: "created_by", Label: "登记人"},
			{Key: "created_at", Label: "登记时间"}}})
	register := k.RolesOf("POST /v1/bank-accounts")
	read := k.RolesOf("GET /v1/reconciliations/:id")
	match := k.RolesOf("POST /v1/reconciliations/:id/matches")
	return []web.Route{list, accounts,
		{Method: http.MethodGet, Path: "/console/reconciliations/new", Page: true, Roles: upload,
			Summary: "Upload a bank statement", Handle: s.uploadPage},
		{Method: http.MethodPost, Path: "/console/reconciliations/new", Page: true, Roles: upload, MaxBody: maxUpload,
			Long: true, Summary: "Reconcile an uploaded bank statement", Handle: s.upload},
		{Method: http.MethodGet, Path: "/console/bank-accounts/new", Page: true, Roles: register,
			Summary: "Register a bank account", Handle: s.accountPage},
		{Method: http.MethodPost, Path: "/console/bank-accounts/new", Page: true, Roles: register,
			Summary: "Register a bank account", Handle: s.register},
		{Method: http.MethodGet, Path: "/console/reconciliations/:id", Page: true, Roles: read,
			Summary: "A reconciliation: matched, unmatched, findings", Handle: s.reconciliation},
		{Method: http.MethodPost, Path: "/console/reconciliations/:id/matches", Page: true, Roles: match,
			Summary: "Match bank lines and vouchers by hand", Handle: s.match},
		{Method: http.MethodPost, Path: "/console/reconciliations/:id/matches/:match/unmatch", Page: true,
			Roles: k.RolesOf("DELETE /v1/reconciliations/:id/matches/:match"), Summary: "Undo a match", Handle: s.unmatch},
		{Method: http.MethodGet, Path: "/console/reconciliations/:id/balance-statement", Page: true,
			Roles: k.RolesOf("GET /v1/reconciliations/:id/balance-statement"), Summary: "The balance statement (余额调节表)",
			Handle: s.statement},
		{Method: http.MethodPost, Path: "/console/reconciliations/:id/balance-statement/sign", Page: true,
			Roles: k.RolesOf("POST /v1/reconciliations/:id/balance-statement/sign"), Summary: "Sign the balance statement",
			Handle: s.step("sign", "余额调节表已签字。")},
		{Method: http.MethodPost, Path: "/console/reconciliations/:id/balance-statement/review", Page: true,
			Roles: k.RolesOf("POST /v1/reconciliations/:id/balance-statement/review"), Summary: "Review the balance statement",
			Handle: s.step("review", "余额调节表已复核。")},
	}
}

// may reports whether the signed-in user's role is one of roles: a page
// shows a form only to those the API route behind it admits.
func may(c *gin.Context, roles []access.Role) bool {
	a, ok := web.Actor(c)
	return ok && slices.Contains(roles, a.Role)
}
