package demo

import (
	"fmt"

	"renofund/funding"
	"renofund/funding/movement"
	"renofund/internal/money"
)

func (b *builder) recipients(ps []funding.Project, holder func(p funding.Project) string) []movement.PlanRecipient {
	type agg struct {
		area, households, buildings, n int64
	}
	order := []string{}
	by := map[string]*agg{}
	for _, p := range ps {
		h := holder(p)
		if by[h] == nil {
			by[h] = &agg{}
			order = append(order, h)
		}
		a := by[h]
		a.area += p.FloorAreaM2.Decimal().IntPart()
		a.households += p.Households
		a.buildings += p.Buildings
		a.n++
	}
	rs := make([]movement.PlanRecipient, 0, len(order))
	for i, h := range order {
		a := by[h]
		rs = append(rs, movement.PlanRecipient{To: h, AreaM2: money.MustRate(fmt.Sprint(a.area)),
			Households: a.households, Buildings: a.buildings, Communities: a.n,
			Coefficient: money.MustRate([]string{"1", "1.1", "1.2", "0.9"}[i%4]),
			Performance: money.MustRate(fmt.Sprint(70 + (i*7)%30))})
	}
	return rs
}

var weights2021 = movement.PlanWeights{Area: money.MustRate("0.4"), Households: money.MustRate("0.3"),
	Buildings: money.MustRate("0.1"), Communities: money.MustRate("0.1"), Performance: money.MustRate("0.1")}

func (b *builder) plan(fund, from string, total money.Amount, rs []movement.PlanRecipient, on, doc string) error {
	p, err := b.svc.Movements.CreatePlan(b.ctx, movement.PlanInput{Fund: fund, From: from, Total: total, Recipients: rs,
		Weights: weights2021, AllocatedOn: on, DocumentNo: doc, Memo: "按因素法分配"})
	if err != nil {
		return fmt.Errorf("plan %s from %s: %w", fund, from, err)
	}
	p, err = b.svc.Movements.ExecutePlan(b.reviewer, p.ID)
	if err != nil {
		return fmt.Errorf("execute plan %s from %s: %w", fund, from, err)
	}
	b.sum.Transfers += len(p.Transfers)
	return nil
}

// allocate passes the city's money down by the factor method: the direct
// central grant straight to the projects, the others through the districts,
// two of which leave part of theirs undelivered past the deadline.
func (b *builder) allocate() error {
	if err := b.flush(); err != nil {
		return err
	}
	byProject := func(p funding.Project) string { return "project:" + p.Code }
	byDistrict := func(p funding.Project) string { return "district:" + p.District }
	if err := b.plan("CG-2026", "city", yuan(820_000_000), b.recipients(b.made, byProject), date(3, 10), "连财建〔2026〕21号"); err != nil {
		return err
	}
	if err := b.plan("CI-2026", "city", yuan(150_000_000), b.recipients(b.made, byProject), date(3, 25), "连发改〔2026〕33号"); err != nil {
		return err
	}
	for _, f := range []struct {
		code  string
		total int64
		on    string
	}{{"PG-2026", 300_000_000, date(3, 20)}, {"CF-2026", 196_000_000, date(2, 1)}, {"SB-2026", 500_000_000, date(4, 15)}} {
		if err := b.plan(f.code, "city", yuan(f.total), b.recipients(b.made, byDistrict), f.on, "连财建〔2026〕25号"); err != nil {
			return err
		}
	}
	// Each district passes its shares on to its projects; GN and YTS keep
	// 5% back, which the idle and pass-down checks will show.
	for _, d := range Districts {
		var ps []funding.Project
		for _, p := range b.made {
			if p.District == d.Code {
				ps = append(ps, p)
			}
		}
		if len(ps) == 0 {
			continue
		}
		for _, fund := range []string{"PG-2026", "CF-2026", "SB-2026", "DF-" + d.Code + "-2026"} {
			held, err := b.svc.Ledger.Balance(b.ctx, fund, "district:"+d.Code)
			if err != nil {
				return err
			}
			if d.Code == "GN" || d.Code == "YTS" {
				held = held * 95 / 100
			}
			if held == 0 {
				continue
			}
			if err := b.plan(fund, "district:"+d.Code, held, b.recipients(ps, byProject), date(4, 25), d.Code+"财建〔2026〕3号"); err != nil {
				return err
			}
		}
	}
	return nil
}
