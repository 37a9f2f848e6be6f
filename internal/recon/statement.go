package recon

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"renofund/internal/errs"
	"renofund/internal/money"
	"renofund/internal/sheet"
)

// ErrXLS refuses the old binary Excel format: no well-kept pure-Go reader of
// it exists, and the bank's online banking offers XLSX or CSV beside it.
var ErrXLS = errs.New(errs.Invalid, "xls_unsupported",
	"the old Excel format (.xls) is not read: save the statement as XLSX or CSV (UTF-8 or GBK) and upload that")

// ErrBalanceBreak refuses a statement whose running balance does not follow
// from its lines: a line is missing or misread, and no balance statement
// may rest on it. Every break is listed by line.
var ErrBalanceBreak = errs.New(errs.Rule, "balance_break", "the statement's running balance breaks")

// headerRows is how many rows a statement may have above its table (the
// account's name and number, the period, the bank's title).
const headerRows = 30

var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// Decode turns a CSV statement into UTF-8: a UTF-8 or UTF-16 byte-order
// mark is honoured, valid UTF-8 is kept, anything else is read as GB18030
// (a superset of GBK and GB2312, what Chinese banks' exports use).
func Decode(b []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(b, utf8BOM):
		return b[len(utf8BOM):], nil
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		out, _, err := transform.Bytes(unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder(), b)
		if err != nil {
			return nil, fmt.Errorf("%w: not readable UTF-16: %v", ErrInvalid, err)
		}
		return out, nil
	case utf8.Valid(b):
		return b, nil
	}
	out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), b)
	if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
		return nil, refuse(sheet.LineError{Line: 1, Code: codeInvalid, Reason: "the file is neither UTF-8 nor GBK/GB18030 text: save it as UTF-8 or GBK"})
	}
	return out, nil
}

// ReadStatement reads a statement as a bank exports it: XLSX (first
// sheet), or CSV or tab-separated text in UTF-8 (with or without a
// byte-order mark), UTF-16 with a mark, or GBK/GB18030. The table may sit
// under a few lines of title; its header is the first row that names a date
// and debit and credit columns or an amount (Chinese or English names, or
// those of m); totals and footers under it are skipped. Dates may be
// 2026-04-01, 2026/4/1, 20260401 or 2026年4月1日, with or without a time;
// amounts may carry thousands separators.
//
// A file with malformed lines is refused with every problem listed
// (matching ErrInvalid); one whose running balance breaks with every break
// listed (matching ErrBalanceBreak). A statement listed newest first is
// read in date order.
func ReadStatement(file []byte, m Mapping) ([]BankLine, error) {
	var (
		rows [][]string
		src  sheet.Source
		err  error
	)
	switch {
	case bytes.HasPrefix(file, oleMagic):
		return nil, ErrXLS
	case bytes.HasPrefix(file, []byte("PK")):
		rows, src, err = xlsxRows(file)
	default:
		rows, err = csvRows(file)
	}
	if err != nil {
		return nil, err
	}
	return parseRows(rows, src, m)
}

// row is a table row with its line number.
type row struct {
	line  int
	cells []string
}

func csvRows(file []byte) ([][]string, error) {
	text, err := Decode(file)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(bytes.NewReader(text))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	if head := text[:min(len(text), 4096)]; bytes.Count(head, []byte("\t")) > bytes.Count(head, []byte(",")) {
		cr.Comma = '\t'
	}
	var rows [][]string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, refuse(sheet.LineError{Line: lineOf(err), Code: codeInvalid, Reason: "unreadable CSV: " + csvReason(err)})
		}
		line, _ := cr.FieldPos(0)
		for len(rows) < line-1 {
			rows = append(rows, nil) // keep physical line numbers
		}
		if len(rows) > MaxLines+headerRows {
			return nil, ErrTooManyLines
		}
		rows = append(rows, rec)
	}
	return rows, nil
}

func lineOf(err error) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.StartLine
	}
	return 0
}

