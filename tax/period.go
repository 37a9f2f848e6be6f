package tax

import "time"

// span is a run of consecutive days inside one regime, or inside none
// (regime "").
type span struct {
	regime   string
	from, to time.Time
	days     int64
}

// periodParts cuts from..to (inclusive UTC midnights, from ≤ to) at every
// regime boundary, in date order. Adjacent regimes give adjacent spans; a gap
// between or around regimes gives a span with no regime.
func periodParts(from, to time.Time) []span {
	var out []span
	for cur := from; !cur.After(to); {
		s := span{from: cur, to: to}
		for _, r := range regimes {
			if !cur.Before(r.From) && !cur.After(r.To) {
				s.regime = r.Code
				s.to = earliest(r.To, to)
				break
			}
			if r.From.After(cur) {
				// regimes are in date order: r is the next one to begin.
				s.to = earliest(r.From.AddDate(0, 0, -1), to)
				break
			}
		}
		s.days = dayNumber(s.to) - dayNumber(s.from) + 1
		out = append(out, s)
		cur = s.to.AddDate(0, 0, 1)
	}
	return out
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
