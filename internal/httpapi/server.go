// Package httpapi is the HTTP face of the service: one route table on gin,
// middleware for request ids, logs, metrics, limits, authentication, roles and
// idempotency, and thin handlers that turn JSON into domain calls and domain
// errors into the API's error shape.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"renofund/funding"
	"renofund/funding/importer"
	"renofund/funding/movement"
	"renofund/funding/report"
	"renofund/internal/auth"
	"renofund/internal/events"
	"renofund/internal/idem"
	"renofund/internal/ledger"
	"renofund/internal/ledger/proof"
	"renofund/internal/recon"
	"renofund/internal/store"
	"renofund/internal/taxbook"
	"renofund/subsidy"
)

// Deps are what the handlers call, all built by the caller (internal/app).
type Deps struct {
	DB        *store.DB // the transactions requests run in (group commit), and readiness
	Registry  *funding.Registry
	Movements *movement.Service
	Reports   *report.Service
	Ledger    *ledger.Ledger
	Proof     *proof.Books
	Tokens    *auth.Tokens
	Subsidy   *subsidy.Service
	Tax       *taxbook.Book
	Import    *importer.Importer
	Recon     *recon.Service
	Keys      *idem.Keys
	Events    *events.Writer
	Log       *slog.Logger
	// RateLimit is the sustained requests per second allowed per token
	// (bursts up to 4× that); zero disables limiting.
	RateLimit float64
}

// Server is the HTTP API.
type Server struct {
	Deps
	log     *slog.Logger
	metrics *metrics
	limiter *limiter
	long    *longGate
	routes  []route
	engine  *gin.Engine
}

// New builds the server and its router.
func New(d Deps) *Server {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{Deps: d, log: d.Log, metrics: newMetrics()}
	s.limiter = newLimiter(d.RateLimit)
	s.long = newLongGate()
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	e.Use(s.recover, s.requestID, s.observe, s.cleanInput)
	e.NoRoute(func(c *gin.Context) { s.fail(c, errNoRoute) })
	e.NoMethod(func(c *gin.Context) { s.fail(c, errNoMethod) })
	s.routes = s.table()
	for _, r := range s.routes {
		handlers := []gin.HandlerFunc{}
		if r.Roles != nil && !r.Long {
			handlers = append(handlers, bound)
		}
		if r.Long {
			handlers = append(handlers, func(c *gin.Context) { c.Set(ctxLong, true) })
		}
		if r.Roles != nil {
			handlers = append(handlers, s.authenticate, s.authorize(r))
			if r.Long && r.Method == http.MethodGet {
				handlers = append(handlers, s.limitLong)
			}
		}
		if r.Method == http.MethodPost || r.Method == http.MethodPut {
			handlers = append(handlers, s.limitBody(r))
		}
		handlers = append(handlers, r.Handle)
		e.Handle(r.Method, r.Path, handlers...)
	}
	s.engine = e
	return s
}

// Handler returns the http.Handler to serve.
func (s *Server) Handler() http.Handler { return s.engine }

// Metrics returns the Prometheus registry behind /metrics.
func (s *Server) Metrics() *prometheus.Registry { return s.metrics.reg }

// RequestTimeout bounds how long an ordinary /v1 request may wait on the
// database: past it the client gets 503 unavailable, not a hung connection.
const RequestTimeout = 10 * time.Second

func bound(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), RequestTimeout)
	defer cancel()
	c.Request = c.Request.WithContext(ctx)
	c.Next()
}

// Close writes the audit events still queued.
func (s *Server) Close() { s.Events.Close() }
