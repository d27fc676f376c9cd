package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/taxonomy"
	"github.com/otopmarket/otop/internal/testenv"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// serviceEnv is the environment of a server on this test's own database and bucket.
func serviceEnv(t *testing.T, databaseURL string) map[string]string {
	t.Helper()
	minio := testenv.MinIOConfig(t)
	return map[string]string{
		"DATABASE_URL":     databaseURL,
		"MINIO_ENDPOINT":   minio.Endpoint,
		"MINIO_ACCESS_KEY": minio.AccessKey,
		"MINIO_SECRET_KEY": minio.SecretKey,
		"MINIO_BUCKET":     minio.Bucket,
		"HTTP_ADDR":        freeAddr(t),
		"DATA_DIR":         t.TempDir(),
		"LOG_FORMAT":       "text",
	}
}

func getenvFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// waitReady waits until the server at base answers /readyz with 200, failing
// the test when serve exits first or 30 s pass.
func waitReady(t *testing.T, base string, done chan int, stderr *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if code, _ := get(t, base+"/readyz"); code == http.StatusOK {
			return
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited early with %d: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no /readyz 200 within 30s: %s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestServeAnswersUntilStoppedThenExitsCleanly(t *testing.T) {
	t.Parallel()
	env := serviceEnv(t, testenv.DatabaseURL(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"otop", "serve"}, getenvFrom(env), io.Discard, stderr) }()

	base := "http://" + env["HTTP_ADDR"]
	waitReady(t, base, done, stderr)
	code, body := get(t, base+"/v1/provinces")
	var list struct{ Items []map[string]any }
	if err := json.Unmarshal(body, &list); err != nil || code != http.StatusOK || len(list.Items) != 77 {
		t.Fatalf("/v1/provinces = %d, %d items, %v", code, len(list.Items), err)
	}
	if code, body := get(t, base+"/readyz"); code != http.StatusOK || !strings.Contains(string(body), `"search"`) {
		t.Fatalf("/readyz = %d %s, want the search engine among the checks", code, body)
	}
	for range 2 { // the second answer comes from the search cache
		if code, _ := get(t, base+"/v1/search?q=silk"); code != http.StatusOK {
			t.Fatalf("/v1/search = %d", code)
		}
	}
	code, body = get(t, base+"/metrics")
	for _, want := range []string{`go_sql_max_open_connections{db_name="otop"} 20`, "otop_search_indexing_lag_seconds ",
		`otop_search_duration_seconds_count{operation="search",outcome="ok"} 1`,
		`otop_cache_lookups_total{cache="searches",result="hit"} 1`, `otop_cache_bytes{cache="products"} 0`} {
		if code != http.StatusOK || !strings.Contains(string(body), want) {
			t.Fatalf("/metrics = %d, %q missing", code, want)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit code after SIGTERM-like stop = %d: %s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30s of its context ending")
	}
}

func TestServeRefusesAnOldSchemaUnlessToldToMigrate(t *testing.T) {
	t.Parallel()
	env := serviceEnv(t, testenv.EmptyDatabaseURL(t))
	stderr := &syncBuffer{}
	code := run(context.Background(), []string{"otop", "serve"}, getenvFrom(env), io.Discard, stderr)
	if code == 0 || !strings.Contains(stderr.String(), "schema is outdated") {
		t.Fatalf("serve on an unmigrated database: exit %d, stderr %q", code, stderr.String())
	}

	// With --migrate it migrates, then serves until stopped.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"otop", "serve", "--migrate"}, getenvFrom(env), io.Discard, stderr) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if c, _ := get(t, "http://"+env["HTTP_ADDR"]+"/readyz"); c == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve --migrate never became ready: %s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve --migrate exit = %d", code)
	}
}

func TestMigrateCommand(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": testenv.EmptyDatabaseURL(t)}
	for i := range 2 { // the second run finds nothing to do
		stderr := &syncBuffer{}
		if code := run(context.Background(), []string{"otop", "migrate"}, getenvFrom(env), io.Discard, stderr); code != 0 {
			t.Fatalf("migrate run %d: exit %d: %s", i+1, code, stderr.String())
		}
	}
}

func TestBadConfigurationIsReportedWholeAndExitsNonZero(t *testing.T) {
	stderr := &syncBuffer{}
	env := map[string]string{"HTTP_ADDR": "nope", "LOG_LEVEL": "loud"}
	code := run(context.Background(), []string{"otop", "serve"}, getenvFrom(env), io.Discard, stderr)
	if code == 0 || !strings.Contains(stderr.String(), "HTTP_ADDR") || !strings.Contains(stderr.String(), "LOG_LEVEL") {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
}

func TestGracefulShutdownLetsInFlightRequestsFinish(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	srv := &http.Server{
		ReadHeaderTimeout: time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			close(started)
			time.Sleep(300 * time.Millisecond)
			_, _ = w.Write([]byte("finished"))
		}),
	}
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- serveUntilDone(ctx, srv, ln, 5*time.Second, slog.New(slog.DiscardHandler)) }()

	type result struct {
		code int
		body []byte
	}
	got := make(chan result, 1)
	go func() {
		code, body := get(t, "http://"+ln.Addr().String()+"/slow")
		got <- result{code, body}
	}()
	<-started
	cancel() // the signal arrives while the request is in flight
	r := <-got
	if r.code != http.StatusOK || string(r.body) != "finished" {
		t.Fatalf("in-flight request = %d %q, want 200 finished", r.code, r.body)
	}
	if err := <-served; err != nil {
		t.Fatalf("serveUntilDone = %v", err)
	}
	if code, _ := get(t, "http://"+ln.Addr().String()+"/slow"); code != 0 {
		t.Fatalf("server still accepts after shutdown: %d", code)
	}
}

