package works

import (
	"context"
	"encoding/json"
	"fmt"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
)

// Acceptance results.
const (
	Passed = "passed"
	Failed = "failed"
)

// Participant is one person at an acceptance and whom they represent.
type Participant struct {
	Name string `json:"name"`
	Role string `json:"role"` // e.g. 业主代表, 建设单位, 监理, 施工单位
}

// Acceptance is the record of one acceptance inspection (验收) of a
// contract's works.
type Acceptance struct {
	ID           string        `json:"id"`
	Contract     string        `json:"contract"`
	AcceptedOn   string        `json:"accepted_on"`
	Result       string        `json:"result"`
	Participants []Participant `json:"participants"`
	OwnerReps    int           `json:"owner_reps"` // owners' committee or resident representatives present
	Defects      string        `json:"defects,omitempty"`
	RecordedBy   string        `json:"recorded_by"`
	RecordedAt   string        `json:"recorded_at"`
}

func (a *Acceptance) check() error {
	if err := pastDate("accepted_on", a.AcceptedOn); err != nil {
		return err
	}
	if a.Result != Passed && a.Result != Failed {
		return fmt.Errorf("%w: result %q must be passed or failed", errs.ErrInvalidRequest, a.Result)
	}
	if len(a.Participants) == 0 || len(a.Participants) > 100 {
		return fmt.Errorf("%w: participants must name 1 to 100 people", errs.ErrInvalidRequest)
	}
	for i, p := range a.Participants {
		if err := field.Text(fmt.Sprintf("participants[%d].name", i), p.Name, true, 100); err != nil {
			return err
		}
		if err := field.Text(fmt.Sprintf("participants[%d].role", i), p.Role, true, 100); err != nil {
			return err
		}
	}
	if a.OwnerReps < 0 || a.OwnerReps > len(a.Participants) {
		return fmt.Errorf("%w: owner_reps must be from 0 to the number of participants", errs.ErrInvalidRequest)
	}
	if a.Result == Passed && a.OwnerReps < 1 {
		return fmt.Errorf("%w: works pass acceptance only with the owners' representatives present (owner_reps ≥ 1)",
			errs.ErrRuleViolation)
	}
	return field.Text("defects", a.Defects, false, 2000)
}

