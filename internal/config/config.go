// Package config reads the service's configuration from environment variables.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is everything the service can be told from outside.
type Config struct {
	HTTPAddr          string
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	ShutdownTimeout   time.Duration
	MaxBodyBytes      int64
	CORSOrigins       []string
	// TrustedProxies are the addresses (or CIDR ranges) of the load
	// balancers in front of serve: only their X-Forwarded-For names the
	// client that limits count against. Empty: the peer is the client.
	TrustedProxies []string
	// MetricsAddr, when set, is where /metrics is served instead of the
	// API's own listener, so that it need not be public.
	MetricsAddr string
	// ImageMemoryMB is the memory budget of the photos decoded at once.
	ImageMemoryMB int

	DatabaseURL string
	// Production (APP_ENV=production) refuses the development defaults:
	// the built-in secrets, unencrypted database connections beyond this
	// machine, and (in serve and seed) the demo catalogue.
	Production bool

	DBMaxOpenConns int
	// DBStatementTimeout stops a statement of serve's pool that runs this
	// long (0: no limit); other commands run without one.
	DBStatementTimeout time.Duration
	DBMaxIdleConns     int
	MigrateOnStart     bool

	MinIO MinIO

	MeiliURL    string
	MeiliAPIKey string

	Cache Cache

	DataDir   string
	LogLevel  slog.Level
	LogFormat string

	// PprofAddr is where serve offers Go's profiles (net/http/pprof), ""
	// for nowhere. Only a loopback address is accepted: profiles show the
	// program's internals and cost CPU while they are taken.
	PprofAddr string

	// WebhookAllowPrivate accepts webhook endpoints at loopback, private
	// and link-local addresses and over plain http://, and lets deliveries
	// connect there: for tests and development only (production refuses it).
	WebhookAllowPrivate bool
}

// MinIO is the object store's configuration.
type MinIO struct {
	Endpoint  string
	AccessKey string
	SecretKey string
	Bucket    string
	UseSSL    bool
	// PublicURL is the base URL clients use to fetch public objects
	// (variants); an object's URL is PublicURL/Bucket/key.
	PublicURL string
}

// Cache sizes the in-memory caches of public replies, in MiB (0 disables one).
type Cache struct {
	ProductsMB int           // published products, by id
	ListsMB    int           // pages of the public product list
	SearchesMB int           // search and suggest replies
	SearchTTL  time.Duration // how long a search reply is kept (0 disables)
	QueuesMB   int           // pages of the curators' review queues
	QueueTTL   time.Duration // how long a queue page is kept (0 disables)
	OrdersMB   int           // pages of the order lists
	Sessions   int           // principals of bearer tokens, by token (a count; 0 disables)
}

// Defaults match the development services started by scripts/services.sh.
const (
	DefaultHTTPAddr    = "127.0.0.1:8080"
	DefaultDatabaseURL = "postgres://otop:otop@127.0.0.1:54320/otop?sslmode=disable"
	// The development MinIO's credentials (scripts/services.sh).
	DefaultMinIOAccessKey = "otop"
	DefaultMinIOSecretKey = "otop-dev-secret"
)

// Env is how Load reads the environment: os.Getenv in production, a map in tests.
type Env func(key string) string

// ReadFile is how Load reads *_FILE secrets: os.ReadFile in production.
type ReadFile func(name string) ([]byte, error)

