package bulletin

import "testing"

// TestMilestone: a project of plan year Y is late to start after 30 June of
// Y, late to pass acceptance after 31 December of Y+1; the due day itself
// is not late, and a project further along is never late for an earlier
// milestone.
func TestMilestone(t *testing.T) {
	for _, c := range []struct {
		year          int
		status, date  string
		expected, due string
		late          bool
	}{
		{2024, "planned", "2024-06-30", "", "", false},
		{2024, "planned", "2024-07-01", "under_construction", "2024-06-30", true},
		{2024, "reserve", "2026-01-01", "under_construction", "2024-06-30", true},
		{2024, "under_construction", "2025-12-31", "", "", false},
		{2024, "under_construction", "2026-01-01", "accepted", "2025-12-31", true},
		{2024, "settled", "2030-01-01", "", "", false},
		{2024, "closed", "2030-01-01", "", "", false},
	} {
		expected, due, late := milestone(c.year, c.status, c.date)
		if expected != c.expected || due != c.due || late != c.late {
			t.Errorf("milestone(%d, %s, %s) = %s %s %v, want %s %s %v", c.year, c.status, c.date, expected, due, late,
				c.expected, c.due, c.late)
		}
	}
}
