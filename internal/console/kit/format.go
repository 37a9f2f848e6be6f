package kit

import (
	"fmt"
	"html/template"
	"net/url"
	"regexp"
	"strings"

	"renofund/funding"
)

// funcs are the templates' helpers.
var funcs = template.FuncMap{
	"yuan":  Yuan,
	"label": Label,
	"field": Field,
	"query": urlQuery,
}

// Yuan shows an amount as the API gives it ("-1234567.8") with thousands
// separators and two decimals: the digits are regrouped as text, never
// rounded or passed through a float. What is not such an amount is shown as
// it is.
func Yuan(v any) string {
	if v == nil {
		return ""
	}
	s := fmt.Sprint(v)
	m := amountText.FindStringSubmatch(s)
	if m == nil {
		return s
	}
	sign, whole, frac := m[1], m[2], m[3]
	var b strings.Builder
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	return sign + b.String() + "." + (frac + "00")[:2]
}

// amountText is an amount as JSON carries it: sign, whole yuan, up to two
// decimals.
var amountText = regexp.MustCompile(`^(-?)([0-9]+)(?:\.([0-9]{1,2}))?$`)

// labels are the Chinese names of the API's codes.
var labels = map[string]string{
	// roles
	"admin": "系统管理员", "finance": "财政局", "auditor": "审计", "district": "区县",
	// holders and categories
	"city": "市级", "basic": "基础类", "improvement": "完善类", "upgrade": "提升类",
	// movement types
	"receipt": "到账", "allocation": "拨付", "expenditure": "支出", "reversal": "冲销", "refund": "退回",
	"return": "收回", "subsidy": "物业补贴",
	// statuses
	"draft": "草稿", "pending": "待复核", "approved": "已批准", "executed": "已执行", "paid": "已支付",
	"open": "未结", "closed": "已关闭", "reviewed": "已复核", "rejected": "已驳回", "passed": "合格",
	"failed": "不合格", "signed": "已签字", "matched": "已匹配", "unmatched": "未匹配",
	"close_requested": "待确认结账", "reopen_requested": "待确认反结账",
	"true": "是", "false": "否",
	// books: transfer types, project statuses, tax records, parts of a contract's payments, the outside world
	"subsidy_payment": "物业补贴支付", "reserve": "储备", "planned": "已列入计划", "under_construction": "在建",
	"accepted": "已验收", "settled": "已结算", "service_relief": "社区服务税收优惠", "utility_asset": "专业经营单位资产折旧",
	"payment": "工程款", "retention": "质保金", "external": "账外",
	// bank reconciliation and audit findings (the bank and audit sections)
	"acknowledged": "已确认", "explained": "已说明",
	"high": "高", "medium": "中", "low": "低",
	"diversion": "挪用或扩大开支范围", "vote_missing": "未经业主表决使用",
	"direct_fund_routed": "直达资金未直达", "idle_money": "资金闲置", "expiring_unspent": "临近到期未支出",
	"over_budget": "超预算支出", "duplicate_payment": "疑似重复支付", "central_ineligible": "中央资金用于不符合条件的小区",
	"late_entry": "记账滞后", "over_contract": "超合同支付", "final_accounts_overdue": "决算逾期",
	"payment_before_acceptance": "验收前超进度支付", "retention_released_early": "提前支付质保金",
	"bank_debit_unbooked": "银行已付、单位未记账", "voucher_not_in_bank": "单位已付、银行未付",
	// approvals: plans, subsidy runs and lines, schemes, periods
	"cancelled": "已作废", "payable": "应付", "skipped": "不予支付", "adjustment": "调整",
	"outside_validity": "不在方案有效期内", "no_rating": "无评分", "no_property_manager": "无物业服务企业",
	"below_threshold": "评分未达支付档", "zero_amount": "计算基数为零", "already_paid": "已足额支付",
	"top_up": "补付", "clawback": "追回",
	"per_household_month": "按户按月", "per_m2_month": "按面积按月", "per_community_period": "按小区按期",
	"month": "月", "quarter": "季度", "half_year": "半年", "year": "年",
	"close_request": "申请结账", "close": "确认结账", "reopen_request": "申请反结账", "reopen": "确认反结账",
}

