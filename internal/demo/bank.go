package demo

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"renofund/internal/access"
	"renofund/internal/field"
	"renofund/internal/ledger/bankbook"
	"renofund/internal/money"
	"renofund/internal/recon/reconcile"
)

// Bank items the demo statements carry that the books do not: the bank's
// interest at the month's end and its account fee.
var (
	demoInterest = money.MustParse("86.40")
	demoFee      = money.MustParse("12.50")
)

// bank registers each district's special account and reconciles one
// statement of the last ended month its money moved in: every movement of
// that month under its voucher number, in an ICBC-like GBK export, except
// its last two payments (not yet through the bank), plus the bank's fee on
// the first day and interest on the last (not yet in the books). The balance statement agrees;
// the district signs it and the bureau reviews it.
func (b *builder) bank() error {
	if err := b.flush(); err != nil {
		return err
	}
	now := b.svc.Bulletins.Now().In(field.Zone)
	last := time.Date(now.Year(), now.Month(), 0, 0, 0, 0, 0, field.Zone).Format(time.DateOnly)
	for i, d := range Districts {
		acct, err := b.svc.Recon.CreateAccount(b.ctx, reconcile.AccountIn{District: d.Code, Bank: "中国工商银行连云港分行",
			AccountNo: fmt.Sprintf("110202010900%07d", 10001+i), Name: d.Name + "老旧小区改造资金专户"})
		if err != nil {
			return fmt.Errorf("demo bank account %s: %w", d.Code, err)
		}
		moves, err := bankbook.Net(b.ctx, b.db, d.Code, date(1, 1), last)
		if err != nil {
			return err
		}
		if len(moves) == 0 {
			continue
		}
		month := moves[len(moves)-1].BookedOn[:7]
		start, _ := time.Parse("2006-01", month)
		opening, err := bankbook.Balance(b.ctx, b.db, d.Code, start.AddDate(0, 0, -1).Format(time.DateOnly))
		if err != nil {
			return err
		}
		var in []bankbook.NetMovement
		for _, m := range moves {
			if strings.HasPrefix(m.BookedOn, month) {
				in = append(in, m)
			}
		}
		// The month's last two payments have not gone through the bank.
		held := 0
		for j := len(in) - 1; j >= 0 && held < 2; j-- {
			if in[j].Net < 0 {
				in = append(in[:j], in[j+1:]...)
				held++
			}
		}
		var s strings.Builder
		s.WriteString("中国工商银行 单位账户交易明细\n账号：" + acct.AccountNo + ",,,,,,,\n")
		s.WriteString("交易日期,摘要,凭证号,对方户名,对方账号,借方发生额,贷方发生额,余额\n")
		balance := opening
		line := func(on, summary, ref string, amount money.Amount) {
			balance += amount
			debit, credit := "", amount.String()
			if amount < 0 {
				debit, credit = (-amount).String(), ""
			}
			fmt.Fprintf(&s, "%s,%s,%s,,,%s,%s,%s\n", on, summary, ref, debit, credit, balance)
		}
		end := start.AddDate(0, 1, -1).Format(time.DateOnly)
		line(start.Format(time.DateOnly), "账户管理费", "", -demoFee)
		for _, m := range in {
			ref := m.VoucherNo
			if m.SourceVoucherNo != "" {
				ref = m.SourceVoucherNo
			}
			if m.Reference != "" {
				ref = m.Reference
			}
			line(m.BookedOn, "转账", ref, m.Net)
		}
		line(end, "结息", "", demoInterest)
		file, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s.String()))
		if err != nil {
			return err
		}
		// No window: the statement runs from the month's first day to its
		// last, and the books' movements of other months are not its.
		r, err := b.svc.Recon.Reconcile(b.ctx, reconcile.Upload{Account: acct.ID, File: file})
		if err != nil {
			return fmt.Errorf("demo statement %s: %w", d.Code, err)
		}
		district := access.With(b.ctx, access.Actor{TokenID: "demo-" + d.Code, Name: "demo-" + d.Code, Role: access.District, District: d.Code})
		if _, err := b.svc.Recon.Sign(district, r.ID, month); err != nil {
			return fmt.Errorf("demo balance statement %s: %w", d.Code, err)
		}
		if _, err := b.svc.Recon.Review(b.ctx, r.ID, month); err != nil {
			return fmt.Errorf("demo balance statement review %s: %w", d.Code, err)
		}
		b.sum.Statements++
	}
	return nil
}
