package report

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/ledger/clues"
	"renofund/internal/money"
	"renofund/internal/store"
)

// centralKinds are the central government's money, which the programme
// spends only on communities built by the end of BuiltBy.
var centralKinds = []string{"central_grant", "central_investment"}

// duplicates flags payments of the same amount to the same payee (the same
// credit code or the same bank account) booked within r.DuplicateDays of
// one another, by r.AsOf: possible false claims (虚报冒领). Payments that chain
// together make one finding, named after the first; its amount is what was
// paid beyond the first payment.
func (s *Service) duplicates(ctx context.Context, r Rules) ([]Exception, error) {
	district, err := access.From(ctx).Area("")
	if err != nil {
		return nil, err
	}
	vs, err := clues.RepeatedPayments(ctx, s.ledger.DB(), district)
	if err != nil {
		return nil, err
	}
	asOf := r.AsOf.Format(time.DateOnly)
	vs = slices.DeleteFunc(vs, func(v clues.Voucher) bool { return v.BookedOn > asOf })
	parent := make([]int, len(vs))
	for i := range parent {
		parent[i] = i
	}
	root := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i := range vs {
		limit := addDays(vs[i].BookedOn, r.DuplicateDays)
		for j := i + 1; j < len(vs) && vs[j].Amount == vs[i].Amount && vs[j].BookedOn <= limit; j++ {
			if samePayee(vs[i], vs[j]) {
				parent[root(j)] = root(i)
			}
		}
	}
	groups := map[int][]clues.Voucher{}
	var roots []int
	for i := range vs {
		k := root(i)
		if len(groups[k]) == 0 {
			roots = append(roots, k)
		}
		groups[k] = append(groups[k], vs[i])
	}
	var out []Exception
	for _, k := range roots {
		g := groups[k]
		if len(g) < 2 {
			continue
		}
		nos := []string{g[0].VoucherNo}
		var extra money.Amount
		for _, v := range g[1:] {
			nos = append(nos, v.VoucherNo)
			sum, ok := money.Sum(extra, v.Amount)
			if !ok {
				return nil, ErrTooLarge
			}
			extra = sum
		}
		first := g[0]
		out = append(out, Exception{ID: findingID(ExDuplicate, first.VoucherNo), Code: ExDuplicate,
			Rule: "财政违法行为处罚处分条例 §6 (虚报冒领)", Severity: "high", Subject: "vouchers " + strings.Join(nos, ", "),
			District: first.District, Amount: extra, On: g[1].BookedOn,
			Detail: fmt.Sprintf("%d payments of %s to %s between %s and %s, each within %d days of another",
				len(g), first.Amount, payee(first), first.BookedOn, g[len(g)-1].BookedOn, r.DuplicateDays)})
	}
	return out, nil
}

func samePayee(a, b clues.Voucher) bool {
	return (a.PayeeCreditCode != "" && a.PayeeCreditCode == b.PayeeCreditCode) ||
		(a.PayeeBankAccount != "" && a.PayeeBankAccount == b.PayeeBankAccount)
}

func payee(v clues.Voucher) string {
	if v.PayeeCreditCode != "" {
		return v.PayeeName + " (" + v.PayeeCreditCode + ")"
	}
	return v.PayeeName + " (account " + v.PayeeBankAccount + ")"
}

// addDays is the date n days after a booking date.
func addDays(date string, n int) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return t.AddDate(0, 0, n).Format(time.DateOnly)
}