// RecordAcceptance records an acceptance of a contract's works (finance, or
// the project's own district). A contract passes once; failed inspections
// before it stay on record.
func (s *Service) RecordAcceptance(ctx context.Context, contract string, a Acceptance) (*Acceptance, error) {
	if err := a.check(); err != nil {
		return nil, err
	}
	parts, err := json.Marshal(a.Participants)
	if err != nil {
		return nil, err
	}
	// The contract's row stays locked until the acceptance is written, so
	// two passes recorded at once cannot both find it unaccepted.
	err = s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		c, err := s.load(ctx, contract, true)
		if err != nil {
			return err
		}
		if _, err := s.writableProject(ctx, c.Project); err != nil {
			return err
		}
		if a.AcceptedOn < c.SignedOn {
			return fmt.Errorf("%w: accepted_on %s is before the contract was signed (%s)", errs.ErrRuleViolation,
				a.AcceptedOn, c.SignedOn)
		}
		if p := c.passed(); p != nil {
			return fmt.Errorf("%w: contract %s passed acceptance on %s (%s)", errs.ErrConflict, c.ID, p.AcceptedOn, p.ID)
		}
		a.ID, a.Contract, a.RecordedBy, a.RecordedAt = ledger.NewID(), c.ID, access.From(ctx).Label(), store.Now()
		return tx.Exec(`INSERT INTO acceptances (id, contract_id, accepted_on, result, participants, owner_reps,
			defects, recorded_by, recorded_at) VALUES (?,?,?,?,?,?,?,?,?)`, a.ID, a.Contract, a.AcceptedOn, a.Result,
			string(parts), a.OwnerReps, store.Null(a.Defects), a.RecordedBy, a.RecordedAt).Error
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

func (s *Service) acceptances(ctx context.Context, contract string) ([]Acceptance, error) {
	var rows []struct {
		ID, ContractID, AcceptedOn, Result, Participants, RecordedBy, RecordedAt string
		OwnerReps                                                                int
		Defects                                                                  *string
	}
	err := s.db.Conn(ctx).Raw(`SELECT id, contract_id, accepted_on, result, participants, owner_reps, defects,
		recorded_by, recorded_at FROM acceptances WHERE contract_id = ? ORDER BY accepted_on, id`, contract).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]Acceptance, 0, len(rows))
	for _, r := range rows {
		a := Acceptance{ID: r.ID, Contract: r.ContractID, AcceptedOn: r.AcceptedOn, Result: r.Result,
			OwnerReps: r.OwnerReps, Defects: store.Str(r.Defects), RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt}
		if err := json.Unmarshal([]byte(r.Participants), &a.Participants); err != nil {
			return nil, fmt.Errorf("works: acceptance %s participants: %w", r.ID, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// passed returns the contract's passed acceptance, or nil.
func (c *Contract) passed() *Acceptance {
	for i := range c.Acceptances {
		if c.Acceptances[i].Result == Passed {
			return &c.Acceptances[i]
		}
	}
	return nil
}

// Settlement is the settled amount of a contract after review (结算审核),
// and the quality retention held back from it.
type Settlement struct {
	Contract   string       `json:"contract"`
	Amount     money.Amount `json:"amount"`
	Retention  money.Amount `json:"retention"`
	ReviewRef  string       `json:"review_ref"`
	SettledOn  string       `json:"settled_on"`
	RecordedBy string       `json:"recorded_by"`
	RecordedAt string       `json:"recorded_at"`
}

// SettlementIn is a settlement as recorded.
type SettlementIn struct {
	Amount    money.Amount `json:"amount"`
	ReviewRef string       `json:"review_ref"`
	SettledOn string       `json:"settled_on"`
}

// Settle records a contract's settlement (finance only): after a passed
// acceptance (422 not_accepted), once (409), and not below what has been
// paid plus the retention it holds back (422 over_settlement). The
// retention is the amount × the contract's rate, rounded half-up.
func (s *Service) Settle(ctx context.Context, contract string, in SettlementIn) (*Settlement, error) {
	if in.Amount <= 0 || in.Amount > money.Max {
		return nil, fmt.Errorf("%w: amount must be greater than zero and at most 10^15 yuan", errs.ErrInvalidAmount)
	}
	if err := field.Text("review_ref", in.ReviewRef, true, 100); err != nil {
		return nil, err
	}
	if err := pastDate("settled_on", in.SettledOn); err != nil {
		return nil, err
	}
	if a := access.From(ctx); a.Role != access.Finance {
		return nil, fmt.Errorf("%w: settlements are recorded by the finance bureau", errs.ErrForbidden)
	}
	var out *Settlement
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		c, err := s.load(ctx, contract, true)
		if err != nil {
			return err
		}
		p := c.passed()
		if p == nil {
			return fmt.Errorf("%w: contract %s is settled after its works pass acceptance", ErrNotAccepted, c.ID)
		}
		if c.Settlement != nil {
			return fmt.Errorf("%w: contract %s was settled on %s", errs.ErrConflict, c.ID, c.Settlement.SettledOn)
		}
		if in.SettledOn < p.AcceptedOn {
			return fmt.Errorf("%w: settled_on %s is before the acceptance on %s", errs.ErrRuleViolation, in.SettledOn, p.AcceptedOn)
		}
		paid, err := s.paid(ctx, c.ID)
		if err != nil {
			return err
		}
		st := &Settlement{Contract: c.ID, Amount: in.Amount, Retention: in.Amount.Mul(c.RetentionRate),
			ReviewRef: in.ReviewRef, SettledOn: in.SettledOn, RecordedBy: access.From(ctx).Label(), RecordedAt: store.Now()}
		if payable := st.Amount - st.Retention; paid.Payments > payable {
			return fmt.Errorf("%w: %s is paid on contract %s, more than the settlement %s less its retention %s",
				ErrOverSettlement, paid.Payments, c.ID, st.Amount, st.Retention)
		}
		out = st
		return tx.Exec(`INSERT INTO settlements (contract_id, amount, retention, review_ref, settled_on, recorded_by,
			recorded_at) VALUES (?,?,?,?,?,?,?)`, st.Contract, int64(st.Amount), int64(st.Retention), st.ReviewRef,
			st.SettledOn, st.RecordedBy, st.RecordedAt).Error
	})
	return out, err
}

func (s *Service) settlement(ctx context.Context, contract string) (*Settlement, error) {
	var rows []struct {
		ContractID, ReviewRef, SettledOn, RecordedBy, RecordedAt string
		Amount, Retention                                        int64
	}
	err := s.db.Conn(ctx).Raw(`SELECT contract_id, amount, retention, review_ref, settled_on, recorded_by, recorded_at
		FROM settlements WHERE contract_id = ?`, contract).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	r := rows[0]
	return &Settlement{Contract: r.ContractID, Amount: money.Amount(r.Amount), Retention: money.Amount(r.Retention),
		ReviewRef: r.ReviewRef, SettledOn: r.SettledOn, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt}, nil
}
