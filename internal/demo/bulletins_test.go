package demo_test

import (
	"context"
	"testing"
	"time"

	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/field"
	"renofund/internal/ledger/months"
	"renofund/internal/window"
)

// checkBulletins: the demo drafted a bulletin for every month its money
// moved in that has ended, as the demo's finance clerk, and the last one's city-wide year
// to date agrees with the funding report over the same dates, to the fen.
func checkBulletins(t *testing.T, svc *app.Services, drafted int) {
	t.Helper()
	ctx := access.With(context.Background(), access.Actor{Role: access.Finance, Name: "t"})
	now := svc.Bulletins.Now().In(field.Zone)
	ended := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, field.Zone).Format("2006-01")
	booked, err := months.Booked(ctx, svc.DB, ended)
	if err != nil {
		t.Fatal(err)
	}
	list, err := svc.Bulletins.List(ctx, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 || len(list) != drafted || len(list) != len(booked) {
		t.Fatalf("%d bulletins stored, %d drafted, money moved in %d months (%v)", len(list), drafted, len(booked), booked)
	}
	for i, b := range list {
		if b.Month != booked[i] || b.DraftedBy != "finance:demo" || len(b.SHA256) != 64 {
			t.Errorf("bulletin %d: %+v, want month %s drafted by finance:demo", i, b, booked[i])
		}
	}
	last, err := svc.Bulletins.Get(ctx, list[len(list)-1].Month)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := svc.Reports.FundingReport(ctx, window.Window{From: last.Body.YearFrom, To: last.Body.To})
	if err != nil {
		t.Fatal(err)
	}
	city := last.Body.Spending.City
	if city.SpentYTD != rep.Totals.Spent || city.ReceivedYTD != rep.Totals.Received || city.SpentYTD == 0 {
		t.Errorf("bulletin %s city-wide: spent %s received %s; the funding report: spent %s received %s",
			last.Month, city.SpentYTD, city.ReceivedYTD, rep.Totals.Spent, rep.Totals.Received)
	}
	if len(last.Body.Spending.Districts) != 10 || last.Body.Spending.Districts[0].Rank != 1 {
		t.Errorf("bulletin %s ranks %d districts, the first at %d", last.Month, len(last.Body.Spending.Districts),
			last.Body.Spending.Districts[0].Rank)
	}
}
