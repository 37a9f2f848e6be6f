package tax

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"renofund/internal/money"
)

// Service is a community family service that the relief regimes cover.
type Service string

// The services the regimes relieve; any other value is refused.
const (
	ElderlyCare  Service = "elderly_care"
	Childcare    Service = "childcare"
	Housekeeping Service = "housekeeping"
)

// DefaultCITRate is the enterprise income tax rate (25%) that the caller
// applies when a request names none. ServiceRelief itself never defaults:
// a zero CITRate means a zero rate.
const DefaultCITRate = "0.25"

// excludedShare is the part of relieved income left out of taxable income:
// it counts at 90%, so 10% is excluded.
var excludedShare = money.MustRate("0.1")

var one = decimal.NewFromInt(1)

// Premises describes the premises a provider uses for the relieved service.
// Every field is optional; a zero base or rate gives a zero item.
type Premises struct {
	DeedValue       money.Amount // price the deed tax (契税) would be levied on
	DeedRate        money.Rate   // deed tax rate, 0.03–0.05
	PropertyTaxBase money.Amount // residual value or rent the property tax is levied on
	PropertyTaxRate money.Rate   // 0.012 of residual value or 0.12 of rent
	LandM2          money.Rate   // land area in square metres
	LandRate        money.Rate   // urban land use tax in yuan per m² per year, 0.6–30
}

// ReliefInput is one provider's relieved service income, on one date or over
// one period. Give either On or both From and To, never both.
type ReliefInput struct {
	Service  Service
	On       time.Time    // the date the relief is computed for
	From, To time.Time    // or a period, both days inclusive
	Revenue  money.Amount // service income
	VATRate  money.Rate   // VAT rate the income would otherwise bear, ≤ 1
	CITRate  money.Rate   // enterprise income tax rate, ≤ 1 (see DefaultCITRate)
	Premises Premises
}

// ReliefItems are the amounts of one relief computation, each rounded half-up
// to the fen. IncomeExcluded is a reduction of the taxable base, not money
// saved, so Total leaves it out: Total = VATExempt + CITSaving +
// DeedTaxExempt + PropertyTaxExempt + LandUseTaxExempt.
type ReliefItems struct {
	VATExempt         money.Amount // Revenue × VATRate
	IncomeExcluded    money.Amount // 10% of Revenue
	CITSaving         money.Amount // IncomeExcluded × CITRate
	DeedTaxExempt     money.Amount // DeedValue × DeedRate
	PropertyTaxExempt money.Amount // PropertyTaxBase × PropertyTaxRate
	LandUseTaxExempt  money.Amount // LandM2 × LandRate
	Total             money.Amount
}

func (s *ReliefItems) add(o ReliefItems) {
	s.VATExempt += o.VATExempt
	s.IncomeExcluded += o.IncomeExcluded
	s.CITSaving += o.CITSaving
	s.DeedTaxExempt += o.DeedTaxExempt
	s.PropertyTaxExempt += o.PropertyTaxExempt
	s.LandUseTaxExempt += o.LandUseTaxExempt
	s.Total += o.Total
}

// ReliefPart is the slice of a computation that falls in one regime, or in
// none (Regime ""), with its share of each base and the items computed from
// those shares.
type ReliefPart struct {
	Regime          string
	From, To        time.Time // inclusive, UTC midnight
	Days            int
	Revenue         money.Amount
	DeedValue       money.Amount
	PropertyTaxBase money.Amount
	LandUseTaxBase  money.Amount // the part's share of LandM2 × LandRate
	ReliefItems
}

// Relief is the tax forgone on a provider's service income. Regime is the
// code of the regime applied ("" when none), or for a period the codes of
// the regimes it touches joined by "+"; the items are the sums over Parts.
type Relief struct {
	Regime string
	ReliefItems
	Parts []ReliefPart
}

