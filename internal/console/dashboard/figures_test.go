package dashboard

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"renofund/internal/console/kit"
	"renofund/internal/money"
)

func a(s string) amount { return amount(money.MustParse(s)) }

// TestAmount: the API's amounts are read with their sign; anything but a
// decimal string is refused.
func TestAmount(t *testing.T) {
	for in, want := range map[string]money.Amount{`"1234.56"`: 123456, `"-8034.60"`: -803460, `"0.00"`: 0, `"12.5"`: 1250} {
		var got amount
		if err := json.Unmarshal([]byte(in), &got); err != nil || money.Amount(got) != want {
			t.Errorf("%s: %d %v, want %d", in, got, err, want)
		}
	}
	for _, in := range []string{`12.5`, `"--1"`, `"1.234"`, `""`, `"1e3"`, `null`} {
		var got amount
		if err := json.Unmarshal([]byte(in), &got); err == nil {
			t.Errorf("%s: read as %d", in, got)
		}
	}
}

// lines is a funding report: the city holds what it did not pass down, HZ
// received some of its own and got the rest from the city, LY got money
// and sent a little back up.
var lines = []fundingLine{
	{District: "city", Kind: "central_grant", Received: a("1000.00"), AllocatedOut: a("900.00"), Available: a("150.00"), AllocatedIn: a("50.00")},
	{District: "HZ", Kind: "central_grant", AllocatedIn: a("1100.00"), AllocatedOut: a("500.00"), Spent: a("250.00"), Available: a("350.00")},
	{District: "HZ", Kind: "district_fiscal", Opening: a("20.00"), Received: a("200.00"), Available: a("220.00")},
	{District: "LY", Kind: "central_grant", AllocatedIn: a("300.00"), AllocatedOut: a("50.00"), Spent: a("100.00"), Available: a("150.00")},
}

// TestTotals: the cards add the report's lines; city-wide, allocations
// cancel and what the city passed down is the districts' net receipt from
// above.
func TestTotals(t *testing.T) {
	var s sum
	total, down := s.totals(lines)
	want := flow{Opening: 2000, Received: 120000, Allocated: 0, Spent: 35000, Available: 87000}
	if total != want || down != 85000 || s.over {
		t.Errorf("totals %+v passed down %d, want %+v and 85000", total, down, want)
	}
	if got := percent(total.Spent, total.InYear()); got != "28.69%" { // 350 ÷ (20 + 1200)
		t.Errorf("rate %s", got)
	}
	var over sum
	over.totals([]fundingLine{{District: "HZ", Spent: amount(9e18)}, {District: "LY", Spent: amount(9e18)}})
	if !over.over {
		t.Error("an overflowing sum went unnoticed")
	}
}

// TestSourcesAndRanks: the sources come city first, then by district and
// kind; districts rank by rate compared exactly, equal rates share a place
// and a district with nothing comes last without one.
func TestSourcesAndRanks(t *testing.T) {
	var s sum
	src := s.sources(lines)
	var order []string
	for _, r := range src {
		order = append(order, r.Area+"/"+r.Kind)
	}
	if want := []string{"city/central_grant", "HZ/central_grant", "HZ/district_fiscal", "LY/central_grant"}; !reflect.DeepEqual(order, want) {
		t.Errorf("sources in order %v, want %v", order, want)
	}
	rows := s.byArea(src, map[string]string{"HZ": "海州区", "LY": "连云区", "GY": "赣榆区"})
	got := map[string]rateRow{}
	for _, r := range rows {
		got[r.Code] = r
	}
	// HZ: 250 of 820 = 30.49%; LY: 100 of 250 = 40%; GY: nothing.
	if rows[0].Code != "LY" || rows[0].Rank != 1 || got["HZ"].Rank != 2 || got["GY"].Rank != 0 || rows[2].Code != "GY" ||
		got["HZ"].Rate() != "30.49%" || got["GY"].Rate() != "—" || got["HZ"].InYear() != 82000 {
		t.Errorf("ranked %+v", rows)
	}
	// 1 of 3 and 3333 of 10000 round alike but differ; 2 of 6 equals 1 of 3.
	tied := []rateRow{{Code: "A", flow: flow{Spent: 3333, Available: 6667}}, {Code: "B", flow: flow{Spent: 1, Available: 2}},
		{Code: "C", flow: flow{Spent: 2, Available: 4}}}
	rank(tied)
	if tied[0].Code != "B" || tied[0].Rank != 1 || tied[1].Code != "C" || tied[1].Rank != 1 || tied[2].Code != "A" || tied[2].Rank != 3 {
		t.Errorf("ties %+v", tied)
	}
	kinds := s.byKind(src)
	if kinds[0].Code != "central_grant" || kinds[0].Name != "中央补助资金" || kinds[1].Rank != 2 || kinds[1].Rate() != "0.00%" {
		t.Errorf("by kind %+v", kinds)
	}
}

