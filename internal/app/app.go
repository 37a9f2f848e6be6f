// Package app wires the service: every domain service built once on one
// database, and the small adapters that let one domain ask another what it
// needs (subsidies ask the funding registry through subsidy.Registry). The
// binary builds it in cmd/renofund; tests build it the same way.
package app

import (
	"log/slog"

	"renofund/funding"
	"renofund/funding/bulletin"
	"renofund/funding/disclosure"
	"renofund/funding/importer"
	"renofund/funding/movement"
	"renofund/funding/programme"
	"renofund/funding/report"
	"renofund/internal/auth"
	"renofund/internal/console"
	"renofund/internal/events"
	"renofund/internal/httpapi"
	"renofund/internal/idem"
	"renofund/internal/ledger"
	"renofund/internal/ledger/proof"
	"renofund/internal/period"
	"renofund/internal/public"
	"renofund/internal/recon/reconcile"
	"renofund/internal/schedule"
	"renofund/internal/store"
	"renofund/internal/taxbook"
	"renofund/internal/web"
	"renofund/subsidy"
	"renofund/subsidy/clawback"
)

// Services are the service's parts.
type Services struct {
	DB        *store.DB
	Ledger    *ledger.Ledger
	Proof     *proof.Books
	Periods   *period.Service
	Registry  *funding.Registry
	Movements *movement.Service
	Programme *programme.Service
	Reports   *report.Service
	Import    *importer.Importer
	Subsidy   *subsidy.Service
	Clawbacks *clawback.Service
	Tax       *taxbook.Book
	Recon     *reconcile.Service
	Tokens    *auth.Tokens
	Keys      *idem.Keys
	Events    *events.Writer
	Bulletins *bulletin.Service

	// Disclosure publishes communities' disclosure pages (公示) and
	// assembles what they show; Public configures the public site.
	Disclosure *disclosure.Service
	Public     public.Config
}

// New builds every service on db; log receives the audit-event writer's
// complaints (nil: discarded). Close stops what runs in the background.
func New(db *store.DB, log *slog.Logger) *Services {
	l := ledger.New(db)
	reg := funding.NewRegistry(db, l)
	moves := movement.New(db, l, reg)
	sub := subsidy.NewService(db, l, subsidyRegistry{reg})
	sub.CheckSchedule = schedule.Check
	reports := report.New(l, reg)
	rec := reconcile.NewService(db, l, reg)
	reports.Bank = rec
	return &Services{
		DB: db, Ledger: l, Proof: proof.New(db), Periods: period.New(l), Registry: reg, Movements: moves, Programme: programme.New(db, l, reg), Reports: reports,
		Import: importer.New(db, reg, moves, l), Subsidy: sub, Clawbacks: clawback.New(db), Tax: taxbook.New(db),
		Recon: rec, Tokens: auth.New(db), Keys: idem.New(db), Events: events.NewWriter(db, log),
		Bulletins:  bulletin.New(db, l, reg, reports),
		Disclosure: disclosure.New(db, l, reg, moves.Works, programme.New(db, l, reg), sub),
	}
}

// Close writes the audit events still queued.
func (s *Services) Close() { s.Events.Close() }

// API is the HTTP service over these services; rateLimit is the requests
// per second allowed per token (0: none).
func (s *Services) API(log *slog.Logger, rateLimit float64) *httpapi.Server {
	api := httpapi.New(httpapi.Deps{DB: s.DB, Registry: s.Registry, Movements: s.Movements, Works: s.Movements.Works, Evidence: s.Movements.Evidence, Programme: s.Programme, Reports: s.Reports,
		Ledger: s.Ledger, Proof: s.Proof, Periods: s.Periods, Tokens: s.Tokens, Subsidy: s.Subsidy, Clawbacks: s.Clawbacks, Tax: s.Tax, Import: s.Import, Recon: s.Recon,
		Keys: s.Keys, Events: s.Events, Log: log, RateLimit: rateLimit,
		Bulletins: s.Bulletins, Faces: []func(*web.Server, []web.Route) []web.Route{console.Face(s.Tokens), public.Face(s.Disclosure, s.Public)}})
	api.ReadReplica = readsReplica
	return api
}
