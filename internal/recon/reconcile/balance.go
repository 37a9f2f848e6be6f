package reconcile

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/ledger/bankbook"
	"renofund/internal/money"
	"renofund/internal/sheet"
	"renofund/internal/store"
)

// Balance statement refusals.
var (
	ErrNoBalance       = errs.New(errs.Rule, "statement_without_balance", "the statement has no running balance to take the bank balance from")
	ErrMonthOutside    = errs.New(errs.Rule, "month_outside_statement", "the month is outside the statement's dates")
	ErrDisagree        = errs.New(errs.Rule, "balances_disagree", "the adjusted balances do not agree")
	ErrAlreadySigned   = errs.New(errs.Conflict, "already_signed", "the balance statement for this month is already signed")
	ErrNotSigned       = errs.New(errs.Rule, "not_signed", "the balance statement has not been signed")
	ErrAlreadyReviewed = errs.New(errs.Conflict, "already_reviewed", "the balance statement has already been reviewed")
)

// Signature is who signed or reviewed a balance statement, and when.
type Signature struct {
	By string `json:"by"`
	At string `json:"at"`
}

// Difference is a match whose two sides differ: a booking error (the
// voucher's amount is not what the bank moved), shown until corrected.
type Difference struct {
	Match string       `json:"match"`
	Bank  money.Amount `json:"bank"`
	Books money.Amount `json:"books"`
	Gap   money.Amount `json:"gap"` // bank − books
}

// BalanceStatement is the 银行存款余额调节表 of an account (or a district's
// money) for a month: the bank's balance and the books', each adjusted by
// what the other side has and it has not yet; the two must agree to the
// fen. AdjustedBank = BankBalance + Σ BooksNotInBank; AdjustedBook =
// BookBalance + Σ BankNotInBooks (amounts signed, + money in).
type BalanceStatement struct {
	ID             string           `json:"id,omitempty"`
	Reconciliation string           `json:"reconciliation"`
	District       string           `json:"district"`
	Account        string           `json:"account,omitempty"`
	Month          string           `json:"month"`
	AsOf           string           `json:"as_of"`
	BankBalance    money.Amount     `json:"bank_balance"`
	BookBalance    money.Amount     `json:"book_balance"`
	BankNotInBooks []ReportedLine   `json:"bank_not_in_books"`
	BooksNotInBank []LedgerMovement `json:"books_not_in_bank"`
	Differences    []Difference     `json:"differences"`
	AdjustedBank   money.Amount     `json:"adjusted_bank_balance"`
	AdjustedBook   money.Amount     `json:"adjusted_book_balance"`
	Difference     money.Amount     `json:"difference"` // adjusted bank − adjusted book
	Agrees         bool             `json:"agrees"`
	SHA256         string           `json:"sha256,omitempty"`
	Signed         *Signature       `json:"signed,omitempty"`
	Reviewed       *Signature       `json:"reviewed,omitempty"`
}

// monthOf checks a month (YYYY-MM), defaulting to the statement's last
// month, and returns it with its last day.
func monthOf(r *Reconciliation, month string) (string, string, error) {
	if month == "" {
		month = r.StatementTo[:7]
	}
	start, err := time.Parse("2006-01", month)
	if err != nil {
		return "", "", fmt.Errorf("%w: month must be YYYY-MM", errs.ErrInvalidRequest)
	}
	end := start.AddDate(0, 1, -1).Format(time.DateOnly)
	if start.Format(time.DateOnly) > r.StatementTo || end < r.StatementFrom {
		return "", "", fmt.Errorf("%w: %s; the statement runs from %s to %s", ErrMonthOutside, month, r.StatementFrom, r.StatementTo)
	}
	return month, end, nil
}

