package bulletin

import (
	"io"

	"renofund/internal/sheet"
)

// kindNames are the fund kinds' Chinese names (DOMAIN.md).
var kindNames = map[string]string{
	"central_grant": "中央补助资金", "central_investment": "中央预算内投资", "provincial_grant": "省级补助资金",
	"city_fiscal": "市级财政资金", "district_fiscal": "区级财政资金", "special_fund": "部门专项资金",
	"special_bond": "专项债券", "corporate_bond": "企业债/项目收益票据", "policy_loan": "政策性银行贷款",
	"commercial_loan": "商业银行贷款", "social_capital": "社会资本", "utility_self_funding": "专业经营单位出资",
	"employer_contribution": "原产权单位出资", "resident_contribution": "居民出资", "maintenance_fund": "住宅专项维修资金",
	"public_revenue": "小区公共收益", "provident_fund": "住房公积金提取", "donation": "捐赠",
}

// WriteXLSX writes a bulletin (as its reader sees it) as a workbook with a
// sheet per section, headed in Chinese.
func WriteXLSX(w io.Writer, b *Bulletin) error {
	wb := sheet.NewWorkbook(w)
	for _, sec := range sections {
		header, rows := sec.sheet(b.Body)
		if err := wb.Sheet(sec.title, header); err != nil {
			return err
		}
		for _, r := range rows {
			if err := wb.Row(r); err != nil {
				return err
			}
		}
	}
	return wb.Close()
}

func spendingSheet(b *Body) ([]string, [][]sheet.Value) {
	header := []string{"月份", "排名", "区县代码", "区县", "资金类型", "本月分配", "本月到位", "本月支出",
		"年初结存", "累计分配", "累计到位", "累计支出", "可用资金", "支出进度"}
	var rows [][]sheet.Value
	line := func(a Area, kind string, f Figures) {
		rank := sheet.Empty
		if a.Rank > 0 && kind == "合计" {
			rank = sheet.Int(int64(a.Rank))
		}
		rows = append(rows, []sheet.Value{sheet.Text(b.Month), rank, sheet.Text(a.District), sheet.Text(a.Name),
			sheet.Text(kind), sheet.Amount(f.AllocatedMonth), sheet.Amount(f.ReceivedMonth), sheet.Amount(f.SpentMonth),
			sheet.Amount(f.Opening), sheet.Amount(f.AllocatedYTD), sheet.Amount(f.ReceivedYTD), sheet.Amount(f.SpentYTD),
			sheet.Amount(f.Available), sheet.Text(f.SpendingRate)})
	}
	for _, a := range append([]Area{b.Spending.City}, b.Spending.Districts...) {
		line(a, "合计", a.Figures)
		for _, k := range a.Kinds {
			line(a, kindNames[k.Kind], k.Figures)
		}
	}
	return header, rows
}

func latePassSheet(b *Body) ([]string, [][]sheet.Value) {
	header := []string{"区县代码", "资金编码", "资金类型", "持有方", "下达时限(天)", "滞留金额", "滞留起始日", "滞留天数", "本月逾期下达金额"}
	rows := make([][]sheet.Value, 0, len(b.LatePassDown))
	for _, l := range b.LatePassDown {
		rows = append(rows, []sheet.Value{sheet.Text(l.District), sheet.Text(l.Fund), sheet.Text(kindNames[l.Kind]),
			sheet.Text(l.Holder), sheet.Int(int64(l.Days)), sheet.Amount(l.Held), sheet.Text(l.Since),
			sheet.Int(int64(l.DaysHeld)), sheet.Amount(l.PassedLate)})
	}
	return header, rows
}

func overdueSheet(b *Body) ([]string, [][]sheet.Value) {
	header := []string{"区县代码", "项目编码", "合同编号", "收款单位", "统一社会信用代码", "验收日期", "应付日期", "逾期天数", "是否结算", "应付未付金额"}
	rows := make([][]sheet.Value, 0, len(b.OverdueSME))
	for _, o := range b.OverdueSME {
		rows = append(rows, []sheet.Value{sheet.Text(o.District), sheet.Text(o.Project), sheet.Text(o.Contract),
			sheet.Text(o.Payee), sheet.Text(o.CreditCode), sheet.Text(o.AcceptedOn), sheet.Text(o.DueOn),
			sheet.Int(int64(o.DaysOverdue)), sheet.Bool(o.Settled), sheet.Amount(o.AmountDue)})
	}
	return header, rows
}
