package funding

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/ledger"
	"renofund/internal/store"
)

// Registry keeps the districts, projects and funds of the programme and
// decides who may see and change which: the objects every money movement,
// report and subsidy names. It reads the ledger only to learn which city
// funds have reached a district.
type Registry struct {
	db     *store.DB
	ledger *ledger.Ledger
	reg    registry
}

// NewRegistry returns the registry on db; l is the ledger it asks whether a
// fund's money has reached a district.
func NewRegistry(db *store.DB, l *ledger.Ledger) *Registry {
	return &Registry{db: db, ledger: l}
}

// CreateDistrict registers a district (admin, finance).
func (s *Registry) CreateDistrict(ctx context.Context, d District) (*District, error) {
	a := access.From(ctx)
	if a.Role != access.Admin && a.Role != access.Finance {
		return nil, errs.ErrForbidden
	}
	if err := field.Code("district", d.Code); err != nil {
		return nil, err
	}
	// A district owns the codes beginning with its code and a hyphen, and
	// holders name it as district:CODE: a hyphen in its own code would blur
	// both namespaces, and the city and the outside world have names of
	// their own.
	if strings.Contains(d.Code, "-") || strings.EqualFold(d.Code, City) || strings.EqualFold(d.Code, ledger.External) {
		return nil, fmt.Errorf("%w: district code %q may not contain '-' nor be %q or %q", errs.ErrInvalidRequest, d.Code,
			City, ledger.External)
	}
	if err := field.Text("name", d.Name, true, 200); err != nil {
		return nil, err
	}
	d.CreatedAt = store.Now()
	err := s.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		taken, err := s.prefixTaken(ctx, d.Code)
		if err != nil {
			return err
		}
		if taken != "" {
			return fmt.Errorf("%w: %s already begins with %s-, the codes a district %s would own", errs.ErrConflict,
				taken, d.Code, d.Code)
		}
		return tx.Exec("INSERT INTO districts (code, name, created_at) VALUES (?, ?, ?)", d.Code, d.Name, d.CreatedAt).Error
	})
	if store.UniqueViolation(err) {
		return nil, fmt.Errorf("%w: district %s exists", errs.ErrConflict, d.Code)
	}
	return &d, err
}

// Districts lists every district (visible to every role: names are public).
func (s *Registry) Districts(ctx context.Context, after string, limit int) ([]District, error) {
	var ds []District
	err := s.db.Conn(ctx).Raw("SELECT code, name, created_at FROM districts WHERE code > ? ORDER BY code LIMIT ?", after, limit).
		Scan(&ds).Error
	return ds, err
}

// DistrictExists reports whether a district is registered (districts are
// public: any role may know).
func (s *Registry) DistrictExists(ctx context.Context, code string) (bool, error) {
	if _, ok := s.reg.districts.Load(code); ok {
		return true, nil
	}
	var created []string
	err := s.db.Conn(ctx).Raw("SELECT created_at FROM districts WHERE code = ?", code).Scan(&created).Error
	if err != nil || len(created) == 0 {
		return false, err
	}
	if store.Committed(ctx, created[0]) {
		s.reg.districts.Store(code, true)
	}
	return true, nil
}

// Writable refuses an actor who may not change the given district's money
// or records ("" is the city's, which only the finance bureau changes).
func Writable(a access.Actor, district string) error {
	if !a.Writes(district) {
		if district == "" {
			return fmt.Errorf("%w: only the finance bureau acts for the city", errs.ErrForbidden)
		}
		return fmt.Errorf("%w: district %s belongs to someone else", errs.ErrForbidden, district)
	}
	return nil
}

func marshalVote(v *Vote) any {
	if v == nil {
		return nil
	}
	b, _ := json.Marshal(v)
	return string(b)
}
