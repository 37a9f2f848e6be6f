package tax

import (
	"fmt"
	"time"

	"renofund/internal/money"
)

// AssetClass is the depreciation class of a utility's renovated asset; each
// class has a statutory minimum life.
type AssetClass string

// The asset classes and, in MinLifeYears, their minimum lives.
const (
	Building    AssetClass = "building"    // buildings and structures: 20 years
	Machinery   AssetClass = "machinery"   // machinery and equipment: 10 years
	Tools       AssetClass = "tools"       // tools, furniture, fixtures: 5 years
	Vehicle     AssetClass = "vehicle"     // vehicles other than aircraft, trains and ships: 4 years
	Electronics AssetClass = "electronics" // electronic equipment: 3 years
)

var minLifeYears = map[AssetClass]int{
	Building:    20,
	Machinery:   10,
	Tools:       5,
	Vehicle:     4,
	Electronics: 3,
}

// MinLifeYears returns the minimum depreciation life of the class in years,
// and false for an unknown class.
func (c AssetClass) MinLifeYears() (int, bool) {
	y, ok := minLifeYears[c]
	return y, ok
}

// MaxLifeYears is the longest life Depreciate accepts. It is no tax rule,
// only a bound that keeps a schedule to at most 1,200 rows.
const MaxLifeYears = 100

// Nature says whether spending on an asset is capitalised and depreciated or
// expensed at once.
type Nature string

// The natures of spending on an asset.
const (
	Capital     Nature = "capital"     // becomes the asset's tax basis, depreciated
	Maintenance Nature = "maintenance" // expensed in the period it is incurred
)

// Asset is spending by a utility (专业经营单位) on an asset it owns after the
// renovation.
type Asset struct {
	Class     AssetClass
	Nature    Nature
	Cost      money.Amount // > 0
	InService time.Time    // the date the asset enters service; only the date counts
	LifeYears int          // 0 means the class's minimum
}

// Row is one month of a depreciation schedule. Net is the cost not yet
// charged: Cost − Accumulated.
type Row struct {
	Month        string // "2026-04"
	Depreciation money.Amount
	Accumulated  money.Amount
	Net          money.Amount
}

// Schedule is the monthly charge of an asset's cost. LifeYears is the life
// applied (0 for maintenance, which has none) and Months the number of rows.
type Schedule struct {
	LifeYears int
	Months    int
	Rows      []Row
}

// Depreciate returns the schedule charging a.Cost to expense.
//
// Capital spending is depreciated straight-line over LifeYears × 12 months,
// starting the month after the month of InService. Each month charges Cost /
// months rounded half-up to the fen, and the last month takes the remainder,
// so the schedule sums exactly to Cost. When the monthly charge was rounded
// up on a tiny cost (only possible below months²/2 fen, e.g. 1.50 yuan over
// 240 months), the earlier months would together exceed Cost and leave a
// negative last month; instead each month is capped at what is left, so
// Accumulated never exceeds Cost, the months after the cost is used up
// charge zero, and no month is ever negative.
//
// Maintenance spending is expensed in the month of InService: one row with
// Depreciation = Accumulated = Cost and Net = 0.
//
// An unknown class or nature, a cost outside 0 < Cost ≤ 10^15 yuan, a
// missing date or a life outside 0..MaxLifeYears wraps ErrInvalid; a life
// shorter than the class's minimum wraps ErrRuleViolation, whatever the
// nature.
func Depreciate(a Asset) (Schedule, error) {
	minLife, ok := a.Class.MinLifeYears()
	if !ok {
		return Schedule{}, fmt.Errorf("%w: unknown asset class %q", ErrInvalid, a.Class)
	}
	if a.Nature != Capital && a.Nature != Maintenance {
		return Schedule{}, fmt.Errorf("%w: unknown nature %q", ErrInvalid, a.Nature)
	}
	if a.Cost <= 0 || a.Cost > money.Max {
		return Schedule{}, fmt.Errorf("%w: cost %s must be above 0 and at most 10^15 yuan", ErrInvalid, a.Cost)
	}
	if a.InService.IsZero() {
		return Schedule{}, fmt.Errorf("%w: in_service_on is required", ErrInvalid)
	}
	life := a.LifeYears
	switch {
	case life < 0 || life > MaxLifeYears:
		return Schedule{}, fmt.Errorf("%w: life_years %d must be between 0 and %d", ErrInvalid, life, MaxLifeYears)
	case life == 0:
		life = minLife
	case life < minLife:
		return Schedule{}, fmt.Errorf("%w: life_years %d is below the %d-year minimum for %s",
			ErrRuleViolation, life, minLife, a.Class)
	}

	y, m, _ := civil(a.InService).Date()
	start := y*12 + int(m) - 1 // months since year 0, January
	if a.Nature == Maintenance {
		if y < 1 || y > 9999 {
			return Schedule{}, fmt.Errorf("%w: in_service_on year %d out of range", ErrInvalid, y)
		}
		return Schedule{Months: 1, Rows: []Row{{
			Month:        monthString(start),
			Depreciation: a.Cost,
			Accumulated:  a.Cost,
		}}}, nil
	}

	months := life * 12
	if y < 1 || (start+months)/12 > 9999 {
		return Schedule{}, fmt.Errorf("%w: in_service_on year %d puts the schedule outside years 1–9999", ErrInvalid, y)
	}
	monthly := halfUpDiv(a.Cost, int64(months))
	rows := make([]Row, months)
	var acc money.Amount
	for i := range rows {
		d := min(monthly, a.Cost-acc)
		if i == months-1 {
			d = a.Cost - acc
		}
		acc += d
		rows[i] = Row{Month: monthString(start + 1 + i), Depreciation: d, Accumulated: acc, Net: a.Cost - acc}
	}
	return Schedule{LifeYears: life, Months: months, Rows: rows}, nil
}

// halfUpDiv is a / n rounded half-up to the fen, for a ≥ 0 and n > 0. Integer
// arithmetic makes it exact; 2a cannot overflow because a ≤ money.Max.
func halfUpDiv(a money.Amount, n int64) money.Amount {
	return money.Amount((2*int64(a) + n) / (2 * n))
}

// monthString formats a count of months since January of year 0 as "YYYY-MM".
func monthString(m int) string {
	return fmt.Sprintf("%04d-%02d", m/12, m%12+1)
}
