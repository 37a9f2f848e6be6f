package works

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"renofund/funding"
	"renofund/funding/programme"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
)

// Errors of closing a project.
var (
	ErrAccountsUnbalanced = errs.New(errs.Rule, "accounts_unbalanced", "the project's final accounts do not balance")
	ErrProjectClosed      = errs.New(errs.Conflict, "project_closed", "the project is closed")
)

// SourceLine is what one fund did at the project, net of reversals.
type SourceLine struct {
	Fund        string       `json:"fund"`
	Kind        string       `json:"kind"`
	Received    money.Amount `json:"received"`     // receipts straight into the project's holding
	AllocatedIn money.Amount `json:"allocated_in"` // allocations down to the project
	Spent       money.Amount `json:"spent"`
	Returned    money.Amount `json:"returned"`  // remainders returned up the tree
	Remainder   money.Amount `json:"remainder"` // what the project still holds
}

// CategoryLine sets a category of work's budget beside its contracts,
// settlements and payments.
type CategoryLine struct {
	Category   string       `json:"category"`
	Budget     money.Amount `json:"budget"`
	Contracted money.Amount `json:"contracted"`
	Settled    money.Amount `json:"settled"`
	Paid       money.Amount `json:"paid"`
}

// FinalAccounts are a project's final accounts (决算): every source, every
// category, the retention still held and what remains per fund.
type FinalAccounts struct {
	Project    string         `json:"project"`
	District   string         `json:"district"`
	Sources    []SourceLine   `json:"sources"`
	Categories []CategoryLine `json:"categories"`
	// Plan sets the funding plan (资金筹措方案) in force beside what came
	// in, per fund kind.
	Plan                 []programme.KindLine `json:"plan"`
	Unsettled            []string             `json:"unsettled_contracts"` // contracts without a settlement
	RetentionOutstanding money.Amount         `json:"retention_outstanding"`
	Remainder            money.Amount         `json:"remainder"`
	// Balanced: nothing remains, every contract is settled and no retention
	// is held; only then may the project close without returning money.
	Balanced bool     `json:"balanced"`
	Closure  *Closure `json:"closure"`
}

// Closure is the record of a project's closing.
type Closure struct {
	ClosedOn   string `json:"closed_on"`
	DocumentNo string `json:"document_no"`
	ClosedBy   string `json:"closed_by"`
	ClosedAt   string `json:"closed_at"`
}

// FinalLine is one row of the final accounts as a table (CSV, XLSX).
type FinalLine struct {
	Section     string       `json:"section"` // source, category or total
	Item        string       `json:"item"`
	Kind        string       `json:"kind"`
	Received    money.Amount `json:"received"`
	AllocatedIn money.Amount `json:"allocated_in"`
	Spent       money.Amount `json:"spent"`
	Returned    money.Amount `json:"returned"`
	Remainder   money.Amount `json:"remainder"`
	Budget      money.Amount `json:"budget"`
	Contracted  money.Amount `json:"contracted"`
	Settled     money.Amount `json:"settled"`
	Paid        money.Amount `json:"paid"`
	Planned     money.Amount `json:"planned"` // the plan section: the funding plan's amount of the kind
}

// Lines lays the accounts out as a table.
func (fa *FinalAccounts) Lines() []FinalLine {
	var out []FinalLine
	for _, s := range fa.Sources {
		out = append(out, FinalLine{Section: "source", Item: s.Fund, Kind: s.Kind, Received: s.Received,
			AllocatedIn: s.AllocatedIn, Spent: s.Spent, Returned: s.Returned, Remainder: s.Remainder})
	}
	for _, k := range fa.Plan {
		out = append(out, FinalLine{Section: "plan", Item: k.Kind, Kind: k.Kind, Received: k.Received, Planned: k.Planned})
	}
	for _, c := range fa.Categories {
		out = append(out, FinalLine{Section: "category", Item: c.Category, Budget: c.Budget, Contracted: c.Contracted,
			Settled: c.Settled, Paid: c.Paid})
	}
	return append(out, FinalLine{Section: "total", Item: "retention_outstanding", Remainder: fa.RetentionOutstanding},
		FinalLine{Section: "total", Item: "remainder", Remainder: fa.Remainder})
}

