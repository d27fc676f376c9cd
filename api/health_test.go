package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/testenv"
	"github.com/otopmarket/otop/storage"
)

func TestHealthz(t *testing.T) {
	rec := newTestServer(t).do(t, http.MethodGet, "/healthz", nil)
	if rec.Code != http.StatusOK || decode[map[string]string](t, rec)["status"] != "ok" {
		t.Fatalf("healthz = %d %s", rec.Code, rec.Body.String())
	}
}

func TestReadyzChecksRealDependencies(t *testing.T) {
	t.Parallel()
	db := testenv.DB(t)
	store := testenv.Store(t)
	pg := Check{Name: "postgres", Ping: func(ctx context.Context) error { return postgres.Ping(ctx, db) }}

	t.Run("all up", func(t *testing.T) {
		rec := newTestServer(t, pg, Check{Name: "minio", Ping: store.Ping}).do(t, http.MethodGet, "/readyz", nil)
		got := decode[readiness](t, rec)
		if rec.Code != http.StatusOK || got.Status != "ok" || got.Checks["postgres"].Status != "up" || got.Checks["minio"].Status != "up" {
			t.Fatalf("readyz = %d %s", rec.Code, rec.Body.String())
		}
	})
	t.Run("minio unreachable", func(t *testing.T) {
		down, err := storage.New(storage.Config{Endpoint: "127.0.0.1:1", AccessKey: "x", SecretKey: "y", Bucket: "nothing"})
		if err != nil {
			t.Fatal(err)
		}
		rec := newTestServer(t, pg, Check{Name: "minio", Ping: down.Ping}).do(t, http.MethodGet, "/readyz", nil)
		got := decode[readiness](t, rec)
		if rec.Code != http.StatusServiceUnavailable || got.Status != "unavailable" {
			t.Fatalf("readyz = %d %s", rec.Code, rec.Body.String())
		}
		if got.Checks["minio"].Status != "down" || got.Checks["minio"].Error == "" || got.Checks["postgres"].Status != "up" {
			t.Fatalf("checks = %+v", got.Checks)
		}
	})
	t.Run("bucket missing", func(t *testing.T) {
		cfg := testenv.MinIOConfig(t)
		cfg.Bucket = "otop-no-such-bucket"
		missing, err := storage.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		rec := newTestServer(t, pg, Check{Name: "minio", Ping: missing.Ping}).do(t, http.MethodGet, "/readyz", nil)
		if rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("readyz = %d %s", rec.Code, rec.Body.String())
		}
	})
	t.Run("postgres closed", func(t *testing.T) {
		closed := testenv.DB(t)
		if err := postgres.Close(closed); err != nil {
			t.Fatal(err)
		}
		check := Check{Name: "postgres", Ping: func(ctx context.Context) error { return postgres.Ping(ctx, closed) }}
		rec := newTestServer(t, check, Check{Name: "minio", Ping: store.Ping}).do(t, http.MethodGet, "/readyz", nil)
		got := decode[readiness](t, rec)
		if rec.Code != http.StatusServiceUnavailable || got.Checks["postgres"].Status != "down" || got.Checks["minio"].Status != "up" {
			t.Fatalf("readyz = %d %s", rec.Code, rec.Body.String())
		}
	})
}

// A dependency still starting (the search index being built) makes readyz
// answer 503 without warnings: nothing failed.
func TestReadyzWhileStartingIsNotAWarning(t *testing.T) {
	t.Parallel()
	starting := Check{Name: "search", Ping: func(context.Context) error {
		return fmt.Errorf("the search index is being built (%w)", errs.ErrStarting)
	}}
	s := newTestServer(t, starting)
	rec := s.do(t, http.MethodGet, "/readyz", nil)
	if got := decode[readiness](t, rec); rec.Code != http.StatusServiceUnavailable || got.Checks["search"].Status != "down" {
		t.Fatalf("readyz = %d %s", rec.Code, rec.Body)
	}
	logs := s.logs.String()
	if !strings.Contains(logs, `"msg":"readiness check failed"`) || !strings.Contains(logs, `"check":"search"`) {
		t.Fatalf("the starting check is not logged:\n%s", logs)
	}
	if strings.Contains(logs, `"level":"WARN"`) || strings.Contains(logs, `"level":"ERROR"`) {
		t.Errorf("a dependency still starting was logged as a problem:\n%s", logs)
	}
}
