package subsidy

import (
	"renofund/internal/money"
	"renofund/subsidy/manager"
)

// paidBefore is what earlier paid runs of the scheme and period settled for
// one project, per company (by credit code) in the order first paid.
type paidBefore struct {
	by    map[string]prior
	order []string
}

func (pb *paidBefore) of(company string) prior {
	if pb == nil {
		return prior{}
	}
	return pb.by[company]
}

// projectLines computes a project's lines: its entitlement split between
// the companies that served in the period by days served (largest
// remainder, so the shares sum to the entitlement), each share settled
// against what earlier runs settled with that company. A company paid
// before that no longer has a share gets a line settling it to zero; the
// share of days nobody managed is held on a skipped no_property_manager
// line. Nothing to split and nothing paid before: one line, as entitled.
func (sc *Scheme) projectLines(p *Project, spans []manager.Span, r *rated, cs []PropertyManager, pb *paidBefore) ([]Line, error) {
	shares, covered := manager.Served(cs, spans)
	l, err := sc.entitle(p, len(spans), r, len(shares) > 0)
	if err != nil {
		return nil, err
	}
	if n := len(shares); n > 0 {
		l.ManagerVersion = shares[n-1].Contract.Version
	}
	var out, held []Line
	seen := map[string]bool{}
	if l.Entitlement > 0 {
		all := 0
		for _, s := range spans {
			all += s.Days()
		}
		if out, held, err = splitShares(l, shares, all-covered, pb); err != nil {
			return nil, err
		}
		for _, sh := range shares {
			seen[sh.Contract.CreditCode] = true
		}
	}
	if pb != nil {
		for _, company := range pb.order {
			if !seen[company] {
				x := l
				x.Entitlement, x.ManagerVersion = 0, 0
				settle(&x, pb.by[company], nil)
				out = append(out, x)
			}
		}
	}
	if out = append(out, held...); len(out) == 0 {
		settle(&l, prior{}, nil)
		out = append(out, l)
	}
	return out, nil
}

// splitShares splits l's entitlement between the shares and the unmanaged
// days, and settles each share; the unmanaged days' part comes back as a
// held line (none when every day was managed).
func splitShares(l Line, shares []manager.Share, unmanaged int, pb *paidBefore) (out, held []Line, err error) {
	weights := make([]int64, len(shares), len(shares)+1)
	all := unmanaged
	for i, sh := range shares {
		weights[i] = int64(sh.Days)
		all += sh.Days
	}
	parts, err := money.SplitInt(l.Entitlement, append(weights, int64(unmanaged)))
	if err != nil {
		return nil, nil, err
	}
	for i, sh := range shares {
		x := l
		x.Entitlement, x.ManagerVersion, x.DaysServed, x.PeriodDays = parts[i], sh.Contract.Version, sh.Days, all
		settle(&x, pb.of(sh.Contract.CreditCode), sh.Contract)
		out = append(out, x)
	}
	if unmanaged > 0 {
		x := l
		x.Entitlement, x.ManagerVersion, x.DaysServed, x.PeriodDays = parts[len(shares)], 0, unmanaged, all
		x.Status, x.Reason = Skipped, ReasonNoManager
		held = append(held, x)
	}
	return out, held, nil
}