// FinalAccounts computes a project's final accounts as they stand.
func (s *Service) FinalAccounts(ctx context.Context, code string) (*FinalAccounts, error) {
	p, err := s.reg.Project(ctx, code)
	if err != nil {
		return nil, err
	}
	flows, err := s.ledger.Flows(ctx, ledger.FlowFilter{Holder: funding.ProjectHolder(code)})
	if err != nil {
		return nil, err
	}
	fa := &FinalAccounts{Project: p.Code, District: p.District, Sources: []SourceLine{}, Unsettled: []string{}}
	for _, f := range flows {
		fund, err := s.reg.LoadFund(ctx, f.Fund)
		if err != nil {
			return nil, err
		}
		fa.Sources = append(fa.Sources, SourceLine{Fund: f.Fund, Kind: fund.Kind, Received: f.Received,
			AllocatedIn: f.AllocatedIn, Spent: f.Spent, Returned: f.AllocatedOut, Remainder: f.Net})
		fa.Remainder += f.Net
	}
	if fa.Categories, err = s.categories(ctx, p); err != nil {
		return nil, err
	}
	if fa.Plan, err = s.programme.KindLines(ctx, code); err != nil {
		return nil, err
	}
	err = s.db.Conn(ctx).Raw(`SELECT c.id FROM contracts c LEFT JOIN settlements s ON s.contract_id = c.id
		WHERE c.project_code = ? AND s.contract_id IS NULL ORDER BY c.id`, code).Scan(&fa.Unsettled).Error
	if err != nil {
		return nil, err
	}
	st, err := s.standing(ctx, code, "")
	if err != nil {
		return nil, err
	}
	if fa.RetentionOutstanding, err = s.Reserved(ctx, code, st); err != nil {
		return nil, err
	}
	fa.Balanced = fa.Remainder == 0 && len(fa.Unsettled) == 0 && fa.RetentionOutstanding == 0
	fa.Closure, err = s.closure(ctx, code)
	return fa, err
}

func (s *Service) categories(ctx context.Context, p *funding.Project) ([]CategoryLine, error) {
	var rows []struct {
		Category            string
		Contracted, Settled int64
	}
	err := s.db.Conn(ctx).Raw(`SELECT c.category, SUM(c.sum) AS contracted, COALESCE(SUM(s.amount), 0) AS settled
		FROM contracts c LEFT JOIN settlements s ON s.contract_id = c.id WHERE c.project_code = ?
		GROUP BY c.category`, p.Code).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	spent, err := s.ledger.SpentByCategory(ctx, "", p.Code, "", "")
	if err != nil {
		return nil, err
	}
	out := make([]CategoryLine, 0, len(funding.Categories))
	for _, cat := range funding.Categories {
		l := CategoryLine{Category: cat, Budget: p.Budget.For(cat)}
		for _, r := range rows {
			if r.Category == cat {
				l.Contracted, l.Settled = money.Amount(r.Contracted), money.Amount(r.Settled)
			}
		}
		for _, sp := range spent {
			if sp.Category == cat {
				l.Paid = sp.Spent
			}
		}
		out = append(out, l)
	}
	return out, nil
}

func (s *Service) closure(ctx context.Context, code string) (*Closure, error) {
	var cs []Closure
	err := s.db.Conn(ctx).Raw(`SELECT closed_on, document_no, closed_by, closed_at FROM project_closures
		WHERE project_code = ?`, code).Scan(&cs).Error
	if err != nil || len(cs) == 0 {
		return nil, err
	}
	return &cs[0], nil
}

// CheckOpen refuses a movement into or out of a closed project.
func (s *Service) CheckOpen(ctx context.Context, code string) error {
	st, err := s.Standing(ctx, code)
	if err != nil {
		return err
	}
	return st.Open(code)
}

// CloseIn is a request to close a project.
type CloseIn struct {
	ClosedOn   string `json:"closed_on"`
	DocumentNo string `json:"document_no"` // the approval of the final accounts (决算批复)
	// ReturnRemainder returns what each fund still holds at the project to
	// the holder the fund is kept at, as transfers booked on closed_on.
	ReturnRemainder bool `json:"return_remainder,omitempty"`
}

