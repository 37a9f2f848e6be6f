package funding

import (
	"context"
	"fmt"
	"strings"

	"renofund/internal/access"
	"renofund/internal/errs"
)

// Project and fund codes are one namespace across the city, so a district
// free to register any code would learn from a refusal ("exists") which codes
// other districts use. Each district therefore owns the codes that begin
// with its own code and a hyphen (HZ-001, HZ-RC-2026): a district registers
// codes there only, and nobody registers a code there for anything but that
// district. A district's refusal then never depends on what another district
// has registered.

// codeBelongs checks that code may name an object (a project or fund) of
// district ("" for the city).
func (s *Registry) codeBelongs(ctx context.Context, what, code, district string) error {
	a := access.From(ctx)
	if a.Role == access.District && !strings.HasPrefix(code, a.District+"-") {
		return fmt.Errorf("%w: a district registers %s codes that begin with its own code: %s-…",
			errs.ErrInvalidRequest, what, a.District)
	}
	prefix, _, ok := strings.Cut(code, "-")
	if !ok || prefix == district {
		return nil
	}
	owned, err := s.DistrictExists(ctx, prefix)
	if err != nil {
		return err
	}
	if owned {
		return fmt.Errorf("%w: %s codes beginning %s- are district %s's own; this %s is not", errs.ErrInvalidRequest,
			what, prefix, prefix, what)
	}
	return nil
}

// prefixTaken reports a project or fund whose code begins with a new
// district's code and a hyphen: the namespace the district would own.
func (s *Registry) prefixTaken(ctx context.Context, district string) (string, error) {
	prefix := district + "-"
	var codes []string
	err := s.db.Conn(ctx).Raw(`SELECT code FROM projects WHERE substr(code, 1, ?) = ?
		UNION ALL SELECT code FROM funds WHERE substr(code, 1, ?) = ?`, len(prefix), prefix, len(prefix), prefix).
		Scan(&codes).Error
	if err != nil || len(codes) == 0 {
		return "", err
	}
	return codes[0], nil
}
