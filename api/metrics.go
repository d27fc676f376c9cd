package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the HTTP instruments and the registry /metrics serves.
// Other packages register their own collectors on Registry.
type Metrics struct {
	Registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	inFlight prometheus.Gauge
	search   *prometheus.HistogramVec
}

// NewMetrics creates a registry with the Go runtime, process and HTTP collectors.
func NewMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "otop", Subsystem: "http", Name: "requests_total",
			Help: "HTTP requests answered, by method, route and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "otop", Subsystem: "http", Name: "request_duration_seconds",
			Help:    "Time to answer HTTP requests, by method, route and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "status"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "otop", Subsystem: "http", Name: "requests_in_flight",
			Help: "HTTP requests being served.",
		}),
		search: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "otop", Subsystem: "search", Name: "duration_seconds",
			Help:    "Time the search engine took to answer, by operation (search, suggest) and outcome.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}, []string{"operation", "outcome"}),
	}
	reg.MustRegister(m.requests, m.latency, m.inFlight, m.search,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *Metrics) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		m.inFlight.Inc()
		defer m.inFlight.Dec()
		c.Next()
		method, route, status := c.Request.Method, routeLabel(c), strconv.Itoa(c.Writer.Status())
		m.requests.WithLabelValues(method, route, status).Inc()
		m.latency.WithLabelValues(method, route, status).Observe(time.Since(start).Seconds())
	}
}

func (m *Metrics) handler() gin.HandlerFunc { return gin.WrapH(m.Handler()) }

// Handler serves the metrics in Prometheus' text format, for a listener of
// their own (METRICS_ADDR).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

// observeSearch records how long the engine took for one operation.
func (m *Metrics) observeSearch(operation string, start time.Time, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.search.WithLabelValues(operation, outcome).Observe(time.Since(start).Seconds())
}