// Close closes a project's final accounts (finance only): every contract
// settled and no retention held, and nothing left in its holdings, or every
// remainder returned up the tree with ReturnRemainder (a fund kept at the
// project itself cannot be returned). Otherwise 422 accounts_unbalanced,
// naming what is left. The project's holdings are locked throughout. The
// project's status becomes closed in the same transaction (a closing dated
// before its last status step is refused, 422 invalid_status_change).
func (s *Service) Close(ctx context.Context, code string, in CloseIn) (*FinalAccounts, []*ledger.Transfer, error) {
	if err := pastDate("closed_on", in.ClosedOn); err != nil {
		return nil, nil, err
	}
	if err := field.Text("document_no", in.DocumentNo, true, 200); err != nil {
		return nil, nil, err
	}
	a := access.From(ctx)
	if a.Role != access.Finance {
		return nil, nil, fmt.Errorf("%w: the finance bureau closes a project's final accounts", errs.ErrForbidden)
	}
	var fa *FinalAccounts
	var ts []*ledger.Transfer
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		// Marking the project's row first waits for the movements that hold it
		// (Standing) and keeps new ones out until the closing is decided.
		if err := tx.Exec(`UPDATE projects SET closed_on = ? WHERE code = ? AND closed_on IS NULL`,
			in.ClosedOn, code).Error; err != nil {
			return err
		}
		if _, err := s.ledger.LockHolder(ctx, funding.ProjectHolder(code)); err != nil {
			return err
		}
		var err error
		if fa, err = s.FinalAccounts(ctx, code); err != nil {
			return err
		}
		if fa.Closure != nil {
			return fmt.Errorf("%w: project %s was closed on %s", errs.ErrConflict, code, fa.Closure.ClosedOn)
		}
		if len(fa.Unsettled) > 0 || fa.RetentionOutstanding != 0 {
			return fmt.Errorf("%w: contracts not settled: [%s]; retention held: %s", ErrAccountsUnbalanced,
				strings.Join(fa.Unsettled, ", "), fa.RetentionOutstanding)
		}
		if ts, err = s.returns(ctx, fa, in); err != nil {
			return err
		}
		if len(ts) > 0 {
			if err := s.ledger.Post(ctx, ts...); err != nil {
				return err
			}
			if fa, err = s.FinalAccounts(ctx, code); err != nil {
				return err
			}
		}
		body, err := json.Marshal(fa)
		if err != nil {
			return err
		}
		fa.Closure = &Closure{ClosedOn: in.ClosedOn, DocumentNo: in.DocumentNo, ClosedBy: a.Label(), ClosedAt: store.Now()}
		err = tx.Exec(`INSERT INTO project_closures (project_code, closed_on, document_no, accounts, closed_by, closed_at)
			VALUES (?,?,?,?,?,?)`, code, in.ClosedOn, in.DocumentNo, string(body), fa.Closure.ClosedBy, fa.Closure.ClosedAt).Error
		if err != nil {
			return err
		}
		return programme.RecordClosed(ctx, s.db, code, in.ClosedOn, in.DocumentNo)
	})
	if err != nil {
		return nil, nil, err
	}
	return fa, ts, nil
}

// returns builds the transfers that return each remainder to its fund's
// holder, or refuses when a remainder is left and may not be returned.
func (s *Service) returns(ctx context.Context, fa *FinalAccounts, in CloseIn) ([]*ledger.Transfer, error) {
	var ts []*ledger.Transfer
	var left []string
	from := funding.Holder{Name: funding.ProjectHolder(fa.Project), District: fa.District, Project: fa.Project}
	for _, src := range fa.Sources {
		if src.Remainder == 0 {
			continue
		}
		f, err := s.reg.LoadFund(ctx, src.Fund)
		if err != nil {
			return nil, err
		}
		home := f.At()
		if !in.ReturnRemainder || home.Name == from.Name {
			left = append(left, fmt.Sprintf("%s %s", src.Fund, src.Remainder))
			continue
		}
		ts = append(ts, &ledger.Transfer{
			FiscalYear: fiscalYear(in.ClosedOn), Type: ledger.TypeAllocation, Fund: f.Code, From: from.Name,
			To: home.Name, District: fa.District, Project: fa.Project, Amount: src.Remainder, BookedOn: in.ClosedOn,
			DocumentNo: in.DocumentNo, Purpose: "决算结余退回 remainder returned on closing the final accounts",
			RecordedBy: access.From(ctx).Label(),
			Postings:   []ledger.Posting{from.Posting(f.Code, -src.Remainder), home.Posting(f.Code, src.Remainder)},
		})
	}
	if len(left) > 0 {
		return nil, fmt.Errorf("%w: remainders left at the project: %s (return_remainder returns those kept above it; one kept at the project is spent or refunded first)",
			ErrAccountsUnbalanced, strings.Join(left, "; "))
	}
	return ts, nil
}

// fiscalYear is the year of a checked YYYY-MM-DD date.
func fiscalYear(date string) int {
	y, _ := strconv.Atoi(date[:4])
	return y
}
