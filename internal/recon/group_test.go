package recon

import (
	"testing"
	"time"

	"renofund/internal/money"
)

func TestMatchGroups(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	a := money.MustParse
	bank := []BankLine{
		{Line: 2, Date: d("2026-04-02"), Amount: -a("1000.00")}, // pays three vouchers
		{Line: 3, Date: d("2026-04-10"), Amount: a("300.00")},   // one of a batch
		{Line: 4, Date: d("2026-04-10"), Amount: a("200.00")},   // the batch's other part
		{Line: 5, Date: d("2026-04-20"), Amount: -a("50.00")},   // ambiguous: 20+30 or 10+40
		{Line: 6, Date: d("2026-04-28"), Amount: -a("900.00")},  // the vouchers are 20 days away
		{Line: 7, Date: d("2026-04-02"), Amount: a("1000.00")},  // wrong sign for the vouchers
	}
	ledger := []Movement{
		{ID: "v1", Date: d("2026-04-01"), Amount: -a("500.00")},
		{ID: "v2", Date: d("2026-04-02"), Amount: -a("300.00")},
		{ID: "v3", Date: d("2026-04-03"), Amount: -a("200.00")},
		{ID: "r1", Date: d("2026-04-09"), Amount: a("500.00")},
		{ID: "x1", Date: d("2026-04-20"), Amount: -a("20.00")},
		{ID: "x2", Date: d("2026-04-20"), Amount: -a("30.00")},
		{ID: "x3", Date: d("2026-04-20"), Amount: -a("10.00")},
		{ID: "x4", Date: d("2026-04-20"), Amount: -a("40.00")},
		{ID: "f1", Date: d("2026-04-08"), Amount: -a("450.00")},
		{ID: "f2", Date: d("2026-04-08"), Amount: -a("450.00")},
	}
	groups, restBank, restLedger := MatchGroups(bank, ledger, 3)
	if len(groups) != 2 {
		t.Fatalf("groups %+v", groups)
	}
	if g := groups[0]; len(g.Bank) != 1 || g.Bank[0].Line != 2 || len(g.Movements) != 3 {
		t.Errorf("one to many: %+v", g)
	}
	if g := groups[1]; len(g.Movements) != 1 || g.Movements[0].ID != "r1" || len(g.Bank) != 2 {
		t.Errorf("many to one: %+v", g)
	}
	if len(restBank) != 3 || len(restLedger) != 6 {
		t.Errorf("left %d bank lines, %d movements", len(restBank), len(restLedger))
	}
}

// TestMatchGroupsBounded checks that a statement built to explode the
// subset search stays within MaxSteps and still answers.
func TestMatchGroupsBounded(t *testing.T) {
	day0 := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	var bank []BankLine
	var ledger []Movement
	for i := 0; i < 2000; i++ {
		bank = append(bank, BankLine{Line: i + 2, Date: day0, Amount: money.Amount(-1_000_003 - i)})
		ledger = append(ledger, Movement{ID: string(rune('a'+i%26)) + time.Duration(i).String(), Date: day0, Amount: money.Amount(-1000 - i%7)})
	}
	start := time.Now()
	MatchGroups(bank, ledger, 3)
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("took %v", el)
	}
}
