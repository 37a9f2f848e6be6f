package tax

import (
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"renofund/internal/money"
)

// items builds the expected ReliefItems from two-decimal strings, in the
// order vat, income excluded, cit, deed, property, land, total.
func items(t *testing.T, s ...string) ReliefItems {
	t.Helper()
	if len(s) != 7 {
		t.Fatalf("items needs 7 amounts, got %d", len(s))
	}
	m := func(i int) money.Amount { return money.MustParse(s[i]) }
	return ReliefItems{m(0), m(1), m(2), m(3), m(4), m(5), m(6)}
}

var fullPremises = Premises{
	DeedValue:       money.MustParse("2000000"),
	DeedRate:        money.MustRate("0.03"),
	PropertyTaxBase: money.MustParse("500000"),
	PropertyTaxRate: money.MustRate("0.012"),
	LandM2:          money.MustRate("1200"),
	LandRate:        money.MustRate("6"),
}

func TestServiceReliefOnDate(t *testing.T) {
	zero := ReliefItems{}
	tests := []struct {
		name       string
		in         ReliefInput
		wantRegime string
		want       ReliefItems
	}{
		{
			name: "2019-76 with premises",
			in: ReliefInput{Service: ElderlyCare, On: day(2025, 6, 30), Revenue: money.MustParse("1000000"),
				VATRate: money.MustRate("0.06"), CITRate: money.MustRate(DefaultCITRate), Premises: fullPremises},
			wantRegime: "2019-76",
			want:       items(t, "60000.00", "100000.00", "25000.00", "60000.00", "6000.00", "7200.00", "158200.00"),
		},
		{
			name: "last day of 2019-76",
			in: ReliefInput{Service: Childcare, On: day(2025, 12, 31), Revenue: money.MustParse("100"),
				VATRate: money.MustRate("0.03"), CITRate: money.MustRate("0.25")},
			wantRegime: "2019-76",
			want:       items(t, "3.00", "10.00", "2.50", "0", "0", "0", "5.50"),
		},
		{
			name: "first day of 2026-7",
			in: ReliefInput{Service: Housekeeping, On: day(2026, 1, 1), Revenue: money.MustParse("100"),
				VATRate: money.MustRate("0.03"), CITRate: money.MustRate("0.25")},
			wantRegime: "2026-7",
			want:       items(t, "3.00", "10.00", "2.50", "0", "0", "0", "5.50"),
		},
		{
			name: "half-up at every item; cit from the rounded income excluded",
			// 1234.56 × 0.03 = 37.0368; × 0.1 = 123.456 → 123.46; × 0.25 = 30.865 → 30.87.
			in: ReliefInput{Service: ElderlyCare, On: day(2027, 12, 31), Revenue: money.MustParse("1234.56"),
				VATRate: money.MustRate("0.03"), CITRate: money.MustRate("0.25"),
				Premises: Premises{
					DeedValue: money.MustParse("0.50"), DeedRate: money.MustRate("0.05"), // 0.025 → 0.03
					PropertyTaxBase: money.MustParse("12.34"), PropertyTaxRate: money.MustRate("0.12"), // 1.4808
					LandM2: money.MustRate("100.5"), LandRate: money.MustRate("0.605"), // 60.8025
				}},
			wantRegime: "2026-7",
			want:       items(t, "37.04", "123.46", "30.87", "0.03", "1.48", "60.80", "130.22"),
		},
		{
			name: "day before 2019-76: no relief",
			in: ReliefInput{Service: ElderlyCare, On: day(2019, 5, 31), Revenue: money.MustParse("1000000"),
				VATRate: money.MustRate("0.06"), CITRate: money.MustRate("0.25"), Premises: fullPremises},
			want: zero,
		},
		{
			name: "day after 2026-7: no relief",
			in: ReliefInput{Service: ElderlyCare, On: day(2028, 1, 1), Revenue: money.MustParse("1000000"),
				VATRate: money.MustRate("0.06"), CITRate: money.MustRate("0.25"), Premises: fullPremises},
			want: zero,
		},
		{
			name:       "zero rates and revenue",
			in:         ReliefInput{Service: Childcare, On: day(2026, 6, 1)},
			wantRegime: "2026-7",
			want:       zero,
		},
		{
			name: "rates of exactly 1 and the largest amount",
			in: ReliefInput{Service: Childcare, On: day(2026, 6, 1), Revenue: money.Max,
				VATRate: money.MustRate("1"), CITRate: money.MustRate("1"),
				Premises: Premises{DeedValue: money.Max, DeedRate: money.MustRate("1"),
					PropertyTaxBase: money.Max, PropertyTaxRate: money.MustRate("1"),
					LandM2: money.MustRate("1000000000000000"), LandRate: money.MustRate("1")}},
			wantRegime: "2026-7",
			want: ReliefItems{money.Max, money.Max / 10, money.Max / 10, money.Max, money.Max, money.Max,
				4*money.Max + money.Max/10},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ServiceRelief(tt.in)
			if err != nil {
				t.Fatalf("ServiceRelief: %v", err)
			}
			if got.Regime != tt.wantRegime {
				t.Errorf("Regime = %q, want %q", got.Regime, tt.wantRegime)
			}
			if got.ReliefItems != tt.want {
				t.Errorf("items = %+v, want %+v", got.ReliefItems, tt.want)
			}
			if len(got.Parts) != 1 {
				t.Fatalf("got %d parts, want 1", len(got.Parts))
			}
			p := got.Parts[0]
			on := civil(tt.in.On)
			if p.Regime != tt.wantRegime || !p.From.Equal(on) || !p.To.Equal(on) || p.Days != 1 ||
				p.Revenue != tt.in.Revenue || p.ReliefItems != tt.want {
				t.Errorf("part = %+v", p)
			}
		})
	}
}

