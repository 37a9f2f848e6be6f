// Package web is the HTTP machinery the service's faces share: one route
// table on gin, middleware for request ids, logs, metrics, limits,
// authentication, roles and audit events, idempotent write transactions,
// the one mapping from domain errors to statuses, and the OpenAPI document
// made from the route table. It knows nothing of the programme's rules: the
// routes and their handlers come from the caller (internal/httpapi).
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"renofund/internal/access"
	"renofund/internal/auth"
	"renofund/internal/events"
	"renofund/internal/idem"
	"renofund/internal/store"
)

// Route is one row of the route table: the router, the role check, the
// access-control matrix test and the OpenAPI document are all made from it.
type Route struct {
	Method  string
	Path    string
	Roles   []access.Role // nil: public, no token
	Summary string
	Body    any // a value of the request body's type, for OpenAPI
	// Form says the body is a multipart/form-data form whose fields Body's
	// type lists, not JSON.
	Form    bool
	Resp    any // a value of the response's type, for OpenAPI
	Status  int // success status, default 200
	Query   []string
	MaxBody int64
	// Long marks routes that may run past RequestTimeout (exports, imports,
	// batches); they are bounded by the client instead.
	Long bool
	// Page marks an HTML page of the console or of the public site: it is
	// left out of the OpenAPI document, its errors are rendered by
	// Server.PageFail, and with Roles it is reached through a console
	// session (cookie and CSRF secret), not a bearer token.
	Page   bool
	Handle gin.HandlerFunc
}

// Options are what the machinery itself needs.
type Options struct {
	DB     *store.DB    // the transactions writes run in (group commit), and readiness
	Tokens *auth.Tokens // bearer tokens
	Keys   *idem.Keys   // idempotency keys
	Events *events.Writer
	Log    *slog.Logger
	// RateLimit is the sustained requests per second allowed per token
	// (bursts up to 4× that); zero disables limiting.
	RateLimit float64
}

// Server serves a route table.
type Server struct {
	Options
	log     *slog.Logger
	metrics *metrics
	limiter *limiter
	long    *longGate
	routes  []Route
	engine  *gin.Engine
	// PageFail renders a refusal on a page route as HTML (the console sets
	// it); status and the error's code and message are those the JSON API
	// would answer.
	PageFail func(c *gin.Context, status int, code, message string)
	// Replays rebuild responses stored by reference (see Referenced), by
	// kind.
	Replays map[string]Replay
	// ReadReplica picks the GET routes whose reads a read replica may serve
	// (internal/app sets it); replicaReads counts where they went.
	ReadReplica  func(Route) bool
	replicaReads *prometheus.CounterVec
}

// New builds the server: the public routes (liveness, readiness, metrics,
// the OpenAPI document) and those routes returns, which may use the server's
// helpers (Fail, Write, …) in their handlers.
func New(o Options, routes func(*Server) []Route) *Server {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{Options: o, log: o.Log, metrics: newMetrics()}
	s.limiter = newLimiter(o.RateLimit)
	s.long = newLongGate()
	if o.DB != nil {
		if _, ok := o.DB.Replica(); ok {
			s.replicaReads = s.metrics.replica(o.DB)
		}
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	e.Use(s.recover, s.requestID, s.observe, s.cleanInput)
	e.NoRoute(func(c *gin.Context) { s.Fail(c, errNoRoute) })
	e.NoMethod(func(c *gin.Context) { s.Fail(c, errNoMethod) })
	s.routes = append(s.public(), routes(s)...)
	for _, r := range s.routes {
		handlers := []gin.HandlerFunc{}
		if r.Roles != nil && !r.Long {
			handlers = append(handlers, bound)
		}
		if r.Long {
			handlers = append(handlers, func(c *gin.Context) { c.Set(ctxLong, true) })
		}
		writes := r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodDelete
		if r.Page {
			handlers = append(handlers, func(c *gin.Context) { c.Set(ctxPage, true) })
			if writes { // before the session check, which reads the form for its CSRF secret
				handlers = append(handlers, s.limitBody(r))
			}
		}
		if r.Roles != nil {
			if r.Page {
				handlers = append(handlers, s.session)
			} else {
				handlers = append(handlers, s.authenticate)
			}
			handlers = append(handlers, s.authorize(r))
			if s.replicaReads != nil {
				handlers = append(handlers, s.replicaRoute(r))
			}
			if r.Long && r.Method == http.MethodGet {
				handlers = append(handlers, s.limitLong)
			}
		}
		if writes && !r.Page {
			handlers = append(handlers, s.limitBody(r))
		}
		handlers = append(handlers, r.Handle)
		e.Handle(r.Method, r.Path, handlers...)
	}
	s.engine = e
	return s
}

func (s *Server) public() []Route {
	return []Route{
		{Method: "GET", Path: "/healthz", Summary: "Liveness", Handle: s.healthz},
		{Method: "GET", Path: "/readyz", Summary: "Readiness: the database answers", Handle: s.readyz},
		{Method: "GET", Path: "/metrics", Summary: "Prometheus metrics",
			Handle: gin.WrapH(promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))},
		{Method: "GET", Path: "/openapi.json", Summary: "This document", Handle: s.openapi},
	}
}

func (s *Server) healthz(c *gin.Context) {
	SendJSON(c, http.StatusOK, gin.H{"status": "ok"})
}

func (s *Server) readyz(c *gin.Context) {
	if err := s.DB.Ping(c.Request.Context()); err != nil {
		SendJSON(c, http.StatusServiceUnavailable, errorBody{errorDetail{Code: "unavailable",
			Message: "database unreachable", RequestID: RequestID(c)}})
		return
	}
	body := gin.H{"status": "ready", "database": string(s.DB.Dialect)}
	if st, ok := s.DB.Replica(); ok {
		body["replica"] = st
	}
	SendJSON(c, http.StatusOK, body)
}

// Routes returns the route table, public routes first.
func (s *Server) Routes() []Route { return s.routes }

// Handler returns the http.Handler to serve.
func (s *Server) Handler() http.Handler { return s.engine }

// Metrics returns the Prometheus registry behind /metrics.
func (s *Server) Metrics() *prometheus.Registry { return s.metrics.reg }

// Close writes the audit events still queued.
func (s *Server) Close() { s.Events.Close() }

// RequestTimeout bounds how long an ordinary /v1 request may wait on the
// database: past it the client gets 503 unavailable, not a hung connection.
const RequestTimeout = 10 * time.Second

func bound(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), RequestTimeout)
	defer cancel()
	c.Request = c.Request.WithContext(ctx)
	c.Next()
}
