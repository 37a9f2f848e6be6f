package period_test

import (
	"context"
	"errors"
	"testing"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/ledger/proof"
	"renofund/internal/money"
	"renofund/internal/period"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// books is a city fund CG with money received in 2025 and 2026, part of it
// passed to district HZ, and the actors of the workflow.
type books struct {
	db              *store.DB
	l               *ledger.Ledger
	p               *period.Service
	wang, li, admin context.Context
}

func as(role access.Role, name string) context.Context {
	return access.With(context.Background(), access.Actor{TokenID: name, Role: role, Name: name})
}

func newBooks(t *testing.T, db *store.DB) *books {
	t.Helper()
	svc := app.New(db, nil)
	t.Cleanup(svc.Close)
	b := &books{db: db, l: svc.Ledger, p: period.New(svc.Ledger), wang: as(access.Finance, "wang"), li: as(access.Finance, "li"),
		admin: as(access.Admin, "root")}
	if _, err := svc.Registry.CreateFund(b.wang, funding.Fund{Code: "CG", Kind: "central_grant", Name: "CG", Holder: "city",
		FiscalYear: 2025, DocumentNo: "财建〔2025〕1号", EligibleCategories: []string{"basic"}}); err != nil {
		t.Fatal(err)
	}
	b.post(t, move(1000_00, "city", "2025-03-01"), move(300_00, "district:HZ", "2025-11-20"),
		move(200_00, "city", "2026-02-10"), move(-50_00, "district:HZ", "2026-03-05"))
	return b
}

// move is money into (or, negative, out of) CG at holder from outside.
func move(amount money.Amount, holder, on string) *ledger.Transfer {
	typ := ledger.TypeReceipt
	if amount < 0 {
		typ = ledger.TypeExpenditure
	}
	return &ledger.Transfer{Type: typ, Fund: "CG", To: holder, Amount: max(amount, -amount), BookedOn: on,
		RecordedBy: "finance:wang", Postings: []ledger.Posting{
			{Fund: "CG", Holder: ledger.External, Amount: -amount},
			{Fund: "CG", Holder: holder, Amount: amount},
		}}
}

func (b *books) post(t *testing.T, ts ...*ledger.Transfer) {
	t.Helper()
	if err := b.l.Post(b.wang, ts...); err != nil {
		t.Fatal(err)
	}
}

// closeBy requests with one person and confirms with another.
func (b *books) closeBy(t *testing.T, p string, req, conf context.Context) *period.Period {
	t.Helper()
	if got, err := b.p.RequestClose(req, p); err != nil || got.Status != period.CloseRequested {
		t.Fatalf("request close %s: %v, %+v", p, err, got)
	}
	got, err := b.p.ConfirmClose(conf, p)
	if err != nil || got.Status != period.Closed || got.Seal == nil || got.Checkpoint == nil {
		t.Fatalf("confirm close %s: %v, %+v", p, err, got)
	}
	return got
}

func code(err error) string {
	if err == nil {
		return "nil"
	}
	return errs.Classify(err).Code
}

func (b *books) verify(t *testing.T) *proof.Report {
	t.Helper()
	rep, err := proof.New(b.db).Verify(b.wang, proof.Full)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestCloseBookReopenAndCarryForward(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := newBooks(t, db)
		// Close 2026-01: January and everything before it (all of 2025).
		jan := b.closeBy(t, "2026-01", b.wang, b.li)
		if jan.Seal.LastDay != "2026-01-31" || jan.Seal.Total != 1300_00 || jan.Seal.Holdings != 2 {
			t.Errorf("January's seal = %+v, want 1300.00 in 2 holdings as of 2026-01-31", jan.Seal)
		}
		if len(jan.History) != 2 || jan.History[0].Actor != "finance:wang" || jan.History[1].Actor != "finance:li" {
			t.Errorf("history = %+v", jan.History)
		}
		// Nothing is booked into it, nor into 2025.
		for _, on := range []string{"2026-01-31", "2025-07-01"} {
			if err := b.l.Post(b.wang, move(1_00, "city", on)); !errors.Is(err, ledger.ErrPeriodClosed) {
				t.Errorf("booked on %s after the close: %s", on, code(err))
			}
		}
		b.post(t, move(1_00, "city", "2026-02-01"))
		// The year closes after its twelve months; 2025's are all closed.
		if _, err := b.p.RequestClose(b.wang, "2026"); code(err) != "period_not_ended" {
			t.Errorf("2026 close requested before it ended: %s", code(err))
		}
		year := b.closeBy(t, "2025", b.li, b.wang)
		if year.Seal.LastDay != "2025-12-31" || year.Seal.Total != 1300_00 {
			t.Errorf("2025's seal = %+v", year.Seal)
		}
		cf, err := b.p.CarryForward(b.wang, "2025")
		if err != nil {
			t.Fatal(err)
		}
		if cf.Status != period.Closed || cf.MatchesSeal == nil || !*cf.MatchesSeal {
			t.Errorf("carry-forward 2025: status %s, matches %v", cf.Status, cf.MatchesSeal)
		}
		want := map[string]money.Amount{"city": 1000_00, "district:HZ": 300_00}
		for _, line := range cf.Items {
			if line.Opening != 0 || line.Closing != want[line.Holder] || line.In != want[line.Holder] || *line.Sealed != line.Closing {
				t.Errorf("2025 %s: %+v", line.Holder, line)
			}
		}
		// Next year opens with what 2025 closed with.
		next, err := b.p.CarryForward(b.wang, "2026")
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range next.Items {
			if line.Opening != want[line.Holder] {
				t.Errorf("2026 %s opens with %s, want %s", line.Holder, line.Opening, want[line.Holder])
			}
			bal, err := b.l.Balance(b.wang, "CG", line.Holder)
			if err != nil {
				t.Fatal(err)
			}
			if line.Closing != bal {
				t.Errorf("2026 %s closes with %s, the ledger holds %s", line.Holder, line.Closing, bal)
			}
		}
		if rep := b.verify(t); !rep.OK || rep.Seals != 2 {
			t.Errorf("verify after the closes: %+v", rep)
		}

		// Reopen January with a reason: it and 2025's year seal stay
		// apart (a month reopens with later ones, not earlier ones).
		if _, err := b.p.RequestReopen(b.admin, "2026-01", ""); code(err) != "invalid_request" {
			t.Errorf("reopen without a reason: %s", code(err))
		}
		if _, err := b.p.RequestReopen(b.admin, "2026-01", "补记漏记的利息收入"); err != nil {
			t.Fatal(err)
		}
		if _, err := b.p.ConfirmReopen(b.as(access.Finance, "root"), "2026-01"); code(err) != "same_person" {
			t.Errorf("the requester confirmed the reopening: %s", code(err))
		}
		got, err := b.p.ConfirmReopen(b.li, "2026-01")
		if err != nil || got.Status != period.Open || got.Seal != nil {
			t.Fatalf("reopen confirmed: %v %+v", err, got)
		}
		last := got.History[len(got.History)-1]
		if last.Action != "reopen" || last.Reason == nil || *last.Reason != "补记漏记的利息收入" {
			t.Errorf("the reopening is recorded as %+v", last)
		}
		b.post(t, move(7_00, "city", "2026-01-31"))
		if err := b.l.Post(b.wang, move(1_00, "city", "2025-12-31")); !errors.Is(err, ledger.ErrPeriodClosed) {
			t.Errorf("2025 reopened with January: %s", code(err))
		}
		if rep := b.verify(t); !rep.OK || rep.Seals != 1 {
			t.Errorf("verify after the reopening: %+v", rep)
		}
		list, err := b.p.List(b.wang)
		if err != nil || list.ClosedThrough != "2025-12" || len(list.Items) != 2 {
			t.Fatalf("periods: %v %+v", err, list)
		}
	})
}

