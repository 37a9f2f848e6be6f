// Package httpapi is the service's JSON API (v1): the route table of
// API.md and thin handlers that turn JSON into domain calls. The HTTP
// machinery (middleware, idempotency, errors, OpenAPI) is internal/web's.
package httpapi

import (
	"log/slog"

	"renofund/funding"
	"renofund/funding/bulletin"
	"renofund/funding/evidence"
	"renofund/funding/importer"
	"renofund/funding/movement"
	"renofund/funding/programme"
	"renofund/funding/report"
	"renofund/funding/works"
	"renofund/internal/auth"
	"renofund/internal/events"
	"renofund/internal/idem"
	"renofund/internal/ledger"
	"renofund/internal/ledger/proof"
	"renofund/internal/period"
	"renofund/internal/recon/reconcile"
	"renofund/internal/store"
	"renofund/internal/taxbook"
	"renofund/internal/web"
	"renofund/subsidy"
	"renofund/subsidy/clawback"
)

// Deps are what the handlers call, all built by the caller (internal/app).
type Deps struct {
	DB        *store.DB // the transactions requests run in (group commit), and readiness
	Registry  *funding.Registry
	Movements *movement.Service
	Works     *works.Service
	Evidence  *evidence.Service
	Programme *programme.Service
	Reports   *report.Service
	Ledger    *ledger.Ledger
	Proof     *proof.Books
	Periods   *period.Service
	Tokens    *auth.Tokens
	Subsidy   *subsidy.Service
	Clawbacks *clawback.Service
	Tax       *taxbook.Book
	Import    *importer.Importer
	Recon     *reconcile.Service
	Keys      *idem.Keys
	Events    *events.Writer
	Bulletins *bulletin.Service
	Log       *slog.Logger
	// RateLimit is the sustained requests per second allowed per token
	// (bursts up to 4× that); zero disables limiting.
	RateLimit float64
	// Faces add the routes of the service's other faces (the console, the
	// public disclosure pages) to the same table, router and middleware;
	// each is given the API's routes, to take their roles from.
	Faces []func(ws *web.Server, api []web.Route) []web.Route
}

// Server is the HTTP API: the web machinery serving this package's routes.
type Server struct {
	*web.Server
	Deps
}

// New builds the server and its router.
func New(d Deps) *Server {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{Deps: d}
	web.New(web.Options{DB: d.DB, Tokens: d.Tokens, Keys: d.Keys, Events: d.Events, Log: d.Log,
		RateLimit: d.RateLimit}, func(ws *web.Server) []web.Route {
		s.Server = ws // the handlers the table makes call it
		ws.Replays = map[string]web.Replay{"batch": s.replayBatch}
		routes := append(s.table(), s.bulletinRoutes()...)
		api := routes
		for _, face := range d.Faces {
			routes = append(routes, face(ws, api)...)
		}
		return routes
	})
	return s
}
