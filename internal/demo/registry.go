package demo

import (
	"fmt"

	"renofund/funding"
	"renofund/internal/money"
)

var streets = []string{"新浦", "朝阳", "解放", "海连", "通灌", "建设", "人民", "盐河", "苍梧", "幸福", "花果山", "郁州", "振兴", "民主", "瀛洲"}

// registry creates the districts and the 399 projects, splitting households
// and floor area so that the city totals are exact.
func (b *builder) registry() error {
	weights := make([]int64, len(Districts))
	for i, d := range Districts {
		weights[i] = d.Weight
	}
	perDistrict, err := money.SplitInt(money.Amount(b.projects), weights)
	if err != nil {
		return err
	}
	sizes := make([]int64, b.projects)
	for i := range sizes {
		sizes[i] = 50 + b.rng.Int64N(400) // community size weight
	}
	households, _ := money.SplitInt(money.Amount(b.households), sizes)
	area, _ := money.SplitInt(money.Amount(b.area), sizes)
	i := 0
	for di, d := range Districts {
		if _, err := b.svc.Registry.CreateDistrict(b.ctx, funding.District{Code: d.Code, Name: d.Name}); err != nil {
			return fmt.Errorf("district %s: %w", d.Code, err)
		}
		b.sum.Districts++
		for k := int64(1); k <= int64(perDistrict[di]); k++ {
			hh, m2 := int64(households[i]), int64(area[i])
			p := funding.Project{
				Code:        fmt.Sprintf("%s-%03d", d.Code, k),
				Name:        fmt.Sprintf("%s%s小区", streets[b.rng.IntN(len(streets))], []string{"一", "二", "三", "四", "五", "六"}[b.rng.IntN(6)]+"村"),
				District:    d.Code,
				Households:  hh,
				FloorAreaM2: money.MustRate(fmt.Sprint(m2)),
				Buildings:   max(1, hh/40),
				BuiltYear:   1980 + b.rng.IntN(20),
				PlanYear:    planYear(i),
				Budget: funding.Budget{
					Basic:       yuan(m2 * (180 + b.rng.Int64N(60))),
					Improvement: yuan(m2 * (60 + b.rng.Int64N(40))),
					Upgrade:     yuan(m2 * (20 + b.rng.Int64N(30))),
				},
			}
			if _, err := b.svc.Registry.CreateProject(b.ctx, p); err != nil {
				return fmt.Errorf("project %s: %w", p.Code, err)
			}
			b.made = append(b.made, p)
			b.sum.Projects++
			i++
		}
	}
	return nil
}
