package tax

import (
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"

	"renofund/internal/money"
)

// checkRelief verifies the invariants of any result: parts cover the period
// day by day, each base's shares sum to the base, the items are the sums of
// the parts' items and each total is the sum of its items.
func checkRelief(t *testing.T, in ReliefInput, got Relief) {
	t.Helper()
	from, to := civil(in.On), civil(in.On)
	if in.On.IsZero() {
		from, to = civil(in.From), civil(in.To)
	}
	land, err := landTax(in.Premises)
	if err != nil {
		t.Fatal(err)
	}
	var sum ReliefItems
	var rev, deed, prop, landSum money.Amount
	next := from
	for i, p := range got.Parts {
		if !p.From.Equal(next) || p.To.Before(p.From) || int64(p.Days) != dayNumber(p.To)-dayNumber(p.From)+1 {
			t.Fatalf("part %d %s..%s (%d days) does not follow on from %s", i, p.From, p.To, p.Days, next)
		}
		next = p.To.AddDate(0, 0, 1)
		if r, ok := RegimeOn(p.From); r.Code != p.Regime || (p.Regime != "") != ok {
			t.Errorf("part %d regime %q, RegimeOn(%s) = %q", i, p.Regime, p.From, r.Code)
		}
		if r, _ := RegimeOn(p.To); r.Code != p.Regime {
			t.Errorf("part %d regime %q, RegimeOn(%s) = %q", i, p.Regime, p.To, r.Code)
		}
		it := p.ReliefItems
		if it.Total != it.VATExempt+it.CITSaving+it.DeedTaxExempt+it.PropertyTaxExempt+it.LandUseTaxExempt {
			t.Errorf("part %d total %s is not the sum of its items", i, it.Total)
		}
		if p.Regime == "" && it != (ReliefItems{}) {
			t.Errorf("part %d outside every regime has relief %+v", i, it)
		}
		sum.add(it)
		rev += p.Revenue
		deed += p.DeedValue
		prop += p.PropertyTaxBase
		landSum += p.LandUseTaxBase
	}
	if !next.Equal(to.AddDate(0, 0, 1)) {
		t.Errorf("parts end %s, want %s", next.AddDate(0, 0, -1), to)
	}
	if rev != in.Revenue || deed != in.Premises.DeedValue || prop != in.Premises.PropertyTaxBase || landSum != land {
		t.Errorf("shares sum to %s %s %s %s, want %s %s %s %s", rev, deed, prop, landSum,
			in.Revenue, in.Premises.DeedValue, in.Premises.PropertyTaxBase, land)
	}
	if sum != got.ReliefItems {
		t.Errorf("items %+v are not the sum of the parts %+v", got.ReliefItems, sum)
	}
}

func TestServiceReliefRandomPeriods(t *testing.T) {
	rng := rand.New(rand.NewPCG(76, 7))
	services := []Service{ElderlyCare, Childcare, Housekeeping}
	rate := func(max int64) money.Rate {
		return money.RateFromDecimal(decimal.New(rng.Int64N(max+1), -3))
	}
	for range 2000 {
		from := day(2018, 1, 1).AddDate(0, 0, rng.IntN(365*11))
		in := ReliefInput{
			Service: services[rng.IntN(3)],
			From:    from,
			To:      from.AddDate(0, 0, rng.IntN(1500)),
			Revenue: money.Amount(rng.Int64N(int64(money.Max) + 1)),
			VATRate: rate(1000),
			CITRate: rate(1000),
			Premises: Premises{
				DeedValue: money.Amount(rng.Int64N(1e12)), DeedRate: rate(1000),
				PropertyTaxBase: money.Amount(rng.Int64N(1e12)), PropertyTaxRate: rate(1000),
				LandM2: rate(1e9), LandRate: rate(30000),
			},
		}
		got, err := ServiceRelief(in)
		if err != nil {
			t.Fatalf("ServiceRelief(%+v): %v", in, err)
		}
		checkRelief(t, in, got)
	}
}
