package report_test

import (
	"strings"
	"testing"
	"time"

	"renofund/funding/report"
	"renofund/internal/field"
	"renofund/internal/window"
)

// TestIdleDaysInTheBookingZone: days idle are counted between booking
// dates, the date of as_of in its own zone: on 2026-05-15 at 07:00 CST money
// idle since 2026-02-03 has been idle 101 days. (Found by this test: the
// count ran from UTC midnight to the instant and was one short before 08:00.)
func TestIdleDaysInTheBookingZone(t *testing.T) {
	eachTown(t, func(t *testing.T, town *smallTown) {
		morning := time.Date(2026, 5, 15, 7, 0, 0, 0, field.Zone)
		lines, err := town.svc.Reports.IdleReport(finance(), 100, morning, window.Window{})
		if err != nil {
			t.Fatal(err)
		}
		if len(lines) != 1 || lines[0].IdleSince != "2026-02-03" || lines[0].DaysIdle != 101 {
			t.Errorf("idle more than 100 days on 2026-05-15 07:00 CST: %+v; want CG at city idle 101 days since 2026-02-03", lines)
		}
		ex, err := town.svc.Reports.Exceptions(finance(), report.DefaultRules(morning))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ex {
			if e.Code == report.ExIdleMoney && e.Subject == "CG at city" && !strings.HasSuffix(e.Detail, "(101 days)") {
				t.Errorf("idle exception on 2026-05-15 07:00 CST says %q; want (101 days)", e.Detail)
			}
		}
	})
}
