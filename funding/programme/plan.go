package programme

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
)

// PlanLine is the amount planned from one fund kind.
type PlanLine struct {
	Kind   string       `json:"kind"`
	Amount money.Amount `json:"amount"`
}

// PlanIn is a project's funding plan (资金筹措方案) as set.
type PlanIn struct {
	Lines      []PlanLine `json:"lines"`
	DocumentNo string     `json:"document_no"`
}

// Plan is a version of a project's funding plan.
type Plan struct {
	Project    string     `json:"project"`
	Version    int        `json:"version"`
	Lines      []PlanLine `json:"lines"`
	DocumentNo string     `json:"document_no"`
	RecordedBy string     `json:"recorded_by"`
	RecordedAt string     `json:"recorded_at"`
}

func (in PlanIn) check() error {
	if len(in.Lines) > len(funding.Kinds) {
		return fmt.Errorf("%w: at most one line per fund kind", errs.ErrInvalidRequest)
	}
	seen := map[string]bool{}
	for i, l := range in.Lines {
		if !slices.Contains(funding.Kinds, l.Kind) {
			return fmt.Errorf("%w: lines[%d].kind %q is not a fund kind", errs.ErrInvalidRequest, i, l.Kind)
		}
		if seen[l.Kind] {
			return fmt.Errorf("%w: kind %s is planned twice", errs.ErrInvalidRequest, l.Kind)
		}
		seen[l.Kind] = true
		if l.Amount < 0 || l.Amount > money.Max {
			return fmt.Errorf("%w: lines[%d].amount must be from 0 to 10^15 yuan", errs.ErrInvalidAmount, i)
		}
	}
	return field.Text("document_no", in.DocumentNo, true, 200)
}

// SetPlan records a project's funding plan as its next version (finance,
// or the project's own district).
func (s *Service) SetPlan(ctx context.Context, code string, in PlanIn) (*Plan, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	if _, err := s.writable(ctx, code); err != nil {
		return nil, err
	}
	lines := slices.Clone(in.Lines)
	if lines == nil {
		lines = []PlanLine{}
	}
	slices.SortFunc(lines, func(a, b PlanLine) int {
		return slices.Index(funding.Kinds, a.Kind) - slices.Index(funding.Kinds, b.Kind)
	})
	body, err := json.Marshal(lines)
	if err != nil {
		return nil, err
	}
	pl := &Plan{Project: code, Lines: lines, DocumentNo: in.DocumentNo, RecordedBy: access.From(ctx).Label()}
	err = s.appendNext(ctx, "funding plan", "funding_plans", "project_code", code, func(tx *gorm.DB, version int) error {
		pl.Version, pl.RecordedAt = version, store.Now()
		return tx.Exec(`INSERT INTO funding_plans (project_code, version, lines, document_no, recorded_by, recorded_at)
			VALUES (?,?,?,?,?,?)`, code, pl.Version, string(body), pl.DocumentNo, pl.RecordedBy, pl.RecordedAt).Error
	})
	if err != nil {
		return nil, err
	}
	return pl, nil
}

// plans loads a project's plan versions in order.
func (s *Service) plans(ctx context.Context, code string) ([]Plan, error) {
	var rows []struct {
		Version                                   int
		Lines, DocumentNo, RecordedBy, RecordedAt string
	}
	err := s.db.Conn(ctx).Raw(`SELECT version, lines, document_no, recorded_by, recorded_at FROM funding_plans
		WHERE project_code = ? ORDER BY version`, code).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]Plan, len(rows))
	for i, r := range rows {
		out[i] = Plan{Project: code, Version: r.Version, DocumentNo: r.DocumentNo, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt}
		if err := json.Unmarshal([]byte(r.Lines), &out[i].Lines); err != nil {
			return nil, fmt.Errorf("programme: funding plan %s v%d: %w", code, r.Version, err)
		}
	}
	return out, nil
}

// KindLine sets a fund kind's planned amount beside what the project
// received of that kind: receipts into its holdings and allocations down to
// it, net of reversals. Difference is received − planned.
type KindLine struct {
	Kind       string       `json:"kind"`
	Planned    money.Amount `json:"planned"`
	Received   money.Amount `json:"received"`
	Difference money.Amount `json:"difference"`
}

// PlanView is a project's funding plan against what came in, with every
// version of the plan.
type PlanView struct {
	Project string     `json:"project"`
	Plan    *Plan      `json:"plan"` // the plan in force (null: none set)
	Kinds   []KindLine `json:"kinds"`
	History []Plan     `json:"history"`
}

// PlanVsReceived answers a project's funding plan per fund kind (scoped).
func (s *Service) PlanVsReceived(ctx context.Context, code string) (*PlanView, error) {
	if _, err := s.reg.Project(ctx, code); err != nil {
		return nil, err
	}
	history, err := s.plans(ctx, code)
	if err != nil {
		return nil, err
	}
	v := &PlanView{Project: code, History: history}
	if len(history) > 0 {
		v.Plan = &history[len(history)-1]
	}
	if v.Kinds, err = s.KindLines(ctx, code); err != nil {
		return nil, err
	}
	return v, nil
}

// KindLines sets the plan in force beside what came in, per fund kind in
// the order of funding.Kinds: every kind planned or received.
func (s *Service) KindLines(ctx context.Context, code string) ([]KindLine, error) {
	history, err := s.plans(ctx, code)
	if err != nil {
		return nil, err
	}
	planned := map[string]money.Amount{}
	if len(history) > 0 {
		for _, l := range history[len(history)-1].Lines {
			planned[l.Kind] = l.Amount
		}
	}
	flows, err := s.ledger.Flows(ctx, ledger.FlowFilter{Holder: funding.ProjectHolder(code)})
	if err != nil {
		return nil, err
	}
	received := map[string]money.Amount{}
	for _, f := range flows {
		fund, err := s.reg.LoadFund(ctx, f.Fund)
		if err != nil {
			return nil, err
		}
		received[fund.Kind] += f.Received + f.AllocatedIn
	}
	out := []KindLine{}
	for _, k := range funding.Kinds {
		pl, inPlan := planned[k]
		rc, in := received[k]
		if inPlan || in {
			out = append(out, KindLine{Kind: k, Planned: pl, Received: rc, Difference: rc - pl})
		}
	}
	return out, nil
}
