package demo

import (
	"fmt"
	"strconv"

	"github.com/shopspring/decimal"

	"renofund/funding"
	"renofund/funding/programme"
	"renofund/funding/works"
	"renofund/internal/money"
)

// PlanYears are the demo programme's years (连云港 2021–2023): projects
// take them in turn.
var PlanYears = []int{2021, 2022, 2023}

// planYear is the plan year of the i-th project registered.
func planYear(i int) *int {
	y := PlanYears[i%len(PlanYears)]
	return &y
}

// DuePerHousehold is what each household is due to contribute in the demo
// (its receipts run from ¥200 to ¥1,200, so about half owe).
var DuePerHousehold = money.MustParse("800.00")

// programme gives the city its plan: yearly targets that are exactly what
// the projects of each plan year add up to (over the three years, the
// city's 399 / 74,365 / 7,416,800 m²), each project's status history as
// far as its contract went (planned in its plan year, under construction
// when its contract was signed, accepted and settled when its contract
// was), a funding plan per project (what came in of each kind, rounded up
// to the ten thousand yuan), and each project's residents' dues.
func (b *builder) programme() error {
	if err := b.flush(); err != nil {
		return err
	}
	prog, ws := b.svc.Programme, b.svc.Movements.Works
	targets := map[int]*programme.TargetIn{}
	for _, y := range PlanYears {
		targets[y] = &programme.TargetIn{FloorAreaM2: money.RateFromDecimal(decimal.Zero),
			DocumentNo: fmt.Sprintf("连政办发〔%d〕%d号", y-1, 120+y%10)}
	}
	for _, p := range b.made {
		t := targets[*p.PlanYear]
		t.Communities, t.Households = t.Communities+1, t.Households+p.Households
		t.FloorAreaM2 = money.RateFromDecimal(t.FloorAreaM2.Decimal().Add(p.FloorAreaM2.Decimal()))
	}
	for _, y := range PlanYears {
		if _, err := prog.SetTarget(b.ctx, strconv.Itoa(y), *targets[y]); err != nil {
			return fmt.Errorf("demo targets %d: %w", y, err)
		}
	}
	for _, p := range b.made {
		if err := b.statuses(prog, ws, p); err != nil {
			return err
		}
		if err := b.fundingPlan(prog, p); err != nil {
			return err
		}
		per := DuePerHousehold
		if _, err := prog.SetDues(b.ctx, p.Code, programme.DuesIn{PerHousehold: &per}); err != nil {
			return fmt.Errorf("demo dues at %s: %w", p.Code, err)
		}
	}
	return nil
}

// statuses records a project's steps as far as its contracts went.
func (b *builder) statuses(prog *programme.Service, ws *works.Service, p funding.Project) error {
	step := func(status, on, doc string) error {
		_, err := prog.ChangeStatus(b.ctx, p.Code, programme.StatusIn{Status: status, On: on, DocumentNo: doc})
		if err != nil {
			return fmt.Errorf("demo status %s of %s: %w", status, p.Code, err)
		}
		return nil
	}
	if err := step(funding.StatusPlanned, fmt.Sprintf("%d-03-01", *p.PlanYear),
		fmt.Sprintf("连政办发〔%d〕%d号", *p.PlanYear-1, 120+*p.PlanYear%10)); err != nil {
		return err
	}
	cs, err := ws.Contracts(b.ctx, p.Code, "", 100)
	if err != nil || len(cs) == 0 {
		return err
	}
	c := cs[0]
	if err := step(funding.StatusUnderConstruction, c.SignedOn, c.TenderRef); err != nil {
		return err
	}
	for _, a := range c.Acceptances {
		if a.Result == works.Passed {
			if err := step(funding.StatusAccepted, a.AcceptedOn, "竣工验收 "+a.ID); err != nil {
				return err
			}
		}
	}
	if c.Settlement != nil {
		return step(funding.StatusSettled, c.Settlement.SettledOn, c.Settlement.ReviewRef)
	}
	return nil
}

// fundingPlan plans what the project's funds brought in of each kind,
// rounded up to the ten thousand yuan.
func (b *builder) fundingPlan(prog *programme.Service, p funding.Project) error {
	kinds, err := prog.KindLines(b.ctx, p.Code)
	if err != nil {
		return err
	}
	in := programme.PlanIn{DocumentNo: fmt.Sprintf("%s资金筹措方案", p.Code)}
	const step = money.Amount(10_000_00)
	for _, k := range kinds {
		in.Lines = append(in.Lines, programme.PlanLine{Kind: k.Kind, Amount: (k.Received + step - 1) / step * step})
	}
	if _, err := prog.SetPlan(b.ctx, p.Code, in); err != nil {
		return fmt.Errorf("demo funding plan at %s: %w", p.Code, err)
	}
	return nil
}
