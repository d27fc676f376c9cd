package fault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/storage"
)

// Credentials of the suite's own services; they never leave loopback.
const (
	pgUser        = "otop"
	pgPassword    = "otop-fault-secret"
	minioUser     = "otop"
	minioPassword = "otop-fault-secret"
	bucket        = "otop"
	// requestDeadline is serve's WRITE_TIMEOUT, every request's deadline:
	// short, so that freezes outlast it without making the suite long.
	requestDeadline = 5 * time.Second
	// clientTimeout is the load's own limit: a request still unanswered
	// past it hung beyond its deadline.
	clientTimeout = requestDeadline + 5*time.Second
)

// tools are the programs the suite runs besides the otop binary.
type tools struct {
	pgBin string // PostgreSQL bin directory (initdb, pg_ctl)
	minio string // the MinIO server binary the scripts build and cache
	root  string // module root
	// asPostgres is set when the suite runs as root: PostgreSQL refuses
	// root, so its commands run as the postgres system user.
	asPostgres *user.User
}

// findTools locates the module root, the PostgreSQL server binaries and the
// cached MinIO binary, skipping the test (with the reason) when a server
// binary is absent.
func findTools(t *testing.T) tools {
	t.Helper()
	out, err := exec.CommandContext(context.Background(), "go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		t.Fatal("go env GOMOD names no go.mod: run the test inside the module")
	}
	tl := tools{root: filepath.Dir(gomod)}
	if tl.pgBin = pgBinDir(); tl.pgBin == "" {
		t.Skip("skipped: no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb or OTOP_PG_BIN); scripts/services.sh installs them")
	}
	script, err := os.ReadFile(filepath.Join(tl.root, "scripts", "services.sh"))
	if err != nil {
		t.Fatalf("read scripts/services.sh for the MinIO version: %v", err)
	}
	m := regexp.MustCompile(`(?m)^MINIO_VERSION=(\S+)$`).FindSubmatch(script)
	if m == nil {
		t.Fatal("scripts/services.sh no longer sets MINIO_VERSION; update the fault suite")
	}
	tl.minio = filepath.Join(otopCache(), "bin", "minio-"+string(m[1]))
	if info, err := os.Stat(tl.minio); err != nil || info.Mode()&0o111 == 0 {
		t.Skipf("skipped: no MinIO binary at %s; scripts/services.sh up test builds it", tl.minio)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs the postgres system user to run PostgreSQL as: %v", err)
		}
		tl.asPostgres = u
	}
	return tl
}

// pgBinDir is OTOP_PG_BIN or the newest /usr/lib/postgresql/*/bin with
// initdb and pg_ctl, as scripts/services.sh chooses; "" when none.
func pgBinDir() string {
	has := func(dir string) bool {
		for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
			if info, err := os.Stat(filepath.Join(dir, name)); err != nil || info.Mode()&0o111 == 0 {
				return false
			}
		}
		return true
	}
	if d := os.Getenv("OTOP_PG_BIN"); d != "" && has(d) {
		return d
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	best, bestMajor := "", -1
	for _, d := range dirs {
		major, err := strconv.Atoi(filepath.Base(filepath.Dir(d)))
		if err == nil && major > bestMajor && has(d) {
			best, bestMajor = d, major
		}
	}
	return best
}

// otopCache is where the scripts cache tool binaries (scripts/lib.sh).
func otopCache() string {
	if c := os.Getenv("OTOP_CACHE"); c != "" {
		return c
	}
	if x := os.Getenv("XDG_CACHE_HOME"); x != "" {
		return filepath.Join(x, "otop")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "otop")
}

// freeAddr is a loopback address nothing listens on right now.
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

func portOf(addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	return port
}

// scratchDir makes the suite's working directory. As root it belongs to the
// postgres user, who must reach it: t.TempDir's parents are root's alone,
// so (as scripts/services.sh does) it lives in TMPDIR, or /tmp when the
// postgres user cannot write there.
func scratchDir(t *testing.T, tl tools) string {
	t.Helper()
	base, err := os.MkdirTemp("", "otop-fault-")
	if err != nil {
		t.Fatal(err)
	}
	if tl.asPostgres != nil {
		if err := chownPG(base, tl.asPostgres); err != nil {
			t.Fatal(err)
		}
		probe := tl.pgCommand(context.Background(), "test", "-w", base)
		if probe.Run() != nil {
			_ = os.RemoveAll(base)
			if base, err = os.MkdirTemp("/tmp", "otop-fault-"); err != nil {
				t.Fatal(err)
			}
			if err := chownPG(base, tl.asPostgres); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Cleanup(func() { _ = os.RemoveAll(base) })
	return base
}

func chownPG(path string, u *user.User) error {
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return err
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return err
	}
	return os.Chown(path, uid, gid)
}

// pgCommand runs name as the cluster's owner: the postgres user when the
// suite runs as root (runuser, from /, which that user can enter).
func (tl tools) pgCommand(ctx context.Context, name string, args ...string) *exec.Cmd {
	if tl.asPostgres == nil {
		return exec.CommandContext(ctx, name, args...)
	}
	cmd := exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	cmd.Dir = "/"
	return cmd
}

// run runs cmd with its output in a buffer, failing with that output.
func run(t *testing.T, what string, cmd *exec.Cmd) string {
	t.Helper()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", what, err, out.String())
	}
	return out.String()
}

