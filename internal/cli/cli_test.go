package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/catalog"
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
	go func() { done <- Run(ctx, []string{"otop", "serve"}, getenvFrom(env), nil, io.Discard, stderr) }()

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
	code := Run(context.Background(), []string{"otop", "serve"}, getenvFrom(env), nil, io.Discard, stderr)
	if code == 0 || !strings.Contains(stderr.String(), "schema is outdated") {
		t.Fatalf("serve on an unmigrated database: exit %d, stderr %q", code, stderr.String())
	}

	// With --migrate it migrates, then serves until stopped.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"otop", "serve", "--migrate"}, getenvFrom(env), nil, io.Discard, stderr)
	}()
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
		if code := Run(context.Background(), []string{"otop", "migrate"}, getenvFrom(env), nil, io.Discard, stderr); code != 0 {
			t.Fatalf("migrate run %d: exit %d: %s", i+1, code, stderr.String())
		}
	}
}

func TestBadConfigurationIsReportedWholeAndExitsNonZero(t *testing.T) {
	stderr := &syncBuffer{}
	env := map[string]string{"HTTP_ADDR": "nope", "LOG_LEVEL": "loud"}
	code := Run(context.Background(), []string{"otop", "serve"}, getenvFrom(env), nil, io.Discard, stderr)
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

// TestSeedDemoLoadsACuratedCatalogueOnce: the demo catalogue is mostly
// published, with verified claims, and every Select center has a review
// queue (new submissions and resubmissions with changes), rejected listings
// with a reason, and TOPOTOP products that meet the export-readiness
// checklist.
func TestSeedDemoLoadsACuratedCatalogueOnce(t *testing.T) {
	t.Parallel()
	env := serviceEnv(t, testenv.DatabaseURL(t))
	args := []string{"otop", "seed", "--demo", "--products", "80", "--images", "8"}
	for run := range 2 { // the second run finds the demo present and does nothing
		stderr := &syncBuffer{}
		if code := runWith(args, env, stderr); code != 0 {
			t.Fatalf("seed run %d: exit %d: %s", run+1, code, stderr.String())
		}
	}
	ctx := context.Background()
	db, err := postgres.Open(ctx, env["DATABASE_URL"], postgres.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer postgres.Close(db) //nolint:errcheck // test cleanup
	count := func(from string) int {
		t.Helper()
		var n int
		if err := db.Raw("SELECT count(*) FROM " + from).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	counts := map[string]int{
		"products":  80,
		"producers": 154,
		"(SELECT DISTINCT province_code FROM producers) p":   77,
		"users WHERE role = 'curator'":                       4,
		"users WHERE role = 'admin'":                         1,
		"(SELECT DISTINCT product_id FROM product_images) i": 8,
		// a queue in every center, and rejected listings in every center
		"(SELECT DISTINCT select_center_id FROM products WHERE status = 'pending_review' AND reviewed_at IS NULL) q":                         4,
		"(SELECT DISTINCT select_center_id FROM products WHERE status = 'rejected' AND char_length(rejection_reason) BETWEEN 10 AND 2000) r": 4,
		// resubmissions carry the version they were published as
		`(SELECT DISTINCT p.select_center_id FROM products p JOIN product_published_versions v ON v.product_id = p.id
			WHERE p.status = 'pending_review' AND p.reviewed_at IS NOT NULL AND p.reviewed_by IS NOT NULL) s`: 4,
		// every published product has its published version and its decision
		`products p WHERE status = 'published' AND (reviewed_by IS NULL OR reviewed_at IS NULL OR submitted_at IS NULL
			OR NOT EXISTS (SELECT 1 FROM product_published_versions v WHERE v.product_id = p.id))`: 0,
		// decisions are by the curator of the product's center
		"products p JOIN users u ON u.id = p.reviewed_by WHERE u.select_center_id <> p.select_center_id":                                                      0,
		"product_certifications c JOIN products p ON p.id = c.product_id JOIN users u ON u.id = c.verified_by WHERE u.select_center_id <> p.select_center_id": 0,
		// nothing verified before a review
		"products WHERE status = 'pending_review' AND reviewed_at IS NULL AND stars_verification <> 'unverified'": 0,
		"products WHERE updated_at < GREATEST(created_at, submitted_at, reviewed_at, published_at)":               0,
		// every decision is in the audit log once, even after two runs
		"products p WHERE reviewed_at IS NOT NULL AND (SELECT count(*) FROM audit_log a WHERE a.entity_id = p.id AND a.action IN ('approve', 'reject')) <> 1": 0,
		"audit_log a JOIN products p ON p.id = a.entity_id WHERE a.action = 'reject' AND a.reason <> p.rejection_reason":                                      0,
	}
	for from, want := range counts {
		if got := count(from); got != want {
			t.Errorf("count(%s) = %d, want %d", from, got, want)
		}
	}
	published := count("products WHERE status = 'published'")
	for what, n := range map[string]int{
		"verified certificates of published products": count("product_certifications c JOIN products p ON p.id = c.product_id WHERE p.status = 'published' AND c.verification = 'verified'"),
		"unverified certificates":                     count("product_certifications WHERE verification = 'unverified'"),
		"published products with verified stars":      count("products WHERE status = 'published' AND stars_verification = 'verified'"),
		"published products":                          published - 60, // most of the 80
		"TOPOTOP products":                            count("products WHERE topotop"),
	} {
		if n <= 0 {
			t.Errorf("%s: %d, want some", what, n)
		}
	}

	// TOPOTOP products pass the real readiness check; a resubmission's
	// queue item shows its changes (and no photo changes).
	repo := postgres.NewCatalog(db)
	var topotop, resubmitted []uuid.UUID
	if err := db.Raw("SELECT id FROM products WHERE topotop").Scan(&topotop).Error; err != nil {
		t.Fatal(err)
	}
	for _, id := range topotop {
		p, err := repo.Product(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if r := catalog.CheckReadiness(p, time.Now()); !r.Ready || p.Status != catalog.StatusPublished {
			t.Errorf("TOPOTOP %s (%s): ready=%v, unmet %v", p.NameEN, p.Status, r.Ready, r.Unmet())
		}
	}
	if err := db.Raw("SELECT product_id FROM product_published_versions v JOIN products p ON p.id = v.product_id WHERE p.status = 'pending_review'").
		Scan(&resubmitted).Error; err != nil {
		t.Fatal(err)
	}
	for _, id := range resubmitted {
		p, err := repo.Product(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var raw []byte
		if err := db.Raw("SELECT fields FROM product_published_versions WHERE product_id = ?", id).Row().Scan(&raw); err != nil {
			t.Fatal(err)
		}
		var before map[string]any
		if err := json.Unmarshal(raw, &before); err != nil {
			t.Fatal(err)
		}
		fields, added, removed := catalog.Changes(before, catalog.PublicFields(p))
		if len(fields) == 0 || len(added) > 0 || len(removed) > 0 {
			t.Errorf("resubmission %s: changes %+v, photos +%v -%v; want field changes only", p.NameEN, fields, added, removed)
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
	if _, err := accounts.Login(ctx, "curator-chiang-mai"+demoEmailDomain, demoPassword, "127.0.0.1"); err != nil {
		t.Fatalf("demo curator login: %v", err)
	}
}

func runWith(args []string, env map[string]string, stderr io.Writer) int {
	return Run(context.Background(), args, getenvFrom(env), nil, io.Discard, stderr)
}

func TestUserCreateMakesStaffAccounts(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": testenv.DatabaseURL(t)}
	const password = "celadon glaze kiln 1960"
	tests := []struct {
		name  string
		args  []string
		stdin string
		ok    bool
		want  string // on stdout or stderr
	}{
		{"curator of a center", []string{"--email", "cm@otop.example", "--password", password, "--role", "curator", "--select-center", "chiang-mai"}, "", true, "created curator cm@otop.example"},
		{"admin", []string{"--email", "root@otop.example", "--password", password, "--role", "admin"}, "", true, "created admin root@otop.example"},
		{"curator without a center", []string{"--email", "x@otop.example", "--password", password, "--role", "curator"}, "", false, "select_center_id"},
		{"producer is not a staff role", []string{"--email", "y@otop.example", "--password", password, "--role", "producer"}, "", false, "role"},
		{"weak password", []string{"--email", "z@otop.example", "--password", "password1", "--role", "admin"}, "", false, "password"},
		{"duplicate email", []string{"--email", "CM@otop.example", "--password", password, "--role", "admin"}, "", false, "already exists"},
		// The first line of standard input, without its line ending, is the password.
		{"password from standard input", []string{"--email", "stdin@otop.example", "--password-stdin", "--role", "admin"}, password + "\r\nnot the password\n", true, "created admin stdin@otop.example"},
		{"password and password-stdin together", []string{"--email", "both@otop.example", "--password", password, "--password-stdin", "--role", "admin"}, password + "\n", false, "cannot be set along with"},
		{"no password at all", []string{"--email", "none@otop.example", "--role", "admin"}, "", false, "password"},
		{"empty standard input", []string{"--email", "empty@otop.example", "--password-stdin", "--role", "admin"}, "", false, "holds no password"},
		{"weak password from standard input", []string{"--email", "weak@otop.example", "--password-stdin", "--role", "admin"}, "password1\n", false, "password"},
	}
	for _, tt := range tests { // in order: the duplicate needs the first
		out := &syncBuffer{}
		code := Run(context.Background(), append([]string{"otop", "user", "create"}, tt.args...), getenvFrom(env), strings.NewReader(tt.stdin), out, out)
		if (code == 0) != tt.ok || !strings.Contains(out.String(), tt.want) {
			t.Errorf("%s: exit %d, output %q; want success=%v and %q", tt.name, code, out.String(), tt.ok, tt.want)
		}
	}

	// The account made from standard input logs in with exactly the first line;
	// the refused ones were not created.
	db, err := postgres.Open(context.Background(), env["DATABASE_URL"], postgres.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer postgres.Close(db) //nolint:errcheck // test cleanup
	tax, err := taxonomy.Load()
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := account.NewService(postgres.NewAccounts(db), tax.SelectCenterExists, account.DefaultPolicy(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.Login(context.Background(), "stdin@otop.example", password, "127.0.0.1"); err != nil {
		t.Errorf("login with the password read from standard input: %v", err)
	}
	var refused int64
	if err := db.Raw("SELECT count(*) FROM users WHERE email IN ('both@otop.example', 'none@otop.example', 'empty@otop.example', 'weak@otop.example')").Scan(&refused).Error; err != nil {
		t.Fatal(err)
	}
	if refused != 0 {
		t.Errorf("%d refused accounts were created", refused)
	}
}

// APP_ENV=production never loads the demo catalogue, and serve refuses a
// database that holds its accounts (they share a published password).
func TestProductionRefusesTheDemo(t *testing.T) {
	t.Parallel()
	env := serviceEnv(t, testenv.DatabaseURL(t))
	if code := runWith([]string{"otop", "seed", "--demo", "--products", "8", "--images", "0"}, env, &syncBuffer{}); code != 0 {
		t.Fatalf("seed --demo in development: exit %d", code)
	}
	prod := maps.Clone(env)
	prod["APP_ENV"], prod["MINIO_ACCESS_KEY"], prod["MINIO_SECRET_KEY"] = "production", "prod-user", "a-long-random-secret"
	for _, args := range [][]string{{"otop", "seed", "--demo"}, {"otop", "serve"}} {
		stderr := &syncBuffer{}
		if code := runWith(args, prod, stderr); code == 0 || !strings.Contains(stderr.String(), "APP_ENV=production") {
			t.Errorf("%v in production with demo data: exit %d, %s", args, code, stderr.String())
		}
	}
}