func TestSeedDemoLoadsAPublishedCatalogueOnce(t *testing.T) {
	t.Parallel()
	env := serviceEnv(t, testenv.DatabaseURL(t))
	args := []string{"otop", "seed", "--demo", "--products", "40", "--images", "3"}
	for run := range 2 { // the second run finds the demo present and does nothing
		stderr := &syncBuffer{}
		if code := runWith(args, env, stderr); code != 0 {
			t.Fatalf("seed run %d: exit %d: %s", run+1, code, stderr.String())
		}
	}
	db, err := postgres.Open(context.Background(), env["DATABASE_URL"], postgres.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer postgres.Close(db) //nolint:errcheck // test cleanup
	counts := map[string]string{
		"products WHERE status = 'published'":              "40",
		"products WHERE status <> 'published'":             "0",
		"product_images":                                   "3",
		"producers":                                        "154",
		"(SELECT DISTINCT province_code FROM producers) p": "77",
		"users WHERE role = 'curator'":                     "4",
		"users WHERE role = 'admin'":                       "1",
	}
	for from, want := range counts {
		var got string
		if err := db.Raw("SELECT count(*)::text FROM " + from).Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("count(%s) = %s, want %s", from, got, want)
		}
	}
	// The demo accounts can log in with the documented password.
	tax, err := taxonomy.Load()
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := account.NewService(postgres.NewAccounts(db), tax.SelectCenterExists, account.DefaultPolicy(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.Login(context.Background(), "curator-chiang-mai"+demoEmailDomain, demoPassword, "127.0.0.1"); err != nil {
		t.Fatalf("demo curator login: %v", err)
	}
}

func runWith(args []string, env map[string]string, stderr io.Writer) int {
	return run(context.Background(), args, getenvFrom(env), io.Discard, stderr)
}

func TestUserCreateMakesStaffAccounts(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": testenv.DatabaseURL(t)}
	tests := []struct {
		name string
		args []string
		ok   bool
		want string // on stdout or stderr
	}{
		{"curator of a center", []string{"--email", "cm@otop.example", "--password", "celadon glaze kiln 1960", "--role", "curator", "--select-center", "chiang-mai"}, true, "created curator cm@otop.example"},
		{"admin", []string{"--email", "root@otop.example", "--password", "celadon glaze kiln 1960", "--role", "admin"}, true, "created admin root@otop.example"},
		{"curator without a center", []string{"--email", "x@otop.example", "--password", "celadon glaze kiln 1960", "--role", "curator"}, false, "select_center_id"},
		{"producer is not a staff role", []string{"--email", "y@otop.example", "--password", "celadon glaze kiln 1960", "--role", "producer"}, false, "role"},
		{"weak password", []string{"--email", "z@otop.example", "--password", "password1", "--role", "admin"}, false, "password"},
		{"duplicate email", []string{"--email", "CM@otop.example", "--password", "celadon glaze kiln 1960", "--role", "admin"}, false, "already exists"},
	}
	for _, tt := range tests { // in order: the duplicate needs the first
		out := &syncBuffer{}
		code := run(context.Background(), append([]string{"otop", "user", "create"}, tt.args...), getenvFrom(env), out, out)
		if (code == 0) != tt.ok || !strings.Contains(out.String(), tt.want) {
			t.Errorf("%s: exit %d, output %q; want success=%v and %q", tt.name, code, out.String(), tt.ok, tt.want)
		}
	}
}
