package disclosure

import (
	"context"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"renofund/funding"
	"renofund/funding/works"
	"renofund/internal/access"
	"renofund/internal/field"
	"renofund/internal/money"
)

// Disclosure is everything a community's public page shows, and nothing
// else: every field is a fact the bureau publishes, none is personal.
type Disclosure struct {
	Community Community `json:"community"`
	// PublishedOn is the day the page in force was published, NoticeEnds
	// the last day of its disclosure period (NoticeDays long), and AsOf the
	// day the figures stand at (they are the books as they are).
	PublishedOn string `json:"published_on"`
	NoticeEnds  string `json:"notice_ends"`
	AsOf        string `json:"as_of"`
	// Status is the project's place in the pipeline (funding.Statuses),
	// Milestones its recorded steps.
	Status     string      `json:"status"`
	Milestones []Milestone `json:"milestones"`
	// Works are the three categories' budgets beside what was contracted,
	// settled and paid; Contracts the works contracts one by one.
	Works     []WorksLine `json:"works"`
	Contracts []Contract  `json:"contracts"`
	// RetentionHeld is the quality retention (质保金) still held back.
	RetentionHeld money.Amount `json:"retention_held"`
	// Sources are the money by group of source kinds, SourceTotal all of it.
	Sources     []SourceGroup `json:"sources"`
	SourceTotal Money         `json:"source_total"`
	// MaintenanceFund is the use of the residential maintenance fund,
	// published to the owners (民法典 §281).
	MaintenanceFund MaintenanceUse `json:"maintenance_fund"`
	// Ratings are the property-service ratings, the current version for
	// each period; Subsidies the subsidies paid to the property managers.
	Ratings      []Rating     `json:"ratings"`
	Subsidies    []Subsidy    `json:"subsidies"`
	SubsidyTotal money.Amount `json:"subsidy_total"`
	// Closed is the closing of the final accounts (决算), once closed.
	Closed *Closing `json:"closed"`
}

// Community is the project's public description.
type Community struct {
	Code         string       `json:"code"`
	Name         string       `json:"name"`
	District     string       `json:"district"`
	DistrictName string       `json:"district_name"`
	Households   int64        `json:"households"`
	Buildings    int64        `json:"buildings"`
	FloorAreaM2  money.Rate   `json:"floor_area_m2"`
	BuiltYear    int          `json:"built_year"`
	PlanYear     *int         `json:"plan_year"`
	Budget       money.Amount `json:"budget"` // the three categories together
}

// Milestone is one step of the project's pipeline: its status, the day and
// the document it rests on.
type Milestone struct {
	Status     string `json:"status"`
	On         string `json:"on"`
	DocumentNo string `json:"document_no"`
}

// WorksLine is one category of work (basic, improvement, upgrade).
type WorksLine struct {
	Category   string       `json:"category"`
	Budget     money.Amount `json:"budget"`
	Contracted money.Amount `json:"contracted"`
	Settled    money.Amount `json:"settled"`
	Paid       money.Amount `json:"paid"`
}

// Contract is a works contract as the residents see it: the contractor
// (a company, named), the sum, what has been paid, and where the works
// stand: the acceptance and the settlement.
type Contract struct {
	Category   string       `json:"category"`
	Contractor string       `json:"contractor"`
	Sum        money.Amount `json:"sum"`
	SignedOn   string       `json:"signed_on"`
	Paid       money.Amount `json:"paid"` // progress and final payments
	// Acceptance is the passed acceptance, or else the latest failed one
	// (nil before any).
	Acceptance *Acceptance `json:"acceptance"`
	Settlement *Settlement `json:"settlement"`
}

// hundred turns a share into per cent.
var hundred = decimal.NewFromInt(100)

// PaidShare is what has been paid as a share of the sum, in per cent with
// one decimal ("80.0").
func (c Contract) PaidShare() string {
	if c.Sum <= 0 {
		return ""
	}
	return c.Paid.Decimal().Mul(hundred).Div(c.Sum.Decimal()).StringFixed(1)
}

// Acceptance is the result of an acceptance inspection (验收): the day, the
// result and how many of the owners' representatives took part.
type Acceptance struct {
	On        string `json:"on"`
	Result    string `json:"result"` // passed or failed
	OwnerReps int    `json:"owner_reps"`
}

// Settlement is a contract's reviewed settlement (结算) and the retention
// held back from it.
type Settlement struct {
	On        string       `json:"on"`
	Amount    money.Amount `json:"amount"`
	Retention money.Amount `json:"retention"`
}

// Closing is the project's closing with its final accounts.
type Closing struct {
	On         string `json:"on"`
	DocumentNo string `json:"document_no"`
}

