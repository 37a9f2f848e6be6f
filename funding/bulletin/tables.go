package bulletin

import (
	"encoding/csv"
	"fmt"
	"io"

	"renofund/funding"
	"renofund/internal/money"
	"renofund/internal/sheet"
)

// A section's table is a header and rows of cells: text (string), counts
// (int), flags (bool), amounts (money.Amount), or nil for an empty cell.
type table struct {
	header []string
	rows   [][]any
}

// WriteXLSX writes a bulletin (as its reader sees it) as a workbook with a
// sheet per section, headed in Chinese.
func WriteXLSX(w io.Writer, b *Bulletin) error {
	wb := sheet.NewWorkbook(w)
	for _, sec := range sections {
		t := sec.sheet(b.Body)
		if err := wb.Sheet(sec.title, t.header); err != nil {
			return err
		}
		for _, r := range t.rows {
			cells := make([]sheet.Value, len(r))
			for i, v := range r {
				switch v := v.(type) {
				case string:
					cells[i] = sheet.Text(v)
				case int:
					cells[i] = sheet.Int(int64(v))
				case bool:
					cells[i] = sheet.Bool(v)
				case money.Amount:
					cells[i] = sheet.Amount(v)
				}
			}
			if err := wb.Row(cells); err != nil {
				return err
			}
		}
	}
	return wb.Close()
}

// WriteCSV writes a bulletin (as its reader sees it) as one CSV file: each
// section's title on a line of its own, then its table, and a blank line
// before the next; text is guarded against formulas (sheet.Cell).
func WriteCSV(w io.Writer, b *Bulletin) error {
	cw := csv.NewWriter(w)
	for i, sec := range sections {
		t := sec.sheet(b.Body)
		if i > 0 {
			if err := cw.Write([]string{""}); err != nil {
				return err
			}
		}
		if err := cw.Write([]string{sec.title}); err != nil {
			return err
		}
		if err := cw.Write(t.header); err != nil {
			return err
		}
		for _, r := range t.rows {
			rec := make([]string, len(r))
			for i, v := range r {
				switch v := v.(type) {
				case nil:
				case string:
					rec[i] = sheet.Cell(v)
				case money.Amount:
					rec[i] = v.String()
				default:
					rec[i] = fmt.Sprint(v)
				}
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func spendingSheet(b *Body) table {
	header := []string{"月份", "排名", "区县代码", "区县", "资金类型", "本月分配", "本月到位", "本月支出",
		"年初结存", "累计分配", "累计到位", "累计支出", "可用资金", "支出进度"}
	var rows [][]any
	line := func(a Area, kind string, f Figures) {
		var rank any
		if a.Rank > 0 && kind == "合计" {
			rank = a.Rank
		}
		rows = append(rows, []any{b.Month, rank, a.District, a.Name, kind, f.AllocatedMonth, f.ReceivedMonth,
			f.SpentMonth, f.Opening, f.AllocatedYTD, f.ReceivedYTD, f.SpentYTD, f.Available, f.SpendingRate})
	}
	for _, a := range append([]Area{b.Spending.City}, b.Spending.Districts...) {
		line(a, "合计", a.Figures)
		for _, k := range a.Kinds {
			line(a, funding.KindNames[k.Kind], k.Figures)
		}
	}
	return table{header, rows}
}

func latePassSheet(b *Body) table {
	header := []string{"区县代码", "资金编码", "资金类型", "持有方", "下达时限(天)", "滞留金额", "滞留起始日", "滞留天数", "本月逾期下达金额"}
	rows := make([][]any, 0, len(b.LatePassDown))
	for _, l := range b.LatePassDown {
		rows = append(rows, []any{l.District, l.Fund, funding.KindNames[l.Kind], l.Holder, l.Days, l.Held, l.Since, l.DaysHeld,
			l.PassedLate})
	}
	return table{header, rows}
}

func overdueSheet(b *Body) table {
	header := []string{"区县代码", "项目编码", "合同编号", "收款单位", "统一社会信用代码", "验收日期", "应付日期", "逾期天数", "是否结算", "应付未付金额"}
	rows := make([][]any, 0, len(b.OverdueSME))
	for _, o := range b.OverdueSME {
		rows = append(rows, []any{o.District, o.Project, o.Contract, o.Payee, o.CreditCode, o.AcceptedOn, o.DueOn,
			o.DaysOverdue, o.Settled, o.AmountDue})
	}
	return table{header, rows}
}

// statusNames are the pipeline's statuses as the programme names them.
var statusNames = map[string]string{"reserve": "储备", "planned": "已列入计划", "under_construction": "在建",
	"accepted": "已验收", "settled": "已结算", "closed": "已决算"}

func behindSheet(b *Body) table {
	header := []string{"区县代码", "项目编码", "项目名称", "计划年度", "月末状态", "状态日期", "应达到", "应达日期", "滞后天数"}
	rows := make([][]any, 0, len(b.BehindPlan))
	for _, p := range b.BehindPlan {
		rows = append(rows, []any{p.District, p.Project, p.Name, p.PlanYear, statusNames[p.Status], p.Since,
			statusNames[p.Expected], p.DueBy, p.DaysLate})
	}
	return table{header, rows}
}
