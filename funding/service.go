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

// Service is the funding registry and its money movements.
type Service struct {
	db     *store.DB
	ledger *ledger.Ledger
	reg    registry
}

// NewService returns a service writing through l.
func NewService(db *store.DB, l *ledger.Ledger) *Service {
	return &Service{db: db, ledger: l}
}

// Ledger returns the ledger the service posts to.
func (s *Service) Ledger() *ledger.Ledger { return s.ledger }

// CreateDistrict registers a district (admin, finance).
func (s *Service) CreateDistrict(ctx context.Context, d District) (*District, error) {
	a := access.From(ctx)
	if a.Role != access.Admin && a.Role != access.Finance {
		return nil, errs.ErrForbidden
	}
	if err := field.Code("district", d.Code); err != nil {
		return nil, err
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
func (s *Service) Districts(ctx context.Context, after string, limit int) ([]District, error) {
	var ds []District
	err := s.db.Conn(ctx).Raw("SELECT code, name, created_at FROM districts WHERE code > ? ORDER BY code LIMIT ?", after, limit).
		Scan(&ds).Error
	return ds, err
}

func (s *Service) districtExists(ctx context.Context, code string) (bool, error) {
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

// holderInfo is where a holder sits in the tree.
type holderInfo struct {
	Holder   string
	District string // "" for the city
	Project  string
}

// resolveHolder checks that a holder names the city, an existing district or
// an existing project the actor may see (another district's project does
// not exist for a district), and says where it sits.
func (s *Service) resolveHolder(ctx context.Context, holder string) (holderInfo, error) {
	c := cacheOf(ctx)
	if h, ok := c.holder(holder); ok {
		return h, nil
	}
	h, err := s.lookupHolder(ctx, holder)
	if err == nil && c != nil {
		c.holders[holder] = h
	}
	return h, err
}

func (c *lookups) holder(holder string) (holderInfo, bool) {
	if c == nil {
		return holderInfo{}, false
	}
	h, ok := c.holders[holder]
	return h, ok
}

func (s *Service) lookupHolder(ctx context.Context, holder string) (holderInfo, error) {
	switch {
	case holder == "city":
		return holderInfo{Holder: holder}, nil
	case strings.HasPrefix(holder, "district:"):
		code := ledger.HolderDistrict(holder)
		ok, err := s.districtExists(ctx, code)
		if err != nil {
			return holderInfo{}, err
		}
		if !ok {
			return holderInfo{}, fmt.Errorf("%w: district %q", errs.ErrNotFound, code)
		}
		return holderInfo{Holder: holder, District: code}, nil
	case strings.HasPrefix(holder, "project:"):
		p, err := s.Project(ctx, ledger.HolderProject(holder))
		if err != nil {
			return holderInfo{}, err
		}
		return holderInfo{Holder: holder, District: p.District, Project: p.Code}, nil
	}
	return holderInfo{}, fmt.Errorf("%w: holder %q must be city, district:CODE or project:CODE", errs.ErrInvalidRequest, holder)
}

// writable refuses an actor who may not change the given district's money.
func writable(a access.Actor, district string) error {
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
