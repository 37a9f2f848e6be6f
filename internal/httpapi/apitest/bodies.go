package apitest

// PayeeCode is the unified social credit code of the payee the bodies name.
const PayeeCode = "91350100M000100Y43"

// Project is a valid POST /v1/projects body for project code in district.
func Project(code, district string) map[string]any {
	return map[string]any{
		"code": code, "name": "小区 " + code, "district": district, "households": 320,
		"floor_area_m2": "21500.50", "buildings": 8, "built_year": 1996,
		"budget": map[string]any{"basic": "3000000.00", "improvement": "1200000.00", "upgrade": "500000.00"},
	}
}

// Expenditure is a valid POST /v1/expenditures body.
func Expenditure(projectCode, category, amount string) map[string]any {
	return map[string]any{
		"project": projectCode, "category": category, "amount": amount, "paid_on": "2026-04-02",
		"purpose": "雨污分流管网改造",
		"payee":   map[string]any{"name": "连云港市政工程有限公司", "credit_code": PayeeCode, "bank_account": "6222020000000001"},
	}
}

// FundBody is a valid POST /v1/funds body; extra fields are merged in.
func FundBody(code, kind, holder string, extra map[string]any, categories ...string) map[string]any {
	b := map[string]any{
		"code": code, "kind": kind, "name": "fund " + code, "holder": holder, "fiscal_year": 2026,
		"document_no": "财建〔2026〕1号", "eligible_categories": categories,
	}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

// ReceiptBody is a valid POST /v1/funds/{code}/receipts body.
func ReceiptBody(amount any) map[string]any {
	return map[string]any{"amount": amount, "received_on": "2026-03-01", "payer": map[string]any{"name": "江苏省财政厅"}}
}

// PayeeBody is a valid POST /v1/payees body; u makes its name and account unique.
func PayeeBody(u string) map[string]any {
	return map[string]any{"name": "施工单位 " + u, "credit_code": PayeeCode, "bank_account": "6222-" + u, "sme": true}
}

// ContractBody is a valid POST /v1/projects/{code}/contracts body: basic
// works for ¥100,000 with payee, signed on signed.
func ContractBody(payee, signed string) map[string]any {
	return map[string]any{"payee": payee, "category": "basic", "sum": "100000.00", "signed_on": signed}
}

// PlanBody is a valid POST /v1/allocation-plans body: ¥10 of district d's
// fund dF to its project d-001.
func PlanBody(d string) map[string]any {
	return map[string]any{
		"fund": d + "F", "from": "district:" + d, "total": "10.00",
		"recipients": []map[string]any{{"to": "project:" + d + "-001", "area_m2": "100", "households": 10, "buildings": 1, "communities": 1}},
		"weights":    map[string]any{"area": "0.4", "households": "0.3", "buildings": "0.2", "communities": "0.1"},
	}
}

// ManagerBody is a valid PUT /v1/projects/{code}/property-manager body.
func ManagerBody(name string) map[string]any {
	return map[string]any{"name": name, "credit_code": PayeeCode, "bank_account": "6222020000000009"}
}

// SchemeBody is a valid POST /v1/subsidy/schemes body: scheme code paid
// monthly per household out of district d's fund dF.
func SchemeBody(code, d string) map[string]any {
	return map[string]any{"code": code, "name": "物业补贴 " + code, "fund": d + "F", "holder": "district:" + d,
		"basis": "per_household_month", "rate": "1", "period": "month",
		"bands": []map[string]any{{"min_score": 60, "ratio": "1"}}, "valid_from": "2026-01-01"}
}

// ReliefBody is a valid POST /v1/tax/service-relief body on district d's project.
func ReliefBody(d string) map[string]any {
	return map[string]any{"service": "childcare", "on": "2026-05-01", "revenue": "100.00", "vat_rate": "0.06",
		"project": d + "-001", "provider": map[string]any{"name": "托育中心", "credit_code": PayeeCode}}
}

// AssetBody is a valid POST /v1/tax/utility-assets body on district d's project.
func AssetBody(d string) map[string]any {
	return map[string]any{"utility": map[string]any{"name": "燃气公司", "credit_code": PayeeCode}, "project": d + "-001",
		"description": "燃气管道", "asset_class": "building", "nature": "capital", "cost": "5000.00", "in_service_on": "2026-01-31"}
}

// ReceiptsCSV is a household receipts file for the import route.
const ReceiptsCSV = "household,amount,received_on,payer_name\n1-1-1,10.00,2026-03-01,住户甲\n"

// StatementCSV is a bank statement with one receipt.
const StatementCSV = "date,amount,reference,counterparty\n2026-03-01,1.00,R1,江苏省财政厅\n"

// ReceiptItem is a receipt line of a POST /v1/batches body.
func ReceiptItem(fund, amount string) map[string]any {
	return map[string]any{"type": "receipt", "fund": fund, "amount": amount, "received_on": "2026-03-01",
		"payer": map[string]any{"name": "居民"}}
}

// ProjectEdit is a valid PUT /v1/projects/{code} body renaming the project.
func ProjectEdit(name string) map[string]any {
	return map[string]any{"name": name, "households": 330, "floor_area_m2": "21600.00", "buildings": 9, "built_year": 1995}
}

// Amendment is a valid budget amendment body.
func Amendment(basic, improvement string) map[string]any {
	return map[string]any{"budget": map[string]any{"basic": basic, "improvement": improvement, "upgrade": "500000.00"},
		"document_no": "连财建〔2026〕12号", "reason": "增加雨污分流工程量"}
}
