package harness

import (
	"context"
	"errors"
	"fmt"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/window"
)

// checkViews checks what clients read: each fund's totals and holdings,
// and each project's funding, against the model. Caller holds m.mu.
func (h *harness) checkViews(ctx context.Context, held map[string]int64) error {
	m := h.model
	ctx = access.With(ctx, access.Actor{TokenID: "checker", Role: access.Finance, Name: "checker"})
	for _, f := range h.world.funds {
		v, err := h.app.Reports.FundView(ctx, f.Code, window.Window{})
		if err != nil {
			return fmt.Errorf("fund view %s: %w", f.Code, err)
		}
		t := v.Totals
		if int64(t.Received) != m.received[f.Code] || int64(t.Spent) != m.spent[f.Code] || int64(t.Available) != held[f.Code] {
			return fmt.Errorf("fund view %s: totals %+v; model received %d, spent %d, available %d", f.Code, t,
				m.received[f.Code], m.spent[f.Code], held[f.Code])
		}
		for _, hd := range v.Holdings {
			if int64(hd.Available) != m.bal[hkey{f.Code, hd.Holder}] {
				return fmt.Errorf("fund view %s: %s holds %d, model %d", f.Code, hd.Holder, hd.Available, m.bal[hkey{f.Code, hd.Holder}])
			}
		}
	}
	for _, p := range h.world.projects {
		v, err := h.app.Reports.ProjectFunding(ctx, p.Code, window.Window{})
		if err != nil {
			return fmt.Errorf("project funding %s: %w", p.Code, err)
		}
		var avail int64
		for _, l := range v.Funds {
			if l.Received-l.Spent != l.Available || int64(l.Available) != m.bal[hkey{l.Fund, "project:" + p.Code}] {
				return fmt.Errorf("project funding %s, fund %s: received %d − spent %d ≠ available %d (model %d)", p.Code,
					l.Fund, l.Received, l.Spent, l.Available, m.bal[hkey{l.Fund, "project:" + p.Code}])
			}
			avail += int64(l.Available)
		}
		if int64(v.Totals.Available) != avail || v.Totals.Received-v.Totals.Spent != v.Totals.Available {
			return fmt.Errorf("project funding %s: totals %+v do not add up (lines hold %d)", p.Code, v.Totals, avail)
		}
	}
	if err := h.checkDistrictViews(ctx); err != nil {
		return err
	}
	return h.checkFundingReport(ctx, ctx, "")
}

// districtOf says which district a holder's money is in ("" for the city).
func (h *harness) districtOf(holder string) string {
	d, _, _ := h.world.holderDistrict(holder)
	return d
}

// checkDistrictViews checks each fund as each district sees it: only its
// own holdings, and totals over them that add up. Caller holds m.mu.
func (h *harness) checkDistrictViews(ctx context.Context) error {
	m := h.model
	for _, d := range h.world.districts {
		dctx := access.With(ctx, access.Actor{TokenID: "checker-" + d, Role: access.District, District: d, Name: "checker"})
		for _, f := range h.world.funds {
			var held int64
			has := false
			for k := range m.holdings {
				if k.Fund == f.Code && h.districtOf(k.Holder) == d {
					held += m.bal[k]
					has = true
				}
			}
			v, err := h.app.Reports.FundView(dctx, f.Code, window.Window{})
			if !has && f.District != d {
				if !errors.Is(err, errs.ErrNotFound) {
					return fmt.Errorf("district %s reads fund %s it has no part of: %v, %v", d, f.Code, v, err)
				}
				continue
			}
			if err != nil {
				return fmt.Errorf("fund view %s as district %s: %w", f.Code, d, err)
			}
			var sum int64
			for _, hd := range v.Holdings {
				if h.districtOf(hd.Holder) != d {
					return fmt.Errorf("district %s sees %s's holding %s of fund %s", d, h.districtOf(hd.Holder), hd.Holder, f.Code)
				}
				sum += int64(hd.Available)
			}
			t := v.Totals
			if sum != held || int64(t.Available) != held || t.Received-t.Spent != t.Available {
				return fmt.Errorf("fund view %s as district %s: totals %+v, holdings sum to %d, model %d", f.Code, d, t, sum, held)
			}
		}
		if err := h.checkFundingReport(ctx, dctx, d); err != nil {
			return err
		}
	}
	return nil
}

// checkFundingReport checks the funding report as the actor in rctx sees
// it (district "" for the finance bureau): every line adds up, each area
// holds what the model says, and over the whole city allocations in and
// out cancel and receipts and payments are the model's. Caller holds m.mu.
func (h *harness) checkFundingReport(ctx, rctx context.Context, district string) error {
	m := h.model
	rep, err := h.app.Reports.FundingReport(rctx, window.Window{})
	if err != nil {
		return fmt.Errorf("funding report (%q): %w", district, err)
	}
	area := map[string]int64{}
	for _, l := range rep.Lines {
		if district != "" && l.District != district {
			return fmt.Errorf("district %s's funding report has a line for %s", district, l.District)
		}
		if l.Received+l.AllocatedIn-l.AllocatedOut-l.Spent != l.Available {
			return fmt.Errorf("funding report (%q) line %s/%s does not add up: %+v", district, l.District, l.Kind, l.Flow)
		}
		area[l.District] += int64(l.Available)
	}
	want := map[string]int64{}
	var received, spent int64
	for k := range m.holdings {
		a := h.districtOf(k.Holder)
		if a == "" {
			a = "city"
		}
		if district == "" || a == district {
			want[a] += m.bal[k]
		}
	}
	for _, v := range m.received {
		received += v
	}
	for _, v := range m.spent {
		spent += v
	}
	for a, v := range want {
		if area[a] != v {
			return fmt.Errorf("funding report (%q): %s holds %d, model %d", district, a, area[a], v)
		}
	}
	t := rep.Totals
	if district == "" && (t.AllocatedIn != t.AllocatedOut || int64(t.Received) != received || int64(t.Spent) != spent) {
		return fmt.Errorf("funding report totals %+v; model received %d, spent %d", t, received, spent)
	}
	return nil
}
