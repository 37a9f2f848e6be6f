package report

import (
	"context"
	"fmt"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/window"
)

// FundLine is one fund's money at a project in a window: what it held
// before, what reached it and what it spent in the window, and what it held
// at the window's end.
type FundLine struct {
	Fund      string       `json:"fund"`
	Kind      string       `json:"kind"`
	Opening   money.Amount `json:"opening"`
	Received  money.Amount `json:"received"`
	Spent     money.Amount `json:"spent"`
	Available money.Amount `json:"available"`
}

// CategoryLine is a category's budget and spending at a project.
type CategoryLine struct {
	Category string       `json:"category"`
	Budget   money.Amount `json:"budget"`
	Spent    money.Amount `json:"spent"`
}

// Totals sums a fund's or a project's money in a window:
// opening + received − spent = available.
type Totals struct {
	Opening   money.Amount `json:"opening"`
	Received  money.Amount `json:"received"`
	Spent     money.Amount `json:"spent"`
	Available money.Amount `json:"available"`
}

func (t *Totals) add(o Totals) error {
	op, ok0 := money.Sum(t.Opening, o.Opening)
	r, ok1 := money.Sum(t.Received, o.Received)
	sp, ok2 := money.Sum(t.Spent, o.Spent)
	av, ok3 := money.Sum(t.Available, o.Available)
	if !ok0 || !ok1 || !ok2 || !ok3 {
		return ErrTooLarge
	}
	*t = Totals{Opening: op, Received: r, Spent: sp, Available: av}
	return nil
}

// ProjectFunding is where a project's money came from and went.
type ProjectFunding struct {
	Project    string         `json:"project"`
	Funds      []FundLine     `json:"funds"`
	Categories []CategoryLine `json:"categories"`
	Totals     Totals         `json:"totals"`
}

// ProjectFunding sums, per fund, what reached the project (receipts and
// allocations), what it spent and what it holds, and spending per category
// against budget; all net of reversals and booked in w.
func (s *Service) ProjectFunding(ctx context.Context, code string, w window.Window) (*ProjectFunding, error) {
	p, err := s.reg.Project(ctx, code)
	if err != nil {
		return nil, err
	}
	flows, err := s.windowFlows(ctx, ledger.FlowFilter{Holder: funding.ProjectHolder(code)}, w)
	if err != nil {
		return nil, err
	}
	funds, err := fundsOf(ctx, s, flows, func(x holdingFlow) string { return x.Fund })
	if err != nil {
		return nil, err
	}
	v := &ProjectFunding{Project: code, Funds: make([]FundLine, 0, len(flows))}
	for _, f := range flows {
		l := FundLine{Fund: f.Fund, Kind: funds[f.Fund].Kind, Opening: f.Opening, Received: f.Received + f.AllocatedIn,
			Spent: f.Spent, Available: f.Available}
		v.Funds = append(v.Funds, l)
		if err := v.Totals.add(Totals{l.Opening, l.Received, l.Spent, l.Available}); err != nil {
			return nil, err
		}
	}
	spends, err := s.ledger.SpentByCategory(ctx, "", code, w.From, w.To)
	if err != nil {
		return nil, err
	}
	spent := map[string]money.Amount{}
	for _, sp := range spends {
		spent[sp.Category] = sp.Spent
	}
	for _, c := range funding.Categories {
		v.Categories = append(v.Categories, CategoryLine{Category: c, Budget: p.Budget.For(c), Spent: spent[c]})
	}
	return v, nil
}

// Holding is one fund's money at one holder.
type Holding struct {
	Holder    string       `json:"holder"`
	Available money.Amount `json:"available"`
}

// FundView is a fund with where its money is.
type FundView struct {
	*funding.Fund
	Totals   Totals    `json:"totals"`
	Holdings []Holding `json:"holdings"`
}

// FundView returns the fund with its totals and holdings in w: what was
// received and spent in it, and what each holding held at its end. A
// district sees a fund it holds, or a fund with money at its holders, and
// only its own holdings and their totals: received is money entering the
// books and spent money leaving them; for a district, what reached its own
// holders from outside the district and what left them (an allocation from
// the district to its own project is internal, and the only kind a district
// makes).
func (s *Service) FundView(ctx context.Context, code string, w window.Window) (*FundView, error) {
	f, err := s.reg.Fund(ctx, code)
	if err != nil {
		return nil, err
	}
	district, err := access.From(ctx).Area("")
	if err != nil {
		return nil, err
	}
	flows, err := s.windowFlows(ctx, ledger.FlowFilter{Fund: code, District: district}, w)
	if err != nil {
		return nil, err
	}
	v := &FundView{Fund: f, Holdings: make([]Holding, 0, len(flows))}
	for _, fl := range flows {
		v.Holdings = append(v.Holdings, Holding{fl.Holder, fl.Available})
		received := fl.Received
		if district != "" {
			received += fl.AllocatedIn - fl.AllocatedOut
		}
		if err := v.Totals.add(Totals{fl.Opening, received, fl.Spent, fl.Available}); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// Transfers lists transfers the actor may see, a page at a time.
func (s *Service) Transfers(ctx context.Context, f ledger.Filter) ([]*ledger.Transfer, error) {
	var err error
	if f.District, err = access.From(ctx).Area(f.District); err != nil {
		return nil, err
	}
	if f.Project != "" {
		if _, err := s.reg.Project(ctx, f.Project); err != nil {
			return nil, err
		}
	}
	return s.ledger.List(ctx, f)
}

// Transfer returns one transfer the actor may see.
func (s *Service) Transfer(ctx context.Context, id string) (*ledger.Transfer, error) {
	t, err := s.ledger.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !access.From(ctx).Sees(t.District) {
		return nil, fmt.Errorf("%w %s", ledger.ErrTransferNotFound, id)
	}
	return t, nil
}
