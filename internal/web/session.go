package web

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"renofund/internal/access"
	"renofund/internal/auth"
	"renofund/internal/errs"
)

// The console's browser session: a cookie holding a session secret (see
// auth.StartSession), never the token itself.
const (
	SessionCookie = "renofund_session"
	// CSRFField is the form field (or, for scripts, the X-CSRF-Token
	// header) that must carry the session's CSRF secret on every
	// state-changing console request.
	CSRFField = "_csrf"
	// LoginPath is where a browser without a live session is sent.
	LoginPath = "/console/login"
)

const ctxSession = "renofund.session"

var (
	errCSRF    = errs.New(errs.Forbidden, "csrf_failed", "the form's CSRF token is missing or wrong: reload the page and try again")
	errOrigin  = errs.New(errs.Forbidden, "cross_origin", "a console form may only be sent from the console's own pages")
	errNoLogin = fmt.Errorf("%w: sign in to the console", errs.ErrUnauthenticated)
)

// session resolves the console session of a page route. A GET without a
// live session is sent to the sign-in page; anything else is refused. A
// state-changing request must come from this origin and carry the CSRF
// secret.
func (s *Server) session(c *gin.Context) {
	secret, _ := c.Cookie(SessionCookie)
	sess, err := s.Tokens.ResumeSession(c.Request.Context(), secret)
	if err != nil {
		if secret != "" {
			ClearSessionCookie(c)
		}
		if c.Request.Method == http.MethodGet && errs.Classify(err).Kind == errs.Unauthenticated {
			c.Redirect(http.StatusSeeOther, LoginPath+"?next="+url.QueryEscape(c.Request.URL.RequestURI()))
			c.Abort()
			return
		}
		if errs.Classify(err).Kind == errs.Unauthenticated {
			err = errNoLogin
		}
		s.Fail(c, err)
		return
	}
	if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
		if !SameOrigin(c) {
			s.Fail(c, errOrigin)
			return
		}
		sent := c.GetHeader("X-CSRF-Token")
		if sent == "" {
			sent = c.Request.FormValue(CSRFField) // parses the form; the body limit applies
		}
		if subtle.ConstantTimeCompare([]byte(sent), []byte(sess.CSRF)) != 1 {
			s.Fail(c, errCSRF)
			return
		}
	}
	if !s.limiter.allow(sess.Actor.TokenID) {
		c.Header("Retry-After", "1")
		s.Fail(c, errs.ErrRateLimited)
		return
	}
	c.Set(ctxActor, sess.Actor)
	c.Set(ctxSession, sess)
	c.Request = c.Request.WithContext(access.With(c.Request.Context(), sess.Actor))
	c.Next()
}

// SameOrigin reports whether a browser's request came from this host's own
// pages: its Origin (or, lacking one, its Referer) names this host. A
// request with neither is let through; SameSite=Strict keeps the cookie off
// cross-site requests in any case.
func SameOrigin(c *gin.Context) bool {
	from := c.GetHeader("Origin")
	if from == "" {
		from = c.GetHeader("Referer")
	}
	if from == "" {
		return true
	}
	u, err := url.Parse(from)
	return err == nil && u.Host == c.Request.Host
}

// Session is the console session of a page request.
func Session(c *gin.Context) (*auth.Session, bool) {
	v, ok := c.Get(ctxSession)
	if !ok {
		return nil, false
	}
	return v.(*auth.Session), true
}

// SetSessionCookie hands the browser its session: HttpOnly, SameSite=Strict,
// Secure whenever the console is reached over TLS (directly or behind a
// proxy that says so).
func SetSessionCookie(c *gin.Context, secret string) {
	http.SetCookie(c.Writer, &http.Cookie{Name: SessionCookie, Value: secret, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: secure(c), MaxAge: int(auth.MaxSessionAge.Seconds())})
}

// ClearSessionCookie removes the session cookie from the browser.
func ClearSessionCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: secure(c), MaxAge: -1})
}

func secure(c *gin.Context) bool {
	return c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https"
}

type inProcessKey struct{}

// AsActor marks a request the service makes to its own API on behalf of a
// signed-in console user: the API then takes the actor from the context
// instead of a bearer token. Only code in this process can set it.
func AsActor(ctx context.Context, a access.Actor) context.Context {
	return context.WithValue(ctx, inProcessKey{}, a)
}

func inProcessActor(ctx context.Context) (access.Actor, bool) {
	a, ok := ctx.Value(inProcessKey{}).(access.Actor)
	return a, ok
}