// compute draws up the balance statement of a reconciliation as it stands.
func (s *Service) compute(ctx context.Context, r *Reconciliation, it items, month string) (*BalanceStatement, error) {
	month, end, err := monthOf(r, month)
	if err != nil {
		return nil, err
	}
	b := &BalanceStatement{Reconciliation: r.ID, District: r.District, Account: r.Account, Month: month, AsOf: end,
		BankNotInBooks: []ReportedLine{}, BooksNotInBank: []LedgerMovement{}, Differences: []Difference{}}
	found := false
	for _, l := range it.bank {
		if l.Date <= end && l.Balance != nil {
			b.BankBalance, found = *l.Balance, true
		}
	}
	if !found {
		return nil, ErrNoBalance
	}
	var funds []string
	if r.Account != "" {
		a, err := s.account(ctx, r.Account)
		if err != nil {
			return nil, err
		}
		funds = a.Funds
	}
	if b.BookBalance, err = bankbook.Balance(ctx, s.db, r.District, end, funds...); err != nil {
		return nil, err
	}
	b.AdjustedBank, b.AdjustedBook = b.BankBalance, b.BookBalance
	for _, l := range r.UnmatchedBank {
		if l.Date <= end {
			b.BankNotInBooks = append(b.BankNotInBooks, l)
			b.AdjustedBook += l.Amount
		}
	}
	for _, m := range r.UnmatchedLedger {
		if m.Date <= end {
			b.BooksNotInBank = append(b.BooksNotInBank, m)
			b.AdjustedBank += m.Amount
		}
	}
	for _, g := range r.Groups {
		var bank, books money.Amount
		for _, l := range g.Bank {
			bank += l.Amount
		}
		for _, m := range g.Movements {
			books += m.Amount
		}
		if bank != books {
			b.Differences = append(b.Differences, Difference{Match: g.Match, Bank: bank, Books: books, Gap: bank - books})
		}
	}
	b.Difference = b.AdjustedBank - b.AdjustedBook
	b.Agrees = b.Difference == 0
	return b, nil
}

type statementRow struct {
	ID, Body, Sha256, SignedBy, SignedAt string
	ReviewedBy, ReviewedAt               *string
}

func storedStatement(conn *gorm.DB, id, month string) (*BalanceStatement, error) {
	var rows []statementRow
	err := conn.Raw(`SELECT b.id, b.body, b.sha256, b.signed_by, b.signed_at, r.reviewed_by, r.reviewed_at
		FROM balance_statements b LEFT JOIN balance_statement_reviews r ON r.statement_id = b.id
		WHERE b.reconciliation_id = ? AND b.month = ?`, id, month).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	row := rows[0]
	b, err := decodeStatement([]byte(row.Body))
	if err != nil {
		return nil, fmt.Errorf("balance statement %s: %w", row.ID, err)
	}
	b.ID, b.SHA256, b.Signed = row.ID, row.Sha256, &Signature{By: row.SignedBy, At: row.SignedAt}
	if row.ReviewedBy != nil {
		b.Reviewed = &Signature{By: *row.ReviewedBy, At: store.Str(row.ReviewedAt)}
	}
	return b, nil
}

// Statement returns the balance statement of a reconciliation for a month
// (YYYY-MM; "" for the statement's last): as signed, when it is, else as
// the reconciliation now stands.
func (s *Service) Statement(ctx context.Context, id, month string) (*BalanceStatement, error) {
	r, it, _, err := s.load(ctx, s.db.Conn(ctx), id)
	if err != nil {
		return nil, err
	}
	m, _, err := monthOf(r, month)
	if err != nil {
		return nil, err
	}
	if b, err := storedStatement(s.db.Conn(ctx), id, m); b != nil || err != nil {
		return b, err
	}
	return s.compute(ctx, r, it, m)
}