// ServiceRelief computes the relief for a provider's service income on the
// date On, under the regime RegimeOn(On): VATExempt = Revenue × VATRate,
// IncomeExcluded = 10% of Revenue, CITSaving = IncomeExcluded × CITRate, and
// each premises item is its base × rate (land: LandM2 × LandRate, as money),
// each rounded half-up to the fen; outside every regime every item is zero.
// Bad input is an error wrapping ErrInvalid.
//
// Instead of On the caller may give a period From..To, both days inclusive.
// The period is cut at every regime boundary into consecutive parts, each
// lying wholly inside one regime or wholly outside all of them. The revenue,
// the deed value, the property-tax base and the land-use-tax base (LandM2 ×
// LandRate rounded half-up to the fen once, for the whole period) are each
// divided among the parts in proportion to their numbers of days with
// money.SplitInt (largest remainder, ties to the earlier part), so the parts
// of each base sum exactly to that base; the bases are apportioned as given,
// not prorated to the period's length. Each part's items are then computed
// from its shares exactly as for a single date under that part's regime, each
// rounded half-up to the fen, and a part outside every regime gets zero
// items. The result's items are the sums of the parts' items (so they can
// differ by a few fen from computing on the unsplit bases), and its Regime is
// the codes of the regimes the period touches, in date order, joined by "+"
// (2025-12-01..2026-01-31 gives "2019-76+2026-7"), or "" when it touches
// none. Parts lists every part in date order; a single date, or a period
// within one regime, gives exactly one part and the same result as On.
func ServiceRelief(in ReliefInput) (Relief, error) {
	from, to, err := in.period()
	if err != nil {
		return Relief{}, err
	}
	if err := in.validate(); err != nil {
		return Relief{}, err
	}
	land, err := landTax(in.Premises)
	if err != nil {
		return Relief{}, err
	}

	spans := periodParts(from, to)
	days := make([]int64, len(spans))
	for i, s := range spans {
		days[i] = s.days
	}
	var shares [4][]money.Amount
	for k, base := range [4]money.Amount{in.Revenue, in.Premises.DeedValue, in.Premises.PropertyTaxBase, land} {
		if shares[k], err = money.SplitInt(base, days); err != nil {
			return Relief{}, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
	}

	var out Relief
	var codes []string
	for i, s := range spans {
		p := ReliefPart{
			Regime:          s.regime,
			From:            s.from,
			To:              s.to,
			Days:            int(s.days),
			Revenue:         shares[0][i],
			DeedValue:       shares[1][i],
			PropertyTaxBase: shares[2][i],
			LandUseTaxBase:  shares[3][i],
		}
		if s.regime != "" {
			p.ReliefItems = in.items(p)
			codes = append(codes, s.regime)
		}
		out.add(p.ReliefItems)
		out.Parts = append(out.Parts, p)
	}
	out.Regime = strings.Join(codes, "+")
	return out, nil
}

// items computes one part's relief from its shares of the bases.
func (in ReliefInput) items(p ReliefPart) ReliefItems {
	it := ReliefItems{
		VATExempt:         p.Revenue.Mul(in.VATRate),
		IncomeExcluded:    p.Revenue.Mul(excludedShare),
		DeedTaxExempt:     p.DeedValue.Mul(in.Premises.DeedRate),
		PropertyTaxExempt: p.PropertyTaxBase.Mul(in.Premises.PropertyTaxRate),
		LandUseTaxExempt:  p.LandUseTaxBase,
	}
	it.CITSaving = it.IncomeExcluded.Mul(in.CITRate)
	it.Total = it.VATExempt + it.CITSaving + it.DeedTaxExempt + it.PropertyTaxExempt + it.LandUseTaxExempt
	return it
}

// period resolves On or From..To into an inclusive range of UTC midnights.
func (in ReliefInput) period() (from, to time.Time, err error) {
	switch {
	case in.From.IsZero() && in.To.IsZero():
		if in.On.IsZero() {
			return from, to, fmt.Errorf("%w: a date (on) or a period (from, to) is required", ErrInvalid)
		}
		d := civil(in.On)
		return d, d, nil
	case !in.On.IsZero():
		return from, to, fmt.Errorf("%w: give either a date (on) or a period (from, to), not both", ErrInvalid)
	case in.From.IsZero() || in.To.IsZero():
		return from, to, fmt.Errorf("%w: a period needs both from and to", ErrInvalid)
	}
	from, to = civil(in.From), civil(in.To)
	if to.Before(from) {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: period ends %s before it starts %s",
			ErrInvalid, to.Format(time.DateOnly), from.Format(time.DateOnly))
	}
	return from, to, nil
}

func (in ReliefInput) validate() error {
	switch in.Service {
	case ElderlyCare, Childcare, Housekeeping:
	default:
		return fmt.Errorf("%w: unknown service %q", ErrInvalid, in.Service)
	}
	for _, a := range []struct {
		name string
		v    money.Amount
	}{
		{"revenue", in.Revenue},
		{"deed_value", in.Premises.DeedValue},
		{"property_tax_base", in.Premises.PropertyTaxBase},
	} {
		if a.v < 0 || a.v > money.Max {
			return fmt.Errorf("%w: %s %s must be between 0 and 10^15 yuan", ErrInvalid, a.name, a.v)
		}
	}
	for _, r := range []struct {
		name    string
		v       money.Rate
		upToOne bool
	}{
		{"vat_rate", in.VATRate, true},
		{"cit_rate", in.CITRate, true},
		{"deed_rate", in.Premises.DeedRate, true},
		{"property_tax_rate", in.Premises.PropertyTaxRate, true},
		{"land_m2", in.Premises.LandM2, false},
		{"land_rate", in.Premises.LandRate, false},
	} {
		d := r.v.Decimal()
		if d.Sign() < 0 {
			return fmt.Errorf("%w: %s %s is negative", ErrInvalid, r.name, r.v)
		}
		if r.upToOne && d.GreaterThan(one) {
			return fmt.Errorf("%w: %s %s is above 1", ErrInvalid, r.name, r.v)
		}
	}
	return nil
}

// landTax is the annual urban land use tax on the premises, LandM2 ×
// LandRate rounded half-up to the fen.
func landTax(p Premises) (money.Amount, error) {
	d := p.LandM2.Decimal().Mul(p.LandRate.Decimal())
	if d.GreaterThan(decimal.NewFromInt(money.MaxYuan)) {
		return 0, fmt.Errorf("%w: land_m2 × land_rate exceeds 10^15 yuan", ErrInvalid)
	}
	return money.FromDecimal(d), nil
}