// Load builds a Config from the environment. It reports every bad value at once.
func Load(getenv Env, readFile ReadFile) (Config, error) {
	l := loader{getenv: getenv, readFile: readFile}
	cfg := Config{
		HTTPAddr:          l.addr("HTTP_ADDR", DefaultHTTPAddr),
		ReadHeaderTimeout: l.duration("READ_HEADER_TIMEOUT", 5*time.Second),
		ReadTimeout:       l.duration("READ_TIMEOUT", 30*time.Second),
		WriteTimeout:      l.duration("WRITE_TIMEOUT", 30*time.Second),
		IdleTimeout:       l.duration("IDLE_TIMEOUT", 120*time.Second),
		ShutdownTimeout:   l.duration("SHUTDOWN_TIMEOUT", 20*time.Second),
		MaxBodyBytes:      int64(l.positiveInt("MAX_BODY_BYTES", 1<<20)),
		CORSOrigins:       l.origins("CORS_ALLOWED_ORIGINS"),
		TrustedProxies:    l.proxies("TRUSTED_PROXIES"),
		MetricsAddr:       l.optionalAddr("METRICS_ADDR"),
		ImageMemoryMB:     l.intFrom("IMAGE_MEMORY_MB", 1024, 64),

		DatabaseURL:        l.databaseURL("DATABASE_URL", DefaultDatabaseURL),
		DBMaxOpenConns:     l.positiveInt("DB_MAX_OPEN_CONNS", 20),
		DBStatementTimeout: l.durationFrom("DB_STATEMENT_TIMEOUT", 30*time.Second, true),
		MigrateOnStart:     l.boolean("MIGRATE_ON_START", false),

		MinIO: MinIO{
			Endpoint:  l.hostPort("MINIO_ENDPOINT", "127.0.0.1:9000"),
			AccessKey: l.secret("MINIO_ACCESS_KEY", DefaultMinIOAccessKey),
			SecretKey: l.secret("MINIO_SECRET_KEY", DefaultMinIOSecretKey),
			Bucket:    l.bucket("MINIO_BUCKET", "otop"),
			UseSSL:    l.boolean("MINIO_USE_SSL", false),
			PublicURL: l.httpURL("MINIO_PUBLIC_URL", "http://127.0.0.1:9000", false),
		},

		MeiliURL:    l.httpURL("MEILI_URL", "", true),
		MeiliAPIKey: l.secret("MEILI_API_KEY", ""),

		Cache: Cache{
			ProductsMB: l.intFrom("CACHE_PRODUCTS_MB", 64, 0),
			ListsMB:    l.intFrom("CACHE_LISTS_MB", 64, 0),
			SearchesMB: l.intFrom("CACHE_SEARCHES_MB", 64, 0),
			SearchTTL:  l.durationFrom("CACHE_SEARCH_TTL", 10*time.Second, true),
			QueuesMB:   l.intFrom("CACHE_QUEUES_MB", 64, 0),
			QueueTTL:   l.durationFrom("CACHE_QUEUE_TTL", 10*time.Minute, true),
			OrdersMB:   l.intFrom("CACHE_ORDERS_MB", 64, 0),
			Sessions:   l.intFrom("CACHE_SESSIONS", 100_000, 0),
		},

		DataDir:   l.nonEmpty("DATA_DIR", ".data"),
		LogLevel:  l.level("LOG_LEVEL", slog.LevelInfo),
		LogFormat: l.oneOf("LOG_FORMAT", "json", "json", "text"),
		PprofAddr: l.loopbackAddr("PPROF_ADDR"),

		WebhookAllowPrivate: l.boolean("WEBHOOK_ALLOW_PRIVATE", false),
	}
	// Idle connections default to the pool size: a smaller idle pool closes
	// and reopens connections under load, which costs a TLS/SCRAM handshake each.
	cfg.DBMaxIdleConns = l.positiveInt("DB_MAX_IDLE_CONNS", cfg.DBMaxOpenConns)
	if cfg.DBMaxIdleConns > cfg.DBMaxOpenConns {
		l.fail("DB_MAX_IDLE_CONNS", "must not exceed DB_MAX_OPEN_CONNS")
	}
	cfg.Production = l.oneOf("APP_ENV", "development", "development", "production") == "production"
	if cfg.Production {
		l.production(cfg)
	}
	if err := errors.Join(l.errs...); err != nil {
		return Config{}, fmt.Errorf("configuration: %w", err)
	}
	return cfg, nil
}

type loader struct {
	getenv   Env
	readFile ReadFile
	errs     []error
}