// centralIneligible flags central money (see centralKinds) that reached a
// project built after BuiltBy: one finding per fund and project, for what
// was received or allocated there, dated from the first of it.
func (s *Service) centralIneligible(ctx context.Context, _ Rules) ([]Exception, error) {
	district, err := access.From(ctx).Area("")
	if err != nil {
		return nil, err
	}
	funds, err := s.reg.Funds(ctx, funding.FundFilter{Kinds: centralKinds})
	if err != nil || len(funds) == 0 {
		return nil, err
	}
	rows, err := s.ledger.Flows(ctx, ledger.FlowFilter{Funds: funding.Codes(funds), District: district})
	if err != nil {
		return nil, err
	}
	built, err := s.builtYears(ctx, district)
	if err != nil {
		return nil, err
	}
	var out []Exception
	for _, row := range rows {
		arrived := row.Received + row.AllocatedIn
		year, ok := built[row.Project]
		if !ok || year <= BuiltBy || arrived <= 0 {
			continue
		}
		out = append(out, Exception{ID: findingID(ExCentral, row.Fund, row.Holder), Code: ExCentral,
			Rule: "城镇老旧小区改造 (2000年底前建成)", Severity: "high", Subject: row.Fund + " at " + row.Holder,
			District: row.District, Amount: arrived, On: row.FirstIn,
			Detail: fmt.Sprintf("%s of central money reached %s, built in %d, after the programme's %d limit",
				arrived, row.Project, year, BuiltBy)})
	}
	return out, nil
}

// builtYears maps the projects (of one district when given) to the year
// they were built.
func (s *Service) builtYears(ctx context.Context, district string) (map[string]int, error) {
	out := map[string]int{}
	for after := ""; ; {
		ps, err := s.reg.Projects(ctx, district, after, 1000)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			out[p.Code] = p.BuiltYear
		}
		if len(ps) < 1000 {
			return out, nil
		}
		after = ps[len(ps)-1].Code
	}
}

// lateEntries flags vouchers recorded more than r.LateDays after the date
// they were booked on (the recording date read in the booking zone), as of
// r.AsOf: one finding per area and recording day, since a backlog is
// entered in one sitting; dated from its oldest booking.
func (s *Service) lateEntries(ctx context.Context, r Rules) ([]Exception, error) {
	district, err := access.From(ctx).Area("")
	if err != nil {
		return nil, err
	}
	asOf, _ := time.Parse(time.DateOnly, r.AsOf.Format(time.DateOnly))
	until := time.Date(asOf.Year(), asOf.Month(), asOf.Day()+1, 0, 0, 0, 0, field.Zone)
	vs, err := clues.RecordedAfter(ctx, s.ledger.DB(), district, store.FormatTime(until), r.LateDays == 0)
	if err != nil {
		return nil, err
	}
	type sitting struct {
		area, day, oldest string
		amount            money.Amount
		count, maxGap     int
		by                map[string]bool
	}
	byKey := map[[2]string]*sitting{}
	var keys [][2]string
	for _, v := range vs {
		at, err := time.Parse("2006-01-02T15", v.Hour)
		if err != nil {
			continue
		}
		day := at.In(field.Zone).Format(time.DateOnly)
		booked, _ := time.Parse(time.DateOnly, v.BookedOn)
		recorded, _ := time.Parse(time.DateOnly, day)
		gap := int(recorded.Sub(booked).Hours() / 24)
		if gap <= r.LateDays {
			continue
		}
		k := [2]string{area(v.District), day}
		g := byKey[k]
		if g == nil {
			g = &sitting{area: k[0], day: day, oldest: v.BookedOn, by: map[string]bool{}}
			byKey[k] = g
			keys = append(keys, k)
		}
		sum, ok := money.Sum(g.amount, v.Amount)
		if !ok {
			return nil, ErrTooLarge
		}
		g.amount, g.count, g.maxGap, g.by[v.RecordedBy] = sum, g.count+v.Count, max(g.maxGap, gap), true
		g.oldest = min(g.oldest, v.BookedOn)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i][0] < keys[j][0] || keys[i][0] == keys[j][0] && keys[i][1] < keys[j][1]
	})
	var out []Exception
	for _, k := range keys {
		g := byKey[k]
		out = append(out, Exception{ID: findingID(ExLateEntry, g.area, g.day), Code: ExLateEntry,
			Rule: "会计基础工作规范 (及时记账)", Severity: "medium", Subject: "vouchers of " + g.area + " recorded on " + g.day,
			District: districtOf(g.area), Amount: g.amount, On: g.oldest,
			Detail: fmt.Sprintf("%d voucher(s) recorded on %s by %s, booked up to %d days earlier (the oldest on %s)",
				g.count, g.day, strings.Join(sortedKeys(g.by), ", "), g.maxGap, g.oldest)})
	}
	return out, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
