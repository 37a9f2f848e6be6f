package taxbook

import (
	"context"
	"fmt"
	"time"

	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/money"
	"renofund/tax"
)

// Premises are the provider's premises whose taxes are exempt.
type Premises struct {
	DeedValue       money.Amount `json:"deed_value,omitempty"`
	DeedRate        money.Rate   `json:"deed_rate,omitempty"`
	PropertyTaxBase money.Amount `json:"property_tax_base,omitempty"`
	PropertyTaxRate money.Rate   `json:"property_tax_rate,omitempty"`
	LandM2          money.Rate   `json:"land_m2,omitempty"`
	LandRate        money.Rate   `json:"land_rate,omitempty"`
}

// ReliefIn is the body of POST /v1/tax/service-relief. Either on (a date)
// or from and to (a period, both days inclusive) is given.
type ReliefIn struct {
	Service  string       `json:"service"`
	On       string       `json:"on,omitempty"`
	From     string       `json:"from,omitempty"`
	To       string       `json:"to,omitempty"`
	Revenue  money.Amount `json:"revenue"`
	VATRate  money.Rate   `json:"vat_rate"`
	CITRate  *money.Rate  `json:"cit_rate,omitempty"`
	Project  string       `json:"project,omitempty"`
	Provider *Party       `json:"provider,omitempty"`
	Premises *Premises    `json:"premises,omitempty"`
}

// ReliefPart is the share of a period that fell under one regime (or none).
type ReliefPart struct {
	Regime  *string      `json:"regime"`
	From    string       `json:"from"`
	To      string       `json:"to"`
	Days    int          `json:"days"`
	Revenue money.Amount `json:"revenue"`
	Total   money.Amount `json:"total"`
}

// Relief is a recorded service-relief calculation.
type Relief struct {
	ID                string       `json:"id"`
	Regime            *string      `json:"regime"`
	VATExempt         money.Amount `json:"vat_exempt"`
	IncomeExcluded    money.Amount `json:"income_excluded"`
	CITSaving         money.Amount `json:"cit_saving"`
	DeedTaxExempt     money.Amount `json:"deed_tax_exempt"`
	PropertyTaxExempt money.Amount `json:"property_tax_exempt"`
	LandUseTaxExempt  money.Amount `json:"land_use_tax_exempt"`
	Total             money.Amount `json:"total"`
	Parts             []ReliefPart `json:"parts"`
	Project           string       `json:"project,omitempty"`
	Provider          *Party       `json:"provider,omitempty"`
}

func regimeOf(code string) *string {
	if code == "" {
		return nil
	}
	return &code
}

// ServiceRelief computes the relief of a community elderly-care, childcare
// or housekeeping provider and records it as tax expenditure.
func (b *Book) ServiceRelief(ctx context.Context, in ReliefIn) (*Relief, error) {
	if err := in.Provider.check("provider", false); err != nil {
		return nil, err
	}
	if in.Revenue > money.Max {
		return nil, fmt.Errorf("%w: revenue too large", errs.ErrInvalidAmount)
	}
	ti := tax.ReliefInput{Service: tax.Service(in.Service), Revenue: in.Revenue, VATRate: in.VATRate,
		CITRate: money.MustRate(tax.DefaultCITRate)}
	if in.CITRate != nil {
		ti.CITRate = *in.CITRate
	}
	var err error
	if in.On != "" {
		if ti.On, err = field.Date("on", in.On); err != nil {
			return nil, err
		}
	}
	if in.From != "" || in.To != "" {
		if ti.From, err = field.Date("from", in.From); err != nil {
			return nil, err
		}
		if ti.To, err = field.Date("to", in.To); err != nil {
			return nil, err
		}
	}
	if p := in.Premises; p != nil {
		ti.Premises = tax.Premises{DeedValue: p.DeedValue, DeedRate: p.DeedRate, PropertyTaxBase: p.PropertyTaxBase,
			PropertyTaxRate: p.PropertyTaxRate, LandM2: p.LandM2, LandRate: p.LandRate}
	}
	res, err := tax.ServiceRelief(ti)
	if err != nil {
		return nil, classify(err)
	}
	district, err := b.scope(ctx, in.Project)
	if err != nil {
		return nil, err
	}
	out := &Relief{Regime: regimeOf(res.Regime), VATExempt: res.VATExempt, IncomeExcluded: res.IncomeExcluded,
		CITSaving: res.CITSaving, DeedTaxExempt: res.DeedTaxExempt, PropertyTaxExempt: res.PropertyTaxExempt,
		LandUseTaxExempt: res.LandUseTaxExempt, Total: res.Total, Project: in.Project, Provider: in.Provider}
	for _, p := range res.Parts {
		out.Parts = append(out.Parts, ReliefPart{Regime: regimeOf(p.Regime), From: p.From.Format(time.DateOnly),
			To: p.To.Format(time.DateOnly), Days: p.Days, Revenue: p.Revenue, Total: p.Total})
	}
	on := in.On
	if on == "" {
		on = in.From
	}
	r := &record{Kind: KindServiceRelief, Project: in.Project, District: district, Regime: res.Regime, On: on,
		Total: res.Total, Detail: struct {
			In  ReliefIn `json:"input"`
			Out *Relief  `json:"result"`
		}{in, out}}
	if in.Provider != nil {
		r.PartyName, r.PartyCode = in.Provider.Name, in.Provider.CreditCode
	} else {
		r.PartyName = "(unnamed provider)"
	}
	if err := b.insert(ctx, r); err != nil {
		return nil, err
	}
	out.ID = r.ID
	return out, nil
}
