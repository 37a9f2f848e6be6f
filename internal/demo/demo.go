// Package demo loads a deterministic demo city at the Lianyungang scale: the
// ten districts of DOMAIN.md, 399 communities with 74,365 households and
// 7,416,800 m², central, provincial and city money allocated by the factor
// method, contributions of every kind, spending in all three categories, a
// quarter's property-service subsidies paid by rating, and tax relief.
// The same seed always gives the same city, and loading it twice adds nothing.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"

	"gorm.io/gorm"

	"renofund/funding"
	"renofund/internal/access"
	"renofund/internal/app"
	"renofund/internal/errs"
	"renofund/internal/ledger"
	"renofund/internal/money"
	"renofund/internal/store"
)

// Scale of the demo city (连云港 2021–2023 plan).
const (
	Projects   = 399
	Households = 74365
	AreaM2     = 7416800
	Year       = 2026
)

// District is a demo district with its share of the city's communities.
type District struct {
	Code, Name string
	Weight     int64 // relative size
}

// Districts are Lianyungang's administrative units and functional zones.
var Districts = []District{
	{"HZ", "海州区", 30}, {"LY", "连云区", 12}, {"GY", "赣榆区", 14}, {"DH", "东海县", 11}, {"GUY", "灌云县", 9},
	{"GN", "灌南县", 8}, {"KFQ", "连云港经济技术开发区", 6}, {"XW", "徐圩新区", 3}, {"GX", "高新区", 5}, {"YTS", "云台山景区", 2},
}

// Summary says what a load did.
type Summary struct {
	Loaded    bool `json:"loaded"` // false when the city was already there
	Districts int  `json:"districts"`
	Projects  int  `json:"projects"`
	Funds     int  `json:"funds"`
	Transfers int  `json:"transfers"`
	Contracts int  `json:"contracts"`
	Settled   int  `json:"settled"`   // contracts settled
	Bulletins int  `json:"bulletins"` // monthly bulletins drafted
	// Attachments are the documents attached: contracts, the invoices their
	// payments were made on, acceptance certificates.
	Attachments int `json:"attachments"`
	// Statements are the districts' bank statements reconciled, each with
	// its month's balance statement signed and reviewed.
	Statements int `json:"statements"`
	// Published are the communities whose disclosure pages (公示) are public.
	Published int `json:"published"`
	// Checkpoint is the checkpoint of every chain head sealed at the end,
	// as `serve` seals one every ten minutes: where `audit verify` starts.
	Checkpoint int64  `json:"checkpoint"`
	Message    string `json:"message"`
}

// marker and markerName are the fund whose presence means the demo is
// loaded: its code alone is too common (the README's walkthrough uses it).
const (
	marker     = "CG-2026"
	markerName = "2026年中央财政城镇保障性安居工程补助资金（老旧小区改造）"
)

// ErrNotEmpty refuses to load the demo city into a database holding other data.
var ErrNotEmpty = errs.New(errs.Conflict, "not_empty",
	"the database already holds other data; the demo city loads only into an empty database "+
		"(point RENOFUND_DATABASE_URL at a new file, e.g. sqlite:./data/demo.db)")

// Load builds the demo city in one transaction: all of it or nothing, and
// nothing at all when it is already there.
func Load(ctx context.Context, svc *app.Services) (*Summary, error) {
	return LoadScaled(ctx, svc, 1)
}

// LoadScaled builds a city 1/divisor the size (projects, households, area),
// with the same shape; tests under the race detector use it.
func LoadScaled(ctx context.Context, svc *app.Services, divisor int) (*Summary, error) {
	db := svc.DB
	if divisor < 1 || divisor > Projects {
		return nil, fmt.Errorf("demo: divisor %d out of range", divisor)
	}
	ctx = access.With(ctx, access.Actor{TokenID: "demo", Name: "demo", Role: access.Finance})
	ctx = funding.WithLookups(ctx)
	sum := &Summary{}
	err := db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var n int64
		if err := tx.Raw("SELECT COUNT(*) FROM funds WHERE code = ? AND name = ?", marker, markerName).Scan(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			*sum = Summary{Message: "demo city already loaded; nothing added"}
			return nil
		}
		if err := tx.Raw("SELECT (SELECT COUNT(*) FROM districts) + (SELECT COUNT(*) FROM funds)").Scan(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: %d districts and funds", ErrNotEmpty, n)
		}
		// A second finance person approves what needs four eyes: plan
		// executions and payments above the approval threshold.
		reviewer := access.With(ctx, access.Actor{TokenID: "demo-reviewer", Name: "demo-reviewer", Role: access.Finance})
		b := &builder{db: db, svc: svc, ctx: ctx, reviewer: reviewer, rng: rand.New(rand.NewPCG(20210901, 399)), sum: sum,
			projects: Projects / divisor, households: Households / int64(divisor), area: AreaM2 / int64(divisor)}
		return b.build()
	})
	if err != nil {
		return nil, err
	}
	if sum.Message == "" {
		// A bulk load leaves the planner without statistics until the
		// database gathers them itself; reports should not wait for that.
		if err := db.Analyze(ctx); err != nil {
			return nil, fmt.Errorf("demo: analyze: %w", err)
		}
		sum.Loaded = true
		sum.Message = fmt.Sprintf("loaded %d districts, %d projects, %d funds, %d transfers, %d works contracts (%d settled), %d monthly bulletins, %d documents, %d disclosure pages published (/public/), checkpoint %d sealed",
			sum.Districts, sum.Projects, sum.Funds, sum.Transfers, sum.Contracts, sum.Settled, sum.Bulletins, sum.Attachments, sum.Published,
			sum.Checkpoint)
	}
	return sum, nil
}

type builder struct {
	db       *store.DB
	svc      *app.Services
	ctx      context.Context // the bureau's clerk, who prepares
	reviewer context.Context // a second finance person, who approves
	rng      *rand.Rand
	sum      *Summary
	made     []funding.Project

	projects         int
	households, area int64
	pending          []*ledger.Transfer
}

func (b *builder) build() error {
	steps := []func() error{b.registry, b.cityFunds, b.allocate, b.contributions, b.spend, b.works, b.programme, b.subsidies, b.taxRelief,
		b.bulletins, b.bank, b.publish}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	if err := b.flush(); err != nil {
		return err
	}
	cp, err := b.svc.Proof.Checkpoint(b.ctx)
	if err != nil {
		return err
	}
	b.sum.Checkpoint = cp.Seq
	return nil
}

// post queues a transfer; queued transfers are posted in large groups so
// every holding is locked once per group.
func (b *builder) post(t *ledger.Transfer, err error) error {
	if err != nil {
		return err
	}
	b.pending = append(b.pending, t)
	if len(b.pending) >= 5000 {
		return b.flush()
	}
	return nil
}

func (b *builder) flush() error {
	if len(b.pending) == 0 {
		return nil
	}
	err := b.svc.Ledger.Post(b.ctx, b.pending...)
	b.sum.Transfers += len(b.pending)
	b.pending = b.pending[:0]
	return err
}

func (b *builder) fund(f funding.Fund) error {
	if f.FiscalYear == 0 {
		f.FiscalYear = Year
	}
	if _, err := b.svc.Registry.CreateFund(b.ctx, f); err != nil {
		return fmt.Errorf("fund %s: %w", f.Code, err)
	}
	b.sum.Funds++
	return nil
}

func date(month, day int) string { return fmt.Sprintf("%d-%02d-%02d", Year, month, day) }

func yuan(n int64) money.Amount { return money.Amount(n * 100) }
