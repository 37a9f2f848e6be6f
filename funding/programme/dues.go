package programme

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/money"
	"renofund/internal/store"
)

// MaxDueHouseholds bounds the households one dues record names.
const MaxDueHouseholds = 20000

// HouseholdDue is what one household is due to contribute.
type HouseholdDue struct {
	Household string       `json:"household"`
	Due       money.Amount `json:"due"`
}

// DuesIn sets a project's residents' contributions due: an amount per
// household, and amounts for named households that differ from it.
type DuesIn struct {
	PerHousehold *money.Amount  `json:"per_household,omitempty"`
	Households   []HouseholdDue `json:"households,omitempty"`
}

// Dues is a version of a project's dues.
type Dues struct {
	Project      string         `json:"project"`
	Version      int            `json:"version"`
	PerHousehold *money.Amount  `json:"per_household"`
	Households   []HouseholdDue `json:"households"`
	RecordedBy   string         `json:"recorded_by"`
	RecordedAt   string         `json:"recorded_at"`
}

func (in DuesIn) check() error {
	if in.PerHousehold == nil && len(in.Households) == 0 {
		return fmt.Errorf("%w: give per_household, households or both", errs.ErrInvalidRequest)
	}
	if in.PerHousehold != nil && (*in.PerHousehold < 0 || *in.PerHousehold > money.Max) {
		return fmt.Errorf("%w: per_household must be from 0 to 10^15 yuan", errs.ErrInvalidAmount)
	}
	if len(in.Households) > MaxDueHouseholds {
		return fmt.Errorf("%w: at most %d households", errs.ErrInvalidRequest, MaxDueHouseholds)
	}
	seen := map[string]bool{}
	for i, h := range in.Households {
		if err := field.Text(fmt.Sprintf("households[%d].household", i), h.Household, true, 50); err != nil {
			return err
		}
		if seen[h.Household] {
			return fmt.Errorf("%w: household %s is named twice", errs.ErrInvalidRequest, h.Household)
		}
		seen[h.Household] = true
		if h.Due < 0 || h.Due > money.Max {
			return fmt.Errorf("%w: households[%d].due must be from 0 to 10^15 yuan", errs.ErrInvalidAmount, i)
		}
	}
	return nil
}

