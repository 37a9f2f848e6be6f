package subsidy

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/money"
	"renofund/internal/store"
)

// Bases: what the rate is multiplied by.
const (
	PerHouseholdMonth  = "per_household_month"  // rate × households × months
	PerM2Month         = "per_m2_month"         // rate × floor area (m²) × months
	PerCommunityPeriod = "per_community_period" // rate × 1 per community and period; "per_community" is accepted for it
)

// Bases lists them.
var Bases = []string{PerHouseholdMonth, PerM2Month, PerCommunityPeriod}

// Band maps scores at or above MinScore to a payout ratio (0–1).
type Band struct {
	MinScore Score      `json:"min_score"`
	Ratio    money.Rate `json:"ratio"`
}

// Formula is a linear band: for From ≤ score < Below the ratio is
// Base + PerPoint × score, held within 0–1. "(15 + score)% below 85" is
// {"below": 85, "base": "0.15", "per_point": "0.01"}. Scores at or above
// Below (or under From) are judged by the ordinary bands.
type Formula struct {
	Below    Score      `json:"below"`
	From     *Score     `json:"from,omitempty"`
	Base     money.Rate `json:"base"`
	PerPoint money.Rate `json:"per_point"`
}

// Scheme is one version of a subsidy scheme. Posting a scheme with an
// existing code creates the next version; runs record the version they used.
type Scheme struct {
	Code      string        `json:"code"`
	Version   int           `json:"version"`
	Name      string        `json:"name"`
	Fund      string        `json:"fund"`
	Holder    string        `json:"holder"` // "city" (default) or "district:CODE": pays from there, for the projects below it
	Basis     string        `json:"basis"`
	Rate      money.Rate    `json:"rate"`   // yuan per unit of the basis
	Period    string        `json:"period"` // month, quarter, half_year or year
	Bands     []Band        `json:"bands"`
	Formula   *Formula      `json:"formula,omitempty"`
	Cap       *money.Amount `json:"cap,omitempty"`      // most one project gets per period
	Category  string        `json:"category,omitempty"` // basic, improvement or upgrade; empty for none
	ValidFrom string        `json:"valid_from"`
	ValidTo   string        `json:"valid_to,omitempty"`
	Schedule  string        `json:"schedule,omitempty"` // standard 5-field cron spec, read in Zone
	CreatedBy string        `json:"created_by"`
	CreatedAt string        `json:"created_at"`
}

func (sc *Scheme) check(checkSchedule func(spec string) error) error {
	if err := field.Code("scheme", sc.Code); err != nil {
		return err
	}
	if err := field.Text("name", sc.Name, true, 200); err != nil {
		return err
	}
	if sc.Basis == "per_community" { // API.md's spelling
		sc.Basis = PerCommunityPeriod
	}
	if !slices.Contains(Bases, sc.Basis) {
		return fmt.Errorf("%w: basis %q must be one of %s", errs.ErrInvalidRequest, sc.Basis, strings.Join(Bases, ", "))
	}
	if sc.Period == "half-year" { // DOMAIN.md's spelling
		sc.Period = HalfYear
	}
	if !slices.Contains(PeriodKinds, sc.Period) {
		return fmt.Errorf("%w: period %q must be one of %s", errs.ErrInvalidRequest, sc.Period, strings.Join(PeriodKinds, ", "))
	}
	if sc.Rate.Decimal().Sign() <= 0 {
		return fmt.Errorf("%w: rate must be a positive decimal string", errs.ErrInvalidRequest)
	}
	if sc.Cap != nil && (*sc.Cap <= 0 || *sc.Cap > money.Max) {
		return fmt.Errorf("%w: cap must be greater than zero", errs.ErrInvalidAmount)
	}
	if sc.Category != "" && !slices.Contains([]string{"basic", "improvement", "upgrade"}, sc.Category) {
		return fmt.Errorf("%w: category %q must be basic, improvement or upgrade", errs.ErrInvalidRequest, sc.Category)
	}
	if err := parseDate("valid_from", sc.ValidFrom); err != nil {
		return err
	}
	if sc.ValidTo != "" {
		if err := parseDate("valid_to", sc.ValidTo); err != nil {
			return err
		}
		if sc.ValidTo < sc.ValidFrom {
			return fmt.Errorf("%w: valid_to is before valid_from", errs.ErrInvalidRequest)
		}
	}
	if sc.Schedule != "" {
		if checkSchedule == nil {
			return fmt.Errorf("%w: this service runs no scheduler", errs.ErrInvalidRequest)
		}
		if err := checkSchedule(sc.Schedule); err != nil {
			return fmt.Errorf("%w: schedule %q: %v", errs.ErrInvalidRequest, sc.Schedule, err)
		}
	}
	return sc.checkBands()
}