func (b *books) as(role access.Role, name string) context.Context { return as(role, name) }

func TestWorkflowRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := newBooks(t, db)
		thisMonth := field.Today()[:7]
		for _, c := range []struct {
			name string
			err  func() error
			want string
		}{
			{"a month not yet ended", func() error { _, err := b.p.RequestClose(b.wang, thisMonth); return err }, "period_not_ended"},
			{"not a period", func() error { _, err := b.p.RequestClose(b.wang, "2026-13"); return err }, "invalid_request"},
			{"before the books' first year", func() error { _, err := b.p.RequestClose(b.wang, "1999"); return err }, "invalid_request"},
			{"a year with open months", func() error { _, err := b.p.RequestClose(b.wang, "2025"); return err }, "months_open"},
			{"a confirmation without a request", func() error { _, err := b.p.ConfirmClose(b.li, "2026-02"); return err }, "period_status"},
			{"reopening an open month", func() error { _, err := b.p.RequestReopen(b.admin, "2026-02", "why"); return err }, "period_status"},
		} {
			if err := c.err(); code(err) != c.want {
				t.Errorf("%s: %s, want %s", c.name, code(err), c.want)
			}
		}
		if _, err := b.p.RequestClose(b.wang, "2026-02"); err != nil {
			t.Fatal(err)
		}
		if _, err := b.p.RequestClose(b.li, "2026-02"); code(err) != "period_status" {
			t.Errorf("a second request: %s", code(err))
		}
		// The requester cannot confirm: nothing closes.
		if _, err := b.p.ConfirmClose(b.wang, "2026-02"); code(err) != "same_person" {
			t.Errorf("the requester confirmed: %s", code(err))
		}
		b.post(t, move(1_00, "city", "2026-02-20"))
		if through, _ := b.l.ClosedThrough(b.wang); through != "" {
			t.Errorf("a refused confirmation closed the books through %s", through)
		}
		if seals, _ := proof.New(db).Seals(b.wang); len(seals) != 0 {
			t.Errorf("a refused confirmation left %d seals", len(seals))
		}
		p, err := b.p.ConfirmClose(b.li, "2026-02")
		if err != nil {
			t.Fatal(err)
		}
		if p.Seal.Total != 1501_00 {
			t.Errorf("February's closing total %s, want 1501.00", p.Seal.Total)
		}
		// January closed with February, without a row of its own.
		if jan, err := b.p.Get(b.wang, "2026-01"); err != nil || jan.Status != period.Closed {
			t.Errorf("January after February's close: %v %+v", err, jan)
		}
	})
}
