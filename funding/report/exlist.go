package report

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/window"
)

// ExceptionQuery selects findings for the auditor's list: the rules to run
// and filters on what they find (empty fields select everything), a page
// at a time in id order (Limit 0: every finding).
type ExceptionQuery struct {
	Rules
	Kind     string        // an exception code
	Severity string        // high, medium or low
	District string        // findings of this district
	Status   string        // open, acknowledged, explained or closed
	Window   window.Window // findings dated in it
	After    string        // the id of the previous page's last finding
	Limit    int
}

// check refuses filter values that name nothing.
func (q ExceptionQuery) check() error {
	for _, f := range []struct {
		name, v string
		in      []string
	}{{"kind", q.Kind, Codes}, {"severity", q.Severity, Severities}, {"status", q.Status, Statuses}} {
		if f.v != "" && !slices.Contains(f.in, f.v) {
			return fmt.Errorf("%w: %s %q is not one of %v", errs.ErrInvalidRequest, f.name, f.v, f.in)
		}
	}
	return nil
}

// ExceptionList runs the checks and returns the findings q selects, in id
// order. A district sees its own; asking for another is forbidden.
func (s *Service) ExceptionList(ctx context.Context, q ExceptionQuery) ([]Exception, error) {
	if err := q.check(); err != nil {
		return nil, err
	}
	district, err := access.From(ctx).Area(q.District)
	if err != nil {
		return nil, err
	}
	all, err := s.exceptions(ctx, q.Rules, q.Kind)
	if err != nil {
		return nil, err
	}
	out := []Exception{}
	for _, e := range all {
		if (q.Kind == "" || e.Code == q.Kind) && (q.Severity == "" || e.Severity == q.Severity) &&
			(district == "" || e.District == district) && (q.Status == "" || e.Status == q.Status) &&
			q.Window.Contains(e.On) && e.ID > q.After {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}