// checkBands validates the bands and the formula and sorts the bands by score.
func (sc *Scheme) checkBands() error {
	if len(sc.Bands) == 0 && sc.Formula == nil {
		return fmt.Errorf("%w: a scheme needs bands, a formula or both", errs.ErrInvalidRequest)
	}
	if len(sc.Bands) > 100 {
		return fmt.Errorf("%w: at most 100 bands", errs.ErrInvalidRequest)
	}
	one := money.MustRate("1")
	for _, b := range sc.Bands {
		if err := b.MinScore.check("min_score"); err != nil {
			return err
		}
		if b.Ratio.Decimal().GreaterThan(one.Decimal()) || b.Ratio.Decimal().Sign() < 0 {
			return fmt.Errorf("%w: band ratio %s must be from 0 to 1", errs.ErrInvalidRequest, b.Ratio)
		}
	}
	slices.SortStableFunc(sc.Bands, func(a, b Band) int { return int(a.MinScore - b.MinScore) })
	for i := 1; i < len(sc.Bands); i++ {
		if sc.Bands[i].MinScore == sc.Bands[i-1].MinScore {
			return fmt.Errorf("%w: two bands start at %s", errs.ErrInvalidRequest, sc.Bands[i].MinScore)
		}
	}
	if f := sc.Formula; f != nil {
		if err := f.Below.check("formula.below"); err != nil {
			return err
		}
		if f.Below == 0 || (f.From != nil && (f.From.check("formula.from") != nil || *f.From >= f.Below)) {
			return fmt.Errorf("%w: formula needs 0 ≤ from < below ≤ 100", errs.ErrInvalidRequest)
		}
	}
	if sc.Bands == nil {
		sc.Bands = []Band{}
	}
	return nil
}

// CreateScheme records a scheme, or the next version of an existing one
// (finance only). The fund must exist, the holder must be the city or an
// existing district, and a category, when given, must be one the fund pays for.
func (s *Service) CreateScheme(ctx context.Context, sc Scheme) (*Scheme, error) {
	if err := finance(ctx); err != nil {
		return nil, err
	}
	if sc.Holder == "" {
		sc.Holder = "city"
	}
	if err := sc.check(s.CheckSchedule); err != nil {
		return nil, err
	}
	if err := s.checkPayer(ctx, &sc); err != nil {
		return nil, err
	}
	sc.CreatedBy = access.From(ctx).Label()
	bands, _ := json.Marshal(sc.Bands)
	var formula any
	if sc.Formula != nil {
		b, _ := json.Marshal(sc.Formula)
		formula = string(b)
	}
	var capFen any
	if sc.Cap != nil {
		capFen = int64(*sc.Cap)
	}
	err := s.db.AppendVersion(ctx, "scheme", func(ctx context.Context, tx *gorm.DB) error {
		var last int
		if err := tx.Raw("SELECT COALESCE(MAX(version), 0) FROM subsidy_schemes WHERE code = ?", sc.Code).
			Scan(&last).Error; err != nil {
			return err
		}
		sc.Version = last + 1
		sc.CreatedAt = store.Now()
		return tx.Exec(`INSERT INTO subsidy_schemes (code, version, name, fund_code, holder, basis, rate,
			period_kind, bands, formula, cap, category, valid_from, valid_to, schedule, created_by, created_at)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			sc.Code, sc.Version, sc.Name, sc.Fund, sc.Holder, sc.Basis, sc.Rate.String(), sc.Period, string(bands),
			formula, capFen, store.Null(sc.Category), sc.ValidFrom, store.Null(sc.ValidTo), store.Null(sc.Schedule),
			sc.CreatedBy, sc.CreatedAt).Error
	})
	if err != nil {
		return nil, err
	}
	return &sc, nil
}

// checkPayer checks the fund and the holder a scheme pays from.
func (s *Service) checkPayer(ctx context.Context, sc *Scheme) error {
	f, err := s.reg.PayingFund(ctx, sc.Fund)
	if err != nil {
		return err
	}
	if sc.Category != "" && !slices.Contains(f.Categories, sc.Category) {
		return fmt.Errorf("%w: fund %s does not pay for %s", ErrCategoryNotEligible, f.Code, sc.Category)
	}
	_, err = s.reg.Payer(ctx, sc.Holder)
	return err
}
