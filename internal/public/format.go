package public

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"renofund/funding"
	"renofund/funding/disclosure"
	"renofund/internal/console/kit"
	"renofund/internal/money"
)

// funcs are the templates' helpers.
var funcs = template.FuncMap{
	"yuan":   kit.Yuan, // thousands separators and two decimals, never rounded
	"label":  label,
	"date":   date,
	"period": period,
	"pct":    pct,
	"area":   area,
	"plus":   func(a, b money.Amount) money.Amount { return a + b },
}

// labels are the Chinese names of the codes a page shows.
var labels = map[string]string{
	// the pipeline
	funding.StatusReserve: "储备项目", funding.StatusPlanned: "已列入年度改造计划", funding.StatusUnderConstruction: "施工中",
	funding.StatusAccepted: "已竣工验收", funding.StatusSettled: "已完成结算", funding.StatusClosed: "已完成决算",
	// categories of work
	funding.Basic: "基础类", funding.Improvement: "完善类", funding.Upgrade: "提升类",
	// acceptance results
	"passed": "合格", "failed": "不合格",
	// groups of sources
	disclosure.Government: "政府资金", disclosure.Residents: "居民出资", disclosure.Utilities: "专业经营单位出资",
	disclosure.Maintenance: "住宅专项维修资金", disclosure.Provident: "住房公积金提取", disclosure.OtherSources: "其他来源",
	// an owners' vote's purpose
	"use": "使用", "raise": "筹集",
}

// label is the Chinese name of a code: a fund kind, a status, a category…
// or the code itself.
func label(code string) string {
	if n, ok := labels[code]; ok {
		return n
	}
	if n, ok := funding.KindNames[code]; ok {
		return n
	}
	return code
}

// date writes a YYYY-MM-DD date the Chinese way ("2026年4月1日").
func date(d string) string {
	parts := strings.Split(d, "-")
	if len(parts) != 3 {
		return d
	}
	m, err1 := strconv.Atoi(parts[1])
	day, err2 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil {
		return d
	}
	return fmt.Sprintf("%s年%d月%d日", parts[0], m, day)
}

// period writes an assessment period the Chinese way: 2026-03 is
// "2026年3月", 2026-Q2 "2026年第二季度", 2026-H1 "2026年上半年", 2026
// "2026年".
func period(p string) string {
	year, rest, ok := strings.Cut(p, "-")
	if !ok {
		return p + "年"
	}
	switch rest {
	case "Q1", "Q2", "Q3", "Q4":
		return year + "年第" + []string{"一", "二", "三", "四"}[rest[1]-'1'] + "季度"
	case "H1":
		return year + "年上半年"
	case "H2":
		return year + "年下半年"
	}
	if m, err := strconv.Atoi(rest); err == nil {
		return fmt.Sprintf("%s年%d月", year, m)
	}
	return p
}

// pct writes a ratio as per cent ("0.9" → "90%"), exactly.
func pct(r *money.Rate) string {
	if r == nil {
		return ""
	}
	return r.Decimal().Mul(decimal.NewFromInt(100)).String() + "%"
}

// area writes square metres with thousands separators ("21,500.5").
func area(r money.Rate) string {
	whole, frac, _ := strings.Cut(r.String(), ".")
	var b strings.Builder
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	return b.String()
}