func TestServiceReliefPeriod(t *testing.T) {
	base := ReliefInput{Service: ElderlyCare, Revenue: money.MustParse("1900"),
		VATRate: money.MustRate("0.06"), CITRate: money.MustRate("0.25"),
		Premises: Premises{DeedValue: money.MustParse("19000"), DeedRate: money.MustRate("0.03")}}
	type part struct {
		regime  string
		days    int
		revenue string
		relief  ReliefItems
	}
	tests := []struct {
		name       string
		from, to   time.Time
		wantRegime string
		want       ReliefItems
		wantParts  []part
	}{
		{
			// 10 days in 2019-76, 9 in 2026-7: revenue 1000.00 + 900.00, deed value 10000.00 + 9000.00.
			name: "across the 2025/2026 boundary", from: day(2025, 12, 22), to: day(2026, 1, 9),
			wantRegime: "2019-76+2026-7",
			want:       items(t, "114.00", "190.00", "47.50", "570.00", "0", "0", "731.50"),
			wantParts: []part{
				{"2019-76", 10, "1000.00", items(t, "60.00", "100.00", "25.00", "300.00", "0", "0", "385.00")},
				{"2026-7", 9, "900.00", items(t, "54.00", "90.00", "22.50", "270.00", "0", "0", "346.50")},
			},
		},
		{
			// 2019-05-30..2019-06-02: two days outside, two inside.
			name: "into 2019-76 from no regime", from: day(2019, 5, 30), to: day(2019, 6, 2),
			wantRegime: "2019-76",
			want:       items(t, "57.00", "95.00", "23.75", "285.00", "0", "0", "365.75"),
			wantParts: []part{
				{"", 2, "950.00", ReliefItems{}},
				{"2019-76", 2, "950.00", items(t, "57.00", "95.00", "23.75", "285.00", "0", "0", "365.75")},
			},
		},
		{
			name: "out of 2026-7 into no regime", from: day(2027, 12, 31), to: day(2028, 1, 1),
			wantRegime: "2026-7",
			want:       items(t, "57.00", "95.00", "23.75", "285.00", "0", "0", "365.75"),
			wantParts: []part{
				{"2026-7", 1, "950.00", items(t, "57.00", "95.00", "23.75", "285.00", "0", "0", "365.75")},
				{"", 1, "950.00", ReliefItems{}},
			},
		},
		{
			name: "wholly outside", from: day(2018, 1, 1), to: day(2018, 12, 31),
			wantParts: []part{{"", 365, "1900.00", ReliefItems{}}},
		},
		{
			// Two days in 2019-76, one in 2026-7.
			name: "uneven split, remainder fen to the earlier part", from: day(2025, 12, 30), to: day(2026, 1, 1),
			wantRegime: "2019-76+2026-7",
			// 1900.00 × 2/3 = 1266.666… → 1266.67; × 1/3 = 633.333… → 633.33.
			want: items(t, "114.00", "190.00", "47.50", "570.00", "0", "0", "731.50"),
			wantParts: []part{
				{"2019-76", 2, "1266.67", items(t, "76.00", "126.67", "31.67", "380.00", "0", "0", "487.67")},
				{"2026-7", 1, "633.33", items(t, "38.00", "63.33", "15.83", "190.00", "0", "0", "243.83")},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base
			in.From, in.To = tt.from, tt.to
			got, err := ServiceRelief(in)
			if err != nil {
				t.Fatalf("ServiceRelief: %v", err)
			}
			if got.Regime != tt.wantRegime {
				t.Errorf("Regime = %q, want %q", got.Regime, tt.wantRegime)
			}
			if got.ReliefItems != tt.want {
				t.Errorf("items = %+v, want %+v", got.ReliefItems, tt.want)
			}
			if len(got.Parts) != len(tt.wantParts) {
				t.Fatalf("got %d parts, want %d: %+v", len(got.Parts), len(tt.wantParts), got.Parts)
			}
			for i, p := range got.Parts {
				w := tt.wantParts[i]
				if p.Regime != w.regime || p.Days != w.days || p.Revenue.String() != w.revenue || p.ReliefItems != w.relief {
					t.Errorf("part %d = %+v, want %+v", i, p, w)
				}
			}
			checkRelief(t, in, got)
		})
	}
}

