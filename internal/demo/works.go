package demo

import (
	"errors"
	"fmt"
	"strings"

	"renofund/funding"
	"renofund/funding/evidence"
	"renofund/funding/movement"
	"renofund/funding/works"
	"renofund/internal/ledger"
	"renofund/internal/money"
)

// contractors are the demo's registered payees (施工单位), all small or
// medium enterprises but the first.
var contractors = []string{"连云港市政工程有限公司", "江苏海州建设集团有限公司", "连云港城建装饰工程有限公司",
	"江苏苍梧电梯工程有限公司", "连云港绿化景观工程有限公司", "江苏港城消防工程有限公司"}

func contractorCode(n int) string    { return code("913207", 1000+n%len(contractors)) }
func contractorAccount(n int) string { return fmt.Sprintf("3220%012d", 1000+n%len(contractors)) }

// works contracts every project's pipe-network works (basic) with a
// registered contractor after the autumn's spending: two progress payments
// up to the 80% ceiling; at two projects in three an acceptance with the
// owners' representatives; at one in three the settlement and the final
// payment less the 3% retention, which stays held. A project whose money
// runs out stops where it is, as a real one would.
func (b *builder) works() error {
	if err := b.flush(); err != nil {
		return err
	}
	ws := b.svc.Movements.Works
	payees := make([]string, len(contractors))
	for i, name := range contractors {
		p, err := ws.CreatePayee(b.ctx, works.Payee{Name: name, CreditCode: contractorCode(i),
			BankAccount: contractorAccount(i), SME: i > 0})
		if err != nil {
			return fmt.Errorf("demo payee: %w", err)
		}
		payees[i] = p.ID
	}
	for i, p := range b.made {
		sum := money.Amount(int64(p.Budget.For(funding.Basic)) * int64(15+b.rng.IntN(10)) / 100)
		sum -= sum % 100
		c, err := ws.CreateContract(b.ctx, p.Code, works.ContractIn{Payee: payees[i%len(payees)], Category: funding.Basic,
			Sum: sum, SignedOn: date(6, 1+b.rng.IntN(28)), TenderRef: fmt.Sprintf("LYG-ZB-%d-%04d", Year, i+1),
			ReviewRef: fmt.Sprintf("连财评〔%d〕%d号", Year, 100+i)})
		if err != nil {
			return fmt.Errorf("demo contract at %s: %w", p.Code, err)
		}
		b.sum.Contracts++
		if _, err := b.document("contract:"+c.ID, "contract", "施工合同", c.ID, c.Project, c.Sum.String()); err != nil {
			return err
		}
		if err := b.contractWorks(i, c); err != nil {
			return err
		}
	}
	return nil
}

// contractWorks takes one contract as far as its project's money allows.
func (b *builder) contractWorks(i int, c *works.Contract) error {
	ws := b.svc.Movements.Works
	pay := func(amount money.Amount, on, purpose string) (bool, error) {
		// The contractor's invoice, uploaded before the payment it supports.
		invoice, err := b.document(evidence.Pending, "invoice", "增值税发票", c.ID, purpose, amount.String(), on)
		if err != nil {
			return false, err
		}
		err = b.pay(movement.Expenditure{Project: c.Project, Contract: c.ID, Amount: amount, PaidOn: on, Purpose: purpose,
			Attachments: []string{invoice}})
		if errors.Is(err, ledger.ErrInsufficientFunds) || errors.Is(err, works.ErrRetentionHeld) {
			return false, nil
		}
		if err == nil {
			b.sum.Transfers++
		}
		return err == nil, err
	}
	half := c.Sum / 2
	if ok, err := pay(half, date(9, 1+b.rng.IntN(28)), "雨污分流管网改造 进度款"); !ok {
		return err
	}
	if ok, err := pay(c.Sum.Mul(c.ProgressCeiling)-half, date(10, 1+b.rng.IntN(10)), "雨污分流管网改造 进度款"); !ok {
		return err
	}
	if i%3 == 2 {
		return nil // still under construction
	}
	a, err := ws.RecordAcceptance(b.ctx, c.ID, works.Acceptance{AcceptedOn: date(10, 15), Result: works.Passed,
		OwnerReps: 2, Participants: []works.Participant{{Name: "业委会主任", Role: "业主代表"}, {Name: "楼栋长", Role: "居民代表"},
			{Name: "监理工程师", Role: "监理单位"}, {Name: "项目经理", Role: "施工单位"}}})
	if err != nil {
		return err
	}
	if _, err := b.document("acceptance:"+a.ID, "acceptance_certificate", "竣工验收证明书", c.Project, a.AcceptedOn); err != nil {
		return err
	}
	if i%3 == 1 {
		return nil
	}
	st, err := ws.Settle(b.ctx, c.ID, works.SettlementIn{Amount: c.Sum - c.Sum/50 - (c.Sum-c.Sum/50)%100,
		ReviewRef: fmt.Sprintf("连财审〔%d〕%d号", Year, 300+i), SettledOn: date(11, 2)})
	if err != nil {
		return fmt.Errorf("demo settlement at %s: %w", c.Project, err)
	}
	b.sum.Settled++
	_, err = pay(st.Amount-st.Retention-c.Sum.Mul(c.ProgressCeiling), date(11, 10), "雨污分流管网改造 结算款（留3%质保金）")
	return err
}

// document attaches a small deterministic document (a few hundred bytes:
// the demo must stay fast) to subject and returns its id.
func (b *builder) document(subject, kind, title string, lines ...string) (string, error) {
	text := "%PDF-1.4\n% renofund demo\n" + title + "\n" + strings.Join(lines, "\n") + "\n连云港市城镇老旧小区改造\n%%EOF\n"
	a, err := b.svc.Movements.Evidence.Add(b.ctx, evidence.Upload{Subject: subject, Kind: kind, FileName: title + ".pdf",
		Content: []byte(text)})
	if err != nil {
		return "", fmt.Errorf("demo document %s on %s: %w", title, subject, err)
	}
	b.sum.Attachments++
	return a.ID, nil
}
