package tax

import "time"

// Regime is one notice granting relief to community elderly-care, childcare
// and housekeeping providers, with the dates (inclusive) it is in force.
type Regime struct {
	// Code names the regime in the API: "2019-76", "2026-7".
	Code string
	// Notice is the notice's Chinese title, for reports.
	Notice string
	// From and To are the first and last day in force, at UTC midnight.
	From, To time.Time
}

// regimes is kept in date order and the ranges do not overlap; periodParts
// relies on both.
var regimes = []Regime{
	{
		Code:   "2019-76",
		Notice: "公告2019年第76号",
		From:   day(2019, time.June, 1),
		To:     day(2025, time.December, 31),
	},
	{
		Code:   "2026-7",
		Notice: "公告2026年第7号",
		From:   day(2026, time.January, 1),
		To:     day(2027, time.December, 31),
	},
}

// Regimes returns every relief regime in date order. The slice is a copy.
func Regimes() []Regime {
	return append([]Regime(nil), regimes...)
}

// RegimeOn returns the regime in force on date, and false when none is (then
// every relief is zero). Only the calendar date of date counts, read in its
// own location; the time of day is ignored.
func RegimeOn(date time.Time) (Regime, bool) {
	d := civil(date)
	for _, r := range regimes {
		if !d.Before(r.From) && !d.After(r.To) {
			return r, true
		}
	}
	return Regime{}, false
}

// day is the UTC midnight starting a calendar day.
func day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// civil drops the time of day and location of t, keeping its calendar date.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return day(y, m, d)
}

// dayNumber counts days since 1970-01-01 for a UTC midnight. Unlike
// time.Sub it cannot saturate, whatever the year.
func dayNumber(t time.Time) int64 {
	return t.Unix() / 86400
}