// pgServer is the suite's own PostgreSQL cluster.
type pgServer struct {
	tl   tools
	data string
	log  string
	addr string
}

func startPostgres(t *testing.T, tl tools, base string) *pgServer {
	t.Helper()
	pg := &pgServer{tl: tl, data: filepath.Join(base, "pg"), log: filepath.Join(base, "postgres.log"), addr: freeAddr(t)}
	pwfile := filepath.Join(base, "pwfile")
	if err := os.WriteFile(pwfile, []byte(pgPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if tl.asPostgres != nil {
		if err := chownPG(pwfile, tl.asPostgres); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	locale := "--no-locale"
	if out, err := exec.CommandContext(ctx, "locale", "-a").Output(); err == nil &&
		slices.ContainsFunc(strings.Fields(strings.ToLower(string(out))), func(l string) bool { return l == "c.utf8" || l == "c.utf-8" }) {
		locale = "--locale=C.UTF-8"
	}
	run(t, "initdb", tl.pgCommand(ctx, filepath.Join(tl.pgBin, "initdb"), "-D", pg.data, "-U", pgUser, "--pwfile="+pwfile,
		"-E", "UTF8", locale, "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync"))
	// Tuned like the test services (no fsync: nothing here must survive the
	// machine), but commits stay synchronous: a fast shutdown must keep
	// every acknowledged write.
	conf := fmt.Sprintf("\nlisten_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\n"+
		"fsync = off\nfull_page_writes = off\nmax_connections = 100\nshared_buffers = 64MB\n", portOf(pg.addr), pg.data)
	f, err := os.OpenFile(filepath.Join(pg.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, werr := f.WriteString(conf)
	if err := errors.Join(werr, f.Close()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = pg.ctl(ctx, "stop", "-m", "immediate", "-w", "-t", "30").Run()
	})
	pg.start(t)
	return pg
}

func (pg *pgServer) ctl(ctx context.Context, args ...string) *exec.Cmd {
	return pg.tl.pgCommand(ctx, filepath.Join(pg.tl.pgBin, "pg_ctl"), append([]string{"-D", pg.data}, args...)...)
}

// start starts the cluster and waits until it accepts connections. The
// server writes to its log file, never to a pipe of ours.
func (pg *pgServer) start(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := pg.ctl(ctx, "start", "-w", "-t", "60", "-l", pg.log)
	if out, err := runToFile(cmd, pg.log+".ctl"); err != nil {
		logs, _ := os.ReadFile(pg.log)
		t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, tail(logs, 3000))
	}
}

// stop shuts the cluster down in fast mode (sessions are ended, every
// committed transaction is kept) and waits until it is gone.
func (pg *pgServer) stop(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if out, err := runToFile(pg.ctl(ctx, "stop", "-m", "fast", "-w", "-t", "60"), pg.log+".ctl"); err != nil {
		t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

// signal sends sig to every process of the cluster: the postmaster, then
// its children (each backend leads a process group of its own, so the
// postmaster's group is not enough).
func (pg *pgServer) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(pg.data, "postmaster.pid"))
	if err != nil {
		t.Fatalf("postmaster.pid: %v", err)
	}
	postmaster, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		t.Fatalf("postmaster.pid: %v", err)
	}
	pids := []int{postmaster}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(postmaster) {
			pids = append(pids, pid)
		}
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, sig); err != nil && pid == postmaster {
			t.Fatalf("signal the postmaster: %v", err)
		}
	}
}

func (pg *pgServer) url() string {
	return "postgres://" + pgUser + ":" + pgPassword + "@" + pg.addr + "/postgres?sslmode=disable"
}

