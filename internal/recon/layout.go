package recon

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"renofund/internal/errs"
)

// The fields a statement's columns may hold. A statement needs a date and
// either debit and credit columns or a signed amount (with or without a
// debit/credit flag); the others are optional.
const (
	FieldDate                = "date"
	FieldSummary             = "summary"
	FieldDebit               = "debit"  // money out of the account (借方发生额, 支出金额)
	FieldCredit              = "credit" // money into the account (贷方发生额, 收入金额)
	FieldAmount              = "amount" // signed, + money in; or unsigned with a direction column
	FieldDirection           = "direction"
	FieldBalance             = "balance"
	FieldCounterparty        = "counterparty"
	FieldCounterpartyAccount = "counterparty_account"
	FieldReference           = "reference"
)

// Fields lists the fields in the order a mapping is shown.
var Fields = []string{FieldDate, FieldSummary, FieldDebit, FieldCredit, FieldAmount, FieldDirection, FieldBalance,
	FieldCounterparty, FieldCounterpartyAccount, FieldReference}

// Mapping names, field by field, the header text of the column holding it,
// for a bank whose layout the built-in names do not cover. It is saved
// with a bank account and takes precedence over the built-in names.
type Mapping map[string]string

// ErrBadMapping refuses a mapping naming an unknown field or an empty header.
var ErrBadMapping = errs.New(errs.Invalid, "invalid_mapping", "invalid column mapping")

// Check refuses unknown fields, empty or over-long header texts and one
// header named for two fields.
func (m Mapping) Check() error {
	seen := map[string]string{}
	for f, h := range m {
		if !slices.Contains(Fields, f) {
			return fmt.Errorf("%w: unknown field %q (fields: %s)", ErrBadMapping, f, strings.Join(Fields, ", "))
		}
		n := normHeader(h)
		if n == "" || len(h) > 100 {
			return fmt.Errorf("%w: the header for %s must be 1 to 100 bytes of text", ErrBadMapping, f)
		}
		if other, ok := seen[n]; ok {
			return fmt.Errorf("%w: %q names both %s and %s", ErrBadMapping, h, other, f)
		}
		seen[n] = f
	}
	return nil
}

// synonyms are the header texts Chinese banks' online banking and the
// service's own format use, normalised by normHeader, most specific first.
var synonyms = map[string][]string{
	FieldDate: {"交易日期", "记账日期", "入账日期", "交易时间", "记账时间", "日期", "date", "transactiondate",
		"bookingdate", "valuedate"},
	FieldSummary: {"摘要", "交易摘要", "用途", "附言", "备注", "交易用途", "summary", "description", "memo", "narrative"},
	FieldDebit: {"借方发生额", "借方金额", "支出金额", "付款金额", "转出金额", "借方", "支出", "debit", "debitamount",
		"withdrawal", "moneyout"},
	FieldCredit: {"贷方发生额", "贷方金额", "收入金额", "收款金额", "存入金额", "转入金额", "贷方", "收入", "credit",
		"creditamount", "deposit", "moneyin"},
	FieldAmount:    {"交易金额", "发生额", "金额", "amount"},
	FieldDirection: {"借贷标志", "借贷方向", "收支标志", "收支方向", "借贷", "方向", "direction", "dr/cr", "drcr"},
	FieldBalance:   {"余额", "账户余额", "当前余额", "联机余额", "交易后余额", "balance"},
	FieldCounterparty: {"对方户名", "对方账户名称", "对方账户名", "对方名称", "对方单位", "收/付方名称", "收付方名称",
		"counterparty", "counterpartyname"},
	FieldCounterpartyAccount: {"对方账号", "对方账户", "对方帐号", "收/付方账号", "收付方账号", "counterpartyaccount"},
	FieldReference: {"凭证号", "交易流水号", "流水号", "业务编号", "交易参考号", "参考号", "凭证号码", "reference",
		"ref"},
}

// normHeader folds a header cell for comparison: full-width forms to
// half-width, lower case, without spaces, a currency unit in brackets
// ("(元)", "（人民币）") or a star.
func normHeader(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0 // full-width ASCII
		}
		if unicode.IsSpace(r) || r == '*' || r == 0x3000 {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	out := b.String()
	for _, unit := range []string{"(元)", "(人民币)", "(rmb)", "(cny)", "(人民币元)", "￥", "¥"} {
		out = strings.ReplaceAll(out, unit, "")
	}
	return out
}

// layout says which column holds which field; -1 when absent.
type layout struct {
	col     map[string]int
	headers []string // the header row as written
}

func (l layout) has(f string) bool { return l.col[f] >= 0 }

// header names field f's column as written in the file, for messages.
func (l layout) header(f string) string {
	if i := l.col[f]; i >= 0 && i < len(l.headers) && strings.TrimSpace(l.headers[i]) != "" {
		return strings.TrimSpace(l.headers[i])
	}
	return f
}

// recognise maps a row's cells to fields, the mapping first, then the
// built-in names; ok when the row can head a statement: a date, and debit
// and credit or an amount.
func recognise(row []string, m Mapping) (layout, bool) {
	l := layout{col: map[string]int{}, headers: row}
	for _, f := range Fields {
		l.col[f] = -1
	}
	norm := make([]string, len(row))
	for i, c := range row {
		norm[i] = normHeader(c)
	}
	used := make([]bool, len(row))
	take := func(f, want string) bool {
		for i, n := range norm {
			if !used[i] && n != "" && n == want {
				l.col[f], used[i] = i, true
				return true
			}
		}
		return false
	}
	for _, f := range Fields {
		if h, ok := m[f]; ok {
			take(f, normHeader(h))
		}
	}
	for _, f := range Fields {
		for _, syn := range synonyms[f] {
			if l.col[f] >= 0 || take(f, syn) {
				break
			}
		}
	}
	if l.has(FieldDebit) != l.has(FieldCredit) {
		return l, false
	}
	if l.has(FieldDebit) {
		l.col[FieldAmount] = -1 // separate columns win over a total
	}
	return l, l.has(FieldDate) && (l.has(FieldDebit) || l.has(FieldAmount))
}

// trailer says whether a row without a date is a total or a footer that
// banks print under the table (合计, 本页小计, 打印时间).
func trailer(row []string) bool {
	for _, c := range row {
		n := normHeader(c)
		for _, w := range []string{"合计", "总计", "小计", "本页", "打印", "total", "承前页", "过次页", "以下空白"} {
			if strings.Contains(n, w) {
				return true
			}
		}
	}
	return false
}

// direction reads a debit/credit flag: -1 money out, +1 money in, 0 unknown.
func direction(s string) int {
	switch normHeader(s) {
	case "借", "借方", "d", "dr", "debit", "支出", "支", "付", "出", "转出", "-":
		return -1
	case "贷", "贷方", "c", "cr", "credit", "收入", "收", "入", "转入", "+":
		return 1
	}
	return 0
}
