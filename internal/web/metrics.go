package web

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

type metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	transfers prometheus.Counter
	refusals  *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "renofund_http_requests_total", Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "renofund_http_request_duration_seconds", Help: "HTTP request latency by method and route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
		transfers: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "renofund_transfers_posted_total", Help: "Transfers committed to the ledger through the API.",
		}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "renofund_refusals_total", Help: "Requests refused, by error code.",
		}, []string{"code"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.transfers, m.refusals,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
