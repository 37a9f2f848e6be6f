package taxbook

import (
	"context"
	"fmt"

	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/money"
	"renofund/tax"
)

// AssetIn is the body of POST /v1/tax/utility-assets.
type AssetIn struct {
	Utility     *Party       `json:"utility"`
	Project     string       `json:"project"`
	Description string       `json:"description"`
	AssetClass  string       `json:"asset_class"`
	Nature      string       `json:"nature"`
	Cost        money.Amount `json:"cost"`
	InServiceOn string       `json:"in_service_on"`
	LifeYears   int          `json:"life_years,omitempty"`
}

// ScheduleRow is one month of depreciation.
type ScheduleRow struct {
	Month        string       `json:"month"`
	Depreciation money.Amount `json:"depreciation"`
	Accumulated  money.Amount `json:"accumulated"`
	Net          money.Amount `json:"net"`
}

// Asset is a recorded utility asset with its schedule. TaxExpenditure is the
// income tax the deductions save over the asset's life (cost × 25%).
type Asset struct {
	ID             string        `json:"id"`
	Project        string        `json:"project"`
	Utility        *Party        `json:"utility"`
	Description    string        `json:"description"`
	AssetClass     string        `json:"asset_class"`
	Nature         string        `json:"nature"`
	Cost           money.Amount  `json:"cost"`
	LifeYears      int           `json:"life_years"`
	TaxExpenditure money.Amount  `json:"tax_expenditure"`
	Schedule       []ScheduleRow `json:"schedule"`
}

// UtilityAsset depreciates a utility's renovated asset (or expenses its
// maintenance) and records the schedule against the project.
func (b *Book) UtilityAsset(ctx context.Context, in AssetIn) (*Asset, error) {
	if err := in.Utility.check("utility", true); err != nil {
		return nil, err
	}
	if in.Description == "" || len([]rune(in.Description)) > 500 {
		return nil, fmt.Errorf("%w: description is required (at most 500 characters)", errs.ErrInvalidRequest)
	}
	if in.Cost <= 0 || in.Cost > money.Max {
		return nil, fmt.Errorf("%w: cost must be greater than zero and at most 10^15 yuan", errs.ErrInvalidAmount)
	}
	on, err := field.Date("in_service_on", in.InServiceOn)
	if err != nil {
		return nil, err
	}
	if in.Project == "" {
		return nil, fmt.Errorf("%w: project is required", errs.ErrInvalidRequest)
	}
	sched, err := tax.Depreciate(tax.Asset{Class: tax.AssetClass(in.AssetClass), Nature: tax.Nature(in.Nature),
		Cost: in.Cost, InService: on, LifeYears: in.LifeYears})
	if err != nil {
		return nil, classify(err)
	}
	district, err := b.scope(ctx, in.Project)
	if err != nil {
		return nil, err
	}
	out := &Asset{Project: in.Project, Utility: in.Utility, Description: in.Description, AssetClass: in.AssetClass,
		Nature: in.Nature, Cost: in.Cost, LifeYears: sched.LifeYears, TaxExpenditure: in.Cost.Mul(UtilityCITRate),
		Schedule: make([]ScheduleRow, len(sched.Rows))}
	for i, r := range sched.Rows {
		out.Schedule[i] = ScheduleRow{Month: r.Month, Depreciation: r.Depreciation, Accumulated: r.Accumulated, Net: r.Net}
	}
	rec := &record{Kind: KindUtilityAsset, Project: in.Project, District: district, PartyName: in.Utility.Name,
		PartyCode: in.Utility.CreditCode, On: in.InServiceOn, Total: out.TaxExpenditure, Detail: out}
	if err := b.insert(ctx, rec); err != nil {
		return nil, err
	}
	out.ID = rec.ID
	return out, nil
}
