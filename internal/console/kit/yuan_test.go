package kit

import "testing"

// TestYuan: amounts are regrouped with thousands separators and two
// decimals, signed ones too, never rounded; what is not an amount is shown
// as it is.
func TestYuan(t *testing.T) {
	for in, want := range map[any]string{
		"1234567.89": "1,234,567.89", "1234.5": "1,234.50", "0": "0.00", "999": "999.00", "100000": "100,000.00",
		"-1234567.8": "-1,234,567.80", "-15.00": "-15.00", "-0.01": "-0.01", "12.345": "12.345", "abc": "abc", "": "",
		"--5": "--5", 1500: "1,500.00",
	} {
		if got := Yuan(in); got != want {
			t.Errorf("Yuan(%v) = %q, want %q", in, got, want)
		}
	}
	if got := Yuan(nil); got != "" {
		t.Errorf("Yuan(nil) = %q", got)
	}
}

// TestLabelsOfFindings: the audit findings' codes and statuses have
// Chinese names.
func TestLabelsOfFindings(t *testing.T) {
	for code, want := range map[string]string{"bank_debit_unbooked": "银行已付、单位未记账", "duplicate_payment": "疑似重复支付",
		"acknowledged": "已确认", "high": "高", "district_fiscal": "区级财政资金", "unknown_code": "unknown_code"} {
		if got := Label(code); got != want {
			t.Errorf("Label(%s) = %q, want %q", code, got, want)
		}
	}
	if codeText["duplicate_statement"] == "" {
		t.Error("no Chinese text for duplicate_statement")
	}
}
