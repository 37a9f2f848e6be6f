package subsidy

import (
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"strings"

	"renofund/internal/money"
)

// CSVHeader is the first row of a run's payment list.
var CSVHeader = []string{
	"record", "line", "project", "district", "payee_name", "payee_credit_code", "payee_bank_account",
	"amount", "status", "reason",
}

// WriteCSV writes the run as the payment list a bank or treasury system
// takes: one "line" record per line, grouped by district and in line order
// within it, a "district_total" record after each district and a final
// "total" record. A total's amount is what leaves the fund (payable lines
// and top-ups); a clawback line carries its negative amount and is not part
// of any total, and the total records name the clawback sum in reason
// ("clawback:-12.00") when there is one. Amounts have two decimals.
func (r *Run) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	lines := slices.Clone(r.Lines)
	slices.SortStableFunc(lines, func(a, b Line) int {
		if c := strings.Compare(a.District, b.District); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
	var dTotal, dClaw, total, claw money.Amount
	for i, l := range lines {
		var p Payee
		if l.Payee != nil {
			p = *l.Payee
		}
		rec := []string{"line", strconv.Itoa(l.Line), l.Project, l.District, safe(p.Name), safe(p.CreditCode),
			safe(p.BankAccount), l.Amount.String(), l.Status, l.Reason}
		if err := cw.Write(rec); err != nil {
			return err
		}
		if l.Amount > 0 {
			dTotal += l.Amount
		} else {
			dClaw += l.Amount
		}
		if i == len(lines)-1 || lines[i+1].District != l.District {
			if err := cw.Write(totalRecord("district_total", l.District, dTotal, dClaw)); err != nil {
				return err
			}
			total, claw = total+dTotal, claw+dClaw
			dTotal, dClaw = 0, 0
		}
	}
	if err := cw.Write(totalRecord("total", "", total, claw)); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func totalRecord(kind, district string, total, claw money.Amount) []string {
	reason := ""
	if claw != 0 {
		reason = "clawback:" + claw.String()
	}
	return []string{kind, "", "", district, "", "", "", total.String(), "", reason}
}

// safe keeps a spreadsheet from reading a cell as a formula.
func safe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