// production refuses what is fine on a developer's machine and unsafe on
// a server: the built-in credentials, and plain-text database connections
// to another host.
func (l *loader) production(cfg Config) {
	u, err := url.Parse(cfg.DatabaseURL)
	if err != nil {
		return // reported already
	}
	password, _ := u.User.Password()
	switch {
	case cfg.DatabaseURL == DefaultDatabaseURL, u.User.Username() == "otop" && password == "otop" && !isLoopbackHost(u.Hostname()):
		l.fail("DATABASE_URL", "APP_ENV=production refuses the development database credentials")
	case u.Query().Get("sslmode") == "disable" && !isLoopbackHost(u.Hostname()):
		l.fail("DATABASE_URL", "APP_ENV=production refuses sslmode=disable to %s: use sslmode=verify-full (or require)", u.Hostname())
	}
	if cfg.MinIO.AccessKey == DefaultMinIOAccessKey || cfg.MinIO.SecretKey == DefaultMinIOSecretKey {
		l.fail("MINIO_SECRET_KEY", "APP_ENV=production refuses the development MinIO credentials")
	}
	if cfg.WebhookAllowPrivate {
		// Webhooks would let any producer or importer make the server call
		// addresses inside its network (its database, cloud metadata).
		l.fail("WEBHOOK_ALLOW_PRIVATE", "APP_ENV=production refuses webhooks to private addresses")
	}
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func (l *loader) fail(key, format string, args ...any) {
	l.errs = append(l.errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
}

func (l *loader) raw(key string) (string, bool) {
	v := strings.TrimSpace(l.getenv(key))
	return v, v != ""
}

func (l *loader) nonEmpty(key, def string) string {
	if v, ok := l.raw(key); ok {
		return v
	}
	return def
}

// secret reads KEY, or the file named by KEY_FILE; setting both is an error.
func (l *loader) secret(key, def string) string {
	v, hasValue := l.raw(key)
	file, hasFile := l.raw(key + "_FILE")
	switch {
	case hasValue && hasFile:
		l.fail(key, "set either %s or %s_FILE, not both", key, key)
		return ""
	case hasFile:
		b, err := l.readFile(file)
		if err != nil {
			l.fail(key+"_FILE", "cannot read %q: %v", file, err)
			return ""
		}
		s := strings.TrimSpace(string(b))
		if s == "" {
			l.fail(key+"_FILE", "file %q is empty", file)
		}
		return s
	case hasValue:
		return v
	}
	return def
}

func (l *loader) databaseURL(key, def string) string {
	v := l.secret(key, def)
	if v == "" {
		return v
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		l.fail(key, "must be a postgres:// URL")
	}
	return v
}

func (l *loader) addr(key, def string) string {
	v := l.nonEmpty(key, def)
	if _, port, err := net.SplitHostPort(v); err != nil || !validPort(port) {
		l.fail(key, "must be host:port, got %q", v)
	}
	return v
}

// loopbackAddr reads an optional host:port whose host is a loopback
// address or localhost.
func (l *loader) loopbackAddr(key string) string {
	v, ok := l.raw(key)
	if !ok {
		return ""
	}
	host, port, err := net.SplitHostPort(v)
	ip := net.ParseIP(host)
	if err != nil || !validPort(port) || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
		l.fail(key, "must be a loopback host:port such as 127.0.0.1:6060, got %q", v)
	}
	return v
}

func (l *loader) hostPort(key, def string) string {
	v := l.nonEmpty(key, def)
	host, port, err := net.SplitHostPort(v)
	if err != nil || host == "" || !validPort(port) {
		l.fail(key, "must be host:port without a scheme, got %q", v)
	}
	return v
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n > 0 && n < 65536
}

func (l *loader) httpURL(key, def string, optional bool) string {
	v := l.nonEmpty(key, def)
	if v == "" && optional {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		l.fail(key, "must be an http(s) URL, got %q", v)
		return ""
	}
	return strings.TrimRight(v, "/")
}

func (l *loader) duration(key string, def time.Duration) time.Duration {
	return l.durationFrom(key, def, false)
}

// durationFrom reads a duration, positive, or also 0 when zeroOK.
func (l *loader) durationFrom(key string, def time.Duration, zeroOK bool) time.Duration {
	v, ok := l.raw(key)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || (d == 0 && !zeroOK) {
		if zeroOK {
			l.fail(key, "must be a duration such as 10s, or 0, got %q", v)
		} else {
			l.fail(key, "must be a positive duration such as 30s, got %q", v)
		}
		return def
	}
	return d
}

func (l *loader) positiveInt(key string, def int) int {
	return l.intFrom(key, def, 1)
}

// intFrom reads an integer of at least lowest (0 or 1).
func (l *loader) intFrom(key string, def, lowest int) int {
	v, ok := l.raw(key)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lowest {
		if lowest == 0 {
			l.fail(key, "must be an integer of 0 or more, got %q", v)
		} else {
			l.fail(key, "must be a positive integer, got %q", v)
		}
		return def
	}
	return n
}

func (l *loader) boolean(key string, def bool) bool {
	v, ok := l.raw(key)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		l.fail(key, "must be true or false, got %q", v)
		return def
	}
	return b
}

func (l *loader) oneOf(key, def string, allowed ...string) string {
	v := strings.ToLower(l.nonEmpty(key, def))
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	l.fail(key, "must be one of %s, got %q", strings.Join(allowed, ", "), v)
	return def
}

func (l *loader) level(key string, def slog.Level) slog.Level {
	v, ok := l.raw(key)
	if !ok {
		return def
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(v)); err != nil {
		l.fail(key, "must be debug, info, warn or error, got %q", v)
		return def
	}
	return lvl
}

// bucket checks the S3 bucket naming rules that matter in practice.
func (l *loader) bucket(key, def string) string {
	v := l.nonEmpty(key, def)
	if len(v) < 3 || len(v) > 63 {
		l.fail(key, "must be 3 to 63 characters, got %q", v)
		return v
	}
	for _, r := range v {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '.' {
			l.fail(key, "may hold only lowercase letters, digits, '-' and '.', got %q", v)
			break
		}
	}
	return v
}

// proxies reads a comma-separated list of IP addresses and CIDR ranges.
func (l *loader) proxies(key string) []string {
	v, ok := l.raw(key)
	if !ok {
		return nil
	}
	var out []string
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				l.fail(key, "each entry must be an IP address or a CIDR range such as 10.0.0.0/8, got %q", p)
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

// optionalAddr reads an optional host:port.
func (l *loader) optionalAddr(key string) string {
	if _, ok := l.raw(key); !ok {
		return ""
	}
	return l.addr(key, "")
}

func (l *loader) origins(key string) []string {
	v, ok := l.raw(key)
	if !ok {
		return nil
	}
	var out []string
	for _, o := range strings.Split(v, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		if o == "*" {
			out = append(out, o)
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" {
			l.fail(key, "each origin must be scheme://host[:port] or *, got %q", o)
			continue
		}
		out = append(out, o)
	}
	return out
}
