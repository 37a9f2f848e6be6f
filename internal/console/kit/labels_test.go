package kit

import "testing"

// TestLabelsOfFindings: the audit findings' codes, severities and review
// statuses have Chinese names, and the bank's refusals Chinese texts.
func TestLabelsOfFindings(t *testing.T) {
	for code, want := range map[string]string{"bank_debit_unbooked": "银行已付、单位未记账", "duplicate_payment": "疑似重复支付",
		"acknowledged": "已确认", "high": "高", "district_fiscal": "区级财政资金", "unknown_code": "unknown_code"} {
		if got := Label(code); got != want {
			t.Errorf("Label(%s) = %q, want %q", code, got, want)
		}
	}
	for _, code := range []string{"duplicate_statement", "balance_break", "balances_disagree", "note_required"} {
		if codeText[code] == "" {
			t.Errorf("no Chinese text for %s", code)
		}
	}
}
