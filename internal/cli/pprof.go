package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// servePprof offers Go's profiles under /debug/pprof/ on addr (PPROF_ADDR,
// a loopback address) until ctx ends, on a listener of its own: never on
// the API's. It returns the address it listens on.
func servePprof(ctx context.Context, addr string, logger *slog.Logger) (string, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return serveAside(ctx, "profiles", addr, mux, logger)
}

// serveMetrics offers /metrics on addr (METRICS_ADDR) until ctx ends, so
// that the API's listener need not expose it.
func serveMetrics(ctx context.Context, addr string, metrics http.Handler, logger *slog.Logger) (string, error) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	return serveAside(ctx, "metrics", addr, mux, logger)
}

// serveAside serves h on a listener of its own until ctx ends and returns
// the address it listens on.
func serveAside(ctx context.Context, what, addr string, h http.Handler, logger *slog.Logger) (string, error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("listen on %s for %s: %w", addr, what, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close() // a profile being taken ends with the process
	}()
	go func() {
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed { //nolint:errorlint // Serve returns the sentinel itself
			logger.Error(what, slog.Any("error", err))
		}
	}()
	logger.InfoContext(ctx, what, "addr", ln.Addr().String())
	return ln.Addr().String(), nil
}
