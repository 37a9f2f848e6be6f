package subsidy

import (
	"context"

	"renofund/subsidy/manager"
)

// PropertyManager is one version of a project's management contract (see
// package manager): the payee of its subsidy for the days it covers.
type PropertyManager = manager.Contract

// Management is a project's contracts: in force today, as they stand, and
// every version.
type Management = manager.Management

// ErrContractOverlap refuses a management contract overlapping another.
var ErrContractOverlap = manager.ErrContractOverlap

// Payee is who a line pays (or claws back from), as at the time of the run.
type Payee struct {
	Name        string `json:"name"`
	CreditCode  string `json:"credit_code"`
	BankAccount string `json:"bank_account"`
}

// SetPropertyManager records a management contract of the project (finance,
// or the project's own district); see manager.Service.Set.
func (s *Service) SetPropertyManager(ctx context.Context, code string, m PropertyManager) (*PropertyManager, error) {
	return s.managers.Set(ctx, code, m)
}

// Management returns the project's management contracts; a project without
// any, or one the actor may not see, is not found.
func (s *Service) Management(ctx context.Context, code string) (*Management, error) {
	return s.managers.Management(ctx, code)
}

// PropertyManagers returns every version of the project's contracts,
// oldest first.
func (s *Service) PropertyManagers(ctx context.Context, code string) ([]PropertyManager, error) {
	return s.managers.Versions(ctx, code)
}

// projectDistrict is what the manager service asks of the registry.
func (s *Service) projectDistrict(ctx context.Context, code string) (string, error) {
	p, err := s.visibleProject(ctx, code)
	if err != nil {
		return "", err
	}
	return p.District, nil
}
