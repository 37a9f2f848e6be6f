package bulletin

import (
	"context"
	"slices"
	"strings"
	"time"

	"renofund/funding/report"
	"renofund/funding/works"
	"renofund/internal/ledger/contractpay"
	"renofund/internal/money"
)

// section is one part of a bulletin's body: how it is drafted into the
// body, what a district sees of it (its own rows; the city's totals stay),
// and its sheet in the workbook. A new section is a field of Body and an
// entry here.
type section struct {
	key   string // the body's JSON key
	title string // the sheet's name
	draft func(s *Service, ctx context.Context, b *Body) error
	scope func(b *Body, district string)
	sheet func(b *Body) table
}

// sections are the bulletin's sections, in the order they are drafted and
// laid out.
var sections = []section{
	{key: "spending", title: "资金支出进度", draft: (*Service).draftSpending,
		scope: func(b *Body, d string) {
			b.Spending.Districts = slices.DeleteFunc(b.Spending.Districts, func(a Area) bool { return a.District != d })
		}, sheet: spendingSheet},
	{key: "late_pass_down", title: "资金下达滞留", draft: (*Service).draftLatePassDown,
		scope: func(b *Body, d string) {
			b.LatePassDown = slices.DeleteFunc(b.LatePassDown, func(l LatePass) bool { return l.District != d })
		}, sheet: latePassSheet},
	{key: "overdue_sme_payments", title: "中小企业逾期账款", draft: (*Service).draftOverdue,
		scope: func(b *Body, d string) {
			b.OverdueSME = slices.DeleteFunc(b.OverdueSME, func(o Overdue) bool { return o.District != d })
		}, sheet: overdueSheet},
	{key: "behind_plan", title: "项目进度滞后", draft: (*Service).draftBehindPlan,
		scope: func(b *Body, d string) {
			b.BehindPlan = slices.DeleteFunc(b.BehindPlan, func(p Behind) bool { return p.District != d })
		}, sheet: behindSheet},
}

// LatePass is money at the city or a district held past its pass-down
// deadline at the month's end, or passed on late in the month (see
// report.LatePassDown, whose rule this is); DaysHeld is how long the oldest
// money held back had been held at the month's end.
type LatePass struct {
	report.PassDown
	DaysHeld int `json:"days_held,omitempty"`
}

func (s *Service) draftLatePassDown(ctx context.Context, b *Body) error {
	asOf, _ := time.Parse(time.DateOnly, b.To)
	late, err := s.reports.LatePassDown(ctx, b.From, asOf)
	if err != nil {
		return err
	}
	b.LatePassDown = make([]LatePass, 0, len(late))
	for _, l := range late {
		lp := LatePass{PassDown: l}
		if l.Since != "" {
			lp.DaysHeld = days(l.Since, b.To)
		}
		b.LatePassDown = append(b.LatePassDown, lp)
	}
	return nil
}

// SMEPaymentDays is how long after acceptance a small or medium contractor
// must be paid (保障中小企业款项支付条例 §8).
const SMEPaymentDays = 30

// Overdue is an amount due to a small or medium contractor more than
// SMEPaymentDays after its works passed acceptance, still unpaid at the
// month's end: the settlement less its retention less what was paid when
// settled by then, otherwise the contract's progress ceiling × sum less
// what was paid (works.PaymentLimit).
type Overdue struct {
	District    string       `json:"district"`
	Project     string       `json:"project"`
	Contract    string       `json:"contract"`
	Payee       string       `json:"payee"`
	CreditCode  string       `json:"credit_code"`
	AcceptedOn  string       `json:"accepted_on"`
	DueOn       string       `json:"due_on"`
	DaysOverdue int          `json:"days_overdue"`
	Settled     bool         `json:"settled"`
	AmountDue   money.Amount `json:"amount_due"`
}

func (s *Service) draftOverdue(ctx context.Context, b *Body) error {
	end, _ := time.Parse(time.DateOnly, b.To)
	rows, err := contractpay.AcceptedBy(ctx, s.db, end.AddDate(0, 0, -SMEPaymentDays-1).Format(time.DateOnly), b.To)
	if err != nil {
		return err
	}
	b.OverdueSME = []Overdue{}
	for _, r := range rows {
		var st *works.Settlement
		if r.SettledOn != "" {
			st = &works.Settlement{Amount: r.Settlement, Retention: r.Retention}
		}
		ceiling, err := money.ParseRate(r.ProgressCeiling)
		if err != nil {
			return err
		}
		due := works.PaymentLimit(r.Sum, ceiling, st) - r.Paid
		if due <= 0 {
			continue
		}
		accepted, _ := time.Parse(time.DateOnly, r.AcceptedOn)
		dueOn := accepted.AddDate(0, 0, SMEPaymentDays).Format(time.DateOnly)
		b.OverdueSME = append(b.OverdueSME, Overdue{District: r.DistrictCode, Project: r.ProjectCode, Contract: r.ID,
			Payee: r.PayeeName, CreditCode: r.CreditCode, AcceptedOn: r.AcceptedOn, DueOn: dueOn,
			DaysOverdue: days(dueOn, b.To), Settled: st != nil, AmountDue: due})
	}
	slices.SortStableFunc(b.OverdueSME, func(x, y Overdue) int {
		if x.District != y.District {
			return strings.Compare(x.District, y.District)
		}
		return y.DaysOverdue - x.DaysOverdue
	})
	return nil
}

// days is the number of days from one date to a later one.
func days(from, to string) int {
	f, _ := time.Parse(time.DateOnly, from)
	t, _ := time.Parse(time.DateOnly, to)
	return int(t.Sub(f).Hours() / 24)
}
