package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"renofund/internal/store"
)

// The read replica (store.DB.AttachReplica) as the HTTP layer sees it: the
// reads of the routes Server.ReadReplica picks may be served by it, writes
// are noted so that their author reads the primary until the replica has
// them, and /readyz and /metrics report its lag.

// replicaRoute is the middleware of a signed-in route when a replica is
// attached. A write is noted for its token while it runs and after. A read
// of a route the replica may serve goes to it unless the replica is too far
// behind, the token wrote something the replica has not replayed yet, or
// the client asks for the freshest answer with Cache-Control: no-cache.
func (s *Server) replicaRoute(r Route) gin.HandlerFunc {
	if r.Method != http.MethodGet {
		return func(c *gin.Context) {
			a, _ := Actor(c)
			defer s.DB.Writing(a.TokenID)()
			c.Next()
		}
	}
	return func(c *gin.Context) {
		if s.ReadReplica == nil || !s.ReadReplica(r) {
			c.Next()
			return
		}
		a, _ := Actor(c)
		to := "primary"
		if !strings.Contains(strings.ToLower(c.GetHeader("Cache-Control")), "no-cache") {
			if ctx, ok := s.DB.ReadReplica(c.Request.Context(), a.TokenID); ok {
				c.Request = c.Request.WithContext(ctx)
				to = "replica"
			}
		}
		s.replicaReads.WithLabelValues(to).Inc()
		c.Next()
	}
}

// replica registers the replica's metrics: its lag, whether it answers and
// serves, and where the reads it could serve went.
func (m *metrics) replica(db *store.DB) *prometheus.CounterVec {
	gauge := func(name, help string, f func(store.ReplicaStatus) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
			st, _ := db.Replica()
			return f(st)
		})
	}
	flag := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	reads := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "renofund_replica_reads_total",
		Help: "Requests the read replica may serve, by the database that served them (replica or primary).",
	}, []string{"to"})
	m.reg.MustRegister(reads,
		gauge("renofund_replica_lag_bytes", "How far the read replica's replay is behind the primary's WAL, in bytes.",
			func(st store.ReplicaStatus) float64 { return float64(st.LagBytes) }),
		gauge("renofund_replica_lag_seconds", "How long ago the primary was where the read replica's replay is now.",
			func(st store.ReplicaStatus) float64 { return st.LagSeconds }),
		gauge("renofund_replica_up", "1 when the read replica answers as a standby (streaming or lagging).",
			func(st store.ReplicaStatus) float64 {
				return flag(st.State == store.ReplicaStreaming || st.State == store.ReplicaLagging)
			}),
		gauge("renofund_replica_serving", "1 when the reads the replica may serve go to it.",
			func(st store.ReplicaStatus) float64 { return flag(st.Reads == "replica") }))
	return reads
}
