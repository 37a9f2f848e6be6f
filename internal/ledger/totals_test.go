package ledger_test

import (
	"fmt"
	"reflect"
	"testing"

	"renofund/internal/ledger"
	"renofund/internal/ledger/clues"
	"renofund/internal/ledger/recount"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// bookedBetween is the condition on transfers t booked from and to
// (inclusive; empty is open), as "AND …" clauses with their arguments.
func bookedBetween(from, to string) (string, []any) {
	where, args := "", []any{}
	if from != "" {
		where, args = where+" AND t.booked_on >= ?", append(args, from)
	}
	if to != "" {
		where, args = where+" AND t.booked_on <= ?", append(args, to)
	}
	return where, args
}

// flowsFromPostings is what Flows answered before the kept totals: the
// sums straight from every posting, the reference the totals must match.
func flowsFromPostings(t *testing.T, db *store.DB, from, to string) []ledger.HoldingFlow {
	t.Helper()
	where, args := bookedBetween(from, to)
	var rows []struct {
		Fund, Holder                              string
		FirstIn                                   *string
		Received, AllocIn, AllocOut, Spent, Moved int64
	}
	err := db.G.Raw(`SELECT p.fund_code AS fund, p.holder AS holder,
		SUM(CASE WHEN t.base_type = 'receipt' THEN p.amount ELSE 0 END) AS received,
		SUM(CASE WHEN t.base_type = 'allocation' AND p.holder = t.to_holder THEN p.amount ELSE 0 END) AS alloc_in,
		SUM(CASE WHEN t.base_type = 'allocation' AND p.holder = t.from_holder THEN -p.amount ELSE 0 END) AS alloc_out,
		SUM(CASE WHEN t.base_type IN ('expenditure', 'subsidy_payment') THEN -p.amount ELSE 0 END) AS spent,
		SUM(p.amount) AS moved, MIN(CASE WHEN p.amount > 0 THEN t.booked_on END) AS first_in
		FROM postings p JOIN transfers t ON t.id = p.transfer_id
		WHERE p.holder <> 'external'`+where+` GROUP BY p.fund_code, p.holder ORDER BY 1, 2`, args...).Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	out := make([]ledger.HoldingFlow, len(rows))
	for i, r := range rows {
		out[i] = ledger.HoldingFlow{Fund: r.Fund, Holder: r.Holder, Flow: ledger.Flow{Received: money.Amount(r.Received),
			AllocatedIn: money.Amount(r.AllocIn), AllocatedOut: money.Amount(r.AllocOut), Spent: money.Amount(r.Spent),
			Net: money.Amount(r.Moved)}, FirstIn: store.Str(r.FirstIn)}
	}
	return out
}

// spentFromPostings is what SpentByCategory answered before the kept
// totals, straight from the postings of the project's own holdings.
func spentFromPostings(t *testing.T, db *store.DB, from, to string) []ledger.CategorySpend {
	t.Helper()
	where, args := bookedBetween(from, to)
	var rows []struct {
		Project, Category string
		LastPaid          *string
		Spent             int64
	}
	err := db.G.Raw(`SELECT t.project_code AS project, t.category AS category, -SUM(p.amount) AS spent,
		MAX(CASE WHEN t.type <> 'reversal' THEN t.booked_on END) AS last_paid
		FROM transfers t JOIN postings p ON p.transfer_id = t.id
		JOIN holdings h ON h.fund_code = p.fund_code AND h.holder = p.holder AND h.project_code = t.project_code
		WHERE t.base_type IN ('expenditure', 'subsidy_payment') AND t.category IS NOT NULL`+where+`
		GROUP BY t.project_code, t.category ORDER BY 1, 2`, args...).Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	out := make([]ledger.CategorySpend, len(rows))
	for i, r := range rows {
		out[i] = ledger.CategorySpend{Project: r.Project, Category: r.Category, Spent: money.Amount(r.Spent), LastPaid: store.Str(r.LastPaid)}
	}
	return out
}

// TestKeptTotalsMatchThePostings posts receipts, allocations, payments and
// reversals over three months and checks that Flows and SpentByCategory,
// read from the kept month and day totals, answer what the postings sum to for windows of
// whole months, parts of months, across month ends and open at either end;
// that audit verification finds the totals right; and that an edited total
// is found.
func TestKeptTotalsMatchThePostings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l, ctx := fixture(t, db)
		alloc := func(amount money.Amount, on string) *ledger.Transfer {
			return &ledger.Transfer{Type: ledger.TypeAllocation, Fund: "CG", From: "city", To: "district:HZ", District: "HZ",
				Amount: amount, BookedOn: on, RecordedBy: "finance:wang", Postings: []ledger.Posting{
					{Fund: "CG", Holder: "city", Amount: -amount},
					{Fund: "CG", Holder: "district:HZ", Amount: amount, District: "HZ"},
				}}
		}
		pay := func(amount money.Amount, on string) *ledger.Transfer {
			return &ledger.Transfer{Type: ledger.TypeExpenditure, Fund: "CG", From: "district:HZ", District: "HZ",
				Amount: amount, BookedOn: on, RecordedBy: "district:li", Postings: []ledger.Posting{
					{Fund: "CG", Holder: "district:HZ", Amount: -amount},
					{Fund: "CG", Holder: ledger.External, Amount: amount},
				}}
		}
		reverse := func(orig *ledger.Transfer, on string) *ledger.Transfer {
			r := *orig
			r.ID, r.Type, r.BaseType, r.ReversalOf, r.BookedOn, r.Hash = "", ledger.TypeReversal, orig.Type, orig.ID, on, ""
			r.Postings = nil
			for _, p := range orig.Postings {
				r.Postings = append(r.Postings, ledger.Posting{Fund: p.Fund, Holder: p.Holder, Amount: -p.Amount, District: p.District})
			}
			return &r
		}
		toProject := func(amount money.Amount, on string) *ledger.Transfer {
			return &ledger.Transfer{Type: ledger.TypeAllocation, Fund: "CG", From: "district:HZ", To: "project:HZ-001",
				District: "HZ", Project: "HZ-001", Amount: amount, BookedOn: on, RecordedBy: "district:li", Postings: []ledger.Posting{
					{Fund: "CG", Holder: "district:HZ", Amount: -amount},
					{Fund: "CG", Holder: "project:HZ-001", Amount: amount, District: "HZ", Project: "HZ-001"},
				}}
		}
		works := func(amount money.Amount, on, category string) *ledger.Transfer {
			return &ledger.Transfer{Type: ledger.TypeExpenditure, Fund: "CG", From: "project:HZ-001", District: "HZ",
				Project: "HZ-001", Category: category, Amount: amount, BookedOn: on, RecordedBy: "district:li",
				Postings: []ledger.Posting{
					{Fund: "CG", Holder: "project:HZ-001", Amount: -amount},
					{Fund: "CG", Holder: ledger.External, Amount: amount},
				}}
		}
		first := receipt(1_000_000_00, "2026-01-05")
		steps := [][]*ledger.Transfer{
			{first, receipt(200_000_00, "2026-01-15"), alloc(300_000_00, "2026-01-15")},
			{pay(50_000_00, "2026-01-31"), receipt(7_00, "2026-02-01"), alloc(100_000_00, "2026-02-10")},
			{pay(20_000_00, "2026-02-28"), receipt(-1_00, "2026-03-01"), toProject(90_000_00, "2026-01-20")},
			{works(10_000_00, "2026-01-20", "basic"), works(3_000_00, "2026-02-10", "basic"), works(500_00, "2026-02-11", "upgrade")},
		}
		for _, ts := range steps {
			if err := l.Post(ctx, ts...); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Post(ctx, reverse(steps[1][0], "2026-03-15"), reverse(steps[0][1], "2026-02-10"),
			reverse(steps[3][1], "2026-03-02")); err != nil {
			t.Fatal(err)
		}
		windows := [][2]string{{"", ""}, {"2026-01-01", "2026-01-31"}, {"2026-01-15", ""}, {"", "2026-02-10"},
			{"2026-01-15", "2026-01-20"}, {"2026-01-15", "2026-02-10"}, {"2025-12-31", "2026-03-01"},
			{"2026-02-01", "2026-02-28"}, {"2026-01-16", "2026-03-31"}, {"2026-02-11", "2026-02-27"}, {"", "2025-12-31"}}
		for _, w := range windows {
			for _, holder := range []string{"", "city", "district:HZ"} {
				got, err := l.Flows(ctx, ledger.FlowFilter{From: w[0], To: w[1], Holder: holder})
				if err != nil {
					t.Fatal(err)
				}
				var want []ledger.HoldingFlow
				for _, f := range flowsFromPostings(t, db, w[0], w[1]) {
					if holder == "" || f.Holder == holder {
						want = append(want, f)
					}
				}
				for i := range got {
					got[i].District, got[i].Project = "", ""
				}
				if len(got) != len(want) || len(got) > 0 && !reflect.DeepEqual(got, want) {
					t.Errorf("window %v, holder %q:\n got %+v\nwant %+v", w, holder, got, want)
				}
			}
		}
		for _, w := range windows {
			got, err := l.SpentByCategory(ctx, "HZ", "", w[0], w[1])
			if err != nil {
				t.Fatal(err)
			}
			if want := spentFromPostings(t, db, w[0], w[1]); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("spending in window %v:\n got %+v\nwant %+v", w, got, want)
			}
		}
		acts, err := clues.Activities(ctx, db, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%d %s %s %s", len(acts), acts[0].Holder, acts[0].FirstIn, acts[0].LastOut); got != "3 city 2026-01-05 2026-03-01" {
			t.Errorf("activity of the city: %s", got)
		}
		if diff, err := recount.Check(db.G); err != nil || diff != "" {
			t.Fatalf("kept totals after posting: %q, %v", diff, err)
		}
		if err := db.G.Exec("UPDATE holding_months SET spent = spent + 1 WHERE holder = 'district:HZ' AND month = '2026-02'").Error; err != nil {
			t.Fatal(err)
		}
		if diff, _ := recount.Check(db.G); diff == "" {
			t.Fatal("an edited month total was not found")
		}
		if err := recount.Rebuild(db.G); err != nil {
			t.Fatal(err)
		}
		if diff, err := recount.Check(db.G); err != nil || diff != "" {
			t.Fatalf("kept totals after rebuilding: %q, %v", diff, err)
		}
	})
}
