package funding

import (
	"context"
	"fmt"
	"strings"

	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
)

// City is the holder of the city's own money.
const City = "city"

// Holder is where money can sit: the city, a district or a project, named
// "city", "district:CODE" or "project:CODE".
type Holder struct {
	Name     string
	District string // "" for the city
	Project  string // set for a project
}

// DistrictHolder names a district's holder.
func DistrictHolder(code string) string { return "district:" + code }

// ProjectHolder names a project's holder.
func ProjectHolder(code string) string { return "project:" + code }

// ParseHolder reads a holder's name: where it sits, without checking that
// the district or project exists. A project's district is not in its name;
// Registry.Holder finds it.
func ParseHolder(name string) (Holder, bool) {
	switch {
	case name == City:
		return Holder{Name: name}, true
	case strings.HasPrefix(name, "district:") && len(name) > len("district:"):
		return Holder{Name: name, District: strings.TrimPrefix(name, "district:")}, true
	case strings.HasPrefix(name, "project:") && len(name) > len("project:"):
		return Holder{Name: name, Project: strings.TrimPrefix(name, "project:")}, true
	}
	return Holder{}, false
}

// Below reports whether money may be allocated from h to to: one step down
// the tree, city → district → its project, or city → project.
func (h Holder) Below(to Holder) bool {
	return (h.Name == City && to.Name != City) ||
		(h.Project == "" && h.District != "" && to.Project != "" && to.District == h.District)
}

// Posting is amount of fund into (positive) or out of (negative) the
// holder, with where the holder sits for the holding it may create.
func (h Holder) Posting(fund string, amount money.Amount) ledger.Posting {
	return ledger.Posting{Fund: fund, Holder: h.Name, Amount: amount, District: h.District, Project: h.Project}
}

// Outside is the outside world's side of a receipt or a payment.
func Outside(fund string, amount money.Amount) ledger.Posting {
	return ledger.Posting{Fund: fund, Holder: ledger.External, Amount: amount}
}

// Holder checks that a holder names the city, an existing district or an
// existing project the actor may see (another district's project does not
// exist for a district), and says where it sits.
func (s *Registry) Holder(ctx context.Context, name string) (Holder, error) {
	c := cacheOf(ctx)
	if c != nil {
		if h, ok := c.holders[name]; ok {
			return h, nil
		}
	}
	h, err := s.lookupHolder(ctx, name)
	if err == nil && c != nil {
		c.holders[name] = h
	}
	return h, err
}

func (s *Registry) lookupHolder(ctx context.Context, name string) (Holder, error) {
	h, ok := ParseHolder(name)
	switch {
	case !ok:
		return Holder{}, fmt.Errorf("%w: holder %q must be city, district:CODE or project:CODE", errs.ErrInvalidRequest, name)
	case h.Project != "":
		p, err := s.Project(ctx, h.Project)
		if err != nil {
			return Holder{}, err
		}
		h.District = p.District
	case h.District != "":
		ok, err := s.DistrictExists(ctx, h.District)
		if err != nil {
			return Holder{}, err
		}
		if !ok {
			return Holder{}, fmt.Errorf("%w: district %q", errs.ErrNotFound, h.District)
		}
	}
	return h, nil
}

// At is where the fund's own money is held.
func (f *Fund) At() Holder {
	h, _ := ParseHolder(f.Holder)
	h.District = f.District
	return h
}