// Facts assembles a published project's page from the books as they stand,
// read in one snapshot. It is for anyone: it reads as the service itself
// and answers ErrNotPublished for a project that is unknown or not public.
func (s *Service) Facts(ctx context.Context, code string) (*Disclosure, error) {
	ctx = funding.WithLookups(access.With(ctx, access.System))
	var d *Disclosure
	err := s.db.Snapshot(ctx, func(ctx context.Context) error {
		pub, err := s.publication(ctx, code)
		if err != nil {
			return err
		}
		if !pub.Published {
			return ErrNotPublished
		}
		d, err = s.facts(ctx, code, day(pub.Since))
		return err
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// facts reads what a published page shows.
func (s *Service) facts(ctx context.Context, code, published string) (*Disclosure, error) {
	p, err := s.reg.Project(ctx, code)
	if err != nil {
		return nil, err
	}
	names, err := s.districtNames(ctx)
	if err != nil {
		return nil, err
	}
	d := &Disclosure{
		Community: Community{Code: p.Code, Name: p.Name, District: p.District, DistrictName: names[p.District],
			Households: p.Households, Buildings: p.Buildings, FloorAreaM2: p.FloorAreaM2, BuiltYear: p.BuiltYear,
			PlanYear: p.PlanYear, Budget: p.Budget.Basic + p.Budget.Improvement + p.Budget.Upgrade},
		PublishedOn: published, NoticeEnds: addDays(published, NoticeDays-1),
		AsOf: s.Now().In(field.Zone).Format(time.DateOnly), Status: p.Status,
	}
	standing, err := s.programme.Status(ctx, code)
	if err != nil {
		return nil, err
	}
	for _, st := range standing.History {
		d.Milestones = append(d.Milestones, Milestone{Status: st.Status, On: st.On, DocumentNo: st.DocumentNo})
	}
	fa, err := s.works.FinalAccounts(ctx, code)
	if err != nil {
		return nil, err
	}
	for _, c := range fa.Categories {
		d.Works = append(d.Works, WorksLine{Category: c.Category, Budget: c.Budget, Contracted: c.Contracted,
			Settled: c.Settled, Paid: c.Paid})
	}
	d.RetentionHeld = fa.RetentionOutstanding
	d.Sources, d.SourceTotal = groupSources(fa.Sources, fa.Plan)
	if fa.Closure != nil {
		d.Closed = &Closing{On: fa.Closure.ClosedOn, DocumentNo: fa.Closure.DocumentNo}
	}
	if d.Contracts, err = s.contracts(ctx, code); err != nil {
		return nil, err
	}
	if d.MaintenanceFund, err = s.maintenance(ctx, code, fa.Sources); err != nil {
		return nil, err
	}
	if d.Ratings, err = s.ratings(ctx, code); err != nil {
		return nil, err
	}
	if d.Subsidies, err = s.subsidies(ctx, code); err != nil {
		return nil, err
	}
	for _, sub := range d.Subsidies {
		d.SubsidyTotal += sub.Amount
	}
	return d, nil
}

// contracts reads every contract of the project, in the order registered.
func (s *Service) contracts(ctx context.Context, code string) ([]Contract, error) {
	out := []Contract{}
	after := ""
	for {
		page, err := s.works.Contracts(ctx, code, after, 100)
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			out = append(out, contractOf(c))
		}
		if len(page) < 100 {
			return out, nil
		}
		after = page[len(page)-1].ID
	}
}

// contractOf keeps what the residents see of a contract: the contractor's
// name, never its bank account; the acceptance's result, never the names of
// those who took part nor the inspectors' notes.
func contractOf(c *works.Contract) Contract {
	out := Contract{Category: c.Category, Contractor: c.Payee.Name, Sum: c.Sum, SignedOn: c.SignedOn, Paid: c.Position.Paid}
	for _, a := range c.Acceptances {
		if out.Acceptance == nil || out.Acceptance.Result != works.Passed {
			out.Acceptance = &Acceptance{On: a.AcceptedOn, Result: a.Result, OwnerReps: a.OwnerReps}
		}
	}
	if st := c.Settlement; st != nil {
		out.Settlement = &Settlement{On: st.SettledOn, Amount: st.Amount, Retention: st.Retention}
	}
	return out
}

// addDays is the date n days after a YYYY-MM-DD date.
func addDays(date string, n int) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return ""
	}
	return t.AddDate(0, 0, n).Format(time.DateOnly)
}

// sortedPeriods orders periods as written (2026-03, 2026-Q2, 2026-H1, 2026).
func sortedPeriods[T any](items []T, period func(T) string) {
	slices.SortStableFunc(items, func(a, b T) int {
		pa, pb := period(a), period(b)
		switch {
		case pa < pb:
			return -1
		case pa > pb:
			return 1
		}
		return 0
	})
}
