package app

import (
	"context"
	"fmt"

	"renofund/funding"
	"renofund/internal/errs"
	"renofund/subsidy"
)

// subsidyRegistry answers what subsidies ask of the funding registry.
type subsidyRegistry struct{ reg *funding.Registry }

func (r subsidyRegistry) PayingFund(ctx context.Context, code string) (subsidy.Fund, error) {
	f, err := r.reg.LoadFund(ctx, code)
	if err != nil {
		return subsidy.Fund{}, err
	}
	return subsidy.Fund{Code: f.Code, Categories: f.EligibleCategories, ExpiresOn: f.ExpiresOn, DocumentNo: f.DocumentNo}, nil
}

func (r subsidyRegistry) Payer(ctx context.Context, holder string) (string, error) {
	h, ok := funding.ParseHolder(holder)
	if !ok || h.Project != "" {
		return "", fmt.Errorf("%w: holder %q must be city or district:CODE", errs.ErrInvalidRequest, holder)
	}
	if h.District == "" {
		return "", nil
	}
	exists, err := r.reg.DistrictExists(ctx, h.District)
	if err != nil {
		return "", err
	}
	if !exists {
		return "", fmt.Errorf("%w: district %q", errs.ErrNotFound, h.District)
	}
	return h.District, nil
}

func (r subsidyRegistry) Project(ctx context.Context, code string) (subsidy.Project, error) {
	p, err := r.reg.Project(ctx, code)
	if err != nil {
		return subsidy.Project{}, err
	}
	return projectOf(p), nil
}

func (r subsidyRegistry) Projects(ctx context.Context, district string) ([]subsidy.Project, error) {
	ps, err := r.reg.AllProjects(ctx, district)
	if err != nil {
		return nil, err
	}
	out := make([]subsidy.Project, len(ps))
	for i, p := range ps {
		out[i] = projectOf(&p)
	}
	return out, nil
}

func projectOf(p *funding.Project) subsidy.Project {
	return subsidy.Project{Code: p.Code, District: p.District, Households: p.Households, FloorArea: p.FloorAreaM2.String()}
}