func TestServiceReliefPeriodInOneRegimeEqualsDate(t *testing.T) {
	in := ReliefInput{Service: Childcare, Revenue: money.MustParse("98765.43"),
		VATRate: money.MustRate("0.03"), CITRate: money.MustRate("0.2"), Premises: fullPremises}
	onDate := in
	onDate.On = day(2026, 3, 15)
	overPeriod := in
	overPeriod.From, overPeriod.To = day(2026, 3, 1), day(2026, 12, 31)
	a, err := ServiceRelief(onDate)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ServiceRelief(overPeriod)
	if err != nil {
		t.Fatal(err)
	}
	if a.Regime != b.Regime || a.ReliefItems != b.ReliefItems || len(b.Parts) != 1 || b.Parts[0].Days != 306 {
		t.Errorf("date gives %+v, period gives %+v", a, b)
	}
}

func TestServiceReliefRefuses(t *testing.T) {
	ok := ReliefInput{Service: ElderlyCare, On: day(2026, 1, 1), Revenue: money.MustParse("100"),
		VATRate: money.MustRate("0.06"), CITRate: money.MustRate("0.25")}
	negative := money.RateFromDecimal(decimal.RequireFromString("-0.01"))
	tests := []struct {
		name   string
		change func(*ReliefInput)
	}{
		{"empty service", func(in *ReliefInput) { in.Service = "" }},
		{"unknown service", func(in *ReliefInput) { in.Service = "catering" }},
		{"service in the wrong case", func(in *ReliefInput) { in.Service = "Elderly_Care" }},
		{"no date", func(in *ReliefInput) { in.On = time.Time{} }},
		{"date and period", func(in *ReliefInput) { in.From, in.To = day(2026, 1, 1), day(2026, 1, 2) }},
		{"from without to", func(in *ReliefInput) { in.On, in.From = time.Time{}, day(2026, 1, 1) }},
		{"to without from", func(in *ReliefInput) { in.On, in.To = time.Time{}, day(2026, 1, 1) }},
		{"to before from", func(in *ReliefInput) { in.On, in.From, in.To = time.Time{}, day(2026, 1, 2), day(2026, 1, 1) }},
		{"negative revenue", func(in *ReliefInput) { in.Revenue = -1 }},
		{"revenue above 10^15 yuan", func(in *ReliefInput) { in.Revenue = money.Max + 1 }},
		{"negative deed value", func(in *ReliefInput) { in.Premises.DeedValue = -1 }},
		{"property base above 10^15 yuan", func(in *ReliefInput) { in.Premises.PropertyTaxBase = money.Max + 1 }},
		{"vat rate above 1", func(in *ReliefInput) { in.VATRate = money.MustRate("1.01") }},
		{"cit rate above 1", func(in *ReliefInput) { in.CITRate = money.MustRate("25") }},
		{"negative vat rate", func(in *ReliefInput) { in.VATRate = negative }},
		{"negative cit rate", func(in *ReliefInput) { in.CITRate = negative }},
		{"deed rate above 1", func(in *ReliefInput) { in.Premises.DeedRate = money.MustRate("3") }},
		{"property tax rate above 1", func(in *ReliefInput) { in.Premises.PropertyTaxRate = money.MustRate("1.2") }},
		{"negative land area", func(in *ReliefInput) { in.Premises.LandM2 = negative }},
		{"negative land rate", func(in *ReliefInput) { in.Premises.LandRate = negative }},
		{"land tax above 10^15 yuan", func(in *ReliefInput) {
			in.Premises.LandM2, in.Premises.LandRate = money.MustRate("1000000000000000"), money.MustRate("1.001")
		}},
	}
	if _, err := ServiceRelief(ok); err != nil {
		t.Fatalf("baseline input refused: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ok
			tt.change(&in)
			got, err := ServiceRelief(in)
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("ServiceRelief = %+v, %v; want ErrInvalid", got, err)
			}
		})
	}
}