func xlsxRows(file []byte) ([][]string, sheet.Source, error) {
	f, err := excelize.OpenReader(bytes.NewReader(file), excelize.Options{UnzipSizeLimit: maxUnzip})
	if err != nil {
		return nil, sheet.Source{}, fmt.Errorf("%w: not a readable XLSX workbook: %v", ErrInvalid, err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	props, err := f.GetWorkbookProps()
	if err != nil || len(sheets) == 0 {
		return nil, sheet.Source{}, fmt.Errorf("%w: not a readable XLSX workbook with a sheet", ErrInvalid)
	}
	src := sheet.Source{XLSX: true, Date1904: props.Date1904 != nil && *props.Date1904}
	it, err := f.Rows(sheets[0])
	if err != nil {
		return nil, src, fmt.Errorf("%w: cannot read sheet %q: %v", ErrInvalid, sheets[0], err)
	}
	defer it.Close()
	var rows [][]string
	for it.Next() {
		if len(rows) > MaxLines+headerRows {
			return nil, src, ErrTooManyLines
		}
		cells, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, src, fmt.Errorf("%w: cannot read row %d: %v", ErrInvalid, len(rows)+1, err)
		}
		rows = append(rows, cells)
	}
	if err := it.Error(); err != nil {
		return nil, src, fmt.Errorf("%w: cannot read sheet %q: %v", ErrInvalid, sheets[0], err)
	}
	return rows, src, nil
}

// parseRows finds the header, reads every data row and checks the running
// balance.
func parseRows(rows [][]string, src sheet.Source, m Mapping) ([]BankLine, error) {
	start, l := -1, layout{}
	for i := 0; i < len(rows) && i < headerRows && start < 0; i++ {
		if lay, ok := recognise(rows[i], m); ok {
			start, l = i, lay
		}
	}
	if start < 0 {
		return nil, refuse(sheet.LineError{Line: 1, Code: codeInvalid, Reason: "no header row found in the first " +
			fmt.Sprint(headerRows) + " rows: want a date column (交易日期, date) and debit and credit columns " +
			"(借方发生额/贷方发生额, 支出金额/收入金额) or an amount (交易金额, amount), or save a mapping with the account"})
	}
	var (
		lines = []BankLine{}
		bad   []sheet.LineError
	)
	for i := start + 1; i < len(rows); i++ {
		cells := trimTrailingEmpty(rows[i])
		if len(cells) == 0 {
			continue
		}
		if d := cell(cells, l.col[FieldDate]); (d == "" || d[0] < '0' || d[0] > '9') && trailer(cells) {
			continue
		}
		if len(lines)+len(bad) >= MaxLines {
			return nil, ErrTooManyLines
		}
		if len(cells) > len(trimTrailingEmpty(l.headers)) {
			bad = append(bad, sheet.LineError{Line: i + 1, Code: codeInvalid,
				Reason: fmt.Sprintf("has %d columns, the header %d", len(cells), len(trimTrailingEmpty(l.headers)))})
			continue
		}
		if bl, ok := l.parse(row{i + 1, cells}, src, &bad); ok {
			lines = append(lines, bl)
		}
	}
	if len(bad) > 0 {
		return nil, refuse(bad...)
	}
	if l.has(FieldBalance) {
		return checkBalances(lines, l.header(FieldBalance))
	}
	return lines, nil
}

func cell(cells []string, i int) string {
	if i < 0 || i >= len(cells) {
		return ""
	}
	return strings.TrimSpace(cells[i])
}

// parse reads one data row, appending its problems to bad.
func (l layout) parse(r row, src sheet.Source, bad *[]sheet.LineError) (BankLine, bool) {
	before := len(*bad)
	fail := func(f, code, reason string) {
		*bad = append(*bad, sheet.LineError{Line: r.line, Column: l.header(f), Code: code, Reason: reason})
	}
	get := func(f string) string { return cell(r.cells, l.col[f]) }
	bl := BankLine{Line: r.line, Reference: get(FieldReference), Counterparty: get(FieldCounterparty),
		Summary: get(FieldSummary), CounterpartyAccount: get(FieldCounterpartyAccount)}
	var reason string
	if bl.Date, reason = readDate(src, bankDate(get(FieldDate))); reason != "" {
		fail(FieldDate, codeInvalid, reason)
	}
	amount := func(f string) money.Amount {
		s := plainNumber(get(f))
		if s == "" || s == "-" {
			return 0
		}
		a, reason := readAmount(src, s)
		if reason != "" {
			fail(f, codeAmount, reason)
		}
		return a
	}
	switch {
	case l.has(FieldDebit):
		debit, credit := amount(FieldDebit), amount(FieldCredit)
		switch {
		case debit != 0 && credit != 0:
			fail(FieldDebit, codeAmount, "has both a debit and a credit")
		case debit < 0 || credit < 0:
			fail(FieldDebit, codeAmount, "debit and credit are amounts without a sign")
		case debit == 0 && credit == 0 && len(*bad) == before:
			fail(FieldDebit, codeAmount, "has neither a debit nor a credit")
		}
		bl.Amount = credit - debit
	case l.has(FieldDirection):
		a, dir := amount(FieldAmount), direction(get(FieldDirection))
		if dir == 0 {
			fail(FieldDirection, codeInvalid, quote(get(FieldDirection))+" is neither debit (借, D) nor credit (贷, C)")
		}
		if a < 0 {
			a = -a
		}
		bl.Amount = a * money.Amount(dir)
	default:
		if get(FieldAmount) == "" {
			fail(FieldAmount, codeAmount, "is required")
		}
		bl.Amount = amount(FieldAmount)
	}
	if l.has(FieldBalance) {
		bl.HasBalance = true
		if s := plainNumber(get(FieldBalance)); s == "" {
			fail(FieldBalance, codeAmount, "is required in a statement with a balance column")
		} else {
			var reason string
			if bl.Balance, reason = readAmount(src, s); reason != "" {
				fail(FieldBalance, codeAmount, reason)
			}
		}
	}
	for _, s := range []string{bl.Reference, bl.Counterparty, bl.Summary, bl.CounterpartyAccount} {
		if !utf8.ValidString(s) {
			fail("", codeInvalid, "is not valid text")
			break
		}
	}
	return bl, len(*bad) == before
}

// plainNumber drops thousands separators, a currency sign and spaces.
func plainNumber(s string) string {
	return strings.NewReplacer(",", "", "，", "", "¥", "", "￥", "", " ", "").Replace(strings.TrimSpace(s))
}

var (
	compactDate = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
	looseDate   = regexp.MustCompile(`^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$`)
)

// bankDate rewrites a bank's date text as YYYY-MM-DD, dropping a time of
// day; anything else (an XLSX serial, a bad date) passes unchanged.
func bankDate(s string) string {
	if i := strings.IndexAny(s, " T"); i > 0 {
		s = s[:i]
	}
	if m := compactDate.FindStringSubmatch(s); m != nil {
		return m[1] + "-" + m[2] + "-" + m[3]
	}
	if m := looseDate.FindStringSubmatch(s); m != nil {
		return fmt.Sprintf("%s-%02s-%02s", m[1], m[2], m[3])
	}
	return s
}

// checkBalances checks that each line's balance is the previous balance plus
// its amount; the first line's opening balance is its balance less its
// amount. A statement that holds in reverse order (newest first) is turned
// round. Each break is reported at its line; checking resumes from the
// stated balance, so that one missing line is one break.
func checkBalances(lines []BankLine, column string) ([]BankLine, error) {
	if breaks := balanceBreaks(lines, column); len(breaks) > 0 {
		rev := make([]BankLine, len(lines))
		for i, l := range lines {
			rev[len(lines)-1-i] = l
		}
		if len(balanceBreaks(rev, column)) == 0 && rev[0].Date.Compare(rev[len(rev)-1].Date) <= 0 {
			return rev, nil
		}
		return nil, &sheet.LineErrors{Rows: breaks, Class: ErrBalanceBreak, Wording: sheet.Problems}
	}
	return lines, nil
}

func balanceBreaks(lines []BankLine, column string) []sheet.LineError {
	var out []sheet.LineError
	for i := 1; i < len(lines); i++ {
		prev, l := lines[i-1], lines[i]
		want := prev.Balance + l.Amount // both within ±10^17 fen: no overflow
		if want == l.Balance {
			continue
		}
		out = append(out, sheet.LineError{Line: l.Line, Column: column, Code: ErrBalanceBreak.Code,
			Reason: fmt.Sprintf("balance %s, but the balance before it (%s, line %d) and this line's %s make %s",
				l.Balance, prev.Balance, prev.Line, l.Amount, want)})
	}
	return out
}
