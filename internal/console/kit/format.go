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
}

// Label is the Chinese name of a code (a fund kind, a role, a status…), or
// the code itself.
func Label(v any) string {
	s := fmt.Sprint(v)
	if n, ok := funding.KindNames[s]; ok {
		return n
	}
	if n, ok := labels[s]; ok {
		return n
	}
	return s
}

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
}
