package period

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/ledger/proof"
	"renofund/internal/money"
)

// CarryLine is one holding's year (结转): what it opened with, what moved,
// and what it closed with, which is next year's opening.
type CarryLine struct {
	Fund         string       `json:"fund"`
	Holder       string       `json:"holder"`
	District     string       `json:"district,omitempty"`
	Project      string       `json:"project,omitempty"`
	Opening      money.Amount `json:"opening"`
	Received     money.Amount `json:"received"`
	AllocatedIn  money.Amount `json:"allocated_in"`
	AllocatedOut money.Amount `json:"allocated_out"`
	Spent        money.Amount `json:"spent"`
	In           money.Amount `json:"in"`  // received + allocated in
	Out          money.Amount `json:"out"` // allocated out + spent
	Closing      money.Amount `json:"closing"`
	// Sealed is the closing balance the year's seal fixed, when it is closed.
	Sealed *money.Amount `json:"sealed,omitempty"`
}

// CarryForward is a fiscal year's carry-forward report.
type CarryForward struct {
	FiscalYear int         `json:"fiscal_year"`
	Status     string      `json:"status"`
	Seal       *proof.Seal `json:"seal,omitempty"`
	// MatchesSeal says every holding's closing balance, from the ledger,
	// equals the sealed one to the fen (only when the year is closed).
	MatchesSeal *bool       `json:"matches_seal,omitempty"`
	Items       []CarryLine `json:"items"`
	Totals      CarryLine   `json:"totals"`
}

// CarryForward reports each holding's opening, movements and closing for a
// fiscal year from the ledger, beside the year's seal when it is closed
// ("" is this year).
func (s *Service) CarryForward(ctx context.Context, fiscalYear string) (*CarryForward, error) {
	if fiscalYear == "" {
		fiscalYear = s.today()[:4]
	}
	y, err := strconv.Atoi(fiscalYear)
	if err != nil || len(fiscalYear) != 4 || y < ledger.FirstYear {
		return nil, fmt.Errorf("%w: fiscal_year %q is not a year from %d on", errs.ErrInvalidRequest, fiscalYear, ledger.FirstYear)
	}
	p, err := s.Get(ctx, fiscalYear)
	if err != nil {
		return nil, err
	}
	var out *CarryForward
	err = s.db.Snapshot(ctx, func(ctx context.Context) error {
		out, err = s.carry(ctx, y, p)
		return err
	})
	return out, err
}

func (s *Service) carry(ctx context.Context, y int, p *Period) (*CarryForward, error) {
	first, last := fmt.Sprintf("%d-01-01", y), fmt.Sprintf("%d-12-31", y)
	opening, err := s.ledger.Flows(ctx, ledger.FlowFilter{To: fmt.Sprintf("%d-12-31", y-1)})
	if err != nil {
		return nil, err
	}
	year, err := s.ledger.Flows(ctx, ledger.FlowFilter{From: first, To: last})
	if err != nil {
		return nil, err
	}
	lines := map[[2]string]*CarryLine{}
	var order [][2]string
	line := func(f ledger.HoldingFlow) *CarryLine {
		k := [2]string{f.Fund, f.Holder}
		if lines[k] == nil {
			lines[k] = &CarryLine{Fund: f.Fund, Holder: f.Holder, District: f.District, Project: f.Project}
			order = append(order, k)
		}
		return lines[k]
	}
	for _, f := range opening {
		line(f).Opening = f.Net
	}
	for _, f := range year {
		l := line(f)
		l.Received, l.AllocatedIn, l.AllocatedOut, l.Spent = f.Received, f.AllocatedIn, f.AllocatedOut, f.Spent
		l.Closing = f.Net // the year's change, until the opening is added
	}
	out := &CarryForward{FiscalYear: y, Status: p.Status, Seal: p.Seal, Items: make([]CarryLine, 0, len(order))}
	var sealed map[[2]string]money.Amount
	if p.Seal != nil {
		bs, err := s.books.SealBalances(ctx, p.Seal.ID)
		if err != nil {
			return nil, err
		}
		sealed = make(map[[2]string]money.Amount, len(bs))
		for _, b := range bs {
			sealed[[2]string{b.Fund, b.Holder}] = b.Balance
		}
		match := len(bs) == len(order)
		out.MatchesSeal = &match
	}
	sortKeys(order)
	t := &out.Totals
	for _, k := range order {
		l := lines[k]
		l.In, l.Out = l.Received+l.AllocatedIn, l.AllocatedOut+l.Spent
		l.Closing += l.Opening
		if sealed != nil {
			v, ok := sealed[k]
			l.Sealed = &v
			if !ok || v != l.Closing {
				*out.MatchesSeal = false
			}
		}
		addTo(t, *l)
		out.Items = append(out.Items, *l)
	}
	return out, nil
}

func sortKeys(ks [][2]string) {
	slices.SortFunc(ks, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
}

// For narrows the report to one district's holdings (its own and its
// projects'), with totals over them; the seal comparison stays the city's.
func (c *CarryForward) For(district string) *CarryForward {
	out := *c
	out.Items, out.Totals = []CarryLine{}, CarryLine{}
	for _, l := range c.Items {
		if l.District != district {
			continue
		}
		out.Items = append(out.Items, l)
		addTo(&out.Totals, l)
	}
	return &out
}

func addTo(t *CarryLine, l CarryLine) {
	t.Opening += l.Opening
	t.Received += l.Received
	t.AllocatedIn += l.AllocatedIn
	t.AllocatedOut += l.AllocatedOut
	t.Spent += l.Spent
	t.In += l.In
	t.Out += l.Out
	t.Closing += l.Closing
}
