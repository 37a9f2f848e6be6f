package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"renofund/internal/access"
	"renofund/internal/errs"
	"renofund/internal/events"
	"renofund/internal/field"
)

const (
	ctxRequestID = "request_id"
	ctxActor     = "actor"
	ctxBody      = "body"
	ctxErrorCode = "error_code"
	ctxLong      = "long" // the route may run long: no deadline, no group commit
	ctxPage      = "page" // an HTML page: refusals are rendered by PageFail
)

var (
	errNoRoute  = fmt.Errorf("%w: no such route", errs.ErrNotFound)
	errNoMethod = errs.New(errs.Invalid, "method_not_allowed", "method not allowed on this route")
)

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-Id")
	if !requestIDPattern.MatchString(id) {
		b := make([]byte, 8)
		rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Set(ctxRequestID, id)
	c.Header("X-Request-Id", id)
	c.Next()
}

// RequestID is the request's id, as answered in X-Request-Id.
func RequestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// cleanInput refuses a path, query or key header that is not valid UTF-8 or
// carries control characters: no database would store it faithfully, and no
// legitimate client sends it.
func (s *Server) cleanInput(c *gin.Context) {
	for _, v := range []string{c.Request.URL.Path, c.Request.URL.RawQuery, c.GetHeader("Idempotency-Key")} {
		if !field.Clean(v) {
			s.Fail(c, fmt.Errorf("%w: the path, query or Idempotency-Key holds invalid UTF-8 or a control character", errs.ErrInvalidRequest))
			return
		}
	}
	for _, vs := range c.Request.URL.Query() {
		for _, v := range vs {
			if !field.Clean(v) {
				s.Fail(c, fmt.Errorf("%w: a query parameter holds invalid UTF-8 or a control character", errs.ErrInvalidRequest))
				return
			}
		}
	}
	c.Next()
}

// observe logs each request, counts it, times it and records an audit event.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	d := time.Since(start)
	s.metrics.requests.WithLabelValues(c.Request.Method, route, strconv.Itoa(status)).Inc()
	s.metrics.latency.WithLabelValues(c.Request.Method, route).Observe(d.Seconds())
	a, authed := Actor(c)
	attrs := []any{"request_id", RequestID(c), "method", c.Request.Method, "route", route,
		"status", status, "ms", float64(d.Microseconds()) / 1000}
	if authed {
		attrs = append(attrs, "token", a.Name, "role", a.Role)
	}
	if code := c.GetString(ctxErrorCode); code != "" {
		attrs = append(attrs, "code", code)
	}
	s.log.Info("request", attrs...)
	if strings.HasPrefix(route, "/v1/") && !c.GetBool(ctxRecorded) {
		s.Events.Add(s.event(c, status))
	}
}

// ctxRecorded marks a call whose event its write stored (Write).
const ctxRecorded = "renofund.recorded"

// event is the audit event of the call as it ends with status.
func (s *Server) event(c *gin.Context, status int) events.Event {
	a, authed := Actor(c)
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	return events.Event{At: time.Now(), Actor: a, Authed: authed, Method: c.Request.Method, Route: route,
		Path: c.Request.URL.Path, Status: status, RequestID: RequestID(c), Detail: c.GetString(ctxDetail)}
}

// ctxDetail holds what a handler adds to its call's audit event.
const ctxDetail = "renofund.detail"

// Detail adds detail to the audit event of the call: what it did beyond
// what its route says (a period reopened and why).
func Detail(c *gin.Context, detail string) { c.Set(ctxDetail, detail) }

func (s *Server) recover(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			s.Fail(c, fmt.Errorf("panic: %v", r))
		}
	}()
	c.Next()
}

// authenticate resolves the bearer token into an actor.
func (s *Server) authenticate(c *gin.Context) {
	if a, ok := inProcessActor(c.Request.Context()); ok { // the console, on behalf of its signed-in user
		c.Set(ctxActor, a)
		c.Request = c.Request.WithContext(access.With(c.Request.Context(), a))
		c.Next()
		return
	}
	// The scheme name is case-insensitive (RFC 9110 §11.1).
	scheme, secret, _ := strings.Cut(strings.TrimSpace(c.GetHeader("Authorization")), " ")
	secret = strings.TrimSpace(secret)
	if !strings.EqualFold(scheme, "Bearer") || secret == "" {
		s.Fail(c, fmt.Errorf("%w: send Authorization: Bearer <token>", errs.ErrUnauthenticated))
		return
	}
	a, err := s.Tokens.Authenticate(c.Request.Context(), secret)
	if err != nil {
		s.Fail(c, err)
		return
	}
	if !s.limiter.allow(a.TokenID) {
		c.Header("Retry-After", "1")
		s.Fail(c, errs.ErrRateLimited)
		return
	}
	c.Set(ctxActor, a)
	c.Request = c.Request.WithContext(access.With(c.Request.Context(), a))
	c.Next()
}

// limitLong admits a long read only while the token runs fewer than
// MaxLongPerToken of them.
func (s *Server) limitLong(c *gin.Context) {
	if _, ok := inProcessActor(c.Request.Context()); ok {
		c.Next() // the console's page that made this call holds the slot
		return
	}
	a, _ := Actor(c)
	if !s.long.enter(a.TokenID) {
		c.Header("Retry-After", "5")
		s.Fail(c, fmt.Errorf("%w: at most %d exports or verifications at a time per token",
			errs.ErrRateLimited, MaxLongPerToken))
		return
	}
	defer s.long.leave(a.TokenID)
	c.Next()
}

// Actor is the authenticated caller, when there is one.
func Actor(c *gin.Context) (access.Actor, bool) {
	v, ok := c.Get(ctxActor)
	if !ok {
		return access.Actor{}, false
	}
	return v.(access.Actor), true
}

// authorize refuses a role the route does not admit. Scoping to a district
// is then enforced by the domain on the objects it loads.
func (s *Server) authorize(r Route) gin.HandlerFunc {
	return func(c *gin.Context) {
		a, _ := Actor(c)
		if !slices.Contains(r.Roles, a.Role) {
			s.Fail(c, fmt.Errorf("%w: role %s may not %s %s", errs.ErrForbidden, a.Role, r.Method, r.Path))
			return
		}
		c.Next()
	}
}

// limitBody refuses bodies over the route's limit before reading them.
func (s *Server) limitBody(r Route) gin.HandlerFunc {
	limit := int64(MaxBody)
	if r.MaxBody > 0 {
		limit = r.MaxBody
	}
	return func(c *gin.Context) {
		if c.Request.ContentLength > limit {
			s.Fail(c, fmt.Errorf("%w: the limit is %d bytes", errs.ErrTooLarge, limit))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		c.Next()
	}
}
