package disclosure_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"renofund/funding/disclosure"
	"renofund/funding/disclosure/disclosuretest"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/errs"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/internal/store/storetest"
	"renofund/subsidy"
)

var (
	clerk   = access.Actor{TokenID: "t1", Role: access.Finance, Name: "clerk"}
	hz      = access.Actor{TokenID: "t3", Role: access.District, District: "HZ", Name: "hz"}
	auditor = access.Actor{TokenID: "t4", Role: access.Auditor, Name: "audit"}
	admin   = access.Actor{TokenID: "t5", Role: access.Admin, Name: "root"}
)

func as(a access.Actor) context.Context { return access.With(context.Background(), a) }

// steps counts the recorded publication steps.
func steps(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var n int64
	if err := db.G.Raw("SELECT COUNT(*) FROM project_publications").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPublishAndWithdraw: the finance bureau publishes and withdraws a
// page, every step kept; doing either again records nothing; other roles,
// an unknown project and a withdrawal without a reason are refused and
// write nothing; a page is readable exactly while it is published.
func TestPublishAndWithdraw(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := app.New(db, nil)
		t.Cleanup(svc.Close)
		disclosuretest.Register(t, svc)
		d, ctx := svc.Disclosure, as(clerk)
		for _, code := range []string{"HZ-001", "NOPE-1"} {
			if _, err := d.Facts(context.Background(), code); !errors.Is(err, disclosure.ErrNotPublished) || !errors.Is(err, errs.ErrNotFound) {
				t.Errorf("facts of %s before publishing: %v, want not published (not found)", code, err)
			}
		}
		for _, r := range []struct {
			name string
			ctx  context.Context
			code string
			want error
		}{
			{"a district", as(hz), "HZ-001", errs.ErrForbidden},
			{"an auditor", as(auditor), "HZ-001", errs.ErrForbidden},
			{"an administrator", as(admin), "HZ-001", errs.ErrForbidden},
			{"an unknown project", ctx, "NOPE-1", errs.ErrNotFound},
		} {
			if _, err := d.Publish(r.ctx, r.code); !errors.Is(err, r.want) {
				t.Errorf("publish by %s: %v, want %v", r.name, err, r.want)
			}
			if _, err := d.Unpublish(r.ctx, r.code, disclosure.WithdrawIn{Reason: "误发"}); !errors.Is(err, r.want) {
				t.Errorf("unpublish by %s: %v, want %v", r.name, err, r.want)
			}
		}
		if n := steps(t, db); n != 0 {
			t.Fatalf("refusals recorded %d steps", n)
		}

		p, err := d.Publish(ctx, "HZ-001")
		if err != nil || !p.Published || len(p.History) != 1 || p.History[0].By != "finance:clerk" || p.Since != p.History[0].At {
			t.Fatalf("publish: %+v, %v", p, err)
		}
		if _, err := d.Facts(context.Background(), "HZ-001"); err != nil {
			t.Errorf("facts once published: %v", err)
		}
		if again, err := d.Publish(ctx, "HZ-001"); err != nil || len(again.History) != 1 || !again.Published {
			t.Errorf("publish again: %+v, %v (want nothing recorded)", again, err)
		}
		if _, err := d.Unpublish(ctx, "HZ-001", disclosure.WithdrawIn{}); !errors.Is(err, errs.ErrInvalidRequest) {
			t.Errorf("withdraw without a reason: %v", err)
		}
		if n := steps(t, db); n != 1 {
			t.Errorf("%d steps after a publish, a repeat and a refusal, want 1", n)
		}
		w, err := d.Unpublish(ctx, "HZ-001", disclosure.WithdrawIn{Reason: "误发，数据待核"})
		if err != nil || w.Published || w.Since != "" || len(w.History) != 2 || w.History[1].Reason != "误发，数据待核" ||
			w.History[1].Action != disclosure.Unpublish {
			t.Fatalf("unpublish: %+v, %v", w, err)
		}
		if _, err := d.Facts(context.Background(), "HZ-001"); !errors.Is(err, disclosure.ErrNotPublished) {
			t.Errorf("facts once withdrawn: %v", err)
		}
		if again, err := d.Unpublish(ctx, "HZ-001", disclosure.WithdrawIn{Reason: "再次"}); err != nil || len(again.History) != 2 {
			t.Errorf("unpublish again: %+v, %v (want nothing recorded)", again, err)
		}
		back, err := d.Publish(ctx, "HZ-001")
		if err != nil || !back.Published || len(back.History) != 3 || back.Since != back.History[2].At {
			t.Fatalf("publish after a withdrawal: %+v, %v", back, err)
		}
		ls, err := d.Published(context.Background())
		if err != nil || len(ls) != 1 || ls[0].Code != "HZ-001" || ls[0].DistrictName != "海州区" || ls[0].Name != "海州区新村" {
			t.Errorf("published list: %+v, %v", ls, err)
		}
	})
}

