package public

import (
	"testing"

	"renofund/internal/money"
)

// TestFormats: dates, periods, ratios and areas the Chinese way, exactly;
// codes by their Chinese names.
func TestFormats(t *testing.T) {
	half := money.MustRate("0.5")
	odd := money.MustRate("0.875")
	for _, c := range []struct{ got, want string }{
		{date("2026-04-01"), "2026年4月1日"}, {date("2026-12-31"), "2026年12月31日"}, {date("soon"), "soon"},
		{period("2026-03"), "2026年3月"}, {period("2026-Q2"), "2026年第二季度"}, {period("2026-Q4"), "2026年第四季度"},
		{period("2026-H1"), "2026年上半年"}, {period("2026-H2"), "2026年下半年"}, {period("2026"), "2026年"},
		{pct(&half), "50%"}, {pct(&odd), "87.5%"}, {pct(nil), ""},
		{area(money.MustRate("21500.5")), "21,500.5"}, {area(money.MustRate("800")), "800"}, {area(money.MustRate("1234567")), "1,234,567"},
		{label("maintenance_fund"), "住宅专项维修资金"}, {label("special_bond"), "专项债券"}, {label("government"), "政府资金"},
		{label("under_construction"), "施工中"}, {label("passed"), "合格"}, {label("basic"), "基础类"}, {label("zzz"), "zzz"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
