package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/otopmarket/otop/internal/errs"
)

// Check is one dependency /readyz looks at.
type Check struct {
	Name string
	Ping func(ctx context.Context) error
}

type checkResult struct {
	Status    string  `json:"status"`
	LatencyMS float64 `json:"latency_ms"`
	Error     string  `json:"error,omitempty"`
}

type readiness struct {
	Status string                 `json:"status"`
	Checks map[string]checkResult `json:"checks"`
}

func (h *handlers) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz asks every dependency in parallel, each with a short deadline.
// A failing dependency is named, but its error text stays in the log.
func (h *handlers) readyz(c *gin.Context) {
	const timeout = 2 * time.Second
	out := readiness{Status: "ok", Checks: make(map[string]checkResult, len(h.checks))}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, check := range h.checks {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(c.Request.Context(), timeout)
			defer cancel()
			start := time.Now()
			err := check.Ping(ctx)
			res := checkResult{Status: "up", LatencyMS: float64(time.Since(start).Microseconds()) / 1000}
			if err != nil {
				res.Status, res.Error = "down", "unreachable or unhealthy"
				if ctx.Err() != nil {
					res.Error = "timed out"
				}
				// Still starting (an index being built) is expected, not a failure.
				level := slog.LevelWarn
				if errors.Is(err, errs.ErrStarting) {
					level = slog.LevelInfo
				}
				loggerFrom(c).Log(c.Request.Context(), level, "readiness check failed", "check", check.Name, "error", err.Error())
			}
			mu.Lock()
			defer mu.Unlock()
			out.Checks[check.Name] = res
			if err != nil {
				out.Status = "unavailable"
			}
		})
	}
	wg.Wait()
	status := http.StatusOK
	if out.Status != "ok" {
		status = http.StatusServiceUnavailable
	}
	c.JSON(status, out)
}
