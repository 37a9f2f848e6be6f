package audit

import (
	"gorm.io/gorm"

	"renofund/internal/money"
)

// TypeTaxExpenditure marks the trail's tax rows: relief recorded against a
// project (税式支出). They carry no fund and move no money: they sit beside
// the cash legs so an auditor sees both, and no fund total counts them.
const TypeTaxExpenditure = "tax_expenditure"

// streamTax emits one row per recorded tax item selected by f, after the
// cash legs. A fund filter selects cash only.
func streamTax(conn *gorm.DB, f Filter, emit func(*Row) error) error {
	if f.Fund != "" {
		return nil
	}
	q := `SELECT id, kind, project_code, district_code, party_name, party_credit_code, regime, on_date, total,
		recorded_by, recorded_at FROM tax_records WHERE 1 = 1`
	var args []any
	for _, c := range []struct{ cond, v string }{
		{" AND district_code = ?", f.District}, {" AND project_code = ?", f.Project},
		{" AND on_date >= ?", f.From}, {" AND on_date <= ?", f.To},
	} {
		if c.v != "" {
			q += c.cond
			args = append(args, c.v)
		}
	}
	rows, err := conn.Raw(q+" ORDER BY on_date, id", args...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, kind, party, on, by, at string
		var project, district, code, regime *string
		var total int64
		if err := rows.Scan(&id, &kind, &project, &district, &party, &code, &regime, &on, &total, &by, &at); err != nil {
			return err
		}
		r := &Row{Type: TypeTaxExpenditure, BaseType: TypeTaxExpenditure, BookedOn: on, Period: on[:7],
			Summary: "税式支出 " + kind + " " + party, Project: str(project), District: str(district),
			Amount: money.Amount(total), PayeeName: party, PayeeCreditCode: str(code), Purpose: kind,
			Reference: str(regime), RecordedBy: by, RecordedAt: at, TransferID: id}
		if err := emit(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
