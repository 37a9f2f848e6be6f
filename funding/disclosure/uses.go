package disclosure

import (
	"context"
	"fmt"

	"renofund/funding"
	"renofund/funding/works"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/subsidy"
)

// MaintenanceUse is the use of the residential maintenance fund
// (住宅专项维修资金) at the project, which the owners must be shown
// (民法典 §281): the owners' decisions to use it, what came in, and every
// payment out of it with its purpose and payee.
type MaintenanceUse struct {
	Votes    []Vote       `json:"votes"`
	Received money.Amount `json:"received"`
	Spent    money.Amount `json:"spent"`
	Held     money.Amount `json:"held"`
	Uses     []Use        `json:"uses"`
}

// Vote is an owners' assembly decision (民法典 §278) as counted: totals,
// who took part and who agreed, by owners and by exclusive area. It names
// nobody.
type Vote struct {
	HeldOn              string     `json:"held_on"`
	Purpose             string     `json:"purpose"` // use or raise
	TotalOwners         int64      `json:"total_owners"`
	ParticipatingOwners int64      `json:"participating_owners"`
	YesOwners           int64      `json:"yes_owners"`
	TotalAreaM2         money.Rate `json:"total_area_m2"`
	ParticipatingAreaM2 money.Rate `json:"participating_area_m2"`
	YesAreaM2           money.Rate `json:"yes_area_m2"`
}

// Use is one payment out of the maintenance fund: the part of an
// expenditure the fund paid, to a company (every expenditure's payee
// carries a credit code), for a stated purpose.
type Use struct {
	PaidOn   string       `json:"paid_on"`
	Category string       `json:"category"`
	Purpose  string       `json:"purpose"`
	Payee    string       `json:"payee"`
	Amount   money.Amount `json:"amount"`
}

// maintenance reads the maintenance fund's use at the project: the sources
// of that kind (from the final accounts), their funds' votes, and the
// unreversed expenditures they paid for.
func (s *Service) maintenance(ctx context.Context, code string, sources []works.SourceLine) (MaintenanceUse, error) {
	m := MaintenanceUse{Votes: []Vote{}, Uses: []Use{}}
	funds := map[string]bool{}
	for _, src := range sources {
		if GroupOf(src.Kind) != Maintenance {
			continue
		}
		funds[src.Fund] = true
		m.Received += src.Received + src.AllocatedIn
		m.Spent += src.Spent
		m.Held += src.Remainder
		f, err := s.reg.LoadFund(ctx, src.Fund)
		if err != nil {
			return m, err
		}
		if v := f.Vote; v != nil {
			m.Votes = append(m.Votes, Vote{HeldOn: v.HeldOn, Purpose: v.Purpose, TotalOwners: v.TotalOwners,
				ParticipatingOwners: v.ParticipatingOwners, YesOwners: v.YesOwners, TotalAreaM2: v.TotalAreaM2,
				ParticipatingAreaM2: v.ParticipatingAreaM2, YesAreaM2: v.YesAreaM2})
		}
	}
	if len(funds) == 0 {
		return m, nil
	}
	ts, err := s.ledger.All(ctx, ledger.Filter{Project: code, Type: ledger.TypeExpenditure, Unreversed: true})
	if err != nil {
		return m, err
	}
	holder := funding.ProjectHolder(code)
	for _, t := range ts {
		var paid money.Amount
		for _, p := range t.Postings {
			if funds[p.Fund] && p.Holder == holder && p.Amount < 0 {
				paid -= p.Amount
			}
		}
		if paid > 0 {
			m.Uses = append(m.Uses, Use{PaidOn: t.BookedOn, Category: t.Category, Purpose: t.Purpose, Payee: t.PayeeName, Amount: paid})
		}
	}
	sortedPeriods(m.Uses, func(u Use) string { return u.PaidOn })
	return m, nil
}

// Rating is a property-service rating (物业服务质量评价) of one period: the
// score in force (the latest version) and how many owners' representatives
// took part. The assessors' names stay out.
type Rating struct {
	Period    string        `json:"period"`
	Score     subsidy.Score `json:"score"`
	OwnerReps int           `json:"owner_reps"`
}

// Subsidy is a property-service subsidy paid to the company managing the
// community: the period it is for, the scheme, the score and payout ratio
// it was paid by, and the amount, never the company's bank account.
type Subsidy struct {
	Period  string         `json:"period"`
	Scheme  string         `json:"scheme"`
	Company string         `json:"company"`
	Score   *subsidy.Score `json:"score"`
	Ratio   *money.Rate    `json:"ratio"`
	Amount  money.Amount   `json:"amount"`
	PaidOn  string         `json:"paid_on"`
}

// ratings reads the project's ratings, the latest version per period, by period.
func (s *Service) ratings(ctx context.Context, code string) ([]Rating, error) {
	latest := map[string]int{} // period → index in out
	out := []Rating{}
	f := subsidy.RatingFilter{Project: code, Limit: 1000}
	for {
		page, err := s.subsidy.RatingHistory(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, r := range page {
			rt := Rating{Period: r.Period, Score: *r.Score, OwnerReps: r.OwnerReps}
			if i, ok := latest[r.Period]; ok {
				out[i] = rt // recorded later: a newer version
				continue
			}
			latest[r.Period] = len(out)
			out = append(out, rt)
		}
		if len(page) < f.Limit {
			break
		}
		f.After = page[len(page)-1].ID
	}
	sortedPeriods(out, func(r Rating) string { return r.Period })
	return out, nil
}

// subsidies reads the subsidies paid for the project (unreversed subsidy
// payments), each with the period, scheme and score of the run line it paid.
func (s *Service) subsidies(ctx context.Context, code string) ([]Subsidy, error) {
	ts, err := s.ledger.All(ctx, ledger.Filter{Project: code, Type: ledger.TypeSubsidy, Unreversed: true})
	if err != nil {
		return nil, err
	}
	runs := map[string]*subsidy.Run{}
	schemes := map[string]string{}
	out := []Subsidy{}
	for _, t := range ts {
		sub := Subsidy{Company: t.PayeeName, Amount: t.Amount, PaidOn: t.BookedOn}
		if t.BatchID != "" {
			r, ok := runs[t.BatchID]
			if !ok {
				if r, err = s.subsidy.Run(ctx, t.BatchID); err != nil {
					return nil, err
				}
				runs[t.BatchID] = r
			}
			sub.Period = r.Period
			key := fmt.Sprintf("%s/%d", r.Scheme, r.SchemeVersion)
			if _, ok := schemes[key]; !ok {
				sc, err := s.subsidy.Scheme(ctx, r.Scheme, r.SchemeVersion)
				if err != nil {
					return nil, err
				}
				schemes[key] = sc.Name
			}
			sub.Scheme = schemes[key]
			for _, l := range r.Lines {
				if l.Project == code && l.Amount == t.Amount && l.Payee != nil && l.Payee.CreditCode == t.PayeeCreditCode {
					ratio := l.Ratio
					sub.Score, sub.Ratio = l.Score, &ratio
					break
				}
			}
		}
		out = append(out, sub)
	}
	sortedPeriods(out, func(s Subsidy) string { return s.Period + " " + s.PaidOn })
	return out, nil
}
