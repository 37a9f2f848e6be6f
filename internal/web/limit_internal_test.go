package web

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"renofund/internal/access"
)

// TestLongRequestsPerToken: a token runs at most MaxLongPerToken long
// requests at once; the next is refused with 429 and Retry-After, another
// token is not affected, and a finished request frees its place.
func TestLongRequestsPerToken(t *testing.T) {
	s := &Server{log: slog.New(slog.DiscardHandler), metrics: newMetrics(), long: newLongGate()}
	release := make(chan struct{})
	var entered sync.WaitGroup
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	as := func(token string) gin.HandlerFunc {
		return func(c *gin.Context) { c.Set(ctxActor, access.Actor{TokenID: token, Role: access.Auditor}) }
	}
	e.GET("/long/:token", func(c *gin.Context) { as(c.Param("token"))(c) }, s.limitLong, func(c *gin.Context) {
		entered.Done()
		<-release
		c.Status(http.StatusOK)
	})
	get := func(token string) int {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest("GET", "/long/"+token, nil))
		return rec.Code
	}
	var done sync.WaitGroup
	entered.Add(MaxLongPerToken)
	for range MaxLongPerToken {
		done.Add(1)
		go func() { defer done.Done(); get("a") }()
	}
	entered.Wait()
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("GET", "/long/a", nil))
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Errorf("one long request too many: %d %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	entered.Add(1)
	done.Add(1)
	go func() { defer done.Done(); get("b") }() // another token is admitted
	entered.Wait()
	close(release)
	done.Wait()
	release = make(chan struct{})
	close(release)
	entered.Add(1)
	if code := get("a"); code != http.StatusOK {
		t.Errorf("after the long requests finished: %d", code)
	}
}
