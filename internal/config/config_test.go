package config_test

import (
	"errors"
	"io/fs"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/otopmarket/otop/internal/config"
)

func env(m map[string]string) config.Env {
	return func(k string) string { return m[k] }
}

func files(m map[string]string) config.ReadFile {
	return func(name string) ([]byte, error) {
		v, ok := m[name]
		if !ok {
			return nil, fs.ErrNotExist
		}
		return []byte(v), nil
	}
}

func TestLoadDefaults(t *testing.T) {
	cfg, err := config.Load(env(nil), files(nil))
	if err != nil {
		t.Fatalf("Load with empty environment: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"http addr", cfg.HTTPAddr, "127.0.0.1:8080"},
		{"database url", cfg.DatabaseURL, config.DefaultDatabaseURL},
		{"read header timeout", cfg.ReadHeaderTimeout, 5 * time.Second},
		{"shutdown timeout", cfg.ShutdownTimeout, 20 * time.Second},
		{"max body", cfg.MaxBodyBytes, int64(1 << 20)},
		{"minio endpoint", cfg.MinIO.Endpoint, "127.0.0.1:9000"},
		{"minio bucket", cfg.MinIO.Bucket, "otop"},
		{"minio public url", cfg.MinIO.PublicURL, "http://127.0.0.1:9000"},
		{"meili url", cfg.MeiliURL, ""},
		{"data dir", cfg.DataDir, ".data"},
		{"log level", cfg.LogLevel, slog.LevelInfo},
		{"log format", cfg.LogFormat, "json"},
		{"migrate on start", cfg.MigrateOnStart, false},
		{"cors", len(cfg.CORSOrigins), 0},
		{"idle connections follow the pool size", cfg.DBMaxIdleConns, cfg.DBMaxOpenConns},
		{"cached products", cfg.Cache.ProductsMB, 64},
		{"cached list pages", cfg.Cache.ListsMB, 64},
		{"cached searches", cfg.Cache.SearchesMB, 64},
		{"search cache ttl", cfg.Cache.SearchTTL, 10 * time.Second},
		{"no profiling endpoint", cfg.PprofAddr, ""},
		{"webhooks to public addresses only", cfg.WebhookAllowPrivate, false},
		{"no trusted proxies", len(cfg.TrustedProxies), 0},
		{"metrics on the API's listener", cfg.MetricsAddr, ""},
		{"image memory budget", cfg.ImageMemoryMB, 1024},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestLoadValues(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		files map[string]string
		check func(t *testing.T, cfg config.Config)
	}{
		{
			name: "profiles on loopback",
			env:  map[string]string{"PPROF_ADDR": "127.0.0.1:6060"},
			check: func(t *testing.T, cfg config.Config) {
				if cfg.PprofAddr != "127.0.0.1:6060" {
					t.Errorf("PprofAddr = %q", cfg.PprofAddr)
				}
			},
		},
		{
			name: "profiles on IPv6 loopback",
			env:  map[string]string{"PPROF_ADDR": "[::1]:6060"},
			check: func(t *testing.T, cfg config.Config) {
				if cfg.PprofAddr != "[::1]:6060" {
					t.Errorf("PprofAddr = %q", cfg.PprofAddr)
				}
			},
		},
		{
			name: "explicit values override defaults",
			env: map[string]string{
				"HTTP_ADDR": "0.0.0.0:9999", "READ_TIMEOUT": "2m", "LOG_LEVEL": "debug", "LOG_FORMAT": "TEXT",
				"MEILI_URL": "http://127.0.0.1:7700/", "MINIO_USE_SSL": "true", "MIGRATE_ON_START": "1",
				"CORS_ALLOWED_ORIGINS": "https://shop.example, http://localhost:3000", "DB_MAX_OPEN_CONNS": "50",
			},
			check: func(t *testing.T, cfg config.Config) {
				if cfg.HTTPAddr != "0.0.0.0:9999" || cfg.ReadTimeout != 2*time.Minute || cfg.LogLevel != slog.LevelDebug ||
					cfg.LogFormat != "text" || cfg.MeiliURL != "http://127.0.0.1:7700" || !cfg.MinIO.UseSSL || !cfg.MigrateOnStart ||
					cfg.DBMaxOpenConns != 50 || cfg.DBMaxIdleConns != 50 {
					t.Errorf("unexpected config: %+v", cfg)
				}
				if strings.Join(cfg.CORSOrigins, "|") != "https://shop.example|http://localhost:3000" {
					t.Errorf("CORSOrigins = %q", cfg.CORSOrigins)
				}
			},
		},
		{
			name: "proxies, a metrics listener and the image budget",
			env: map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7,2001:db8::/32", "METRICS_ADDR": "10.1.2.3:9100",
				"IMAGE_MEMORY_MB": "256"},
			check: func(t *testing.T, cfg config.Config) {
				if strings.Join(cfg.TrustedProxies, "|") != "10.0.0.0/8|192.0.2.7|2001:db8::/32" || cfg.MetricsAddr != "10.1.2.3:9100" ||
					cfg.ImageMemoryMB != 256 {
					t.Errorf("TrustedProxies %q, MetricsAddr %q, ImageMemoryMB %d", cfg.TrustedProxies, cfg.MetricsAddr, cfg.ImageMemoryMB)
				}
			},
		},
		{
			name: "webhooks to private addresses, for tests",
			env:  map[string]string{"WEBHOOK_ALLOW_PRIVATE": "true"},
			check: func(t *testing.T, cfg config.Config) {
				if !cfg.WebhookAllowPrivate {
					t.Errorf("WebhookAllowPrivate = false")
				}
			},
		},
		{
			name: "caches can be sized or switched off",
			env:  map[string]string{"CACHE_PRODUCTS_MB": "0", "CACHE_LISTS_MB": "16", "CACHE_SEARCH_TTL": "0"},
			check: func(t *testing.T, cfg config.Config) {
				if cfg.Cache.ProductsMB != 0 || cfg.Cache.ListsMB != 16 || cfg.Cache.SearchTTL != 0 || cfg.Cache.SearchesMB != 64 {
					t.Errorf("Cache = %+v", cfg.Cache)
				}
			},
		},
		{
			name:  "secrets come from *_FILE, trimmed",
			env:   map[string]string{"MINIO_SECRET_KEY_FILE": "/run/secrets/minio", "DATABASE_URL_FILE": "/run/secrets/db", "MEILI_API_KEY_FILE": "/run/secrets/meili"},
			files: map[string]string{"/run/secrets/minio": "s3cr3t-value\n", "/run/secrets/db": "postgres://u:p@db:5432/otop\n", "/run/secrets/meili": "mkey"},
			check: func(t *testing.T, cfg config.Config) {
				if cfg.MinIO.SecretKey != "s3cr3t-value" || cfg.DatabaseURL != "postgres://u:p@db:5432/otop" || cfg.MeiliAPIKey != "mkey" {
					t.Errorf("secrets not read from files: %+v", cfg)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Load(env(tt.env), files(tt.files))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			tt.check(t, cfg)
		})
	}
}

func TestProductionAcceptsItsOwnSecretsAndLocalPlainText(t *testing.T) {
	cfg, err := config.Load(env(map[string]string{"APP_ENV": "production",
		"DATABASE_URL":     "postgres://app:s3cret@127.0.0.1:5432/otop?sslmode=disable",
		"MINIO_ACCESS_KEY": "app", "MINIO_SECRET_KEY": "a-long-random-secret"}), files(nil))
	if err != nil || !cfg.Production {
		t.Fatalf("production with its own secrets: %v (production %v)", err, cfg.Production)
	}
}

func TestLoadRejectsBadValues(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		wantKeys []string
	}{
		{"address without port", map[string]string{"HTTP_ADDR": "localhost"}, []string{"HTTP_ADDR"}},
		{"port out of range", map[string]string{"HTTP_ADDR": ":70000"}, []string{"HTTP_ADDR"}},
		{"negative duration", map[string]string{"WRITE_TIMEOUT": "-5s"}, []string{"WRITE_TIMEOUT"}},
		{"duration without unit", map[string]string{"IDLE_TIMEOUT": "30"}, []string{"IDLE_TIMEOUT"}},
		{"zero body limit", map[string]string{"MAX_BODY_BYTES": "0"}, []string{"MAX_BODY_BYTES"}},
		{"database url of another scheme", map[string]string{"DATABASE_URL": "mysql://x@y/z"}, []string{"DATABASE_URL"}},
		{"minio endpoint with scheme", map[string]string{"MINIO_ENDPOINT": "http://127.0.0.1:9000"}, []string{"MINIO_ENDPOINT"}},
		{"bucket with capitals", map[string]string{"MINIO_BUCKET": "OTOP_Bucket"}, []string{"MINIO_BUCKET"}},
		{"meili url without scheme", map[string]string{"MEILI_URL": "127.0.0.1:7700"}, []string{"MEILI_URL"}},
		{"unknown log level", map[string]string{"LOG_LEVEL": "loud"}, []string{"LOG_LEVEL"}},
		{"unknown log format", map[string]string{"LOG_FORMAT": "xml"}, []string{"LOG_FORMAT"}},
		{"not a boolean", map[string]string{"MIGRATE_ON_START": "yes please"}, []string{"MIGRATE_ON_START"}},
		{"bad cors origin", map[string]string{"CORS_ALLOWED_ORIGINS": "shop.example"}, []string{"CORS_ALLOWED_ORIGINS"}},
		{"secret and its file both set", map[string]string{"MINIO_SECRET_KEY": "a", "MINIO_SECRET_KEY_FILE": "/x"}, []string{"MINIO_SECRET_KEY"}},
		{"missing secret file", map[string]string{"MEILI_API_KEY_FILE": "/nope"}, []string{"MEILI_API_KEY_FILE"}},
		{"negative cache size", map[string]string{"CACHE_PRODUCTS_MB": "-1"}, []string{"CACHE_PRODUCTS_MB"}},
		{"negative cache ttl", map[string]string{"CACHE_SEARCH_TTL": "-1s"}, []string{"CACHE_SEARCH_TTL"}},
		{"profiles on every interface", map[string]string{"PPROF_ADDR": "0.0.0.0:6060"}, []string{"PPROF_ADDR"}},
		{"profiles on a named host", map[string]string{"PPROF_ADDR": "example.com:6060"}, []string{"PPROF_ADDR"}},
		{"profiles without a port", map[string]string{"PPROF_ADDR": "127.0.0.1"}, []string{"PPROF_ADDR"}},
		{"more idle than open connections", map[string]string{"DB_MAX_OPEN_CONNS": "5", "DB_MAX_IDLE_CONNS": "6"}, []string{"DB_MAX_IDLE_CONNS"}},
		{"unknown APP_ENV", map[string]string{"APP_ENV": "prod"}, []string{"APP_ENV"}},
		{"webhook flag not a boolean", map[string]string{"WEBHOOK_ALLOW_PRIVATE": "sometimes"}, []string{"WEBHOOK_ALLOW_PRIVATE"}},
		{"a proxy that is no address", map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8,lb.internal"}, []string{"TRUSTED_PROXIES"}},
		{"a metrics listener without a port", map[string]string{"METRICS_ADDR": "127.0.0.1"}, []string{"METRICS_ADDR"}},
		{"an image budget too small for one photo", map[string]string{"IMAGE_MEMORY_MB": "16"}, []string{"IMAGE_MEMORY_MB"}},
		{
			name: "production with webhooks to private addresses",
			env: map[string]string{"APP_ENV": "production", "DATABASE_URL": "postgres://app:s3cret@127.0.0.1:5432/otop",
				"MINIO_ACCESS_KEY": "app", "MINIO_SECRET_KEY": "a-long-random-secret", "WEBHOOK_ALLOW_PRIVATE": "true"},
			wantKeys: []string{"WEBHOOK_ALLOW_PRIVATE"},
		},
		{"production with every development default", map[string]string{"APP_ENV": "production"}, []string{"DATABASE_URL", "MINIO_SECRET_KEY"}},
		{
			name: "production with plain text to another host",
			env: map[string]string{"APP_ENV": "production", "DATABASE_URL": "postgres://app:s3cret@db.internal:5432/otop?sslmode=disable",
				"MINIO_ACCESS_KEY": "app", "MINIO_SECRET_KEY": "a-long-random-secret"},
			wantKeys: []string{"DATABASE_URL"},
		},
		{
			name:     "all bad values reported together",
			env:      map[string]string{"HTTP_ADDR": "nope", "LOG_LEVEL": "loud", "READ_TIMEOUT": "soon", "MINIO_BUCKET": "x"},
			wantKeys: []string{"HTTP_ADDR", "LOG_LEVEL", "READ_TIMEOUT", "MINIO_BUCKET"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load(env(tt.env), files(nil))
			if err == nil {
				t.Fatal("Load accepted bad configuration")
			}
			for _, k := range tt.wantKeys {
				if !strings.Contains(err.Error(), k+":") {
					t.Errorf("error %q does not name %s", err, k)
				}
			}
			var joined interface{ Unwrap() []error }
			if errors.As(err, &joined) && len(joined.Unwrap()) != len(tt.wantKeys) {
				t.Errorf("got %d errors, want %d: %v", len(joined.Unwrap()), len(tt.wantKeys), err)
			}
		})
	}
}