// TestTrendAndBudgets: a district's months are its own row; budgets sum by
// category and district, over budget shown negative.
func TestTrendAndBudgets(t *testing.T) {
	sp := &spending{City: figures{ReceivedMonth: a("9.00")}}
	sp.Districts = append(sp.Districts, struct {
		District string `json:"district"`
		figures
	}{"HZ", figures{ReceivedMonth: a("1.00"), AllocatedMonth: a("2.00"), SpentMonth: a("3.00")}})
	months := trend(map[int]*spending{3: sp}, "HZ")
	if len(months) != 12 || months[0].Drafted || !months[2].Drafted || months[2].Received != 100 || months[2].Spent != 300 {
		t.Errorf("HZ's months %+v", months[:3])
	}
	if city := trend(map[int]*spending{3: sp}, ""); city[2].Received != 900 {
		t.Errorf("the city's March %+v", city[2])
	}
	if other := trend(map[int]*spending{3: sp}, "LY"); other[2].Drafted {
		t.Error("a district without a row in the bulletin got one")
	}

	var s sum
	cats, districts, total := s.budgets([]budgetLine{
		{District: "HZ", Category: "basic", Budget: a("100.00"), Spent: a("120.00")},
		{District: "HZ", Category: "upgrade", Budget: a("50.00"), Spent: a("10.00")},
		{District: "LY", Category: "improvement", Budget: a("200.00")},
	}, map[string]string{"HZ": "海州区"})
	if len(cats) != 3 || cats[0].Name != "基础类" || cats[1].Name != "完善类" || cats[1].Budget != 20000 || cats[2].Spent != 1000 {
		t.Errorf("categories %+v", cats)
	}
	if cats[0].Remaining() != -2000 || cats[0].Rate() != "120.00%" || kit.Yuan(cats[0].Remaining()) != "-20.00" {
		t.Errorf("basic %+v: remaining %d rate %s", cats[0], cats[0].Remaining(), cats[0].Rate())
	}
	if len(districts) != 2 || districts[0].Name != "海州区" || districts[1].Name != "LY" || total.Budget != 35000 || total.Spent != 13000 {
		t.Errorf("districts %+v total %+v", districts, total)
	}
}

// TestFindings: the CSV list is read by its header; closed findings are not
// counted, the rest by kind, most first.
func TestFindings(t *testing.T) {
	csv := "\ufeffid,code,rule,severity,subject,district,amount,on,detail,status\n" +
		"a,idle_money,r,low,s,HZ,1.00,2026-01-01,\"d, with a comma\",open\n" +
		"b,idle_money,r,low,s,HZ,1.00,2026-01-01,d,acknowledged\n" +
		"c,over_budget,r,low,s,HZ,1.00,2026-01-01,d,closed\n" +
		"d,retention,r,high,s,,1.00,2026-01-01,d,explained\n" +
		"e,new_rule,r,high,s,,1.00,2026-01-01,d,open\n"
	fs, err := readFindings([]byte(csv))
	if err != nil || len(fs) != 5 {
		t.Fatalf("%v %v", fs, err)
	}
	rows := countFindings(fs)
	want := []findingRow{{Code: "idle_money", Name: "资金闲置", Open: 1, InReview: 1},
		{Code: "retention", Name: "滞留（未按期下拨）", InReview: 1}, {Code: "new_rule", Name: "new_rule", Open: 1}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("counted %+v, want %+v", rows, want)
	}
	for _, bad := range []string{"", "id,rule\nx,y\n", "id,code,status\n\"unclosed\n"} {
		if _, err := readFindings([]byte(bad)); err == nil {
			t.Errorf("%q read without an error", bad)
		}
	}
}

// TestAll: reads run at once; the first refusal in order is the answer.
func TestAll(t *testing.T) {
	first, second := errors.New("first"), errors.New("second")
	ran := make([]bool, 3)
	err := all(func() error { ran[0] = true; return nil }, func() error { ran[1] = true; return first },
		func() error { ran[2] = true; return second })
	if err != first || !ran[0] || !ran[1] || !ran[2] {
		t.Errorf("all: %v, ran %v", err, ran)
	}
	if err := all(); err != nil {
		t.Errorf("nothing to read: %v", err)
	}
}
