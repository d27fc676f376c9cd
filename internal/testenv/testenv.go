// Package testenv gives each test its own real PostgreSQL database and MinIO bucket.
//
// The services come from scripts/test.sh (make test), which exports
// TEST_DATABASE_URL (a superuser connection to a throwaway cluster) and
// TEST_MINIO_ENDPOINT, TEST_MINIO_ACCESS_KEY, TEST_MINIO_SECRET_KEY.
// Without them a test is skipped with the reason printed, except under CI=true,
// where a missing service fails the run.
package testenv

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx" for the admin connection
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/storage"
)

// require returns the value of an environment variable the tests need,
// failing under CI and skipping (with the reason) elsewhere when it is unset.
func require(t testing.TB, key string) string {
	t.Helper()
	v := os.Getenv(key)
	if v != "" {
		return v
	}
	msg := fmt.Sprintf("%s is not set: run the tests with `make test`, which starts throwaway PostgreSQL and MinIO", key)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func randomName(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func adminDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", require(t, "TEST_DATABASE_URL"))
	if err != nil {
		t.Fatalf("open admin connection: %v", err)
	}
	db.SetMaxOpenConns(2)
	return db
}

func withDatabase(t testing.TB, name string) string {
	t.Helper()
	u, err := url.Parse(require(t, "TEST_DATABASE_URL"))
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// migrationsHash names the template after the migrations it holds, so a
// changed migration gets a new template instead of a stale one.
func migrationsHash(t testing.TB) string {
	t.Helper()
	h := sha256.New()
	err := fs.WalkDir(postgres.Migrations(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(postgres.Migrations(), path)
		if err != nil {
			return err
		}
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	if err != nil {
		t.Fatalf("hash migrations: %v", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// ensureTemplate creates the migrated template database once per migration
// set, under an advisory lock so that parallel test processes agree.
func ensureTemplate(ctx context.Context, t testing.TB, admin *sql.DB) string {
	t.Helper()
	name := "otop_tmpl_" + migrationsHash(t)
	conn, err := admin.Conn(ctx)
	if err != nil {
		t.Fatalf("admin connection: %v", err)
	}
	defer conn.Close()
	const lockKey = 727_001 // any constant shared by all test processes
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		t.Fatalf("lock template: %v", err)
	}
	defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockKey) }()

	var ready bool
	err = conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)", name).Scan(&ready)
	if err != nil {
		t.Fatalf("look up template: %v", err)
	}
	if ready {
		return name
	}
	// A template without the flag is the leftover of an interrupted run.
	if _, err := conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		t.Fatalf("drop stale template: %v", err)
	}
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create template: %v", err)
	}
	db, err := postgres.Open(ctx, withDatabase(t, name), postgres.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatalf("open template: %v", err)
	}
	_, migErr := postgres.Migrate(ctx, db)
	if err := postgres.Close(db); err != nil {
		t.Fatalf("close template: %v", err)
	}
	if migErr != nil {
		t.Fatalf("migrate template: %v", migErr)
	}
	if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+name+" WITH is_template true"); err != nil {
		t.Fatalf("mark template: %v", err)
	}
	return name
}

func createDatabase(t testing.TB, template string) string {
	t.Helper()
	ctx := context.Background()
	admin := adminDB(t)
	defer admin.Close()
	stmt := "CREATE DATABASE %s"
	if template != "" {
		stmt += " TEMPLATE " + ensureTemplate(ctx, t, admin)
	}
	name := randomName("otop_test_")
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		_, err = admin.ExecContext(ctx, fmt.Sprintf(stmt, name))
		// Two clones of one template at the same instant can collide; try again.
		if err == nil || !strings.Contains(err.Error(), "is being accessed by other users") {
			break
		}
		time.Sleep(time.Duration(50*(attempt+1)) * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		admin := adminDB(t)
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	return withDatabase(t, name)
}

// DatabaseURL returns the URL of a fresh, fully migrated database that is
// dropped when the test ends.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	return createDatabase(t, "migrated")
}

// EmptyDatabaseURL returns the URL of a fresh database with no schema at all.
func EmptyDatabaseURL(t testing.TB) string {
	t.Helper()
	return createDatabase(t, "")
}

// DB opens a fresh, fully migrated database for the test and closes it afterwards.
func DB(t testing.TB) *gorm.DB {
	t.Helper()
	return OpenDB(t, DatabaseURL(t))
}

// OpenDB connects to the database at url (from DatabaseURL) for the test.
func OpenDB(t testing.TB, url string) *gorm.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), url, postgres.Options{MaxOpenConns: 10, MaxIdleConns: 5})
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { _ = postgres.Close(db) })
	return db
}

// MinIOConfig returns a configuration for a fresh bucket that the test owns.
// The bucket is created here and removed, with its objects, when the test ends.
func MinIOConfig(t testing.TB) storage.Config {
	t.Helper()
	cfg := storage.Config{
		Endpoint:  require(t, "TEST_MINIO_ENDPOINT"),
		AccessKey: require(t, "TEST_MINIO_ACCESS_KEY"),
		SecretKey: require(t, "TEST_MINIO_SECRET_KEY"),
		Bucket:    randomName("otop-test-"),
	}
	store, err := storage.New(cfg)
	if err != nil {
		t.Fatalf("minio client: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := store.EnsureBucket(ctx); err != nil {
		t.Fatalf("create test bucket: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := store.RemoveBucket(ctx); err != nil {
			t.Errorf("remove test bucket %s: %v", cfg.Bucket, err)
		}
	})
	return cfg
}

// Store returns a storage.Store on a fresh bucket owned by the test.
func Store(t testing.TB) *storage.Store {
	t.Helper()
	store, err := storage.New(MinIOConfig(t))
	if err != nil {
		t.Fatalf("minio client: %v", err)
	}
	return store
}