// Sign signs the month's balance statement for the district and stores it
// as it stands; only one that agrees to the fen can be signed.
func (s *Service) Sign(ctx context.Context, id, month string) (*BalanceStatement, error) {
	var out *BalanceStatement
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		r, it, _, err := s.lock(ctx, tx, id)
		if err != nil {
			return err
		}
		b, err := s.compute(ctx, r, it, month)
		if err != nil {
			return err
		}
		if !b.Agrees {
			return fmt.Errorf("%w: adjusted bank balance %s, adjusted book balance %s, difference %s",
				ErrDisagree, b.AdjustedBank, b.AdjustedBook, b.Difference)
		}
		if prev, err := storedStatement(tx, id, b.Month); err != nil || prev != nil {
			if err == nil {
				err = fmt.Errorf("%w: %s by %s", ErrAlreadySigned, b.Month, prev.Signed.By)
			}
			return err
		}
		body, _ := json.Marshal(b)
		sum := sha256.Sum256(body)
		b.ID, b.SHA256 = ledger.NewID(), hex.EncodeToString(sum[:])
		b.Signed = &Signature{By: access.From(ctx).Label(), At: store.Now()}
		out = b
		return tx.Exec(`INSERT INTO balance_statements (id, reconciliation_id, district_code, month, body, sha256, signed_by, signed_at)
			VALUES (?,?,?,?,?,?,?,?)`, b.ID, id, r.District, b.Month, string(body), b.SHA256, b.Signed.By, b.Signed.At).Error
	})
	if store.UniqueViolation(err) {
		err = fmt.Errorf("%w: %s", ErrAlreadySigned, out.Month)
	}
	return out, err
}

// Review records the finance bureau's review of a signed balance
// statement, by another person than the one who signed it.
func (s *Service) Review(ctx context.Context, id, month string) (*BalanceStatement, error) {
	var out *BalanceStatement
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		r, _, _, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		m, _, err := monthOf(r, month)
		if err != nil {
			return err
		}
		b, err := storedStatement(tx, id, m)
		if err != nil {
			return err
		}
		if b == nil {
			return fmt.Errorf("%w: %s", ErrNotSigned, m)
		}
		if b.Reviewed != nil {
			return fmt.Errorf("%w: by %s", ErrAlreadyReviewed, b.Reviewed.By)
		}
		a := access.From(ctx)
		if err := a.Approves(b.Signed.By, "the balance statement"); err != nil {
			return err
		}
		b.Reviewed = &Signature{By: a.Label(), At: store.Now()}
		out = b
		return tx.Exec("INSERT INTO balance_statement_reviews (statement_id, reviewed_by, reviewed_at) VALUES (?,?,?)",
			b.ID, b.Reviewed.By, b.Reviewed.At).Error
	})
	if store.UniqueViolation(err) {
		err = ErrAlreadyReviewed
	}
	return out, err
}

// summaryRow is one row of the statement's first sheet: an amount, or a
// text when text is set.
type summaryRow struct {
	item   string
	amount money.Amount
	text   string
	isText bool
}

// summary is the statement's first sheet: item and amount.
func (b *BalanceStatement) summary() []summaryRow {
	rows := []summaryRow{
		{item: "核算单位 district", text: b.District, isText: true}, {item: "银行账户 account", text: b.Account, isText: true}, {item: "月份 month", text: b.Month, isText: true},
		{item: "银行对账单余额 bank balance", amount: b.BankBalance},
		{item: "加：企业已收、银行未收 / 减：企业已付、银行未付", amount: b.AdjustedBank - b.BankBalance},
		{item: "调节后银行余额 adjusted bank balance", amount: b.AdjustedBank},
		{item: "单位账面余额 book balance", amount: b.BookBalance},
		{item: "加：银行已收、企业未收 / 减：银行已付、企业未付", amount: b.AdjustedBook - b.BookBalance},
		{item: "调节后账面余额 adjusted book balance", amount: b.AdjustedBook},
		{item: "差额 difference", amount: b.Difference},
	}
	for _, sig := range []struct {
		what string
		s    *Signature
	}{{"编制 signed", b.Signed}, {"审核 reviewed", b.Reviewed}} {
		if sig.s != nil {
			rows = append(rows, summaryRow{item: sig.what, text: sig.s.By + " " + sig.s.At, isText: true})
		}
	}
	return rows
}

func (r summaryRow) value() string {
	if r.isText {
		return sheet.Cell(r.text)
	}
	return r.amount.String()
}

