package disclosure

import (
	"slices"

	"renofund/funding"
	"renofund/funding/programme"
	"renofund/funding/works"
	"renofund/internal/money"
)

// The groups of sources a disclosure page shows, in its order: the issue's
// government, residents, utilities, maintenance fund, provident fund and
// others.
const (
	Government   = "government"
	Residents    = "residents"
	Utilities    = "utilities"
	Maintenance  = "maintenance_fund"
	Provident    = "provident_fund"
	OtherSources = "others"
)

// Groups lists the groups in the page's order.
var Groups = []string{Government, Residents, Utilities, Maintenance, Provident, OtherSources}

// groupOf is each fund kind's group: government money is every fiscal
// grant, investment, special fund, bond and loan; what the community's
// owners, utilities and employers put in has a group of its own or is
// among the others.
var groupOf = map[string]string{
	"central_grant": Government, "central_investment": Government, "provincial_grant": Government,
	"city_fiscal": Government, "district_fiscal": Government, "special_fund": Government,
	"special_bond": Government, "corporate_bond": Government, "policy_loan": Government, "commercial_loan": Government,
	"resident_contribution": Residents,
	"utility_self_funding":  Utilities,
	"maintenance_fund":      Maintenance,
	"provident_fund":        Provident,
	"social_capital":        OtherSources, "employer_contribution": OtherSources, "public_revenue": OtherSources,
	"donation": OtherSources,
}

// GroupOf is the group of a fund kind (others for a kind it does not know).
func GroupOf(kind string) string {
	if g, ok := groupOf[kind]; ok {
		return g
	}
	return OtherSources
}

// Money is what one source (a kind, a group, or all) brought to the
// project: planned in the funding plan (资金筹措方案), received (receipts
// into the project's holdings and allocations down to it, net of
// reversals), spent, returned up the tree, and still held.
type Money struct {
	Planned  money.Amount `json:"planned"`
	Received money.Amount `json:"received"`
	Spent    money.Amount `json:"spent"`
	Returned money.Amount `json:"returned"`
	Held     money.Amount `json:"held"`
}

func (m *Money) add(o Money) {
	m.Planned += o.Planned
	m.Received += o.Received
	m.Spent += o.Spent
	m.Returned += o.Returned
	m.Held += o.Held
}

// KindMoney is one fund kind's money at the project.
type KindMoney struct {
	Kind string `json:"kind"`
	Money
}

// SourceGroup is one group's money with its kinds.
type SourceGroup struct {
	Group string      `json:"group"`
	Kinds []KindMoney `json:"kinds"`
	Money
}

// groupSources sums the final accounts' sources and the funding plan per
// kind and group, in the order of Groups and, within a group, of
// funding.Kinds; groups with nothing planned or received are left
// out. It returns the groups and their total.
func groupSources(sources []works.SourceLine, plan []programme.KindLine) ([]SourceGroup, Money) {
	byKind := map[string]*KindMoney{}
	var order []string
	kind := func(k string) *KindMoney {
		if m, ok := byKind[k]; ok {
			return m
		}
		byKind[k] = &KindMoney{Kind: k}
		order = append(order, k)
		return byKind[k]
	}
	for _, l := range plan {
		kind(l.Kind).Planned += l.Planned
	}
	for _, s := range sources {
		kind(s.Kind).add(Money{Received: s.Received + s.AllocatedIn, Spent: s.Spent, Returned: s.Returned, Held: s.Remainder})
	}
	slices.SortStableFunc(order, func(a, b string) int { return slices.Index(funding.Kinds, a) - slices.Index(funding.Kinds, b) })
	var out []SourceGroup
	var total Money
	for _, g := range Groups {
		sg := SourceGroup{Group: g, Kinds: []KindMoney{}}
		for _, k := range order {
			if GroupOf(k) == g {
				sg.Kinds = append(sg.Kinds, *byKind[k])
				sg.add(byKind[k].Money)
			}
		}
		if len(sg.Kinds) > 0 {
			out = append(out, sg)
			total.add(sg.Money)
		}
	}
	return out, total
}
