package recon

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"renofund/internal/sheet"
)

// brief is what a test checks of a line: its line number, date, amount,
// balance and counterparty.
type brief struct {
	line    int
	date    string
	amount  string
	balance string
	party   string
}

func briefs(ls []BankLine) []brief {
	out := make([]brief, len(ls))
	for i, l := range ls {
		bal := ""
		if l.HasBalance {
			bal = l.Balance.String()
		}
		out[i] = brief{l.Line, l.Date.Format("2006-01-02"), l.Amount.String(), bal, l.Counterparty}
	}
	return out
}

func TestReadStatementLayouts(t *testing.T) {
	ccbXLSX := func() []byte {
		f := excelize.NewFile()
		rows := [][]any{{"建设银行账户明细"}, {}, {"交易日期", "摘要", "收入金额", "支出金额", "账户余额", "对方户名", "对方账号"},
			{46113, "财政拨款", 5000, nil, 15000, "连云港市财政局", "32001234567890"}, // 2026-04-01 as a date cell
			{"2026-04-02", "支付工程款", nil, "1,000.00", 14000, "连云港市政工程有限公司", "32009876543210"}}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	for _, tc := range []struct {
		name string
		file func() []byte
		want []brief
	}{
		{"ICBC layout, GBK, title lines and a total row", read(t, "icbc_gbk.csv"), []brief{
			{6, "2026-04-01", "5000.00", "5000.00", "连云港市财政局"},
			{7, "2026-04-02", "-1000.00", "4000.00", "连云港市政工程有限公司"},
			{8, "2026-04-03", "-300.00", "3700.00", "江苏建材有限公司"},
			{9, "2026-04-20", "1.25", "3701.25", ""}}},
		{"CCB layout, UTF-8 with BOM, compact dates", read(t, "ccb_utf8bom.csv"), []brief{
			{2, "2026-04-01", "5000.00", "15000.00", "连云港市财政局"},
			{3, "2026-04-02", "-1000.00", "14000.00", "连云港市政工程有限公司"},
			{4, "2026-04-05", "200.00", "14200.00", "连云港市政工程有限公司"}}},
		{"signed amount and 借贷 flag, GB18030, tab-separated, newest first", read(t, "boc_signed_gbk.tsv"), []brief{
			{3, "2026-04-10", "10000.00", "10000.00", "区财政局"},
			{2, "2026-04-30", "-250.00", "9750.00", "物业公司"}}},
		{"CCB layout in XLSX", ccbXLSX, []brief{
			{4, "2026-04-01", "5000.00", "15000.00", "连云港市财政局"},
			{5, "2026-04-02", "-1000.00", "14000.00", "连云港市政工程有限公司"}}},
		{"the service's own header, no balance", func() []byte {
			return []byte("date,amount,reference,counterparty\n2026-04-01,-1.50,R1,x\n")
		}, []brief{{2, "2026-04-01", "-1.50", "", "x"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadStatement(tc.file(), nil)
			if err != nil {
				t.Fatalf("ReadStatement: %v", err)
			}
			if g := briefs(got); !slices.Equal(g, tc.want) {
				t.Errorf("got %+v, want %+v", g, tc.want)
			}
		})
	}
}

func read(t *testing.T, name string) func() []byte {
	return func() []byte {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
}

func TestReadStatementRefusals(t *testing.T) {
	gbk := func(s string) []byte {
		b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		name  string
		file  []byte
		class error
		lines []int
		code  string
	}{
		{"a line missing: the balance breaks at the next", read(t, "icbc_break_gbk.csv")(), ErrBalanceBreak, []int{8}, "balance_break"},
		{"the old Excel format", append(append([]byte{}, oleMagic...), make([]byte, 512)...), ErrXLS, nil, ""},
		{"no header", gbk("某某银行\n甲,乙,丙\n"), ErrInvalid, []int{1}, "invalid_request"},
		{"debit and credit on one line, a bad date, a bad flag", gbk("交易日期,借方发生额,贷方发生额\n2026-04-01,1.00,2.00\n2026-13-01,1.00,\n"),
			ErrInvalid, []int{2, 3}, ""},
		{"an unknown flag", []byte("交易日期,借贷标志,交易金额\n2026-04-01,X,5.00\n"), ErrInvalid, []int{2}, "invalid_request"},
		{"an amount with three decimals", []byte("交易日期,交易金额\n2026-04-01,5.001\n"), ErrInvalid, []int{2}, "invalid_amount"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadStatement(tc.file, nil)
			if !errors.Is(err, tc.class) {
				t.Fatalf("err %v, want %v", err, tc.class)
			}
			var le *sheet.LineErrors
			if tc.lines == nil {
				return
			}
			if !errors.As(err, &le) {
				t.Fatalf("err %v lists no lines", err)
			}
			var got []int
			for _, r := range le.Rows {
				if len(got) == 0 || got[len(got)-1] != r.Line {
					got = append(got, r.Line)
				}
				if tc.code != "" && r.Code != tc.code {
					t.Errorf("line %d: code %s, want %s", r.Line, r.Code, tc.code)
				}
			}
			if !slices.Equal(got, tc.lines) {
				t.Errorf("lines %v, want %v (%v)", got, tc.lines, err)
			}
		})
	}
}

func TestReadStatementMapping(t *testing.T) {
	file := []byte("记账日,出账,进账,结余,对手\n2026-04-01,,100.00,100.00,甲\n2026-04-02,30.00,,70.00,乙\n")
	if _, err := ReadStatement(file, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("an unknown layout without a mapping: %v", err)
	}
	m := Mapping{FieldDate: "记账日", FieldDebit: "出账", FieldCredit: "进账", FieldBalance: "结余", FieldCounterparty: "对手"}
	if err := m.Check(); err != nil {
		t.Fatal(err)
	}
	got, err := ReadStatement(file, m)
	if err != nil {
		t.Fatal(err)
	}
	want := []brief{{2, "2026-04-01", "100.00", "100.00", "甲"}, {3, "2026-04-02", "-30.00", "70.00", "乙"}}
	if !slices.Equal(briefs(got), want) {
		t.Errorf("got %+v", briefs(got))
	}
	for _, bad := range []Mapping{{"colour": "x"}, {FieldDate: " "}, {FieldDate: "a", FieldDebit: "A"}} {
		if err := bad.Check(); !errors.Is(err, ErrBadMapping) {
			t.Errorf("mapping %v: %v", bad, err)
		}
	}
}

func TestDecode(t *testing.T) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("交易日期"))
	for _, in := range [][]byte{[]byte("交易日期"), append([]byte{0xEF, 0xBB, 0xBF}, "交易日期"...), gbk} {
		got, err := Decode(in)
		if err != nil || string(got) != "交易日期" {
			t.Errorf("Decode(% x) = %q, %v", in, got, err)
		}
	}
}