// TestFactsOfACommunity: a filled community's page holds its works,
// contracts, money by source, maintenance-fund use, ratings and subsidies,
// with the figures of the books, and none of the personal data in them.
func TestFactsOfACommunity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := app.New(db, nil)
		t.Cleanup(svc.Close)
		disclosuretest.Register(t, svc)
		disclosuretest.Community(t, svc, "HZ-001")
		svc.Disclosure.Now = func() time.Time { return time.Date(2026, 6, 30, 20, 0, 0, 0, time.UTC) } // 1 July in China
		if _, err := svc.Disclosure.Publish(as(clerk), "HZ-001"); err != nil {
			t.Fatal(err)
		}
		d, err := svc.Disclosure.Facts(context.Background(), "HZ-001")
		if err != nil {
			t.Fatal(err)
		}
		amt := money.MustParse
		c := d.Community
		if c.Name != "海州区新村" || c.DistrictName != "海州区" || c.Households != 120 || c.Budget != amt("1200000") ||
			d.AsOf != "2026-07-01" || d.NoticeEnds != addDays(d.PublishedOn, disclosure.NoticeDays-1) {
			t.Errorf("community %+v, as of %s, published %s to %s", c, d.AsOf, d.PublishedOn, d.NoticeEnds)
		}
		if len(d.Works) != 3 || d.Works[0].Category != "basic" || d.Works[0].Budget != amt("1000000") ||
			d.Works[0].Contracted != amt("100000") || d.Works[0].Settled != amt("98000") || d.Works[0].Paid != amt("80000") ||
			d.Works[1].Paid != amt("30000") {
			t.Errorf("works %+v", d.Works)
		}
		if len(d.Contracts) != 1 {
			t.Fatalf("contracts %+v", d.Contracts)
		}
		k := d.Contracts[0]
		if k.Contractor != "连云港市政工程有限公司" || k.Sum != amt("100000") || k.Paid != amt("80000") || k.PaidShare() != "80.0" ||
			k.Acceptance == nil || k.Acceptance.Result != "passed" || k.Acceptance.On != "2026-05-01" || k.Acceptance.OwnerReps != 1 ||
			k.Settlement == nil || k.Settlement.Amount != amt("98000") || k.Settlement.Retention != amt("2940") {
			t.Errorf("contract %+v (acceptance %+v, settlement %+v)", k, k.Acceptance, k.Settlement)
		}
		if d.RetentionHeld != amt("2940") {
			t.Errorf("retention held %s", d.RetentionHeld)
		}
		groups := map[string]disclosure.SourceGroup{}
		var order []string
		for _, g := range d.Sources {
			groups[g.Group] = g
			order = append(order, g.Group)
		}
		if strings.Join(order, ",") != "government,residents,maintenance_fund" {
			t.Errorf("groups %v", order)
		}
		if g := groups["government"]; g.Received != amt("600000") || g.Spent != amt("80000") || g.Held != amt("520000") ||
			len(g.Kinds) != 1 || g.Kinds[0].Kind != "central_grant" {
			t.Errorf("government %+v", g)
		}
		if g := groups["residents"]; g.Received != amt("2469.12") || g.Spent != 0 {
			t.Errorf("residents %+v", g)
		}
		if g := groups["maintenance_fund"]; g.Received != amt("50000") || g.Spent != amt("30000") || g.Held != amt("20000") {
			t.Errorf("maintenance fund %+v", g)
		}
		if d.SourceTotal.Received != amt("652469.12") || d.SourceTotal.Spent != amt("110000") {
			t.Errorf("total %+v", d.SourceTotal)
		}
		m := d.MaintenanceFund
		if len(m.Votes) != 1 || m.Votes[0].YesOwners != 90 || m.Votes[0].HeldOn != "2026-02-20" || m.Received != amt("50000") ||
			m.Spent != amt("30000") || len(m.Uses) != 1 || m.Uses[0].Purpose != "屋面防水维修" ||
			m.Uses[0].Payee != "连云港防水工程有限公司" || m.Uses[0].Amount != amt("30000") || m.Uses[0].PaidOn != "2026-04-02" {
			t.Errorf("maintenance fund use %+v", m)
		}
		if len(d.Ratings) != 1 || d.Ratings[0] != (disclosure.Rating{Period: "2026-Q1", Score: subsidy.Score(9150), OwnerReps: 3}) {
			t.Errorf("ratings %+v", d.Ratings)
		}
		// ¥8 × 120 households × 3 months, at the 100% band.
		if len(d.Subsidies) != 1 {
			t.Fatalf("subsidies %+v", d.Subsidies)
		}
		s := d.Subsidies[0]
		if s.Period != "2026-Q1" || s.Scheme != "物业服务以奖代补" || s.Company != "连云港城投物业服务有限公司" ||
			s.Score == nil || *s.Score != 9150 || s.Ratio == nil || s.Ratio.String() != "1" || s.Amount != amt("2880") ||
			d.SubsidyTotal != amt("2880") {
			t.Errorf("subsidy %+v", s)
		}
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range disclosuretest.Private {
			if strings.Contains(string(b), p) {
				t.Errorf("the disclosure holds personal data %q", p)
			}
		}
	})
}

func addDays(date string, n int) string {
	d, _ := time.Parse(time.DateOnly, date)
	return d.AddDate(0, 0, n).Format(time.DateOnly)
}
