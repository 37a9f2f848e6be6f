// Package taxbook records the tax package's calculations against projects
// and providers, so that tax expenditure (税式支出) can be reported per
// project and per district beside the cash. Nothing here is money in any
// holding: tax relief is income the state forgoes, not a receipt.
package taxbook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/creditcode"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
	"renofund/tax"
)

// Record kinds.
const (
	KindServiceRelief = "service_relief"
	KindUtilityAsset  = "utility_asset"
)

// UtilityCITRate values a utility's depreciation deductions as tax
// expenditure: the enterprise income tax they save over the asset's life.
var UtilityCITRate = money.MustRate("0.25")

// Book stores tax records.
type Book struct {
	db *store.DB
}

// New returns the book on db.
func New(db *store.DB) *Book { return &Book{db: db} }

// Party is a provider or utility, identified by its credit code.
type Party struct {
	Name       string `json:"name"`
	CreditCode string `json:"credit_code"`
}

func (p *Party) check(field string, required bool) error {
	if p == nil || (p.Name == "" && p.CreditCode == "") {
		if required {
			return fmt.Errorf("%w: %s is required", errs.ErrInvalidRequest, field)
		}
		return nil
	}
	if p.Name == "" || len([]rune(p.Name)) > 200 {
		return fmt.Errorf("%w: %s.name is required (at most 200 characters)", errs.ErrInvalidRequest, field)
	}
	if err := creditcode.Validate(p.CreditCode); err != nil {
		return fmt.Errorf("%w: %s.credit_code %q", errs.ErrInvalidCredit, field, p.CreditCode)
	}
	return nil
}

// classify turns the tax package's errors into the API's.
func classify(err error) error {
	switch {
	case errors.Is(err, tax.ErrRuleViolation):
		return fmt.Errorf("%w: %v", errs.ErrRuleViolation, err)
	case errors.Is(err, tax.ErrInvalid):
		return fmt.Errorf("%w: %v", errs.ErrInvalidRequest, err)
	}
	return err
}

// scope checks the project (optional) and returns its district; a district
// actor must name one of its own projects.
func (b *Book) scope(ctx context.Context, project string) (string, error) {
	a := access.From(ctx)
	if project == "" {
		if a.Role != access.Finance {
			return "", fmt.Errorf("%w: a district records tax items against one of its projects", errs.ErrForbidden)
		}
		return "", nil
	}
	var ds []string
	if err := b.db.Conn(ctx).Raw("SELECT district_code FROM projects WHERE code = ?", project).Scan(&ds).Error; err != nil {
		return "", err
	}
	if len(ds) == 0 || !a.Sees(ds[0]) {
		return "", fmt.Errorf("%w: project %q", errs.ErrNotFound, project)
	}
	if !a.Writes(ds[0]) {
		return "", fmt.Errorf("%w: this role may not record tax items", errs.ErrForbidden)
	}
	return ds[0], nil
}

type record struct {
	ID, Kind, Project, District, PartyName, PartyCode, Regime, On string
	Total                                                         money.Amount
	Detail                                                        any
	// ReversalOf and Reason are set on a reversing record; At is when
	// insert recorded it.
	ReversalOf, Reason, At string
	detail                 []byte
}

func (b *Book) insert(ctx context.Context, r *record) error {
	detail, err := json.Marshal(r.Detail)
	if err != nil {
		return err
	}
	a := access.From(ctx)
	r.ID, r.At, r.detail = ledger.NewID(), store.Now(), detail
	return b.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO tax_records (id, kind, project_code, district_code, party_name, party_credit_code,
			regime, on_date, total, detail, recorded_by, recorded_at, reversal_of, reason) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			r.ID, r.Kind, store.Null(r.Project), store.Null(r.District), r.PartyName, store.Null(r.PartyCode),
			store.Null(r.Regime), r.On, int64(r.Total), string(detail), a.Label(), r.At, store.Null(r.ReversalOf),
			store.Null(r.Reason)).Error
	})
}
