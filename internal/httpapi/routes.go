package httpapi

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"renofund/funding"
	"renofund/funding/evidence"
	"renofund/funding/importer"
	"renofund/funding/movement"
	"renofund/funding/programme"
	"renofund/funding/report"
	"renofund/funding/works"
	"renofund/internal/access"
	"renofund/internal/audit"
	"renofund/internal/auth"
	"renofund/internal/events"
	"renofund/internal/ledger"
	"renofund/internal/ledger/proof"
	"renofund/internal/period"
	"renofund/internal/recon/reconcile"
	"renofund/internal/taxbook"
	"renofund/internal/web"
	"renofund/subsidy"
	"renofund/subsidy/clawback"
)

var (
	anyRole   = []access.Role{access.Admin, access.Finance, access.District, access.Auditor}
	readers   = []access.Role{access.Finance, access.District, access.Auditor}
	writers   = []access.Role{access.Finance, access.District}
	financial = []access.Role{access.Finance, access.Auditor}
	anyReader = []access.Role{access.Finance, access.District, access.Auditor, access.Admin}
	finance   = []access.Role{access.Finance}
)

func (s *Server) table() []web.Route {
	pageQ := []string{"limit", "after"}
	windowQ := []string{"fiscal_year", "from", "to"}
	// reportQ are a report's format and window.
	reportQ := func(more ...string) []string { return slices.Concat(more, []string{"format"}, windowQ) }
	return []web.Route{
		{Method: "POST", Path: "/v1/tokens", Roles: []access.Role{access.Admin}, Summary: "Issue a token; its secret is shown once",
			Body: tokenIn{}, Resp: issuedToken{}, Status: 201, Handle: web.Create(s.Server, 201, s.issueToken)},
		{Method: "GET", Path: "/v1/tokens", Roles: []access.Role{access.Admin}, Summary: "Tokens (never their secrets)", Query: pageQ,
			Resp: web.List[auth.Token]{}, Handle: web.Listed(s.Server, func(c *gin.Context, after string, limit int) ([]auth.Token, error) {
				return s.Tokens.List(c.Request.Context(), after, limit)
			}, func(t auth.Token) string { return t.ID })},
		{Method: "POST", Path: "/v1/tokens/:id/revoke", Roles: []access.Role{access.Admin},
			Summary: "Revoke a token: at once on this instance, within " + auth.CacheTTL.String() + " on others",
			Resp:    auth.Token{}, Handle: s.revokeToken},
		{Method: "POST", Path: "/v1/districts", Roles: []access.Role{access.Admin, access.Finance}, Summary: "Register a district",
			Body: districtIn{}, Resp: funding.District{}, Status: 201, Handle: web.Create(s.Server, 201, s.createDistrict)},
		{Method: "GET", Path: "/v1/districts", Roles: anyRole, Summary: "List districts", Query: pageQ,
			Resp: web.List[funding.District]{}, Handle: web.Listed(s.Server, func(c *gin.Context, after string, limit int) ([]funding.District, error) {
				return s.Registry.Districts(c.Request.Context(), after, limit)
			}, func(d funding.District) string { return d.Code })},
		{Method: "POST", Path: "/v1/projects", Roles: writers, Summary: "Register a project (community)",
			Body: projectIn{}, Resp: funding.Project{}, Status: 201, Handle: web.Create(s.Server, 201, s.createProject)},
		{Method: "GET", Path: "/v1/projects", Roles: readers, Summary: "List projects", Query: append([]string{"district"}, pageQ...),
			Resp: web.List[funding.Project]{}, Handle: web.Listed(s.Server, func(c *gin.Context, after string, limit int) ([]funding.Project, error) {
				return s.Registry.Projects(c.Request.Context(), c.Query("district"), after, limit)
			}, func(p funding.Project) string { return p.Code })},
		{Method: "GET", Path: "/v1/projects/:code", Roles: readers, Summary: "One project", Resp: funding.Project{}, Handle: s.getProject},
		{Method: "PUT", Path: "/v1/projects/:code", Roles: writers, Summary: "Edit a project's fields (code, district and budget stay); every version kept",
			Body: projectEditIn{}, Resp: funding.Project{}, Handle: s.updateProject},
		{Method: "GET", Path: "/v1/projects/:code/versions", Roles: readers, Summary: "Every version of a project's fields", Query: pageQ,
			Resp: web.List[funding.ProjectVersion]{}, Handle: web.Listed(s.Server, s.listVersions, versionCursor)},
		{Method: "POST", Path: "/v1/projects/:code/budget-amendments", Roles: finance, Summary: "Amend a project's budget on a document",
			Body: funding.AmendmentIn{}, Resp: funding.Amendment{}, Status: 201, Handle: s.amendBudget},
		{Method: "GET", Path: "/v1/projects/:code/budget-amendments", Roles: readers, Summary: "A project's budget amendments", Query: pageQ,
			Resp: web.List[funding.Amendment]{}, Handle: web.Listed(s.Server, s.listAmendments, amendmentCursor)},
		{Method: "GET", Path: "/v1/projects/:code/funding", Roles: readers,
			Summary: "Where a project's money came from and went (in a window: ?fiscal_year= or ?from=&to=)",
			Query:   windowQ, Resp: projectFundingView{}, Handle: s.projectFunding},
		{Method: "POST", Path: "/v1/funds", Roles: writers, Summary: "Register a fund", Body: fundIn{}, Resp: funding.Fund{},
			Status: 201, Handle: web.Create(s.Server, 201, s.createFund)},
		{Method: "GET", Path: "/v1/funds", Roles: readers, Summary: "List funds with their totals",
			Query: append([]string{"kind", "holder", "fiscal_year", "district"}, pageQ...), Resp: web.List[report.FundSummary]{},
			Handle: web.Listed(s.Server, s.listFunds, func(f report.FundSummary) string { return f.Code })},
		{Method: "GET", Path: "/v1/funds/:code", Roles: readers,
			Summary: "A fund with its totals and holdings (in a window: ?fiscal_year= or ?from=&to=)",
			Query:   windowQ, Resp: report.FundView{}, Handle: s.getFund},
		{Method: "POST", Path: "/v1/funds/:code/receipts", Roles: writers, Summary: "Record money received into a fund",
			Body: movement.Receipt{}, Resp: transferDTO{}, Status: 201, Handle: s.receive},
		{Method: "POST", Path: `/v1/funds/:code/receipts\:import`, Roles: writers,
			Summary: "Import household receipts from CSV or XLSX (multipart field file, or the file as the body; ?partial=true)",
			Query:   []string{"partial", "format"}, Resp: importer.Result{}, Status: 201, MaxBody: importer.MaxBytes + 1<<20,
			Long: true, Handle: s.importReceipts},
		{Method: "GET", Path: "/v1/imports", Roles: readers, Summary: "Receipt imports: who, when, which file, what became of its rows",
			Query: append([]string{"fund"}, pageQ...), Resp: web.List[importer.Record]{},
			Handle: web.Listed(s.Server, s.listImports, func(r importer.Record) string { return r.ID })},
		{Method: "POST", Path: "/v1/allocations", Roles: writers, Summary: "Allocate a fund's money down the holder tree",
			Body: movement.Allocation{}, Resp: transferDTO{}, Status: 201, Handle: web.Create(s.Server, 201, s.allocate)},
		{Method: "POST", Path: "/v1/expenditures", Roles: writers, Summary: "Pay from a project's holdings; a forced payment or one above the approval threshold is filed for a second person (202)",
			Body: movement.Expenditure{}, Resp: transferDTO{}, Status: 201, Handle: web.Create(s.Server, 201, s.spend)},
		{Method: "GET", Path: "/v1/payment-requests", Roles: readers, Summary: "Payments waiting for (or given) a second person's approval",
			Query: append([]string{"status", "district"}, pageQ...), Resp: web.List[movement.PaymentRequest]{},
			Handle: web.Listed(s.Server, func(c *gin.Context, after string, limit int) ([]*movement.PaymentRequest, error) {
				return s.Movements.PaymentRequests(c.Request.Context(), movement.RequestFilter{Status: c.Query("status"),
					District: c.Query("district"), After: after, Limit: limit})
			}, func(r *movement.PaymentRequest) string { return r.ID })},
		{Method: "GET", Path: "/v1/payment-requests/:id", Roles: readers, Summary: "One payment request",
			Resp: movement.PaymentRequest{}, Handle: func(c *gin.Context) {
				r, err := s.Movements.PaymentRequest(c.Request.Context(), c.Param("id"))
				web.Respond(s.Server, c, r, err)
			}},
		{Method: "POST", Path: "/v1/payment-requests/:id/approve", Roles: finance,
			Summary: "Approve and pay a filed payment (a second person: not its preparer)", Resp: approvedPayment{}, Status: 201,
			Handle: s.approvePayment},
		{Method: "POST", Path: "/v1/payment-requests/:id/reject", Roles: finance, Summary: "Reject a filed payment, with a note",
			Body: rejectIn{}, Resp: movement.PaymentRequest{}, Handle: s.rejectPayment},
		{Method: "POST", Path: "/v1/transfers/:id/reversal", Roles: writers, Summary: "Reverse a transfer with a new one",
			Body: reversalIn{}, Resp: transferDTO{}, Status: 201, Handle: s.reverse},
		{Method: "GET", Path: "/v1/transfers", Roles: readers, Summary: "List transfers",
			Query: append([]string{"district", "project", "fund", "type"}, pageQ...), Resp: web.List[transferDTO]{}, Handle: web.Listed(s.Server, func(c *gin.Context, after string, limit int) ([]transferDTO, error) {
				ts, err := s.Reports.Transfers(c.Request.Context(), ledger.Filter{District: c.Query("district"),
					Project: c.Query("project"), Fund: c.Query("fund"), Type: c.Query("type"), After: after, Limit: limit})
				return toTransfers(ts), err
			}, func(t transferDTO) string { return t.ID })},
		{Method: "GET", Path: "/v1/transfers/:id", Roles: readers, Summary: "One transfer", Resp: transferDTO{}, Handle: s.getTransfer},
		{Method: "POST", Path: "/v1/payees", Roles: writers, Summary: "Register a contractor or supplier (payee)",
			Body: works.Payee{}, Resp: works.Payee{}, Status: 201, Handle: web.Create(s.Server, 201, s.createPayee)},
		{Method: "GET", Path: "/v1/payees", Roles: readers, Summary: "The payee register", Query: append([]string{"credit_code"}, pageQ...),
			Resp: web.List[works.Payee]{}, Handle: web.Listed(s.Server, s.listPayees, func(p works.Payee) string { return p.ID })},
		{Method: "POST", Path: "/v1/projects/:code/contracts", Roles: writers, Summary: "Register a works contract of a project",
			Body: works.ContractIn{}, Resp: works.Contract{}, Status: 201, Handle: onParam(s, "code", 201, s.Works.CreateContract)},
		{Method: "GET", Path: "/v1/projects/:code/contracts", Roles: readers, Summary: "A project's contracts and where their payments stand",
			Query: pageQ, Resp: web.List[*works.Contract]{}, Handle: web.Listed(s.Server, s.listContracts, func(c *works.Contract) string { return c.ID })},
		{Method: "GET", Path: "/v1/contracts/:id", Roles: readers, Summary: "A contract: acceptances, settlement, payments and retention",
			Resp: works.Contract{}, Handle: s.getContract},
		{Method: "POST", Path: "/v1/contracts/:id/acceptance", Roles: writers, Summary: "Record an acceptance (验收); a pass needs owners' representatives",
			Body: works.Acceptance{}, Resp: works.Acceptance{}, Status: 201, Handle: onParam(s, "id", 201, s.Works.RecordAcceptance)},
		{Method: "POST", Path: "/v1/contracts/:id/settlement", Roles: finance, Summary: "Record the settlement (结算) and its quality retention",
			Body: works.SettlementIn{}, Resp: works.Settlement{}, Status: 201, Handle: onParam(s, "id", 201, s.Works.Settle)},
		{Method: "POST", Path: "/v1/contracts/:id/retention-release", Roles: finance, Summary: "Pay the contractor its retention after the defect-liability period",
			Body: releaseIn{}, Resp: transferDTO{}, Status: 201, Handle: s.releaseRetention},
		{Method: "GET", Path: "/v1/projects/:code/final-accounts", Roles: readers, Summary: "Final accounts (决算): sources, categories, retention, remainders (?format=csv|xlsx)",
			Query: []string{"format"}, Resp: works.FinalAccounts{}, Handle: s.finalAccounts},
		{Method: "POST", Path: "/v1/projects/:code/close", Roles: finance, Summary: "Close a project's final accounts, returning remainders up the tree",
			Body: works.CloseIn{}, Resp: closedProject{}, Handle: s.closeProject},
		{Method: "POST", Path: "/v1/attachments", Roles: writers,
			Summary: "Attach a document (multipart: file, subject transfer:<id>|contract:<id>|acceptance:<id>|transfer:new, kind)",
			Body:    attachmentForm{}, Form: true, Resp: evidence.Attachment{}, Status: 201, MaxBody: s.Evidence.MaxBytes + 1<<20,
			Handle: s.addAttachment},
		{Method: "GET", Path: "/v1/attachments", Roles: readers, Summary: "Documents of a subject (?subject=), or every one in view",
			Query: append([]string{"subject"}, pageQ...), Resp: web.List[evidence.Attachment]{},
			Handle: web.Listed(s.Server, s.listAttachments, func(a evidence.Attachment) string { return a.ID })},
		{Method: "GET", Path: "/v1/attachments/:id", Roles: readers, Summary: "Download a document (its SHA-256 in X-Content-SHA256)",
			Handle: s.getAttachment},
		{Method: "POST", Path: "/v1/projects/:code/status", Roles: writers,
			Summary: "Move a project one step along its pipeline (reserve → planned → under_construction → accepted → settled), dated with its document",
			Body:    programme.StatusIn{}, Resp: programme.Standing{}, Status: 201, Handle: onParam(s, "code", 201, s.Programme.ChangeStatus)},
		{Method: "GET", Path: "/v1/projects/:code/status", Roles: readers, Summary: "A project's status and its history of steps",
			Resp: programme.Standing{}, Handle: onKey(s, "code", s.Programme.Status)},
		{Method: "PUT", Path: "/v1/programme/targets/:year", Roles: finance, Summary: "Set a plan year's targets (communities, households, floor area); history kept",
			Body: programme.TargetIn{}, Resp: programme.Target{}, Handle: onParam(s, "year", 200, s.Programme.SetTarget)},
		{Method: "GET", Path: "/v1/programme", Roles: readers, Summary: "Targets and progress per plan year, city-wide and per district (a district: its own)",
			Query: []string{"year"}, Resp: programmeView{}, Handle: s.getProgramme},
		{Method: "PUT", Path: "/v1/projects/:code/funding-plan", Roles: writers, Summary: "Set a project's funding plan (资金筹措方案) per fund kind; history kept",
			Body: programme.PlanIn{}, Resp: programme.Plan{}, Handle: onParam(s, "code", 200, s.Programme.SetPlan)},
		{Method: "GET", Path: "/v1/projects/:code/funding-plan", Roles: readers, Summary: "A project's funding plan per fund kind beside what it received",
			Resp: programme.PlanView{}, Handle: onKey(s, "code", s.Programme.PlanVsReceived)},
		{Method: "PUT", Path: "/v1/projects/:code/contribution-dues", Roles: writers, Summary: "Set what households owe of residents' contributions; history kept",
			Body: programme.DuesIn{}, Resp: programme.Dues{}, Handle: onParam(s, "code", 200, s.Programme.SetDues)},
		{Method: "GET", Path: "/v1/projects/:code/contributions", Roles: readers, Summary: "Residents' contributions per household: due, paid, owed",
			Resp: programme.Contributions{}, Handle: onKey(s, "code", s.Programme.Contributions)},
		{Method: "GET", Path: "/v1/contribution-arrears", Roles: readers, Summary: "Households owing residents' contributions (a district: its own)",
			Query: append([]string{"district"}, pageQ...), Resp: web.List[programme.Contribution]{},
			Handle: web.Listed(s.Server, s.listArrears, programme.ArrearsCursor)},
		{Method: "POST", Path: "/v1/batches", Roles: writers, Summary: "Apply up to 10,000 receipts, allocations and expenditures atomically",
			Body: batchIn{}, Resp: batchOut{}, Status: 201, MaxBody: 16 << 20, Long: true, Handle: web.Create(s.Server, 201, s.batch)},
		{Method: "POST", Path: "/v1/allocation-plans", Roles: writers, Summary: "Compute a factor-method allocation (draft)",
			Body: movement.PlanInput{}, Resp: movement.Plan{}, Status: 201, Handle: web.Create(s.Server, 201, s.createPlan)},
		{Method: "GET", Path: "/v1/allocation-plans", Roles: readers, Summary: "List allocation plans",
			Query: append([]string{"status", "fund"}, pageQ...), Resp: web.List[movement.PlanSummary]{},
			Handle: web.Listed(s.Server, s.listPlans, func(p movement.PlanSummary) string { return p.ID })},
		{Method: "GET", Path: "/v1/allocation-plans/:id", Roles: readers, Summary: "One allocation plan", Resp: movement.Plan{}, Handle: s.getPlan},
		{Method: "POST", Path: "/v1/allocation-plans/:id/execute", Roles: writers, Summary: "Post every share of a plan, once",
			Resp: movement.Plan{}, Long: true, Handle: s.executePlan},
		{Method: "GET", Path: "/v1/reports/funding", Roles: readers, Summary: "Money by district × fund kind (?format=csv|xlsx)",
			Query: reportQ(), Resp: fundingReportView{}, Handle: s.fundingReport},
		{Method: "GET", Path: "/v1/reports/budget", Roles: readers, Summary: "Project budget vs actual by category (?format=csv|xlsx)",
			Query: reportQ("district"), Resp: struct {
				Items []report.BudgetLine `json:"items"`
			}{}, Handle: s.budgetReport},
		{Method: "GET", Path: "/v1/reports/idle", Roles: readers, Summary: "Money held longer than N days without moving on (?format=csv|xlsx)",
			Query: reportQ("days", "as_of"), Resp: struct {
				Items []report.IdleLine `json:"items"`
			}{}, Handle: s.idleReport},
		{Method: "GET", Path: "/v1/reports/direct", Roles: readers, Summary: "Monthly direct-fund report, due by the 10th (?format=csv|xlsx)",
			Query: []string{"month", "format"}, Resp: report.DirectReport{}, Handle: s.directReport},
		{Method: "PUT", Path: "/v1/projects/:code/property-manager", Roles: writers, Summary: "Record a management contract: a later start ends the open one; to ends it (history kept)",
			Body: managerIn{}, Resp: subsidy.PropertyManager{}, Handle: onParam(s, "code", http.StatusOK, s.setManager)},
		{Method: "GET", Path: "/v1/projects/:code/property-manager", Roles: readers, Summary: "The contract in force today, every contract and its history",
			Resp: subsidy.Management{}, Handle: s.getManager},
		{Method: "POST", Path: "/v1/subsidy/schemes", Roles: finance, Summary: "Create a subsidy scheme, or its next version",
			Body: schemeIn{}, Resp: subsidy.Scheme{}, Status: 201, Handle: web.Create(s.Server, 201, s.createScheme)},
		{Method: "GET", Path: "/v1/subsidy/schemes", Roles: anyReader, Summary: "Current scheme versions", Query: pageQ,
			Resp: web.List[subsidy.Scheme]{}, Handle: web.Listed(s.Server, func(c *gin.Context, after string, limit int) ([]*subsidy.Scheme, error) {
				return s.Subsidy.Schemes(c.Request.Context(), after, limit)
			}, func(sc *subsidy.Scheme) string { return sc.Code })},
		{Method: "GET", Path: "/v1/subsidy/schemes/:code", Roles: anyReader, Summary: "Every version of a scheme", Handle: s.getScheme},
		{Method: "POST", Path: "/v1/subsidy/ratings", Roles: writers, Summary: "Rate a project's property service for a period",
			Body: ratingIn{}, Resp: subsidy.Rating{}, Status: 201, Handle: web.Create(s.Server, 201, s.rate)},
		{Method: "GET", Path: "/v1/subsidy/ratings", Roles: readers, Summary: "Rating history (every version), scoped",
			Query: append([]string{"project", "period"}, pageQ...), Resp: web.List[subsidy.Rating]{},
			Handle: web.Listed(s.Server, func(c *gin.Context, after string, limit int) ([]subsidy.Rating, error) {
				return s.Subsidy.RatingHistory(c.Request.Context(), subsidy.RatingFilter{Project: c.Query("project"),
					Period: c.Query("period"), After: after, Limit: limit})
			}, func(r subsidy.Rating) string { return r.ID })},
		{Method: "GET", Path: "/v1/subsidy/clawbacks", Roles: readers, Summary: "Clawback requests of paid runs (?status=open|settled), scoped",
			Query: append([]string{"status", "scheme", "project"}, pageQ...), Resp: web.List[*clawback.Clawback]{},
			Handle: web.Listed(s.Server, func(c *gin.Context, after string, limit int) ([]*clawback.Clawback, error) {
				return s.Clawbacks.List(c.Request.Context(), clawback.Filter{Status: c.Query("status"),
					Scheme: c.Query("scheme"), Project: c.Query("project"), After: after, Limit: limit})
			}, func(cb *clawback.Clawback) string { return cb.ID })},
		{Method: "POST", Path: "/v1/subsidy/clawbacks/:id/settle", Roles: finance, Summary: "Record that a company refunded a clawback request",
			Body: settleIn{}, Resp: clawback.Clawback{}, Handle: onParam(s, "id", http.StatusOK, s.settleClawback)},
		{Method: "POST", Path: "/v1/subsidy/runs", Roles: finance, Summary: "Draft a subsidy run for a scheme and period",
			Body: runIn{}, Resp: subsidy.Run{}, Status: 201, Long: true, Handle: web.Create(s.Server, 201, s.createRun)},
		{Method: "GET", Path: "/v1/subsidy/runs", Roles: readers, Summary: "List runs", Query: append([]string{"scheme", "period", "status"}, pageQ...),
			Resp: web.List[subsidy.RunSummary]{}, Handle: web.Listed(s.Server, func(c *gin.Context, after string, limit int) ([]*subsidy.RunSummary, error) {
				return s.Subsidy.Runs(c.Request.Context(), subsidy.RunFilter{Scheme: c.Query("scheme"), Period: c.Query("period"),
					Status: c.Query("status"), After: after, Limit: limit})
			}, func(r *subsidy.RunSummary) string { return r.ID })},
		{Method: "GET", Path: "/v1/subsidy/runs/:id", Roles: readers, Summary: "A run with its lines (?format=csv: the payment list)",
			Query: []string{"format"}, Resp: subsidy.Run{}, Handle: s.getRun},
		{Method: "POST", Path: "/v1/subsidy/runs/:id/approve", Roles: finance, Summary: "Pay every line of a draft run, or none",
			Resp: subsidy.Run{}, Long: true, Handle: s.runAction(s.Subsidy.Approve, true)},
		{Method: "POST", Path: "/v1/subsidy/runs/:id/cancel", Roles: finance, Summary: "Cancel a draft run",
			Resp: subsidy.Run{}, Handle: s.runAction(s.Subsidy.Cancel, false)},
		{Method: "POST", Path: "/v1/tax/service-relief", Roles: writers, Summary: "Compute and record a service provider's tax relief",
			Body: taxbook.ReliefIn{}, Resp: taxbook.Relief{}, Status: 201, Handle: web.Create(s.Server, 201, s.serviceRelief)},
		{Method: "POST", Path: "/v1/tax/utility-assets", Roles: writers, Summary: "Depreciate and record a utility's renovated asset",
			Body: taxbook.AssetIn{}, Resp: taxbook.Asset{}, Status: 201, Handle: web.Create(s.Server, 201, s.utilityAsset)},
		{Method: "POST", Path: "/v1/tax/records/:id/reversal", Roles: writers, Summary: "Correct a tax record by a reversing record",
			Body: taxReversalIn{}, Resp: taxbook.Reversal{}, Status: 201, Handle: s.reverseTax},
		{Method: "GET", Path: "/v1/projects/:code/tax-expenditure", Roles: readers, Summary: "Tax expenditure recorded against a project",
			Resp: taxbook.ProjectView{}, Handle: s.projectTax},
		{Method: "GET", Path: "/v1/reports/tax-expenditure", Roles: readers, Summary: "Tax expenditure by district and kind (?format=csv|xlsx)",
			Query: reportQ(), Resp: taxbook.Report{}, Handle: s.taxReport},
		{Method: "GET", Path: "/v1/audit/exceptions", Roles: readers,
			Summary: "Rule findings an auditor should review, by id (?format=csv|xlsx: every one the filters select)",
			Query:   slices.Concat(ruleQ, []string{"format", "kind", "severity", "district", "status", "period"}, windowQ, pageQ),
			Resp:    exceptionList{}, Handle: s.exceptions},
		{Method: "GET", Path: "/v1/audit/exceptions/:id", Roles: readers, Summary: "One finding with its review steps",
			Query: ruleQ, Resp: report.Finding{}, Handle: s.finding},
		{Method: "POST", Path: "/v1/audit/exceptions/:id/reviews", Roles: financial,
			Summary: "Acknowledge, explain or close a finding, with a note (append-only)",
			Query:   ruleQ, Body: report.ReviewIn{}, Resp: report.Finding{}, Status: 201, Handle: s.reviewFinding},
		{Method: "GET", Path: "/v1/audit/events", Roles: []access.Role{access.Admin, access.Auditor}, Summary: "Who did what, when",
			Query: append([]string{"token_name", "route", "method"}, pageQ...), Resp: web.List[events.Stored]{}, Handle: s.listEvents},
		{Method: "POST", Path: "/v1/reconciliations", Roles: writers, Summary: "Reconcile a district's bank statement (multipart: district, file, window_days)",
			Resp: reconcile.Reconciliation{}, Status: 201, MaxBody: MaxUpload, Handle: s.reconcile},
		{Method: "GET", Path: "/v1/reconciliations", Roles: readers, Summary: "Stored reconciliations, newest first", Query: append([]string{"district"}, pageQ...),
			Resp: web.List[reconcile.ReconciliationSummary]{}, Handle: web.Listed(s.Server, func(c *gin.Context, after string, limit int) ([]reconcile.ReconciliationSummary, error) {
				return s.Recon.Reconciliations(c.Request.Context(), c.Query("district"), after, limit)
			}, func(r reconcile.ReconciliationSummary) string { return r.ID })},
		{Method: "GET", Path: "/v1/reconciliations/:id", Roles: readers, Summary: "One reconciliation with its lines",
			Resp: reconcile.Reconciliation{}, Handle: s.getReconciliation},
		{Method: "POST", Path: "/v1/bank-accounts", Roles: writers, Summary: "Register a district's bank account (the funds it serves, a column mapping for its statements)",
			Body: reconcile.AccountIn{}, Resp: reconcile.Account{}, Status: 201, Handle: web.Create(s.Server, 201, s.createBankAccount)},
		{Method: "GET", Path: "/v1/bank-accounts", Roles: readers, Summary: "Bank accounts, scoped", Query: append([]string{"district"}, pageQ...),
			Resp: web.List[reconcile.Account]{}, Handle: web.Listed(s.Server, func(c *gin.Context, after string, limit int) ([]reconcile.Account, error) {
				return s.Recon.Accounts(c.Request.Context(), c.Query("district"), after, limit)
			}, func(a reconcile.Account) string { return a.ID })},
		{Method: "POST", Path: "/v1/reconciliations/:id/matches", Roles: writers, Summary: "Match bank lines with transfers by hand, with a reason",
			Body: reconcile.ManualIn{}, Resp: reconcile.Reconciliation{}, Status: 201, Handle: s.matchManually},
		{Method: "DELETE", Path: "/v1/reconciliations/:id/matches/:match", Roles: writers, Summary: "Undo a match, with a reason (kept in the history)",
			Body: reconcile.UnmatchIn{}, Resp: reconcile.Reconciliation{}, Handle: s.unmatch},
		{Method: "GET", Path: "/v1/reconciliations/:id/balance-statement", Roles: readers,
			Summary: "余额调节表 for a month (?month=YYYY-MM, default the statement's last; ?format=xlsx): as signed, or as the reconciliation stands",
			Query:   []string{"month", "format"}, Resp: reconcile.BalanceStatement{}, Handle: s.balanceStatement},
		{Method: "POST", Path: "/v1/reconciliations/:id/balance-statement/sign", Roles: writers,
			Summary: "Sign the month's balance statement for the district (?month=); it must agree to the fen", Query: []string{"month"},
			Resp: reconcile.BalanceStatement{}, Status: 201, Handle: s.statementStep(http.StatusCreated, s.Recon.Sign)},
		{Method: "POST", Path: "/v1/reconciliations/:id/balance-statement/review", Roles: finance,
			Summary: "Review a signed balance statement (another person than the signer) (?month=)", Query: []string{"month"},
			Resp: reconcile.BalanceStatement{}, Handle: s.statementStep(http.StatusOK, s.Recon.Review)},
		{Method: "GET", Path: "/v1/exports/trail", Roles: readers, Summary: "The fund trail, one row per money movement per fund (streamed CSV, JSONL or XLSX; zip: the package with its manifest)",
			Query: slices.Concat([]string{"format", "district", "project", "fund"}, windowQ), Long: true, Handle: s.exportTrail},
		{Method: "GET", Path: "/v1/trace/expenditures/:id", Roles: readers, Summary: "Walk a payment back to the receipts that funded it",
			Resp: audit.Trace{}, Handle: s.traceExpenditure},
		{Method: "GET", Path: "/v1/trace/funds/:code", Roles: readers, Summary: "Follow a fund forward to every final payee",
			Resp: audit.FundTrace{}, Handle: s.traceFund},
		{Method: "POST", Path: "/v1/periods/:period/close", Roles: finance,
			Summary: "Ask to close a month (YYYY-MM, with every earlier month) or a fiscal year (YYYY, after its twelve months)",
			Resp:    period.Period{}, Status: 202, Handle: s.periodStep(http.StatusAccepted, s.Periods.RequestClose)},
		{Method: "POST", Path: "/v1/periods/:period/close/confirm", Roles: finance,
			Summary: "Close a requested period (another person): bookings into it are refused, its closing balances sealed",
			Resp:    period.Period{}, Long: true, Handle: s.periodStep(http.StatusOK, s.Periods.ConfirmClose)},
		{Method: "POST", Path: "/v1/periods/:period/reopen", Roles: []access.Role{access.Admin},
			Summary: "Ask, with a reason, to reopen a closed period", Body: reopenIn{}, Resp: period.Period{}, Status: 202,
			Handle: s.requestReopen},
		{Method: "POST", Path: "/v1/periods/:period/reopen/confirm", Roles: finance,
			Summary: "Reopen a period (another person); a month reopens with every later one",
			Resp:    period.Period{}, Long: true, Handle: s.periodStep(http.StatusOK, s.Periods.ConfirmReopen)},
		{Method: "GET", Path: "/v1/periods", Roles: anyReader, Summary: "Every period that has been through a step, with its history",
			Resp: period.Books{}, Handle: s.listPeriods},
		{Method: "GET", Path: "/v1/reports/carry-forward", Roles: readers,
			Summary: "A fiscal year per holding: opening, in, out, closing (= next year's opening) (?format=csv|xlsx)",
			Query:   []string{"fiscal_year", "format"}, Resp: period.CarryForward{}, Handle: s.carryForward},
		{Method: "GET", Path: "/v1/audit/verify", Roles: financial, Query: []string{"full"},
			Summary: "Recompute what was written since the newest checkpoint, or everything with ?full=true",
			Resp:    proof.Report{}, Long: true, Handle: s.verify},
	}
}