// Label is the Chinese name of a code (a fund kind, a role, a status, a
// holder…), or the code itself.
func Label(v any) string {
	s := fmt.Sprint(v)
	if n, ok := funding.KindNames[s]; ok {
		return n
	}
	if n, ok := labels[s]; ok {
		return n
	}
	if kind, code, ok := strings.Cut(s, ":"); ok && holderNames[kind] != "" {
		return holderNames[kind] + " " + code // a holder of money: "district:HZ", "project:HZ-001"
	}
	return s
}

// holderNames name the kinds of holder below the city.
var holderNames = map[string]string{"district": "区县", "project": "项目"}

// Field reads a value from decoded JSON by a dotted path ("totals.received").
func Field(row any, path string) any {
	v := row
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func urlQuery(s string) string { return url.QueryEscape(s) }

// codeText says the API's refusals in the clerk's words.
var codeText = map[string]string{
	"unauthenticated":    "未登录或登录已过期，请重新登录。",
	"forbidden":          "当前账号无权进行此操作。",
	"not_found":          "没有找到该记录，或不在本账号的管辖范围内。",
	"csrf_failed":        "页面已过期，请刷新后重试。",
	"cross_origin":       "请求来源不是本系统页面，已拒绝。",
	"same_person":        "复核人不能与经办人为同一人（四眼原则）。",
	"insufficient_funds": "余额不足。",
	"period_closed":      "该会计期间已结账，不能再记账。",
	"rate_limited":       "操作过于频繁，请稍后再试。",
	"invalid_request":    "提交的内容有误，请检查后重试。",
	// books: payments, reversals, imports
	"already_reversed":       "该凭证已经冲销过，不能重复冲销。",
	"project_closed":         "该项目已办理决算并关闭，不能再记入、支付或冲销它的往来。",
	"retention_held":         "涉及合同质保金：缺陷责任期未满或须保留的质保金不能动用。",
	"conflict":               "与现有记录冲突（可能已经处理过），请刷新后查看。",
	"future_date":            "日期不能晚于今天。",
	"before_arrival":         "资金到达之前不能从该持有方支出或下拨，请检查日期。",
	"category_not_eligible":  "该资金不能用于这一类别的支出。",
	"fund_expired":           "该资金已过有效期。",
	"invalid_amount":         "金额格式不正确：应为大于零、不带千分位、最多两位小数的数，如 12345.67。",
	"invalid_credit_code":    "统一社会信用代码不正确（18 位，校验位不符）。",
	"over_progress_ceiling":  "超过合同进度款上限（合同金额 × 进度款比例）。",
	"not_accepted":           "工程尚未验收合格，不能支付结算款。",
	"over_settlement":        "超过结算金额减质保金后的可付金额。",
	"approval_required":      "这笔支付须经第二人复核，请单笔提交。",
	"idempotency_key_reused": "这张表单已用不同内容提交过，请刷新页面后重新填写。",
	"too_large":              "文件或提交的内容过大。",
	"rule_violation":         "不符合业务规则，未记账。",
	// bank reconciliation and audit findings (the bank and audit sections)
	"duplicate_statement":       "该对账单已经对过账（同一文件，或同一账户同一期间的相同流水），不能重复上传。",
	"balance_break":             "对账单的余额不连续：有流水缺失或金额有误，请核对银行导出的文件。",
	"xls_unsupported":           "不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后上传。",
	"invalid_mapping":           "列对应关系有误。",
	"bank_account_exists":       "该银行账户已经登记过。",
	"already_matched":           "所选流水或凭证已经匹配过。",
	"already_unmatched":         "该匹配已经撤销过。",
	"not_in_reconciliation":     "所选流水或凭证不属于本次对账。",
	"statement_without_balance": "对账单没有余额列，无法编制余额调节表。",
	"month_outside_statement":   "所选月份不在对账单的日期范围内。",
	"balances_disagree":         "调节后的银行余额与账面余额不一致，不能签字。",
	"already_signed":            "该月余额调节表已经签字。",
	"not_signed":                "余额调节表尚未签字，不能复核。",
	"already_reviewed":          "该月余额调节表已经复核。",
	"note_required":             "请填写处理意见。",
	// approvals
	"run_exists":       "该方案该期间已有待批准的草稿批次，请先批准或作废它。",
	"period_status":    "该期间当前的状态不能办理这一步（可能已被他人办理），请刷新后查看。",
	"period_not_ended": "该期间尚未结束，期满后次日起才能申请结账。",
	"months_open":      "年度结账须在该年十二个月均已结账之后办理。",
}
