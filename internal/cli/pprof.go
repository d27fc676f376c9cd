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
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("listen on %s for profiles: %w", addr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close() // a profile being taken ends with the process
	}()
	go func() {
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed { //nolint:errorlint // Serve returns the sentinel itself
			logger.Error("profiles", slog.Any("error", err))
		}
	}()
	logger.InfoContext(ctx, "profiles", "addr", ln.Addr().String())
	return ln.Addr().String(), nil
}