// WriteCSV writes the statement's summary (item, amount) as CSV.
func (b *BalanceStatement) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"item", "amount"})
	for _, r := range b.summary() {
		_ = cw.Write([]string{r.item, r.value()})
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes the balance statement as a workbook: the statement,
// then the outstanding items on each side.
func (b *BalanceStatement) WriteXLSX(w io.Writer) error {
	wb := sheet.NewWorkbook(w)
	var rows [][]sheet.Value
	for _, r := range b.summary() {
		v := sheet.Amount(r.amount)
		if r.isText {
			v = sheet.Text(r.value())
		}
		rows = append(rows, []sheet.Value{sheet.Text(r.item), v})
	}
	if err := writeSheet(wb, "余额调节表", []string{"项目 item", "金额 amount"}, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for _, l := range b.BankNotInBooks {
		rows = append(rows, []sheet.Value{sheet.Int(int64(l.Line)), sheet.Text(l.Date), sheet.Amount(l.Amount),
			sheet.Text(sheet.Cell(l.Counterparty)), sheet.Text(sheet.Cell(l.Summary))})
	}
	if err := writeSheet(wb, "银行已记企业未记", []string{"行 line", "日期 date", "金额 amount", "对方户名 counterparty", "摘要 summary"}, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for _, m := range b.BooksNotInBank {
		rows = append(rows, []sheet.Value{sheet.Text(m.VoucherNo), sheet.Text(m.Date), sheet.Amount(m.Amount), sheet.Text(m.Type), sheet.Text(m.ID)})
	}
	if err := writeSheet(wb, "企业已记银行未记", []string{"凭证号 voucher", "日期 date", "金额 amount", "类型 type", "id"}, rows); err != nil {
		return err
	}
	return wb.Close()
}

func writeSheet(wb *sheet.Workbook, name string, header []string, rows [][]sheet.Value) error {
	if err := wb.Sheet(name, header); err != nil {
		return err
	}
	for _, r := range rows {
		if err := wb.Row(r); err != nil {
			return err
		}
	}
	return nil
}

// decodeStatement reads a stored balance statement back (its amounts may be
// negative; see signedAmount).
func decodeStatement(body []byte) (*BalanceStatement, error) {
	var st struct {
		BalanceStatement
		BankBalance    signedAmount     `json:"bank_balance"`
		BookBalance    signedAmount     `json:"book_balance"`
		BankNotInBooks []storedLine     `json:"bank_not_in_books"`
		BooksNotInBank []storedMovement `json:"books_not_in_bank"`
		Differences    []struct {
			Match            string
			Bank, Books, Gap signedAmount
		} `json:"differences"`
		AdjustedBank signedAmount `json:"adjusted_bank_balance"`
		AdjustedBook signedAmount `json:"adjusted_book_balance"`
		Difference   signedAmount `json:"difference"`
	}
	if err := json.Unmarshal(body, &st); err != nil {
		return nil, err
	}
	b := st.BalanceStatement
	b.BankBalance, b.BookBalance = money.Amount(st.BankBalance), money.Amount(st.BookBalance)
	b.AdjustedBank, b.AdjustedBook, b.Difference = money.Amount(st.AdjustedBank), money.Amount(st.AdjustedBook), money.Amount(st.Difference)
	b.BankNotInBooks, b.BooksNotInBank, b.Differences = []ReportedLine{}, []LedgerMovement{}, []Difference{}
	for _, l := range st.BankNotInBooks {
		b.BankNotInBooks = append(b.BankNotInBooks, l.line())
	}
	for _, m := range st.BooksNotInBank {
		b.BooksNotInBank = append(b.BooksNotInBank, m.movement())
	}
	for _, d := range st.Differences {
		b.Differences = append(b.Differences, Difference{Match: d.Match, Bank: money.Amount(d.Bank), Books: money.Amount(d.Books), Gap: money.Amount(d.Gap)})
	}
	return &b, nil
}
