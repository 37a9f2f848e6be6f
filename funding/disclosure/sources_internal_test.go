package disclosure

import (
	"slices"
	"testing"

	"renofund/funding"
	"renofund/funding/programme"
	"renofund/funding/works"
	"renofund/internal/money"
)

// TestEveryKindHasAGroup: each fund kind of the programme is placed in a
// group on purpose, the fiscal, bond and loan kinds among the government's.
func TestEveryKindHasAGroup(t *testing.T) {
	for _, k := range funding.Kinds {
		g, ok := groupOf[k]
		if !ok || !slices.Contains(Groups, g) {
			t.Errorf("kind %s has no group (%q)", k, g)
		}
	}
	for _, k := range []string{"central_grant", "central_investment", "provincial_grant", "city_fiscal", "district_fiscal",
		"special_fund", "special_bond", "corporate_bond", "policy_loan", "commercial_loan"} {
		if GroupOf(k) != Government {
			t.Errorf("%s is in %s, want government", k, GroupOf(k))
		}
	}
	if GroupOf("unheard_of") != OtherSources {
		t.Errorf("an unknown kind is in %s", GroupOf("unheard_of"))
	}
}

// TestGroupSources: kinds are summed into their groups in the page's order
// (kinds in funding.Kinds' order within a group), the plan beside what came
// in; a group with nothing is left out, and the total is the groups' sum.
func TestGroupSources(t *testing.T) {
	a := money.MustParse
	sources := []works.SourceLine{
		{Fund: "A", Kind: "donation", Received: a("10"), Remainder: a("10")},
		{Fund: "B", Kind: "special_bond", AllocatedIn: a("300"), Spent: a("100"), Remainder: a("200")},
		{Fund: "C", Kind: "central_grant", AllocatedIn: a("500"), Spent: a("400"), Returned: a("50"), Remainder: a("50")},
		{Fund: "D", Kind: "central_grant", Received: a("20"), Spent: a("20")},
		{Fund: "E", Kind: "resident_contribution", Received: a("7.5"), Remainder: a("7.5")},
	}
	plan := []programme.KindLine{{Kind: "central_grant", Planned: a("600")}, {Kind: "provident_fund", Planned: a("90")}}
	groups, total := groupSources(sources, plan)
	var got []string
	for _, g := range groups {
		for _, k := range g.Kinds {
			got = append(got, g.Group+"/"+k.Kind)
		}
	}
	want := []string{"government/central_grant", "government/special_bond", "residents/resident_contribution",
		"provident_fund/provident_fund", "others/donation"}
	if !slices.Equal(got, want) {
		t.Fatalf("groups %v, want %v", got, want)
	}
	gov := groups[0]
	if gov.Planned != a("600") || gov.Received != a("820") || gov.Spent != a("520") || gov.Returned != a("50") || gov.Held != a("250") {
		t.Errorf("government %+v", gov.Money)
	}
	if k := gov.Kinds[0]; k.Received != a("520") || k.Spent != a("420") {
		t.Errorf("central grant %+v", k)
	}
	if total != (Money{Planned: a("690"), Received: a("837.5"), Spent: a("520"), Returned: a("50"), Held: a("267.5")}) {
		t.Errorf("total %+v", total)
	}
}