// runToFile runs cmd with its output appended to path: a daemon it starts
// may keep its standard streams open, which a pipe would wait for.
func runToFile(cmd *exec.Cmd, path string) (string, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return "", err
	}
	cmd.Stdout, cmd.Stderr = f, f
	err = cmd.Run()
	_ = f.Close()
	out, _ := os.ReadFile(path)
	return string(out), err
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// process is a child process the suite starts, stops and kills: MinIO or
// serve. It dies with the test binary (Pdeathsig).
type process struct {
	name string
	bin  string
	args []string
	env  []string
	log  string
	cmd  *exec.Cmd
	done chan struct{}
}

func (p *process) start(t *testing.T) {
	t.Helper()
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(context.Background(), p.bin, p.args...) //nolint:gosec // the suite's own binaries
	cmd.Env, cmd.Stdout, cmd.Stderr = p.env, f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = f.Close()
		t.Fatalf("start %s: %v", p.name, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		_ = f.Close()
		close(done)
	}()
	p.cmd, p.done = cmd, done
}

func (p *process) running() bool {
	if p.done == nil {
		return false
	}
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if !p.running() {
		t.Fatalf("%s is not running", p.name)
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// signal sends sig (SIGSTOP, SIGCONT) to the running process.
func (p *process) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if !p.running() {
		t.Fatalf("%s is not running", p.name)
	}
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %s: %v", p.name, err)
	}
}

// stop sends SIGTERM and waits for the process to exit (SIGKILL after grace).
func (p *process) stop(grace time.Duration) {
	if !p.running() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.done
	}
}

