// Package funding is the registry of districts, projects and funds, and the
// money movements between them: receipts, allocations down the holder tree,
// expenditures with explicit or automatic attribution, and reversals. Every
// movement goes through the ledger; this package decides what the programme's
// rules allow and who may do it.
package funding

import (
	"slices"
	"time"

	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/money"
)

// Categories of work every cost line carries.
const (
	Basic       = "basic"       // 基础类
	Improvement = "improvement" // 完善类
	Upgrade     = "upgrade"     // 提升类
)

// Categories lists them in order.
var Categories = []string{Basic, Improvement, Upgrade}

// Kinds lists the fund kinds of DOMAIN.md.
var Kinds = []string{
	"central_grant", "central_investment", "provincial_grant", "city_fiscal", "district_fiscal",
	"special_fund", "special_bond", "corporate_bond", "policy_loan", "commercial_loan", "social_capital",
	"utility_self_funding", "employer_contribution", "resident_contribution", "maintenance_fund",
	"public_revenue", "provident_fund", "donation",
}

// KindNames are the fund kinds' Chinese names (DOMAIN.md).
var KindNames = map[string]string{
	"central_grant": "中央补助资金", "central_investment": "中央预算内投资", "provincial_grant": "省级补助资金",
	"city_fiscal": "市级财政资金", "district_fiscal": "区级财政资金", "special_fund": "部门专项资金",
	"special_bond": "专项债券", "corporate_bond": "企业债/项目收益票据", "policy_loan": "政策性银行贷款",
	"commercial_loan": "商业银行贷款", "social_capital": "社会资本", "utility_self_funding": "专业经营单位出资",
	"employer_contribution": "原产权单位出资", "resident_contribution": "居民出资", "maintenance_fund": "住宅专项维修资金",
	"public_revenue": "小区公共收益", "provident_fund": "住房公积金提取", "donation": "捐赠",
}

// DefaultBudgetSubject is the budget classification code 2210108 老旧小区改造.
const DefaultBudgetSubject = "2210108"

// Errors of the funding rules.
var (
	ErrCategoryNotEligible = errs.ErrCategoryNotEligible
	ErrFundExpired         = errs.ErrFundExpired
	ErrVoteFailed          = errs.New(errs.Rule, "vote_failed", "the owners' vote does not pass the Civil Code test")
	ErrInsufficientFunds   = ledger.ErrInsufficientFunds
	ErrAlreadyReversed     = ledger.ErrAlreadyReversed
)

// District is an administrative unit of the city.
type District struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	CreatedAt string `json:"created_at"`
}

// Budget is a project's budget per category.
type Budget struct {
	Basic       money.Amount `json:"basic"`
	Improvement money.Amount `json:"improvement"`
	Upgrade     money.Amount `json:"upgrade"`
}

// For returns the budget of one category.
func (b Budget) For(category string) money.Amount {
	switch category {
	case Basic:
		return b.Basic
	case Improvement:
		return b.Improvement
	case Upgrade:
		return b.Upgrade
	}
	return 0
}

// Project is one community's renovation.
type Project struct {
	Code        string     `json:"code"`
	Name        string     `json:"name"`
	District    string     `json:"district"`
	Households  int64      `json:"households"`
	FloorAreaM2 money.Rate `json:"floor_area_m2"`
	Buildings   int64      `json:"buildings"`
	BuiltYear   int        `json:"built_year"`
	Budget      Budget     `json:"budget"`
	// PlanYear is the programme year the project is planned in (null while
	// it is only in the reserve and none was given).
	PlanYear *int `json:"plan_year"`
	// Status is the project's place in the pipeline (funding/programme):
	// reserve, planned, under_construction, accepted, settled or closed.
	Status    string `json:"status"`
	CreatedAt string `json:"created_at"`
}

// Vote is an owners' assembly decision (民法典 §278).
type Vote struct {
	TotalAreaM2         money.Rate `json:"total_area_m2"`
	TotalOwners         int64      `json:"total_owners"`
	ParticipatingAreaM2 money.Rate `json:"participating_area_m2"`
	ParticipatingOwners int64      `json:"participating_owners"`
	YesAreaM2           money.Rate `json:"yes_area_m2"`
	YesOwners           int64      `json:"yes_owners"`
	HeldOn              string     `json:"held_on"`
	Purpose             string     `json:"purpose"` // "use" or "raise"
	RuleSet             string     `json:"rule_set"`
}

// Fund is a ring-fenced pot of money.
type Fund struct {
	Code               string   `json:"code"`
	Kind               string   `json:"kind"`
	Name               string   `json:"name"`
	Holder             string   `json:"holder"`
	District           string   `json:"district,omitempty"`
	FiscalYear         int      `json:"fiscal_year"`
	DocumentNo         string   `json:"document_no"`
	BudgetSubject      string   `json:"budget_subject"`
	Direct             bool     `json:"direct"`
	EligibleCategories []string `json:"eligible_categories"`
	ExpiresOn          string   `json:"expires_on,omitempty"`
	Repayable          bool     `json:"repayable"`
	Vote               *Vote    `json:"vote,omitempty"`
	CreatedBy          string   `json:"created_by"`
	CreatedAt          string   `json:"created_at"`
}

// Eligible reports whether the fund may pay for category.
func (f *Fund) Eligible(category string) bool { return slices.Contains(f.EligibleCategories, category) }

// ExpiredOn reports whether the fund has expired by date (YYYY-MM-DD).
func (f *Fund) ExpiredOn(date string) bool { return f.ExpiresOn != "" && date > f.ExpiresOn }

// ParseDate reads a YYYY-MM-DD date.
func ParseDate(name, s string) (time.Time, error) { return field.Date(name, s) }

// A project's place in the programme's pipeline, in order: the reserve
// (储备), planned for a year, under construction, accepted, settled, and
// closed with its final accounts. funding/programme records the steps.
const (
	StatusReserve           = "reserve"
	StatusPlanned           = "planned"
	StatusUnderConstruction = "under_construction"
	StatusAccepted          = "accepted"
	StatusSettled           = "settled"
	StatusClosed            = "closed"
)

// Statuses lists the pipeline in order.
var Statuses = []string{StatusReserve, StatusPlanned, StatusUnderConstruction, StatusAccepted, StatusSettled, StatusClosed}
