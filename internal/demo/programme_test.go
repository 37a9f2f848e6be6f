package demo_test

import (
	"context"
	"testing"

	"renofund/funding"
	"renofund/funding/programme"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/demo"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// TestDemoProgramme: the demo's targets add up to the city's totals over
// its plan years, every project's status matches its contract, and every
// project has a funding plan and dues.
func TestDemoProgramme(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := app.New(db, nil)
		defer svc.Close()
		if _, err := demo.LoadScaled(context.Background(), svc, divisor); err != nil {
			t.Fatalf("load: %v", err)
		}
		ctx := access.With(context.Background(), access.Actor{Role: access.Auditor, Name: "t"})
		years, err := svc.Programme.Programme(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		var communities, households int64
		var inPlan int64
		for _, y := range years {
			communities += y.Targets.Communities
			households += y.Targets.Households
			inPlan += y.City.InPlan.Communities
			if y.InPlanRatio.Communities.String() != "1" {
				t.Errorf("%d: every project of the year is in the plan, ratio %v", y.Year, y.InPlanRatio.Communities)
			}
		}
		if len(years) != 3 || communities != demo.Projects/divisor || households != demo.Households/divisor || inPlan != communities {
			t.Errorf("targets over %d years: %d communities, %d households (%d in the plan)", len(years), communities, households, inPlan)
		}
		// A project's status follows its contract: settled with a
		// settlement, accepted with a passed acceptance only, else under
		// construction.
		var wrong, plans, dues, projects int64
		db.G.Raw(`SELECT COUNT(*) FROM projects p JOIN contracts c ON c.project_code = p.code
			WHERE p.status <> CASE WHEN EXISTS (SELECT 1 FROM settlements s WHERE s.contract_id = c.id) THEN ?
			WHEN EXISTS (SELECT 1 FROM acceptances a WHERE a.contract_id = c.id AND a.result = 'passed') THEN ?
			ELSE ? END`, funding.StatusSettled, funding.StatusAccepted, funding.StatusUnderConstruction).Scan(&wrong)
		db.G.Raw("SELECT COUNT(DISTINCT project_code) FROM funding_plans").Scan(&plans)
		db.G.Raw("SELECT COUNT(DISTINCT project_code) FROM contribution_dues").Scan(&dues)
		db.G.Raw("SELECT COUNT(*) FROM projects").Scan(&projects)
		if wrong != 0 || plans != projects || dues != projects {
			t.Errorf("%d statuses off their contracts; %d plans and %d dues for %d projects", wrong, plans, dues, projects)
		}
		arrears, err := svc.Programme.Arrears(ctx, programme.ArrearsFilter{Limit: 100})
		if err != nil || len(arrears) == 0 {
			t.Errorf("arrears: %d lines, %v", len(arrears), err)
		}
	})
}