// waitHTTP polls url until it answers 200, failing when the process exits
// first or within the timeout.
func (p *process) waitHTTP(t *testing.T, url string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		if code, _ := get(client, url); code == http.StatusOK {
			return
		}
		if !p.running() {
			logs, _ := os.ReadFile(p.log)
			t.Fatalf("%s exited before %s answered 200:\n%s", p.name, url, tail(logs, 4000))
		}
		if time.Now().After(deadline) {
			logs, _ := os.ReadFile(p.log)
			t.Fatalf("%s: no 200 from %s within %s:\n%s", p.name, url, timeout, tail(logs, 4000))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func get(client *http.Client, url string) (int, []byte) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		return 0, nil
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// childEnv is the test's environment without the settings otop and MinIO
// read, plus set: nothing of the developer's or of the shared test
// services' configuration leaks into the suite's processes.
func childEnv(set map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ours := set[k]; ours || strings.HasPrefix(k, "MINIO_") || strings.HasPrefix(k, "MEILI_") ||
			strings.HasPrefix(k, "DB_") || strings.HasPrefix(k, "CACHE_") || slices.Contains(otopSettings, k) {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range set {
		env = append(env, k+"="+v)
	}
	return env
}

// otopSettings are the other variables internal/config reads.
var otopSettings = []string{"DATABASE_URL", "DATABASE_URL_FILE", "HTTP_ADDR", "DATA_DIR", "APP_ENV", "LOG_LEVEL", "LOG_FORMAT",
	"READ_HEADER_TIMEOUT", "READ_TIMEOUT", "WRITE_TIMEOUT", "IDLE_TIMEOUT", "SHUTDOWN_TIMEOUT", "MAX_BODY_BYTES",
	"CORS_ALLOWED_ORIGINS", "TRUSTED_PROXIES", "METRICS_ADDR", "PPROF_ADDR", "IMAGE_MEMORY_MB", "MIGRATE_ON_START",
	"WEBHOOK_ALLOW_PRIVATE", "GOGC"}

func startMinIO(t *testing.T, tl tools, base string) *process {
	t.Helper()
	addr := freeAddr(t)
	m := &process{
		name: "minio", bin: tl.minio, log: filepath.Join(base, "minio.log"),
		args: []string{"server", "--address", addr, "--console-address", freeAddr(t), filepath.Join(base, "minio")},
		env: childEnv(map[string]string{"MINIO_ROOT_USER": minioUser, "MINIO_ROOT_PASSWORD": minioPassword,
			"MINIO_BROWSER": "off", "MINIO_UPDATE": "off"}),
	}
	m.start(t)
	t.Cleanup(func() { m.stop(10 * time.Second) })
	waitMinIO(t, m)
	return m
}

// waitMinIO waits until MinIO serves requests: its health probes answer
// 200 while it still refuses them ("Server not initialized yet").
func waitMinIO(t *testing.T, m *process) {
	t.Helper()
	m.waitHTTP(t, "http://"+minioAddr(m)+"/minio/health/live", time.Minute)
	client, err := minio.New(minioAddr(m), &minio.Options{Creds: credentials.NewStaticV4(minioUser, minioPassword, "")})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := client.ListBuckets(ctx)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) || !m.running() {
			t.Fatalf("minio does not serve requests: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// minioAddr is where m listens.
func minioAddr(m *process) string { return m.args[2] }

// cluster is everything one run of the suite starts.
type cluster struct {
	tl    tools
	base  string
	bin   string
	pg    *pgServer
	minio *process
	serve *process
	env   map[string]string // serve's settings
	url   string            // http://serve
	db    *gorm.DB          // the suite's own connection, for checks
	store *storage.Store
}

// newCluster builds otop, starts PostgreSQL and MinIO, migrates, seeds and
// starts serve.
func newCluster(t *testing.T) *cluster {
	t.Helper()
	tl := findTools(t)
	c := &cluster{tl: tl, base: scratchDir(t, tl)}
	c.bin = filepath.Join(c.base, "otop")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", c.bin, ".")
	build.Dir = tl.root
	start := time.Now()
	run(t, "go build otop", build)
	t.Logf("built otop in %.1fs", time.Since(start).Seconds())

	c.pg = startPostgres(t, tl, c.base)
	c.minio = startMinIO(t, tl, c.base)
	addr := freeAddr(t)
	c.url = "http://" + addr
	c.env = map[string]string{
		"DATABASE_URL":     c.pg.url(),
		"MINIO_ENDPOINT":   minioAddr(c.minio),
		"MINIO_ACCESS_KEY": minioUser,
		"MINIO_SECRET_KEY": minioPassword,
		"MINIO_BUCKET":     bucket,
		"MINIO_PUBLIC_URL": "http://" + minioAddr(c.minio),
		"DATA_DIR":         filepath.Join(c.base, "data"),
		"HTTP_ADDR":        addr,
		"WRITE_TIMEOUT":    requestDeadline.String(),
		"LOG_FORMAT":       "text",
	}
	c.otop(t, "migrate")
	// About 1,100 of them are published: more than the indexer applies in
	// one batch (500), so that a kill can fall between batches.
	c.otop(t, "seed", "--demo", "--products", "1200", "--images", "0")

	db, err := postgres.Open(ctx, c.pg.url(), postgres.Options{MaxOpenConns: 4, MaxIdleConns: 4})
	if err != nil {
		t.Fatalf("open the suite's database connection: %v", err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})
	c.db = db
	if c.store, err = storage.New(storage.Config{Endpoint: minioAddr(c.minio), AccessKey: minioUser, SecretKey: minioPassword, Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	c.serve = &process{name: "serve", bin: c.bin, args: []string{"serve"}, env: childEnv(c.env), log: filepath.Join(c.base, "serve.log")}
	t.Cleanup(func() {
		c.serve.stop(20 * time.Second)
		if t.Failed() {
			logs, _ := os.ReadFile(c.serve.log)
			var failures []string
			for _, line := range strings.Split(string(logs), "\n") {
				if strings.Contains(line, "level=ERROR") {
					failures = append(failures, line)
				}
			}
			t.Logf("serve's errors (%d):\n%s", len(failures), strings.Join(first(failures, 20), "\n"))
			t.Logf("serve's log (end):\n%s", tail(logs, 3000))
		}
	})
	c.startServe(t)
	return c
}

// otop runs a one-shot otop command with serve's settings.
func (c *cluster) otop(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, args...) //nolint:gosec // the suite's own binary
	cmd.Env = childEnv(c.env)
	return run(t, "otop "+strings.Join(args, " "), cmd)
}

// startServe starts serve and waits until /readyz answers 200 (its index
// built, every dependency up).
func (c *cluster) startServe(t *testing.T) {
	t.Helper()
	c.serve.start(t)
	c.serve.waitHTTP(t, c.url+"/readyz", 90*time.Second)
}

// heal starts whatever a failed fault left stopped or frozen.
func (c *cluster) heal(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if c.pg.ctl(ctx, "status").Run() != nil {
		c.pg.start(t)
	} else {
		c.pg.signal(t, syscall.SIGCONT)
	}
	if c.minio.running() {
		_ = c.minio.cmd.Process.Signal(syscall.SIGCONT)
	} else {
		c.restartMinIO(t)
	}
	if !c.serve.running() {
		c.startServe(t)
	}
}

// restartMinIO starts MinIO again on the same address and data directory.
func (c *cluster) restartMinIO(t *testing.T) {
	t.Helper()
	c.minio.start(t)
	waitMinIO(t, c.minio)
}
