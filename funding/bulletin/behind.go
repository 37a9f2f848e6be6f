package bulletin

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"renofund/funding"
	"renofund/funding/programme"
)

// The programme's milestones for a project of plan year Y: works started
// (under construction) by 30 June of Y, and passed acceptance by 31
// December of Y+1 (当年开工、次年底前完工验收).
const (
	StartBy  = "-06-30"
	AcceptBy = "-12-31"
)

// Behind is a project behind its plan at the month's end: the milestone
// it should have reached (Expected) by DueBy, and where it stands.
type Behind struct {
	District string `json:"district"`
	Project  string `json:"project"`
	Name     string `json:"name"`
	PlanYear int    `json:"plan_year"`
	Status   string `json:"status"`          // as of the month's end
	Since    string `json:"since,omitempty"` // the date of that step
	Expected string `json:"expected"`        // under_construction or accepted
	DueBy    string `json:"due_by"`
	DaysLate int    `json:"days_late"`
}

// milestone is the first milestone a project of plan year y has missed as
// of date, if any.
func milestone(y int, status, date string) (expected, due string, ok bool) {
	for _, m := range []struct{ status, due string }{
		{funding.StatusUnderConstruction, fmt.Sprint(y) + StartBy},
		{funding.StatusAccepted, fmt.Sprint(y+1) + AcceptBy},
	} {
		if date > m.due && !programme.Reached(status, m.status) {
			return m.status, m.due, true
		}
	}
	return "", "", false
}

func (s *Service) draftBehindPlan(ctx context.Context, b *Body) error {
	rows, err := programme.StatusesAsOf(ctx, s.db, b.To)
	if err != nil {
		return err
	}
	b.BehindPlan = []Behind{}
	for _, r := range rows {
		expected, due, late := milestone(r.PlanYear, r.Status, b.To)
		if !late {
			continue
		}
		b.BehindPlan = append(b.BehindPlan, Behind{District: r.DistrictCode, Project: r.Code, Name: r.Name,
			PlanYear: r.PlanYear, Status: r.Status, Since: r.Since, Expected: expected, DueBy: due,
			DaysLate: days(due, b.To)})
	}
	slices.SortStableFunc(b.BehindPlan, func(x, y Behind) int {
		if x.District != y.District {
			return strings.Compare(x.District, y.District)
		}
		return y.DaysLate - x.DaysLate
	})
	return nil
}
