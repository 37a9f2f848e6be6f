package subsidy

import "context"

// Registry is what subsidies need of the programme's registry: the fund a
// scheme pays from, where it pays from, and the projects it pays for. The
// subsidy package does not import the funding side; cmd wires one to the
// other (internal/app).
type Registry interface {
	// PayingFund describes a fund, without checking who asks; an unknown
	// code is errs.ErrNotFound.
	PayingFund(ctx context.Context, code string) (Fund, error)
	// Payer checks that a holder a scheme pays from names the city or an
	// existing district, and returns the district ("" for the city).
	Payer(ctx context.Context, holder string) (district string, err error)
	// Project returns a project the actor may see; another district's is
	// errs.ErrNotFound, exactly as one that does not exist.
	Project(ctx context.Context, code string) (Project, error)
	// Projects lists every project of a district ("": of the city) in code
	// order, without checking who asks.
	Projects(ctx context.Context, district string) ([]Project, error)
}

// Fund is what a payout needs to know about the paying fund.
type Fund struct {
	Code       string
	Categories []string
	ExpiresOn  string // "" when it does not expire
	DocumentNo string
}

// Project is what a run needs to know about a community.
type Project struct {
	Code       string
	District   string
	Households int64
	FloorArea  string // square metres, a decimal
}