// SetDues records a project's dues as their next version (finance, or the
// project's own district); the version replaces the one before.
func (s *Service) SetDues(ctx context.Context, code string, in DuesIn) (*Dues, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	if _, err := s.writable(ctx, code); err != nil {
		return nil, err
	}
	hs := slices.Clone(in.Households)
	if hs == nil {
		hs = []HouseholdDue{}
	}
	slices.SortFunc(hs, func(a, b HouseholdDue) int { return strings.Compare(a.Household, b.Household) })
	body, err := json.Marshal(hs)
	if err != nil {
		return nil, err
	}
	d := &Dues{Project: code, PerHousehold: in.PerHousehold, Households: hs, RecordedBy: access.From(ctx).Label()}
	var per any
	if d.PerHousehold != nil {
		per = int64(*d.PerHousehold)
	}
	err = s.appendNext(ctx, "contribution dues", "contribution_dues", "project_code", code, func(tx *gorm.DB, version int) error {
		d.Version, d.RecordedAt = version, store.Now()
		return tx.Exec(`INSERT INTO contribution_dues (project_code, version, per_household, households, recorded_by,
			recorded_at) VALUES (?,?,?,?,?,?)`, code, d.Version, per, string(body), d.RecordedBy, d.RecordedAt).Error
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// dues loads a project's dues in force (nil: none set).
func (s *Service) dues(ctx context.Context, code string) (*Dues, error) {
	var rows []struct {
		Version                            int
		PerHousehold                       *int64
		Households, RecordedBy, RecordedAt string
	}
	err := s.db.Conn(ctx).Raw(`SELECT version, per_household, households, recorded_by, recorded_at FROM contribution_dues
		WHERE project_code = ? ORDER BY version DESC LIMIT 1`, code).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	r := rows[0]
	d := &Dues{Project: code, Version: r.Version, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt}
	if r.PerHousehold != nil {
		a := money.Amount(*r.PerHousehold)
		d.PerHousehold = &a
	}
	if err := json.Unmarshal([]byte(r.Households), &d.Households); err != nil {
		return nil, fmt.Errorf("programme: dues of %s v%d: %w", code, r.Version, err)
	}
	return d, nil
}

// Contribution is one household's due, paid and owed (due − paid, never
// below zero).
type Contribution struct {
	Project   string       `json:"project"`
	District  string       `json:"district"`
	Household string       `json:"household"`
	Due       money.Amount `json:"due"`
	Paid      money.Amount `json:"paid"`
	Owed      money.Amount `json:"owed"`
}

// Contributions is a project's residents' contributions per household.
type Contributions struct {
	Project string         `json:"project"`
	Dues    *Dues          `json:"dues"`
	Items   []Contribution `json:"items"`
	Due     money.Amount   `json:"due"`
	Paid    money.Amount   `json:"paid"`
	Owed    money.Amount   `json:"owed"`
	// Unidentified is how many of the project's households are neither
	// named in the dues nor paid anything: their dues (per_household each)
	// are in UnidentifiedDue, not in Due, as they have no line to chase.
	Unidentified    int64        `json:"unidentified_households"`
	UnidentifiedDue money.Amount `json:"unidentified_due"`
}

// Contributions answers a project's households: what each is due, what it
// paid into the project's residents' contribution funds (receipts carrying
// the household, net of reversals) and what it owes (scoped).
func (s *Service) Contributions(ctx context.Context, code string) (*Contributions, error) {
	p, err := s.reg.Project(ctx, code)
	if err != nil {
		return nil, err
	}
	return s.contributions(ctx, p)
}

func (s *Service) contributions(ctx context.Context, p *funding.Project) (*Contributions, error) {
	d, err := s.dues(ctx, p.Code)
	if err != nil {
		return nil, err
	}
	paid, err := s.paid(ctx, p.Code)
	if err != nil {
		return nil, err
	}
	due := map[string]money.Amount{}
	var per money.Amount
	if d != nil {
		if d.PerHousehold != nil {
			per = *d.PerHousehold
		}
		for _, h := range d.Households {
			due[h.Household] = h.Due
		}
	}
	for h := range paid {
		if _, ok := due[h]; !ok {
			due[h] = per
		}
	}
	c := &Contributions{Project: p.Code, Dues: d, Items: make([]Contribution, 0, len(due))}
	for h, dv := range due {
		line := Contribution{Project: p.Code, District: p.District, Household: h, Due: dv, Paid: paid[h]}
		line.Owed = max(line.Due-line.Paid, 0)
		c.Items = append(c.Items, line)
		c.Due, c.Paid, c.Owed = c.Due+line.Due, c.Paid+line.Paid, c.Owed+line.Owed
	}
	slices.SortFunc(c.Items, func(a, b Contribution) int { return strings.Compare(a.Household, b.Household) })
	if n := p.Households - int64(len(due)); n > 0 && d != nil {
		c.Unidentified, c.UnidentifiedDue = n, per*money.Amount(n)
	}
	return c, nil
}

// paid sums what each household paid into the project's own residents'
// contribution funds.
func (s *Service) paid(ctx context.Context, code string) (map[string]money.Amount, error) {
	funds, err := s.reg.Funds(ctx, funding.FundFilter{Kinds: []string{"resident_contribution"}, Holder: funding.ProjectHolder(code)})
	if err != nil {
		return nil, err
	}
	out := map[string]money.Amount{}
	for _, f := range funds {
		m, err := s.ledger.HouseholdReceipts(ctx, f.Code)
		if err != nil {
			return nil, err
		}
		for h, a := range m {
			out[h] += a
		}
	}
	return out, nil
}

// ArrearsFilter selects the arrears list.
type ArrearsFilter struct {
	District string
	After    string // cursor: "<project>|<household>" of the previous page's last line
	Limit    int
}

// Arrears lists the households that owe, in project and household order,
// over the projects with dues that the actor may see (a district: its own;
// naming another district is 403).
func (s *Service) Arrears(ctx context.Context, f ArrearsFilter) ([]Contribution, error) {
	district, err := access.From(ctx).Area(f.District)
	if err != nil {
		return nil, err
	}
	afterProject, afterHousehold, _ := strings.Cut(f.After, "|")
	q := `SELECT DISTINCT d.project_code FROM contribution_dues d JOIN projects p ON p.code = d.project_code
		WHERE d.project_code >= ?`
	args := []any{afterProject}
	if district != "" {
		q, args = q+" AND p.district_code = ?", append(args, district)
	}
	var codes []string
	if err := s.db.Conn(ctx).Raw(q+" ORDER BY d.project_code", args...).Scan(&codes).Error; err != nil {
		return nil, err
	}
	out := []Contribution{}
	for _, code := range codes {
		p, err := s.reg.Project(ctx, code)
		if err != nil {
			return nil, err
		}
		c, err := s.contributions(ctx, p)
		if err != nil {
			return nil, err
		}
		for _, line := range c.Items {
			if line.Owed == 0 || (code == afterProject && line.Household <= afterHousehold) {
				continue
			}
			if out = append(out, line); len(out) == f.Limit {
				return out, nil
			}
		}
	}
	return out, nil
}

// ArrearsCursor is the list cursor of an arrears line.
func ArrearsCursor(c Contribution) string { return c.Project + "|" + c.Household }
